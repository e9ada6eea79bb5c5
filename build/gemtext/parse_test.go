package gemtext

import (
	"bytes"
	"strings"
	"testing"
)

// TestParseRoundTrip: hand-written gemtext parsed and rendered again as
// gemtext keeps every line's meaning.
func TestParseRoundTrip(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"# T\n## U\n### V\n#### W\n", "# T\n\n## U\n\n### V\n\n### # W\n"},
		{"one\ntwo\n\nthree\n", "one\ntwo\n\nthree\n"},
		{"=> /a A\n=>   b.gmi\n=>\n", "=> /a A\n=> b.gmi\n"},
		{"* x\n* y\n> q\n> r\n", "* x\n* y\n\n> q\n> r\n"},
		{"```alt\n=> not a link\n# nor a heading\n```\nafter\n", "```alt\n=> not a link\n# nor a heading\n```\n\nafter\n"},
		{"```\nunclosed\n", "```\nunclosed\n```\n"},
		{"a\r\nb\r\n", "a\nb\n"},
	} {
		var b bytes.Buffer
		if err := New().Render(&b, []byte(c.in), Parse([]byte(c.in))); err != nil {
			t.Fatal(err)
		}
		if got := b.String(); got != c.want {
			t.Errorf("%q: got\n%s\nwant\n%s", c.in, got, c.want)
		}
	}
}

// TestVerbatim: the text as written, link addresses rewritten outside
// preformatted blocks, empty link lines left out.
func TestVerbatim(t *testing.T) {
	in := "# T\n=> a.gmi  A\n=>\n```\n=> b.gmi\n```\ntext => c.gmi\n=>d.gmi\n"
	var b bytes.Buffer
	if err := Verbatim(func(d string) string { return "/" + strings.TrimSuffix(d, ".gmi") + "/" }).Render(&b, []byte(in), nil); err != nil {
		t.Fatal(err)
	}
	want := "# T\n=> /a/  A\n```\n=> b.gmi\n```\ntext => c.gmi\n=>/d/\n"
	if got := b.String(); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

// FuzzParse parses arbitrary gemtext: no panic, and the page rendered
// again, through the same rewriting as the build's, passes Check.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "# a\n", "=>\n", "=> x y\n", "```\n", "```a\nb\n```\n", "* \n>\n> a\n", "\r\n\t\n", "#\n", "=>\t\t\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		var b bytes.Buffer
		if err := New(WithLinkRewriter(testRewriter)).Render(&b, src, Parse(src)); err != nil {
			t.Fatalf("Render: %v", err)
		}
		if err := Check(b.Bytes()); err != nil {
			t.Fatalf("Check = %v for %q; output:\n%s", err, src, b.Bytes())
		}
		b.Reset()
		if err := Verbatim(nil).Render(&b, src, nil); err != nil {
			t.Fatalf("Verbatim: %v", err)
		}
	})
}
