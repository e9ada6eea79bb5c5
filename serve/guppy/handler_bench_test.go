package guppy

import (
	"testing"
	"testing/fstest"
)

// BenchmarkHandler is the cost of answering one request from a snapshot,
// without the network: parse the path, apply the policy, read the file.
func BenchmarkHandler(b *testing.B) {
	page := []byte("# Hello\n\nA small page.\n")
	fsys := fstest.MapFS{"index.gmi": {Data: page}, "posts/hello/index.gmi": {Data: page}}
	h := FileServer(fsys, Options{})
	for _, path := range []string{"/", "/posts/hello/"} {
		b.Run(path, func(b *testing.B) {
			req := NewRequest("guppy://localhost" + path)
			b.ReportAllocs()
			for b.Loop() {
				rec := NewRecorder()
				h.ServeGuppy(rec, req)
				if rec.Status != StatusSuccess {
					b.Fatalf("status %d", rec.Status)
				}
			}
		})
	}
}
