package web

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/gmkit/gmkit/build/markdown"
)

// FuzzRender renders arbitrary Markdown (with raw HTML) and checks that the
// cleaned HTML never holds a script, a style, a frame, a form or an embed,
// an event handler, or a javascript: URL in an attribute, as a browser
// reads the output (text that merely says "javascript:" is harmless).
// Seeds are in testdata/fuzz/FuzzRender.
func FuzzRender(f *testing.F) {
	p := markdown.Parser()
	r := New(WithLinkRewriter(func(d string) string { return d }))
	f.Fuzz(func(t *testing.T, src string) {
		doc := markdown.Parse(p, []byte(src))
		var b bytes.Buffer
		if err := r.Render(&b, []byte(src), doc); err != nil {
			t.Fatal(err)
		}
		if why := unsafeHTML(b.String()); why != "" {
			t.Fatalf("output holds %s:\n%s", why, b.String())
		}
	})
}

// unsafeHTML tokenizes out as a browser would and says what in it could
// run or submit something, or "".
func unsafeHTML(out string) string {
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			switch tok.Data {
			case "script", "style", "iframe", "frame", "form", "object", "embed":
				return "a <" + tok.Data + "> element"
			}
			for _, a := range tok.Attr {
				if strings.HasPrefix(strings.ToLower(a.Key), "on") {
					return "an event handler " + a.Key
				}
				if strings.HasPrefix(schemeOf(a.Val), "javascript:") {
					return "a javascript: URL in " + a.Key
				}
			}
		}
	}
}

// schemeOf is an attribute value as a browser reads its scheme: lower case,
// without the white space and control characters it ignores.
func schemeOf(v string) string {
	var b strings.Builder
	for _, r := range v {
		if r > ' ' && r != 0x7f {
			b.WriteRune(r)
		}
		if b.Len() >= len("javascript:") {
			break
		}
	}
	return strings.ToLower(b.String())
}
