package web

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/gmkit/gmkit/build/markdown"
)

var eventAttr = regexp.MustCompile(`(?i)<[^>]*\son[a-z]+\s*=`)

// FuzzRender renders arbitrary Markdown (with raw HTML) and checks that the
// cleaned HTML never holds a script, an event handler, a javascript: URL,
// a frame or a form. Seeds are in testdata/fuzz/FuzzRender.
func FuzzRender(f *testing.F) {
	p := markdown.Parser()
	r := New(WithLinkRewriter(func(d string) string { return d }))
	f.Fuzz(func(t *testing.T, src string) {
		doc := markdown.Parse(p, []byte(src))
		var b bytes.Buffer
		if err := r.Render(&b, []byte(src), doc); err != nil {
			t.Fatal(err)
		}
		out := strings.ToLower(b.String())
		for _, bad := range []string{"<script", "javascript:", "<iframe", "<form", "<object", "<embed", "<style"} {
			if strings.Contains(out, bad) {
				t.Fatalf("output holds %q:\n%s", bad, b.String())
			}
		}
		if eventAttr.MatchString(b.String()) {
			t.Fatalf("output holds an event handler:\n%s", b.String())
		}
	})
}
