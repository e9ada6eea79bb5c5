package build

import (
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"text/template"

	"github.com/yuin/goldmark/renderer"

	"github.com/gmkit/gmkit/build/gemtext"
	"github.com/gmkit/gmkit/build/output"
	"github.com/gmkit/gmkit/build/problem"
	"github.com/gmkit/gmkit/build/site"
)

// textOutput is an output that exists only in this test: plain text files
// at /posts/slug.txt, with its own default templates, a feed at
// /feed.xml, and only .txt files copied. The build runs it from
// Config.Outputs alone: nothing in the build names it.
type textOutput struct{ origin string }

func newTextOutput(s output.Settings) (output.Output, error) {
	host, err := s.String("host", s.Site.Hostname)
	if err != nil {
		return nil, err
	}
	return &textOutput{origin: "text://" + host}, nil
}

func (o *textOutput) Name() string                   { return "text" }
func (o *textOutput) Origin() string                 { return o.origin }
func (o *textOutput) PageType(*site.Page) string     { return "" }
func (o *textOutput) Permalink(url, _ string) string { return o.origin + url }
func (o *textOutput) EscapeURL(url string) string    { return url }
func (o *textOutput) Feeds() output.FeedLayout       { return output.FeedLayout{Site: "/feed.xml"} }
func (o *textOutput) Body(*site.Page) string         { return "" }
func (o *textOutput) Funcs() template.FuncMap        { return template.FuncMap{"shout": strings.ToUpper} }
func (o *textOutput) Template(k output.Kind) string {
	return [...]string{"page", "home", "section", "tags", "tag"}[k]
}
func (o *textOutput) Templates() fs.FS { return textTemplates }
func (o *textOutput) Tidy(_ output.Kind, out, _ []byte, _ string) ([]byte, error) {
	return []byte(strings.TrimSpace(string(out)) + "\n"), nil
}

func (o *textOutput) PageURL(p *site.Page) string {
	if p.Kind == site.KindPage {
		return strings.TrimSuffix(p.Path, "/") + ".txt"
	}
	return p.Path
}

func (o *textOutput) File(url string) (string, error) {
	if strings.HasSuffix(url, "/") {
		return strings.TrimPrefix(url, "/") + "index.txt", nil
	}
	return strings.TrimPrefix(url, "/"), nil
}

func (o *textOutput) NewRenderer(_ string, link func(string) output.Link) renderer.Renderer {
	return gemtext.New(gemtext.WithLinkRewriter(func(dest string) string { return link(dest).Addr }))
}

func (o *textOutput) ResolveLink(c output.Context, p *site.Page, dest string) output.Link {
	target, abs, local := c.Resolve(p, dest)
	switch {
	case !local:
		return output.Link{Addr: dest}
	case target == nil:
		return output.Link{Addr: abs}
	case !target.HasOutput("text"):
		if u, ok := c.Elsewhere(target); ok {
			return output.Link{Addr: u}
		}
		c.Warn(p.File, p.LineOf(dest), problem.Link, "link %q: that page is nowhere", dest)
	}
	return output.Link{Addr: o.PageURL(target)}
}

func (o *textOutput) Asset(_ output.Context, p, _, _ string) (bool, error) {
	return strings.HasSuffix(p, ".txt"), nil
}

var textTemplates = fstest.MapFS{
	"text/page":    {Data: []byte("{{ shout .Page.Title }}\n{{ .Content }}")},
	"text/home":    {Data: []byte("{{ .Site.Title }}\n{{ range .Site.Posts }}{{ .URL }} {{ .Title }}\n{{ end }}")},
	"text/section": {Data: []byte("{{ .Section.Title }}\n{{ range .Section.Pages }}{{ .URL }}\n{{ end }}")},
	"text/tags":    {Data: []byte("{{ range .Site.Tags }}{{ .URL }}\n{{ end }}")},
	"text/tag":     {Data: []byte("{{ .Tag.Name }}\n{{ range .Tag.Pages }}{{ .URL }}\n{{ end }}")},
}

// TestOutputOnlyInTheList adds an output that only a test knows to the
// build's list and builds a site: the new output gets its pages, indexes,
// feed and assets; front matter may name it; other outputs link to a page
// only it has; its section of the configuration reaches it and can turn
// it off; and the other outputs are as they are without it.
func TestOutputOnlyInTheList(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"content/posts/2026-01-02-plain.md": "---\ntitle: Plain words\ntags: [x]\n---\nSee [the note](2026-01-01-note.md).\n",
		"content/posts/2026-01-01-note.md":  "---\ntitle: A note\noutputs: [text]\n---\nOnly in text.\n",
		"static/notes.txt":                  "copied\n",
		"static/pic.png":                    "not copied\n",
	} {
		writeSiteFile(t, dir, name, []byte(data))
	}
	base := Config{Dir: dir, Title: "Site", Hostname: "example.org"}
	cfg := base
	cfg.Outputs = append(Outputs(), output.Entry{Name: "text", New: newTextOutput})
	cfg.Set("text", "host", "text.example.org")
	res := mustBuild(t, NewBuilder(cfg))

	for file, want := range map[string]string{
		"text/posts/plain.txt":  "PLAIN WORDS\nSee the note.\n=> /posts/note.txt the note\n",
		"text/posts/note.txt":   "A NOTE\nOnly in text.\n",
		"text/index.txt":        "Site\n/posts/plain.txt Plain words\n/posts/note.txt A note\n",
		"text/posts/index.txt":  "Posts\n/posts/plain.txt\n/posts/note.txt\n",
		"text/tags/index.txt":   "/tags/x/\n",
		"text/tags/x/index.txt": "x\n/posts/plain.txt\n",
		"text/notes.txt":        "copied\n",
	} {
		got, err := fs.ReadFile(res.Output, file)
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		if string(got) != want {
			t.Errorf("%s:\ngot  %q\nwant %q", file, got, want)
		}
	}
	feed, err := fs.ReadFile(res.Output, "text/feed.xml")
	if err != nil || !strings.Contains(string(feed), "text://text.example.org/posts/plain.txt") {
		t.Errorf("text/feed.xml: got %v\n%s", err, feed)
	}
	if _, err := fs.Stat(res.Output, "text/pic.png"); err == nil {
		t.Error("text/pic.png was copied; the output refuses it")
	}
	if _, err := fs.Stat(res.Output, "gemini/posts/note/index.gmi"); err == nil {
		t.Error("gemini has the text-only note")
	}
	// The Gemini page links to the note where it is published.
	gem, _ := fs.ReadFile(res.Output, "gemini/posts/plain/index.gmi")
	if !strings.Contains(string(gem), "=> text://text.example.org/posts/note.txt the note") {
		t.Errorf("gemini/posts/plain/index.gmi does not link to the note in the text output:\n%s", gem)
	}

	// Turned off in its section, the output makes nothing, and a page
	// that names only it is an error-free page of no output.
	off := cfg
	off.Set("text", "enabled", false)
	if res := mustBuild(t, NewBuilder(off)); len(mustSub(t, res, "text")) != 0 {
		t.Errorf("text output turned off, got files %v", mustSub(t, res, "text"))
	}

	// Without the text output in the list, a page that names it is
	// published as if it named none, with one warning for the value.
	res2, err := NewBuilder(base).Build(t.Context())
	if err != nil {
		t.Fatalf("build without the text output: %v", err)
	}
	want := Warning{File: filepath.Join("content", "posts", "2026-01-01-note.md"), Kind: problem.LeftOut, Msg: `left out: outputs value "text", which names no output here`}
	if !slices.Contains(res2.Warnings, want) {
		t.Errorf("got warnings %v, want %v", res2.Warnings, want)
	}
	if _, err := fs.Stat(res2.Output, "gemini/posts/note/index.gmi"); err != nil {
		t.Errorf("the note naming only an output not in the list: %v, want it in gemini", err)
	}
}

// mustSub lists the files of one output of a build.
func mustSub(t *testing.T, res *Result, out string) []string {
	t.Helper()
	var files []string
	for _, p := range res.Output.Paths() {
		if strings.HasPrefix(p, out+"/") {
			files = append(files, p)
		}
	}
	return files
}
