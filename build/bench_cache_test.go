package build

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gmkit/gmkit/build/bench/sitegen"
)

// BenchmarkCachedBuild compares what `gmkit build` does on a 10,000-post
// site (every output of the default list: gemini, gopher and html,
// written to public/ over the previous build) after a one-post edit with
// the build cache (a new Builder reading the cache file, building, writing
// the output and the cache again) against a full warm build without it
// (the previous output present). Each iteration runs both, alternating
// which goes first, and the benchmark reports the medians of each
// (cached-ms, full-ms) and of their ratios, wall and CPU time (cached/full,
// cached/full-cpu). Target: cached/full at most 0.25. The collector runs
// with the test's GOGC, not the one-shot build's (cmd/gmkit's gc.go): set
// GOGC=400 to measure as `gmkit build` runs.
//
// The generated files are given times well in the past: a file modified
// less than 2 s before a load is read again however it looks (see
// site.racyWindow), as it would be after a real edit only for that file.
//
//	go test -run '^$' -bench CachedBuild -benchtime 5x ./build
func BenchmarkCachedBuild(b *testing.B) {
	if testing.Short() {
		b.Skip("-short")
	}
	const n = 10000
	ctx := context.Background()
	dir := b.TempDir()
	opts := sitegen.Options{Posts: n}
	if err := sitegen.Write(dir, opts); err != nil {
		b.Fatal(err)
	}
	ageFiles(b, dir)
	cfg := Config{Dir: dir, Title: "Generated", Hostname: "example.org"}
	cacheDir := filepath.Join(b.TempDir(), "cache")
	file := filepath.Join(dir, "content", filepath.FromSlash(sitegen.PostName(n/2)))

	first := true
	oneBuild := func(cached bool) (wall, cpu time.Duration) {
		t0, c0 := time.Now(), cpuTime()
		bl := NewBuilder(cfg)
		if cached {
			bl.UseCache(cacheDir, func(err error) { b.Fatal(err) })
		}
		res, err := bl.Build(ctx)
		if err != nil {
			b.Fatal(err)
		}
		saved := make(chan error, 1)
		go func() { saved <- bl.SaveCache() }()
		if err := bl.Write(ctx, res.Output); err != nil {
			b.Fatal(err)
		}
		if err := <-saved; err != nil {
			b.Fatal(err)
		}
		if cached && !first && res.Rendered != 1 {
			b.Fatalf("cached build: got Rendered %d, want 1", res.Rendered)
		}
		return time.Since(t0), cpuTime() - c0
	}
	// The previous output and the cache file, as a first build leaves them.
	oneBuild(true)
	first = false
	edit := 0
	var cachedMs, fullMs, wallRatios, cpuRatios []float64
	for b.Loop() {
		edit++
		if err := os.WriteFile(file, sitegen.Post(opts, n/2, edit), 0o644); err != nil {
			b.Fatal(err)
		}
		// The edit is older than the racy window, as the others are: only
		// its size and time tell it apart.
		old := time.Now().Add(-time.Hour).Add(time.Duration(edit) * time.Second)
		if err := os.Chtimes(file, old, old); err != nil {
			b.Fatal(err)
		}
		var cw, cc, fw, fc time.Duration
		if edit%2 == 0 {
			cw, cc = oneBuild(true)
			fw, fc = oneBuild(false)
		} else {
			fw, fc = oneBuild(false)
			cw, cc = oneBuild(true)
		}
		cachedMs = append(cachedMs, float64(cw.Milliseconds()))
		fullMs = append(fullMs, float64(fw.Milliseconds()))
		wallRatios = append(wallRatios, float64(cw)/float64(fw))
		if fc > 0 {
			cpuRatios = append(cpuRatios, float64(cc)/float64(fc))
		}
	}
	b.ReportMetric(median(cachedMs), "cached-ms")
	b.ReportMetric(median(fullMs), "full-ms")
	b.ReportMetric(median(wallRatios), "cached/full")
	if len(cpuRatios) > 0 {
		b.ReportMetric(median(cpuRatios), "cached/full-cpu")
	}
}

// ageFiles gives every file and folder below dir a time an hour ago.
func ageFiles(tb testing.TB, dir string) {
	old := time.Now().Add(-time.Hour)
	err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Chtimes(p, old, old)
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// median is the middle of x (which it sorts).
func median(x []float64) float64 {
	slices.Sort(x)
	return x[len(x)/2]
}
