package build

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// largePage writes a Markdown page of about size bytes in the habits of a
// long post: paragraphs, headings, lists, links and emphasis.
func largePage(size int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("the quick brown fox jumps over a lazy dog at the harbour when the tide turns and the storm light fades")
	var b strings.Builder
	b.WriteString("---\ntitle: Long\n---\n")
	for n := 0; b.Len() < size; n++ {
		switch rng.IntN(20) {
		case 0:
			fmt.Fprintf(&b, "## Part %d\n\n", n)
		case 1:
			fmt.Fprintf(&b, "* item %d with [a link](https://example.org/%d)\n* and *another* item\n\n", n, n)
		}
		for i := 0; i < 60; i++ {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteByte(' ')
		}
		b.WriteString("*end*.\n\n")
	}
	return []byte(b.String())
}

// BenchmarkLargePage builds a site of one 8 MB page into both outputs and
// reports the highest heap seen during the build as a multiple of the
// page's size (heap-x), sampled every millisecond: the memory one page
// costs. A 50 MB page once took 35x; run with -benchtime 1x.
func BenchmarkLargePage(b *testing.B) {
	const size = 8 << 20
	dir := b.TempDir()
	writeSiteFile(b, dir, "content/long.md", largePage(size))
	cfg := Config{Dir: dir, Title: "Long", Hostname: "example.org"}
	var worst float64
	for b.Loop() {
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		var (
			mu   sync.Mutex
			peak uint64
		)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			var m runtime.MemStats
			t := time.NewTicker(time.Millisecond)
			defer t.Stop()
			for {
				runtime.ReadMemStats(&m)
				mu.Lock()
				peak = max(peak, m.HeapAlloc)
				mu.Unlock()
				select {
				case <-stop:
					return
				case <-t.C:
				}
			}
		})
		if _, err := NewBuilder(cfg).Build(context.Background()); err != nil {
			b.Fatal(err)
		}
		close(stop)
		wg.Wait()
		worst = max(worst, float64(peak-min(peak, base.HeapAlloc))/size)
	}
	b.ReportMetric(worst, "heap-x")
}
