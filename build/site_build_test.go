package build

import (
	"bytes"
	"context"
	"errors"
	"github.com/gmkit/gmkit/build/problem"
	"github.com/gmkit/gmkit/build/publish"
	"github.com/gmkit/gmkit/build/tree"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gmkit/gmkit/build/bench/sitegen"
)

// fileSnap is what a test compares of one file.
type fileSnap struct {
	Data    string
	Mode    fs.FileMode
	ModTime time.Time
}

// snapOutput reads every file of an Output, with its directory listings
// (which must come out in the same order every time).
func snapOutput(t testing.TB, out *tree.Tree) map[string]fileSnap {
	t.Helper()
	snap := map[string]fileSnap{}
	err := fs.WalkDir(out, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			ents, err := out.ReadDir(p)
			if err != nil {
				return err
			}
			names := make([]string, len(ents))
			for i, e := range ents {
				names[i] = e.Name()
			}
			snap[p+"/"] = fileSnap{Data: strings.Join(names, "\n"), Mode: info.Mode()}
			return nil
		}
		b, err := fs.ReadFile(out, p)
		if err != nil {
			return err
		}
		snap[p] = fileSnap{Data: string(b), Mode: info.Mode(), ModTime: info.ModTime()}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// snapDir reads every file below dir on disk. With times set, it also
// records modification times (to prove a folder was not touched).
func snapDir(t testing.TB, dir string, times bool) map[string]fileSnap {
	t.Helper()
	snap := map[string]fileSnap{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		s := fileSnap{Mode: info.Mode()}
		if times {
			s.ModTime = info.ModTime()
		}
		if d.IsDir() {
			snap[filepath.ToSlash(rel)+"/"] = s
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		s.Data = string(b)
		snap[filepath.ToSlash(rel)] = s
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// leftovers lists what sits beside dir other than dir itself and the kept
// previous output (temporary folders a write failed to clean up).
func leftovers(t testing.TB, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		// The previous output is kept beside, to be brought up to date by the
		// next write, and so are the manifests and the lock (see
		// publish.Write).
		prev := "." + filepath.Base(dir) + ".prev"
		store := "." + filepath.Base(dir) + ".manifests"
		lock := "." + filepath.Base(dir) + ".lock"
		if e.Name() != filepath.Base(dir) && e.Name() != prev && e.Name() != store && e.Name() != lock && strings.Contains(e.Name(), filepath.Base(dir)) {
			out = append(out, e.Name())
		}
	}
	return out
}

// genSite writes a generated site of n posts into a new folder and returns
// its build configuration.
func genSite(t testing.TB, n int) Config {
	t.Helper()
	dir := t.TempDir()
	if err := sitegen.Write(dir, sitegen.Options{Posts: n}); err != nil {
		t.Fatal(err)
	}
	writeSiteFile(t, dir, "static/robots.txt", []byte("User-agent: *\n"))
	return Config{Dir: dir, Title: "Generated", Hostname: "example.org", Author: "Ann"}
}

func mustBuild(t testing.TB, b *Builder) *Result {
	t.Helper()
	res, err := b.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestUnreadableSource checks that a Markdown file that cannot be read fails
// the build with a message naming it, and that a symlink to nothing is left
// out with a warning naming it.
func TestUnreadableSource(t *testing.T) {
	t.Run("dangling symlink", func(t *testing.T) {
		cfg := genSite(t, 3)
		if err := os.Symlink(filepath.Join(cfg.Dir, "nowhere"), filepath.Join(cfg.Dir, "content", "posts", "gone.md")); err != nil {
			t.Skip("no symlinks here:", err)
		}
		// Left out with a warning naming it, as every file the site
		// cannot publish; the rest of the site builds.
		res, err := NewBuilder(cfg).Build(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		want := Warning{File: "content/posts/gone.md", Kind: problem.LeftOut, Msg: "left out: a symlink that leads nowhere"}
		if !slices.Contains(res.Warnings, want) {
			t.Errorf("got warnings %v, want %v", res.Warnings, want)
		}
	})
	t.Run("no permission", func(t *testing.T) {
		cfg := genSite(t, 3)
		file := filepath.Join(cfg.Dir, "content", "posts", "secret.md")
		writeSiteFile(t, cfg.Dir, "content/posts/secret.md", []byte("secret\n"))
		if err := os.Chmod(file, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := os.ReadFile(file); err == nil {
			t.Skip("this user reads files without permission (root?)")
		}
		_, err := NewBuilder(cfg).Build(context.Background())
		if err == nil || !strings.Contains(err.Error(), filepath.Join("content", "posts", "secret.md")) || !errors.Is(err, fs.ErrPermission) {
			t.Errorf("got error %v, want one naming content/posts/secret.md and wrapping fs.ErrPermission", err)
		}
	})
}

// TestDeterministic builds the same sites with fresh Builders several times
// and compares the trees byte for byte (names, contents, modes, times and
// listing order), then writes two of them and compares the folders.
func TestDeterministic(t *testing.T) {
	sites := map[string]Config{
		"content-example": {Dir: "../content-example", Title: "Quiet Carrier", Hostname: "localhost"},
		"generated":       genSite(t, 150),
	}
	for _, name := range []string{"indexes", "feeds", "links", "pages", "outputs"} {
		sites[name] = loadFixture(t, filepath.Join(fixtureDir, name+".txtar")).cfg
	}
	for name, cfg := range sites {
		t.Run(name, func(t *testing.T) {
			first := mustBuild(t, NewBuilder(cfg))
			want := snapOutput(t, first.Output)
			if len(want) == 0 {
				t.Fatal("empty output")
			}
			for i := range 3 {
				res := mustBuild(t, NewBuilder(cfg))
				if diff := cmp.Diff(snapOutput(t, res.Output), want); diff != "" {
					t.Fatalf("build %d differs from the first (-got +want):\n%s", i+2, diff)
				}
				if diff := cmp.Diff(res.Warnings, first.Warnings); diff != "" {
					t.Fatalf("build %d warnings differ (-got +want):\n%s", i+2, diff)
				}
			}
			dirA := filepath.Join(t.TempDir(), "public")
			dirB := filepath.Join(t.TempDir(), "public")
			second := mustBuild(t, NewBuilder(cfg))
			if err := publish.Write(context.Background(), first.Output, dirA); err != nil {
				t.Fatal(err)
			}
			if err := publish.Write(context.Background(), second.Output, dirB); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(snapDir(t, dirA, false), snapDir(t, dirB, false)); diff != "" {
				t.Errorf("written folders differ (-first +second):\n%s", diff)
			}
			// Writing again over the same folder gives the same folder.
			before := snapDir(t, dirA, false)
			if err := publish.Write(context.Background(), second.Output, dirA); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(snapDir(t, dirA, false), before); diff != "" {
				t.Errorf("folder differs after writing it again (-got +want):\n%s", diff)
			}
			if l := leftovers(t, dirA); len(l) > 0 {
				t.Errorf("left beside the output: %v", l)
			}
		})
	}
}

// TestWrittenMatchesOutput checks that the folder publish.Write makes holds
// exactly the Output's files, and nothing else.
func TestWrittenMatchesOutput(t *testing.T) {
	cfg := loadFixture(t, filepath.Join(fixtureDir, "pages.txtar")).cfg
	res := mustBuild(t, NewBuilder(cfg))
	dir := filepath.Join(t.TempDir(), "public")
	if err := publish.Write(context.Background(), res.Output, dir); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for p, s := range snapDir(t, dir, false) {
		if !strings.HasSuffix(p, "/") {
			got[p] = s.Data
			if s.Mode.Perm() != 0o644 {
				t.Errorf("%s: got mode %v, want 0644", p, s.Mode)
			}
		}
	}
	want := map[string]string{}
	for _, p := range res.Output.Paths() {
		b, err := res.Output.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		want[p] = string(b)
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("written folder (-got +want):\n%s", diff)
	}
}

// TestFailedBuildKeepsOutput writes a site, then breaks it in several ways:
// each failed Build leaves the output folder exactly as it was (contents and
// modification times) with nothing left beside it.
func TestFailedBuildKeepsOutput(t *testing.T) {
	breaks := []struct {
		name  string
		file  string
		data  string
		wants string // in the error
	}{
		{"bad YAML", "content/posts/broken.md", "---\ntitle: [oops\n---\nBody.\n", "content/posts/broken.md:2"},
		{"bad TOML", "content/posts/broken.md", "+++\ntitle = \n+++\nBody.\n", "content/posts/broken.md:2"},
		{"template", "themes/default/gemini/page.gmi", "{{ .Nope.Nope }", "themes/default/gemini/page.gmi"},
		{"same address", "content/posts/" + sitegen.Slug(1) + "/index.md", "A bundle where a post is.\n", "already taken"},
	}
	for _, tc := range breaks {
		t.Run(tc.name, func(t *testing.T) {
			cfg := genSite(t, 20)
			res, err := Build(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if res.Pages < 20 {
				t.Fatalf("got %d pages, want at least 20", res.Pages)
			}
			out := filepath.Join(cfg.Dir, "public")
			before := snapDir(t, out, true)
			writeSiteFile(t, cfg.Dir, tc.file, []byte(tc.data))
			_, err = Build(context.Background(), cfg)
			if err == nil || !strings.Contains(err.Error(), tc.wants) {
				t.Fatalf("got error %v, want one containing %q", err, tc.wants)
			}
			if diff := cmp.Diff(snapDir(t, out, true), before); diff != "" {
				t.Errorf("output folder changed (-got +want):\n%s", diff)
			}
			if l := leftovers(t, out); len(l) > 0 {
				t.Errorf("left beside the output: %v", l)
			}
		})
	}
	t.Run("write fails", func(t *testing.T) {
		// An asset that disappears between Build and publish.Write makes
		// the write fail half way.
		cfg := genSite(t, 20)
		b := NewBuilder(cfg)
		out := b.OutputDir()
		if err := publish.Write(context.Background(), mustBuild(t, b).Output, out); err != nil {
			t.Fatal(err)
		}
		before := snapDir(t, out, true)
		writeSiteFile(t, cfg.Dir, "static/vanishing.txt", []byte("here for a moment\n"))
		res := mustBuild(t, b)
		if err := os.Remove(filepath.Join(cfg.Dir, "static", "vanishing.txt")); err != nil {
			t.Fatal(err)
		}
		err := publish.Write(context.Background(), res.Output, out)
		if err == nil || !strings.Contains(err.Error(), "vanishing.txt") {
			t.Fatalf("got error %v, want one naming vanishing.txt", err)
		}
		if diff := cmp.Diff(snapDir(t, out, true), before); diff != "" {
			t.Errorf("output folder changed (-got +want):\n%s", diff)
		}
		if l := leftovers(t, out); len(l) > 0 {
			t.Errorf("left beside the output: %v", l)
		}
	})
}

// TestIncremental rebuilds one site with one Builder through a series of
// edits. After each step it checks how many pages were rendered, what the
// indexes say, and that the output is byte for byte what a fresh Builder
// makes of the same files; publish.Update brings a written folder to the same
// state as writing the new output from scratch.
func TestIncremental(t *testing.T) {
	const n = 30
	opts := sitegen.Options{Posts: n}
	cfg := genSite(t, n)
	// lonely is a post no other page links to.
	writeSiteFile(t, cfg.Dir, "content/posts/lonely.md", []byte("---\ntitle: Lonely\ndate: 2021-06-01\n---\nNobody links here.\n"))
	// titled repeats its title as its first heading (which the renderers
	// leave out) and links to target, which a step deletes: its body is
	// then rendered again from a new parse of its source.
	writeSiteFile(t, cfg.Dir, "content/posts/titled.md", []byte("---\ntitle: Titled\ndate: 2021-07-01\n---\n# Titled\n\nSee [the target](target.md).\n\n## Part two\n\nMore.\n"))
	writeSiteFile(t, cfg.Dir, "content/posts/target.md", []byte("---\ntitle: Target\ndate: 2021-07-02\n---\nLinked from titled.\n"))
	b := NewBuilder(cfg)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "public")

	res := mustBuild(t, b)
	if res.Rendered != res.Pages {
		t.Errorf("first build: got Rendered %d, want every page (%d)", res.Rendered, res.Pages)
	}
	if err := publish.Write(ctx, res.Output, dir); err != nil {
		t.Fatal(err)
	}

	// linkedPost is a post other posts link to (not the one edited below).
	linkedPost := -1
	for i := n - 1; i >= 0 && linkedPost < 0; i-- {
		name := strings.TrimPrefix(sitegen.PostName(i), "posts/")
		for j := range n {
			if i != 5 && j != i && bytes.Contains(sitegen.Post(opts, j, 0), []byte("]("+name+")")) {
				linkedPost = i
				break
			}
		}
	}
	if linkedPost < 0 {
		t.Fatal("no post of the generated site is linked from another; change n")
	}

	type step struct {
		name     string
		change   func(t *testing.T)
		rendered int
		check    func(t *testing.T, res *Result)
	}
	postFile := func(i int) string { return filepath.Join(cfg.Dir, "content", filepath.FromSlash(sitegen.PostName(i))) }
	section := func(t *testing.T, res *Result) string {
		b, err := res.Output.ReadFile("gemini/posts/index.gmi")
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	newPost := "posts/brand-new.md"
	steps := []step{
		{
			name:     "nothing changed",
			change:   func(t *testing.T) {},
			rendered: 0,
		},
		{
			name: "edit one post",
			change: func(t *testing.T) {
				edited := bytes.Replace(sitegen.Post(opts, 5, 1), []byte("---\n\n"), []byte("---\n\nAn edited first line.\n\n"), 1)
				if err := os.WriteFile(postFile(5), edited, 0o644); err != nil {
					t.Fatal(err)
				}
			},
			rendered: 1,
			check: func(t *testing.T, res *Result) {
				var title string
				for _, p := range res.Site.Pages {
					if p.Source == sitegen.PostName(5) {
						title = p.Title
					}
				}
				if title == "" || strings.HasPrefix(title, "Post 5:") {
					t.Fatalf("got title %q for the edited post, want the new one", title)
				}
				for _, f := range []string{"gemini/posts/index.gmi", "gemini/atom.xml", "gemini/posts/atom.xml", "gopher/posts/gophermap", "gemini/tags/tag-05/index.gmi"} {
					b, err := res.Output.ReadFile(f)
					if err != nil {
						t.Fatal(err)
					}
					if !strings.Contains(string(b), title) {
						t.Errorf("%s does not show the new title %q", f, title)
					}
				}
				page, err := res.Output.ReadFile("gemini/posts/" + sitegen.Slug(5) + "/index.gmi")
				if err != nil || !strings.Contains(string(page), "An edited first line.") {
					t.Errorf("the edited page does not show the edit (err %v)", err)
				}
			},
		},
		{
			name: "delete an unlinked post",
			change: func(t *testing.T) {
				if err := os.Remove(filepath.Join(cfg.Dir, "content", "posts", "lonely.md")); err != nil {
					t.Fatal(err)
				}
			},
			rendered: 0,
			check: func(t *testing.T, res *Result) {
				// No body changed, but the neighbours' older/newer links did.
				if res.Remade == 0 {
					t.Errorf("got Remade 0, want the deleted post's neighbours")
				}
				slug := "lonely"
				for _, p := range []string{"gemini/posts/" + slug + "/index.gmi", "gopher/posts/" + slug + "/gophermap"} {
					if _, err := res.Output.Stat(p); err == nil {
						t.Errorf("%s is still in the output", p)
					}
				}
				if strings.Contains(section(t, res), "/posts/"+slug+"/") {
					t.Errorf("the section index still lists %s", slug)
				}
			},
		},
		{
			name: "delete a linked post",
			change: func(t *testing.T) {
				if err := os.Remove(postFile(linkedPost)); err != nil {
					t.Fatal(err)
				}
			},
			rendered: -1, // every page that linked to it, and only those
			check: func(t *testing.T, res *Result) {
				name := strings.TrimPrefix(sitegen.PostName(linkedPost), "posts/")
				linkers := 0
				for i := range n {
					if i == linkedPost {
						continue
					}
					post := sitegen.Post(opts, i, 0)
					if i == 5 {
						post = sitegen.Post(opts, 5, 1)
					}
					if bytes.Contains(post, []byte("]("+name+")")) {
						linkers++
					}
				}
				if res.Rendered != linkers {
					t.Errorf("got Rendered %d, want the %d pages that link to the deleted post", res.Rendered, linkers)
				}
				if len(res.Warnings) == 0 || !strings.Contains(res.Warnings[0].Msg, name) {
					t.Errorf("got warnings %v, want broken links to %s", res.Warnings, name)
				}
			},
		},
		{
			name: "add a post",
			change: func(t *testing.T) {
				writeSiteFile(t, cfg.Dir, "content/"+newPost, []byte("---\ntitle: Brand new\ndate: 2025-01-01\ntags: [fresh]\n---\nNew.\n"))
			},
			rendered: 1,
			check: func(t *testing.T, res *Result) {
				if !strings.Contains(section(t, res), "=> /posts/brand-new/ 2025-01-01 Brand new\n") {
					t.Errorf("the section index does not list the new post:\n%s", section(t, res))
				}
				for _, p := range []string{"gemini/posts/brand-new/index.gmi", "gopher/posts/brand-new/gophermap", "gemini/tags/fresh/index.gmi"} {
					if _, err := res.Output.Stat(p); err != nil {
						t.Errorf("%s is missing: %v", p, err)
					}
				}
			},
		},
		{
			name: "delete a link target of a page whose heading is its title",
			change: func(t *testing.T) {
				if err := os.Remove(filepath.Join(cfg.Dir, "content", "posts", "target.md")); err != nil {
					t.Fatal(err)
				}
			},
			rendered: 1,
			check: func(t *testing.T, res *Result) {
				page, err := res.Output.ReadFile("gemini/posts/titled/index.gmi")
				if err != nil {
					t.Fatal(err)
				}
				if got := strings.Count(string(page), "Titled"); got != 1 {
					t.Errorf("the title shows %d times, want once (the heading left out):\n%s", got, page)
				}
				if !strings.Contains(string(page), "## Part two") {
					t.Errorf("the page lost its body:\n%s", page)
				}
			},
		},
		{
			name: "touch without change",
			change: func(t *testing.T) {
				future := time.Now().Add(time.Hour)
				if err := os.Chtimes(postFile(7), future, future); err != nil {
					t.Fatal(err)
				}
			},
			rendered: 0,
			check: func(t *testing.T, res *Result) {
				if res.Remade != 0 {
					t.Errorf("got Remade %d, want 0: nothing changed", res.Remade)
				}
			},
		},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.change(t)
			res := mustBuild(t, b)
			if s.rendered >= 0 && res.Rendered != s.rendered {
				t.Errorf("got Rendered %d, want %d", res.Rendered, s.rendered)
			}
			if s.check != nil {
				s.check(t, res)
			}
			fresh := mustBuild(t, NewBuilder(cfg))
			if diff := cmp.Diff(snapOutput(t, res.Output), snapOutput(t, fresh.Output)); diff != "" {
				t.Errorf("incremental output differs from a fresh build (-incremental +fresh):\n%s", diff)
			}
			if diff := cmp.Diff(res.Warnings, fresh.Warnings); diff != "" {
				t.Errorf("incremental warnings differ from a fresh build (-incremental +fresh):\n%s", diff)
			}
			if err := publish.Write(ctx, res.Output, dir); err != nil {
				t.Fatal(err)
			}
			scratch := filepath.Join(t.TempDir(), "public")
			if err := publish.Write(ctx, res.Output, scratch); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(snapDir(t, dir, false), snapDir(t, scratch, false)); diff != "" {
				t.Errorf("recycled folder differs from a fresh write (-recycled +fresh):\n%s", diff)
			}
		})
	}
}

// TestGeneratedSiteChecks runs the output checks (gemtext hygiene, strict
// gophermap lint, every menu item and link pointing at something that
// exists, feeds) over a generated site in both Gopher modes and with ugly
// URLs.
func TestGeneratedSiteChecks(t *testing.T) {
	base := genSite(t, 60)
	for _, tc := range []struct {
		name string
		edit func(*Config)
	}{
		{"default", func(*Config) {}},
		{"gopher text", func(c *Config) { c.Set("gopher", "mode", "text") }},
		{"ugly URLs", func(c *Config) { c.UglyURLs = true }},
		{"public ports", func(c *Config) {
			c.Set("gemini", "port", 1966)
			c.Set("gopher", "host", "hole.example.net")
			c.Set("gopher", "port", 7070)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			tc.edit(&cfg)
			res := mustBuild(t, NewBuilder(cfg))
			if len(res.Warnings) > 0 {
				t.Errorf("got warnings %v, want none", res.Warnings)
			}
			if res.Pages != 60+4 {
				t.Errorf("got %d pages, want %d", res.Pages, 64)
			}
			checkOutput(t, res, cfg)
		})
	}
}

// TestContentExampleChecks runs the output checks over the example site:
// every item of every generated menu points at something in the hole.
func TestContentExampleChecks(t *testing.T) {
	cfg := Config{Dir: "../content-example", Title: "Quiet Carrier", Hostname: "localhost"}
	res := mustBuild(t, NewBuilder(cfg))
	checkOutput(t, res, cfg)
	menus := 0
	for _, p := range res.Output.Paths() {
		if strings.HasPrefix(p, "gopher/") && filepath.Base(p) == "gophermap" {
			menus++
		}
	}
	if menus < 10 {
		t.Errorf("got %d menus, want at least 10", menus)
	}
	if !slices.Contains(res.Output.Paths(), "gemini/posts/index.gmi") {
		t.Error("no section index")
	}
}

// TestFeedEntries reads the feeds of the feeds fixture with encoding/xml:
// absolute URLs of the right output, entries newest first across sections,
// at most FeedLimit of them, and updated set to the newest entry.
func TestFeedEntries(t *testing.T) {
	fx := loadFixture(t, filepath.Join(fixtureDir, "feeds.txtar"))
	res := mustBuild(t, NewBuilder(fx.cfg))
	tests := []struct {
		file, base, updated string
		titles              []string
	}{
		{"gemini/atom.xml", "gemini://example.org:1966/", "2026-03-01T00:00:00Z", []string{"Three", "A note", "Two"}},
		{"gemini/posts/atom.xml", "gemini://example.org:1966/posts/", "2026-03-01T00:00:00Z", []string{"Three", "Two", "One & only"}},
		{"gemini/notes/atom.xml", "gemini://example.org:1966/notes/", "2026-02-20T00:00:00Z", []string{"A note"}},
		{"gopher/atom.xml", "gopher://gopher.example.org:7070/", "2026-03-01T00:00:00Z", []string{"Three", "A note", "Two"}},
	}
	for _, tc := range tests {
		b, err := res.Output.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parseAtom(b)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		var titles []string
		for _, e := range f.Entries {
			titles = append(titles, e.Title)
			if !strings.HasPrefix(e.Link.Href, tc.base) || e.ID != e.Link.Href {
				t.Errorf("%s: entry %q: got link %q id %q, want a link below %s and the same id", tc.file, e.Title, e.Link.Href, e.ID, tc.base)
			}
		}
		if diff := cmp.Diff(titles, tc.titles); diff != "" {
			t.Errorf("%s: entries (-got +want):\n%s", tc.file, diff)
		}
		if f.Updated != tc.updated {
			t.Errorf("%s: got updated %s, want %s", tc.file, f.Updated, tc.updated)
		}
		for _, l := range f.Links {
			if !strings.HasPrefix(l.Href, tc.base) {
				t.Errorf("%s: got link %q (rel %s), want an absolute URL of the output", tc.file, l.Href, l.Rel)
			}
		}
	}
}
