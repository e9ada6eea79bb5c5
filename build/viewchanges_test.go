package build

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRebuildRemakesWhatChanged edits one post of five and checks how
// many pages a rebuild with the same Builder makes again: those whose
// template reached what changed, no others (see viewChanges), and that the
// output still equals a fresh build's.
func TestRebuildRemakesWhatChanged(t *testing.T) {
	post := func(title, body string, day int, tags string) []byte {
		return fmt.Appendf(nil, "---\ntitle: %s\nsummary: The same.\ndate: 2026-01-0%d\ntags: [%s]\n---\n%s\n", title, day, tags, body)
	}
	tests := []struct {
		name string
		edit []byte // the new content/posts/c.md
		want int    // pages remade
		line string // a line posts/d shows after the edit, if any
	}{
		{name: "nothing", edit: post("C", "C.", 3, "x"), want: 0},
		{name: "body only", edit: post("C", "New words.", 3, "x"), want: 1},
		{name: "title: the newer neighbour shows it", edit: post("New C", "C.", 3, "x"), want: 2, line: "older: New C"},
		{name: "tags: the pages that list tags", edit: post("C", "C.", 3, "x, y"), want: 5, line: "tag y"},
		{name: "date: moved to the top", edit: post("C", "C.", 6, "x"), want: 2, line: "older: B"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeSiteFile(t, dir, "themes/t/gemini/page.gmi", []byte("# {{ .Page.Title }}\n{{ with .Page.Prev }}older: {{ .Title }}\n{{ end }}{{ range .Site.Tags }}tag {{ .Name }}\n{{ end }}"))
			for i, name := range []string{"a", "b", "c", "d", "e"} {
				writeSiteFile(t, dir, "content/posts/"+name+".md", post(strings.ToUpper(name), strings.ToUpper(name)+".", i+1, "x"))
			}
			cfg := Config{Dir: dir, Hostname: "example.org", Theme: "t"}
			cfg.Set("gopher", "enabled", false)
			cfg.Set("html", "enabled", false)
			b := NewBuilder(cfg)
			mustBuild(t, b)

			writeSiteFile(t, dir, "content/posts/c.md", tc.edit)
			res := mustBuild(t, b)
			if res.Remade != tc.want {
				t.Errorf("got Remade %d, want %d", res.Remade, tc.want)
			}
			if tc.line != "" {
				got, err := res.Output.ReadFile("gemini/posts/d/index.gmi")
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(string(got), tc.line+"\n") {
					t.Errorf("after the edit, posts/d shows:\n%s\nwant a line %q", got, tc.line)
				}
			}
			fresh := mustBuild(t, NewBuilder(cfg))
			if diff := cmp.Diff(snapOutput(t, res.Output), snapOutput(t, fresh.Output)); diff != "" {
				t.Errorf("rebuild differs from a fresh build (-rebuild +fresh):\n%s", diff)
			}
		})
	}
}
