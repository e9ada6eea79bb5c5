package gopher

import (
	"testing"
	"testing/fstest"
)

// BenchmarkHandler is the cost of answering one selector from a snapshot,
// without the network: parse the selector, apply the policy, send the
// menu or file.
func BenchmarkHandler(b *testing.B) {
	fsys := fstest.MapFS{
		"gophermap":             {Data: []byte("iHello\t\tlocalhost\t70\n0About\t/about.txt\tlocalhost\t70\n")},
		"posts/hello/gophermap": {Data: []byte("iA post\t\tlocalhost\t70\n")},
		"about.txt":             {Data: []byte("About this hole.\n")},
	}
	h := FileServer(fsys, Options{Listing: true})
	for _, sel := range []string{"", "/posts/hello/", "/about.txt"} {
		b.Run("sel="+sel, func(b *testing.B) {
			req := NewRequest(sel)
			b.ReportAllocs()
			for b.Loop() {
				rec := NewRecorder()
				h.ServeGopher(rec, req)
				if rec.Body.Len() == 0 {
					b.Fatal("empty answer")
				}
			}
		})
	}
}
