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
//	gemini         the capsule only
//	gemini+gopher  both outputs (the Gopher hole may add at most 40%)
//	incremental    a rebuild with one Builder after editing one post
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
			geminiOnly := cfg
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
			b.Run("out=gemini+gopher", func(b *testing.B) { full(b, cfg) })
			b.Run("incremental", func(b *testing.B) {
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
			})
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

// BenchmarkWriteOutput writes a built 1,000-post site (both outputs, about
// 2,000 files in 2,000 folders) over the previous copy, as `gmkit build`
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
// Gemini-only build of the 10,000-post site: each iteration builds both
// ways back to back (alternating which goes first), and the benchmark
// reports the median of the pairs' ratios, wall and CPU time. Pairs taken
// seconds apart keep a busy or throttled machine from tilting the result
// the way separate benchmark runs can. Target: at most 1.40.
func BenchmarkGopherOverhead(b *testing.B) {
	if testing.Short() {
		b.Skip("-short")
	}
	const n = 10000
	dir := b.TempDir()
	if err := sitegen.Write(dir, sitegen.Options{Posts: n}); err != nil {
		b.Fatal(err)
	}
	both := Config{Dir: dir, Title: "Generated", Hostname: "example.org"}
	geminiOnly := both
	geminiOnly.Set("gopher", "enabled", false)
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
		var gw, gc, bw, bc time.Duration
		if i%2 == 0 {
			gw, gc = timed(geminiOnly)
			bw, bc = timed(both)
		} else {
			bw, bc = timed(both)
			gw, gc = timed(geminiOnly)
		}
		i++
		wallRatios = append(wallRatios, float64(bw)/float64(gw))
		if gc > 0 {
			cpuRatios = append(cpuRatios, float64(bc)/float64(gc))
		}
	}
	b.ReportMetric(median(wallRatios), "both/gemini")
	if len(cpuRatios) > 0 {
		b.ReportMetric(median(cpuRatios), "both/gemini-cpu")
	}
}
