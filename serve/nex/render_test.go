package nex

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestRenderGolden renders testdata/render/page.gmi as the page
// /posts/loop/ with CGI links dropped and compares it with page.txt.
func TestRenderGolden(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "render", "page.gmi"))
	if err != nil {
		t.Fatal(err)
	}
	got := Render(nil, in, RenderOptions{Width: 40, Base: "/posts/loop/", Drop: func(p string) bool { return strings.HasPrefix(p, "/cgi-bin/") }})
	golden := filepath.Join("testdata", "render", "page.txt")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("Render(page.gmi) differs from %s:\ngot:\n%s\nwant:\n%s", golden, got, want)
	}
}

func TestRenderLines(t *testing.T) {
	tests := []struct {
		name, in, base, want string
	}{
		{"absolute link", "=> /a/ A\n", "/", "=> /a/ A\n"},
		{"relative link", "=> b.txt B\n", "/x/", "=> /x/b.txt B\n"},
		{"parent link", "=> ../ Up\n", "/x/y/", "=> /x/ Up\n"},
		{"link without label", "=>/a\n", "/", "=> /a\n"},
		{"tab after the target", "=> /a\tA b\n", "/", "=> /a A b\n"},
		{"other scheme kept", "=> https://example.org/x?y Web\n", "/", "=> https://example.org/x?y Web\n"},
		{"empty link dropped", "=>\n", "/", ""},
		{"heading 1", "# Hi\n", "/", "Hi\n==\n"},
		{"heading 2", "## Hi there\n", "/", "Hi there\n--------\n"},
		{"heading 3", "### Hi\n", "/", "Hi\n"},
		{"list item", "* one two three four five\n", "/", "* one two three four five\n"},
		{"blank lines kept", "a\n\nb\n", "/", "a\n\nb\n"},
		{"pre arrow escaped", "```\n=> x\n```\n", "/", " => x\n"},
		{"CRLF", "a\r\n=> /b\r\n", "/", "a\n=> /b\n"},
	}
	for _, tt := range tests {
		if got := string(Render(nil, []byte(tt.in), RenderOptions{Base: tt.base})); got != tt.want {
			t.Errorf("%s: Render(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}
