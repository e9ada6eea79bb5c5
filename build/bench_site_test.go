package build

import (
	"context"
	"fmt"
	"github.com/gmkit/gmkit/build/publish"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gmkit/gmkit/build/bench/sitegen"
)

// BenchmarkSite builds generated sites (see build/bench/sitegen: 2-4 KB
// posts of mixed Markdown with tags and links between posts) from disk into
// memory:
//
//	gemini              the capsule only
//	gemini+gopher       capsule and hole (the hole may add at most 40%)
//	gemini+gopher+html  every output (the web may add at most 50% to
//	                    the two others; see BenchmarkWebOverhead)
//	incremental    a rebuild with one Builder after editing one post, of
//	               two outputs and of three
//	write          a full build plus publish.Write to a folder
//
// Each reports ms/build and cpu-ms/build, the CPU time used on all cores.
// The generated sources are dated long ago (sitegen.Written), as a user's
// are: a file modified moments before a build is read again by the next
// one, and an incremental build here reads only the post it edits. The
// 10,000-post site only runs under -bench (it is skipped with -short).
func BenchmarkSite(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("posts=%d", n), func(b *testing.B) {
			if n > 1000 && testing.Short() {
				b.Skip("-short")
			}
			dir := b.TempDir()
			opts := sitegen.Options{Posts: n}
			if err := sitegen.Write(dir, opts); err != nil {
				b.Fatal(err)
			}
			cfg := Config{Dir: dir, Title: "Generated", Hostname: "example.org"}
			two := cfg
			two.Set("html", "enabled", false)
			geminiOnly := two
			geminiOnly.Set("gopher", "enabled", false)

			full := func(b *testing.B, cfg Config) {
				defer reportBuild(b)()
				for b.Loop() {
					res, err := NewBuilder(cfg).Build(context.Background())
					if err != nil {
						b.Fatal(err)
					}
					if res.Pages < n {
						b.Fatalf("got %d pages, want at least %d", res.Pages, n)
					}
				}
			}
			b.Run("out=gemini", func(b *testing.B) { full(b, geminiOnly) })
			b.Run("out=gemini+gopher", func(b *testing.B) { full(b, two) })
			b.Run("out=gemini+gopher+html", func(b *testing.B) { full(b, cfg) })
			incremental := func(b *testing.B, cfg Config) {
				bl := NewBuilder(cfg)
				if _, err := bl.Build(context.Background()); err != nil {
					b.Fatal(err)
				}
				defer reportBuild(b)()
				file := filepath.Join(dir, "content", filepath.FromSlash(sitegen.PostName(n/2)))
				edit := 0
				for b.Loop() {
					b.StopTimer()
					edit++
					if err := os.WriteFile(file, sitegen.Post(opts, n/2, edit), 0o644); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					res, err := bl.Build(context.Background())
					if err != nil {
						b.Fatal(err)
					}
					if res.Rendered != 1 {
						b.Fatalf("got Rendered %d, want 1", res.Rendered)
					}
				}
				if err := os.WriteFile(file, sitegen.Post(opts, n/2, 0), 0o644); err != nil {
					b.Fatal(err)
				}
				if err := os.Chtimes(file, sitegen.Written, sitegen.Written); err != nil {
					b.Fatal(err)
				}
			}
			b.Run("incremental/out=gemini+gopher", func(b *testing.B) { incremental(b, two) })
			b.Run("incremental/out=gemini+gopher+html", func(b *testing.B) { incremental(b, cfg) })
			b.Run("write", func(b *testing.B) {
				out := filepath.Join(b.TempDir(), "public")
				defer reportBuild(b)()
				for b.Loop() {
					bl := NewBuilder(cfg)
					res, err := bl.Build(context.Background())
					if err != nil {
						b.Fatal(err)
					}
					if err := publish.Write(context.Background(), res.Output, out); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// reportBuild starts counting CPU time; the function it returns, called
// when the loop is done, reports ms/build and cpu-ms/build (the CPU time
// of every core, steadier than wall time on a busy machine; it counts the
// time outside the timer too, such as an edit between builds).
func reportBuild(b *testing.B) func() {
	cpu0 := cpuTime()
	return func() {
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/build")
		if cpu := cpuTime() - cpu0; cpu > 0 {
			b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/build")
		}
	}
}

// BenchmarkWriteOutput writes a built 1,000-post site (every output, about
// 3,000 files in 3,000 folders) over the previous copy, as `gmkit build`
// does: a fresh folder, one swap, the old tree removed.
func BenchmarkWriteOutput(b *testing.B) {
	dir := b.TempDir()
	if err := sitegen.Write(dir, sitegen.Options{Posts: 1000}); err != nil {
		b.Fatal(err)
	}
	res, err := NewBuilder(Config{Dir: dir, Hostname: "example.org"}).Build(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(b.TempDir(), "public")
	for b.Loop() {
		if err := publish.Write(context.Background(), res.Output, out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/write")
	b.ReportMetric(float64(res.Output.Len()), "files")
}

// BenchmarkGopherOverhead measures what building the Gopher hole adds to a
// Gemini-only build of the 10,000-post site (see overhead). Target: at
// most 1.40.
func BenchmarkGopherOverhead(b *testing.B) {
	overhead(b, "both/gemini", func(c *Config) {
		c.Set("html", "enabled", false)
		c.Set("gopher", "enabled", false)
	}, func(c *Config) { c.Set("html", "enabled", false) })
}

// BenchmarkWebOverhead measures what building the web output adds to a
// build of the capsule and the hole of the 10,000-post site: three
// outputs against two, in the same run (see overhead). Target: at most
// 1.50.
func BenchmarkWebOverhead(b *testing.B) {
	overhead(b, "three/two", func(c *Config) { c.Set("html", "enabled", false) }, func(*Config) {})
}

// overhead builds the 10,000-post site two ways, base and more, back to
// back in each iteration (alternating which goes first), and reports the
// median of the pairs' ratios more/base as unit, of wall and of CPU time
// (unit-cpu). Pairs taken seconds apart keep a busy or throttled machine
// from tilting the result the way separate benchmark runs can.
func overhead(b *testing.B, unit string, base, more func(*Config)) {
	if testing.Short() {
		b.Skip("-short")
	}
	const n = 10000
	dir := b.TempDir()
	if err := sitegen.Write(dir, sitegen.Options{Posts: n}); err != nil {
		b.Fatal(err)
	}
	baseCfg := Config{Dir: dir, Title: "Generated", Hostname: "example.org"}
	moreCfg := baseCfg
	base(&baseCfg)
	more(&moreCfg)
	timed := func(cfg Config) (wall, cpu time.Duration) {
		t0, c0 := time.Now(), cpuTime()
		if _, err := NewBuilder(cfg).Build(context.Background()); err != nil {
			b.Fatal(err)
		}
		return time.Since(t0), cpuTime() - c0
	}
	var wallRatios, cpuRatios []float64
	i := 0
	for b.Loop() {
		var bw, bc, mw, mc time.Duration
		if i%2 == 0 {
			bw, bc = timed(baseCfg)
			mw, mc = timed(moreCfg)
		} else {
			mw, mc = timed(moreCfg)
			bw, bc = timed(baseCfg)
		}
		i++
		wallRatios = append(wallRatios, float64(mw)/float64(bw))
		if bc > 0 {
			cpuRatios = append(cpuRatios, float64(mc)/float64(bc))
		}
	}
	b.ReportMetric(median(wallRatios), unit)
	if len(cpuRatios) > 0 {
		b.ReportMetric(median(cpuRatios), unit+"-cpu")
	}
}
