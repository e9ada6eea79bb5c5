package build

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRebuildSeesWhatTemplatesReach edits one post and checks that a page
// template on another post shows the change after a rebuild with the same
// Builder, however the template reaches the changed data: the site's tags
// through {{ with .Site }}, or tag counts through .Page.TagLinks. A page's
// finished output is cached between builds by what its template read.
func TestRebuildSeesWhatTemplatesReach(t *testing.T) {
	tests := []struct {
		name string
		page string // themes/t/gemini/page.gmi
		edit string // the file edited: its title and tags change
		want string // a line the unchanged post's page shows after the edit
	}{
		{
			name: "site tags through with",
			page: "# {{ .Page.Title }}\n{{ with .Site }}{{ range .Tags }}* {{ .Name }} ({{ len .Pages }})\n{{ end }}{{ end }}",
			edit: "content/notes/c.md",
			want: "* new-tag (1)",
		},
		{
			name: "tag counts through TagLinks",
			page: "# {{ .Page.Title }}\n{{ range .Page.TagLinks }}* {{ .Name }} ({{ len .Pages }})\n{{ end }}",
			edit: "content/notes/c.md",
			want: "* shared (2)",
		},
		{
			name: "neighbour's title through a variable",
			page: "# {{ .Page.Title }}\n{{ $p := .Page }}{{ with $p.Next }}* newer: {{ .Title }}\n{{ end }}",
			edit: "content/posts/b.md",
			want: "* newer: Edited title",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeSiteFile(t, dir, "themes/t/gemini/page.gmi", []byte(tc.page))
			writeSiteFile(t, dir, "content/posts/a.md", []byte("---\ntitle: A\ndate: 2026-01-01\ntags: [shared]\n---\nA.\n"))
			writeSiteFile(t, dir, "content/posts/b.md", []byte("---\ntitle: B\ndate: 2026-01-02\n---\nB.\n"))
			// c is in another section: no neighbour of a.
			writeSiteFile(t, dir, "content/notes/c.md", []byte("---\ntitle: C\ndate: 2026-01-03\n---\nC.\n"))
			cfg := Config{Dir: dir, Hostname: "example.org", Theme: "t"}
			b := NewBuilder(cfg)
			mustBuild(t, b)

			writeSiteFile(t, dir, tc.edit, []byte("---\ntitle: Edited title\ndate: 2026-01-02\ntags: [shared, new-tag]\n---\nEdited.\n"))
			res := mustBuild(t, b)
			got, err := res.Output.ReadFile("gemini/posts/a/index.gmi")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(got), tc.want+"\n") {
				t.Errorf("after the edit, posts/a shows:\n%s\nwant a line %q", got, tc.want)
			}
			fresh := mustBuild(t, NewBuilder(cfg))
			if diff := cmp.Diff(snapOutput(t, res.Output), snapOutput(t, fresh.Output)); diff != "" {
				t.Errorf("rebuild differs from a fresh build (-rebuild +fresh):\n%s", diff)
			}
		})
	}
}
