package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/gmkit/gmkit/build"
	"github.com/gmkit/gmkit/build/publish"
	"github.com/gmkit/gmkit/serve"
)

var rebuildProfile = flag.String("rebuildprofile", "", "write a CPU profile of BenchmarkRebuildStages' timed rebuilds only (not the site's generation or first build) to `FILE`-posts=N")

// BenchmarkRebuildStages splits one live rebuild after a one-post edit
// into the stages live.rebuild runs, each reported in ms/op:
// build-ms (load, parse, render, templates: build.Builder.Build),
// swap-ms (contentOf + Servers.Swap: what the servers see) and
// write-ms (publish.Update: public/ on disk, after the swap).
// The site is generated and built once before the clock starts. For where
// the build itself spends its time, -rebuildprofile FILE profiles the timed
// rebuilds alone.
//
//	go test -run '^$' -bench RebuildStages -benchtime 10x ./cmd/gmkit
//	go test -run '^$' -bench RebuildStages/posts=10000 -benchtime 10x -rebuildprofile /tmp/rebuild.prof ./cmd/gmkit
func BenchmarkRebuildStages(b *testing.B) {
	for _, posts := range []int{10, 1000, 10000} {
		b.Run(fmt.Sprintf("posts=%d", posts), func(b *testing.B) {
			if posts > 1000 && testing.Short() {
				b.Skip("large site: skipped with -short")
			}
			ctx := context.Background()
			dir := b.TempDir()
			generateSite(b, dir, posts, "100ms")
			v, _, err := newViper(dir, "", nil)
			if err != nil {
				b.Fatal(err)
			}
			cfg, err := buildConfig(v, dir)
			if err != nil {
				b.Fatal(err)
			}
			bld := build.NewBuilder(cfg)
			last, err := bld.Build(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if err := publish.Write(ctx, last.Output, bld.OutputDir()); err != nil {
				b.Fatal(err)
			}
			srv, err := serve.New(serve.Config{})
			if err != nil {
				b.Fatal(err)
			}
			target := filepath.Join(dir, "content", "posts", postName(posts/2)+".md")

			if *rebuildProfile != "" {
				f, err := os.Create(fmt.Sprintf("%s-posts=%d", *rebuildProfile, posts))
				if err != nil {
					b.Fatal(err)
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					b.Fatal(err)
				}
				defer pprof.StopCPUProfile()
			}
			var tBuild, tSwap, tWrite time.Duration
			i := 0
			for b.Loop() {
				i++
				writeFile(b, target, postSource(posts/2, posts, fmt.Sprintf("marker-%d", i)), 0o644)
				t0 := time.Now()
				res, err := bld.Build(ctx)
				if err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				srv.Swap(contentOf(res, v))
				t2 := time.Now()
				if err := bld.Write(ctx, res.Output); err != nil {
					b.Fatal(err)
				}
				t3 := time.Now()
				last = res
				tBuild += t1.Sub(t0)
				tSwap += t2.Sub(t1)
				tWrite += t3.Sub(t2)
			}
			n := float64(i)
			b.ReportMetric(float64(tBuild.Microseconds())/1000/n, "build-ms/op")
			b.ReportMetric(float64(tSwap.Microseconds())/1000/n, "swap-ms/op")
			b.ReportMetric(float64(tWrite.Microseconds())/1000/n, "write-ms/op")
		})
	}
}
