package shortcode

import (
	"strings"
	"testing"

	"github.com/gmkit/gmkit/build/mdnode"
)

// FuzzParse holds the tag reader to its contract on any bytes: no panic, a
// length within the input, a tag that starts the input, and escapes
// removed without touching anything else.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{{< figure src="a.png" caption="x >}} y" >}}`, `{{% notice tip %}}`, `{{< /details >}}`,
		`{{</* youtube x */>}}`, `{% include a.html x="1" %}`, `{%- raw -%}`, `{{ '/a' | relative_url }}`,
		`{{ youtube(id="a", list=["b", "c"]) }}`, `{% end %}`, "{{<\n>}}", `{{ "a" | prepend: site.baseurl | append: "/" }}`,
		"{{< a `b\n\nc` >}}", `{%/* x */%}`, `{{/* y(z=1) */}}`, "{{", "{%", "{{<>}}", `{{< x />}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tag, n, ok := Parse(b)
		if ok {
			if n <= 0 || n > len(b) {
				t.Fatalf("Parse(%q): length %d outside 1..%d", b, n, len(b))
			}
			if tag.Raw != string(b[:n]) {
				t.Fatalf("Parse(%q): Raw %q, want %q", b, tag.Raw, b[:n])
			}
			_, _ = URL(&tag)
			nodes, _ := Render(&tag)
			for _, nd := range nodes {
				if nd == nil {
					t.Fatalf("Render(%q): nil node", b)
				}
			}
			_ = Title(&tag)
			_, _, _ = BodyInfo(&tag)
		}
		s := string(b)
		if u := Unescape(s); !strings.Contains(s, "/*") && !strings.Contains(s, "raw") && u != s {
			t.Fatalf("Unescape(%q) = %q, changed text with nothing to unescape", s, u)
		}
		if out := RewriteDestinations(b); out != nil {
			if len(out) != len(b) {
				t.Fatalf("RewriteDestinations(%q): length %d, want %d", b, len(out), len(b))
			}
			for i := range b {
				if b[i] == '\n' != (out[i] == '\n') {
					t.Fatalf("RewriteDestinations(%q) = %q: moved a line break", b, out)
				}
			}
		}
		_ = mdnode.Text(s)
	})
}
