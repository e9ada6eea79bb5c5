package gemini

import (
	"testing"
	"testing/fstest"
)

// BenchmarkHandler is the cost of answering one request from a snapshot,
// without the network: parse the path, apply the policy, send the file.
func BenchmarkHandler(b *testing.B) {
	fsys := fstest.MapFS{
		"index.gmi":             {Data: smallPage},
		"posts/hello/index.gmi": {Data: smallPage},
	}
	h := FileServer(fsys, Options{})
	for _, path := range []string{"/", "/posts/hello/"} {
		b.Run(path, func(b *testing.B) {
			req, err := NewRequest("gemini://localhost" + path)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				rec := NewRecorder()
				h.ServeGemini(rec, req)
				if rec.Status != StatusSuccess {
					b.Fatalf("status %d", rec.Status)
				}
			}
		})
	}
}
