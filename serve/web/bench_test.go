package web

import (
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gmkit/gmkit/build/tree"
)

// benchSite writes a small blog's worth of pages (about 3 KB each) to a
// folder.
func benchSite(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	page := "<!doctype html><html lang=en><meta charset=utf-8><title>Post</title>" +
		"<link rel=stylesheet href=/style.css><main><h1>A post</h1><p>" +
		strings.Repeat("Words of a small post on a small site. ", 70) + "</p></main>\n"
	for i := range 100 {
		p := filepath.Join(dir, "posts", fmt.Sprintf("p%d", i), "index.html")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(page), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// server runs h on a loopback port, under Server when wrap is set, else a
// bare http.Server; stop closes it.
func serveBench(b *testing.B, h http.Handler, wrap bool) (base string, stop func()) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	if wrap {
		s := &Server{Handler: h}
		go s.Serve(l)
		return "http://" + l.Addr().String(), func() { s.Close() }
	}
	s := &http.Server{Handler: h}
	go s.Serve(l)
	return "http://" + l.Addr().String(), func() { s.Close() }
}

// round sends n requests for small pages over keep-alive connections from
// 8 clients at once and returns how long they took.
func round(b *testing.B, c *http.Client, base string, n int) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range 8 {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				resp, err := c.Get(fmt.Sprintf("%s/posts/p%d/", base, i%100))
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Errorf("status %d", resp.StatusCode)
					return
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

// BenchmarkSmallPage compares gmkit's web server (TreeHandler, Headers,
// Server) with a bare net/http FileServer on the same files, in the same
// run: rounds of 200 requests alternate between the two so that a busy
// machine slows both alike. It reports each one's requests per second and
// their ratio (the goal: at least 0.9). "snapshot" serves the build's
// in-memory tree, as gmkit serve does; "disk" serves the folder through
// os.Root, as serve --no-build does, where the policy's checks of
// symbolic links cost a system call per path segment.
func BenchmarkSmallPage(b *testing.B) {
	dir := benchSite(b)
	root, err := os.OpenRoot(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer root.Close()
	snap := tree.NewBuilder(100)
	fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := fs.ReadFile(root.FS(), p)
			snap.Add(p, data, time.Now())
		}
		return nil
	})
	for _, c := range []struct {
		name string
		fsys fs.FS
	}{{"snapshot", snap.Finish()}, {"disk", root.FS()}} {
		b.Run(c.name, func(b *testing.B) { compare(b, dir, c.fsys) })
	}
}

func compare(b *testing.B, dir string, fsys fs.FS) {
	bareURL, stopBare := serveBench(b, http.FileServer(http.Dir(dir)), false)
	defer stopBare()
	ourURL, stopOur := serveBench(b, Headers(FileServer(fsys, Options{}), HeaderOptions{}), true)
	defer stopOur()
	// Identity on both sides: the same bytes on the wire (a gzipping
	// server would also make the client, on the same cores, decompress).
	tr := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	round(b, c, bareURL, 200) // warm up: connections, caches
	round(b, c, ourURL, 200)
	var bare, our time.Duration
	const per = 200
	b.ResetTimer()
	for range b.N {
		bare += round(b, c, bareURL, per)
		our += round(b, c, ourURL, per)
	}
	reqs := float64(b.N * per)
	b.ReportMetric(reqs/bare.Seconds(), "fileserver-req/s")
	b.ReportMetric(reqs/our.Seconds(), "gmkit-req/s")
	b.ReportMetric(bare.Seconds()/our.Seconds(), "ratio")
}
