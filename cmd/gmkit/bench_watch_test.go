package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkWatchLatency measures what a writer waits for under
// `gmkit serve --watch`: the time from saving a post to a Gemini request
// answering with the new text. The site is generated and first built
// before the clock starts; each iteration saves one post with a new marker
// and polls Gemini until the marker is served.
//
// Sub-benchmarks vary the site size (10 and 10,000 posts) and the watcher's
// quiet time (watch.debounce: the default 100ms, and 10ms to see the
// rebuild itself). Extra metrics: rebuild-ms/op is the rebuild as the log
// reports it (load, render, templates, swap, writing public/), and
// debounce-ms the configured quiet time, p50-ms and p90-ms the median and
// the 90th percentile of the waits.
//
//	go test -run '^$' -bench WatchLatency -benchtime 20x ./cmd/gmkit
func BenchmarkWatchLatency(b *testing.B) {
	for _, posts := range []int{10, 10000} {
		for _, debounce := range []string{"50ms", "10ms"} {
			b.Run(fmt.Sprintf("posts=%d/debounce=%s", posts, debounce), func(b *testing.B) {
				if posts > 1000 && testing.Short() {
					b.Skip("large site: skipped with -short")
				}
				benchWatch(b, posts, debounce)
			})
		}
	}
}

// rebuiltLine is the log line of one rebuild, with its duration.
var rebuiltLine = regexp.MustCompile(`rebuilt \d+ of \d+ pages after \d+ change\(s\) in ([0-9.]+[mµn]?s)`)

func benchWatch(b *testing.B, posts int, debounce string) {
	dir := b.TempDir()
	generateSite(b, dir, posts, debounce)
	in := startServe(b, serveArgs(dir, "--watch", "--no-gopher", "--no-guppy")...)
	target := filepath.Join(dir, "content", "posts", postName(posts/2)+".md")
	page := "/posts/" + postName(posts/2) + "/"
	if r, err := geminiGet(in.gemini, page); err != nil || !r.found {
		b.Fatalf("%s before any change: %v %v", page, r, err)
	}

	var rebuild time.Duration
	var waits []time.Duration
	rebuilds := 0
	i := 0
	for b.Loop() {
		i++
		saved := time.Now()
		marker := fmt.Sprintf("marker-%d-%d", i, time.Now().UnixNano())
		logOffset := len(in.stderr.String())
		writeFile(b, target, postSource(posts/2, posts, marker), 0o644)
		for {
			r, err := geminiGet(in.gemini, page)
			if err == nil && r.found && strings.Contains(r.body, marker) {
				break
			}
			time.Sleep(time.Millisecond)
		}
		waits = append(waits, time.Since(saved))
		b.StopTimer()
		// The log line comes after the swap: wait for it off the clock.
		for j := 0; j < 5000; j++ {
			if m := rebuiltLine.FindAllStringSubmatch(in.stderr.String()[logOffset:], -1); m != nil {
				for _, mm := range m {
					if d, err := time.ParseDuration(mm[1]); err == nil {
						rebuild += d
						rebuilds++
					}
				}
				break
			}
			time.Sleep(time.Millisecond)
		}
		b.StartTimer()
	}
	b.StopTimer()
	if rebuilds > 0 {
		b.ReportMetric(float64(rebuild.Microseconds())/1000/float64(rebuilds), "rebuild-ms/op")
	}
	slices.Sort(waits)
	pct := func(p int) float64 { return float64(waits[(len(waits)-1)*p/100].Microseconds()) / 1000 }
	b.ReportMetric(pct(50), "p50-ms")
	b.ReportMetric(pct(90), "p90-ms")
	d, _ := time.ParseDuration(debounce)
	b.ReportMetric(float64(d.Milliseconds()), "debounce-ms")
	if code := in.stop(); code != 0 {
		b.Errorf("serve exited with %d\nstderr:\n%s", code, in.stderr)
	}
}

func postName(i int) string { return fmt.Sprintf("post-%05d", i) }

// postSource is post i, deterministic but for marker: front matter with two
// tags, a few paragraphs, a list, a quote, a code block and links to the
// posts before and after it (of n, round the end).
func postSource(i, n int, marker string) string {
	date := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 6 * time.Hour)
	return fmt.Sprintf(`---
title: Post number %[1]d
date: %[2]s
tags: [tag-%[3]d, topic-%[4]d]
---
This is post %[1]d. %[5]s

It links to [the one before](%[6]s.md) and [the one after](%[7]s.md), and
to [an outside page](https://example.org/%[1]d) with *some emphasis* and
`+"`code`"+`.

* one point about %[1]d
* another point
* a third, longer point that wraps across a line or two when the Gopher
  renderer fills it to seventy columns

> A quoted line from somewhere else.

`+"```"+`
code block line 1
code block line 2
`+"```"+`

A closing paragraph that is long enough to be wrapped once or twice in the
Gopher output and to give the renderers some text to work through.
`, i, date.Format(time.RFC3339), i%50, i%7, marker, postName((i+n-1)%n), postName((i+1)%n))
}

// generateSite writes a site of n posts.
func generateSite(tb testing.TB, dir string, n int, debounce string) {
	tb.Helper()
	writeFile(tb, filepath.Join(dir, "gmkit.toml"), fmt.Sprintf(`title = "Generated"
author = "Bench"

[watch]
debounce = %q
`, debounce), 0o644)
	writeFile(tb, filepath.Join(dir, "content", "_index.md"), "---\ntitle: Home\n---\nA generated site.\n", 0o644)
	writeFile(tb, filepath.Join(dir, "content", "posts", "_index.md"), "---\ntitle: Posts\n---\nEvery post.\n", 0o644)
	for i := range n {
		writeFile(tb, filepath.Join(dir, "content", "posts", postName(i)+".md"), postSource(i, n, "first"), 0o644)
	}
}
