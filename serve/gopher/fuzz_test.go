package gopher

import (
	"bytes"
	"github.com/gmkit/gmkit/build/gophermap"
	"strings"
	"testing"
)

// FuzzNormalizeMap checks that any gophermap, hand-written or not, comes
// out as a well-formed menu: complete CRLF items of four TAB-separated
// fields, and exactly one terminating ".\r\n".
func FuzzNormalizeMap(f *testing.F) {
	for _, s := range []string{
		"", "\n", ".", "*\n", "iWelcome\t\thost\t70\n1Posts\t/posts/\thost\t70\n",
		"!Title\n# comment\nplain text\n0Rel\tnote.txt\n1Far\t/\tother.example\n-hidden\n*\n.\nafter\n",
		"0\t\n\t\t\t\t\t\n\r\n\r\r\n=exec\n", "1Elsewhere\t/\tother.example\t70\textra+\n",
	} {
		f.Add([]byte(s))
	}
	p := place{host: "localhost", port: 70, rewriteFrom: "host:70"}
	listing := func(hide map[string]bool) []item {
		return []item{{Type: gophermap.TypeText, Display: "a\tb", Selector: "/d/a\nb", Host: "localhost", Port: 70}}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out := normalizeMap(data, "d", p, listing)
		if !bytes.HasSuffix(out, []byte(endMenu)) {
			t.Fatalf("menu %q does not end in .CRLF", out)
		}
		body := string(out[:len(out)-len(endMenu)])
		for line := range strings.Lines(body) {
			if !strings.HasSuffix(line, "\r\n") || strings.Count(line, "\r") != 1 || strings.Count(line, "\t") != 3 {
				t.Fatalf("line %q of %q is not one complete CRLF item", line, out)
			}
			if line == ".\r\n" {
				t.Fatalf("a %q line inside the menu ends it early: %q", line, out)
			}
		}
	})
}

// FuzzFileServer sends any selector to a file server and checks that the
// answer is either an error item or something the hole lets out: never a
// dotfile's content, never a panic.
func FuzzFileServer(f *testing.F) {
	for _, s := range []string{
		"", "/", "/posts/", "/posts/hello.txt", "/.secret/key.txt", "/posts/.draft.txt",
		"/../.secret/key.txt", "/posts/../.secret/key.txt", "//.secret//key.txt", "URL:https://e.org/",
		"URL:javascript:x", "hand/", "/nomap/.hidden", "/nomap/sub/../../.secret/key.txt",
	} {
		f.Add(s)
	}
	hole := testHole()
	h := FileServer(hole, Options{Listing: true})
	f.Fuzz(func(t *testing.T, sel string) {
		rec := NewRecorder()
		h.ServeGopher(rec, NewRequest(sel))
		if bytes.Contains(rec.Body.Bytes(), []byte("never")) {
			t.Fatalf("selector %q let a dotfile out: %q", sel, rec.Body.Bytes())
		}
		if rec.Type == 0 {
			t.Fatalf("selector %q: no type declared", sel)
		}
	})
}
