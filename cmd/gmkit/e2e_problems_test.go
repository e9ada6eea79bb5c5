package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// problemSite makes a site with broken links in five posts (warnings of
// one kind) and, when broken, front matter that does not read in two more
// (fatal). It returns the site folder.
func problemSite(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "site")
	if code, _, errOut := gmkit(t, "init", dir); code != 0 {
		t.Fatalf("init: status %d: %s", code, errOut)
	}
	posts := filepath.Join(dir, "content", "posts")
	for i := range 5 {
		writeFile(t, filepath.Join(posts, fmt.Sprintf("link-%d.md", i)),
			fmt.Sprintf("---\ntitle: Link %d\ndate: 2020-01-0%d\n---\n\nSee [gone](gone-%d.md).\n", i, i+1, i), 0o644)
	}
	return dir
}

// breakFrontMatter writes two posts whose front matter does not read.
func breakFrontMatter(t *testing.T, dir string) {
	posts := filepath.Join(dir, "content", "posts")
	writeFile(t, filepath.Join(posts, "bad-yaml.md"), "---\ntitle: [open\n---\nBody.\n", 0o644)
	writeFile(t, filepath.Join(posts, "bad-toml.md"), "+++\ntitle = \"T\"\ndraft = oops\n+++\nBody.\n", 0o644)
}

// TestBuildReportsEveryProblem: `gmkit build` reports every problem at
// once, sorted by file and line, the same way run after run; warnings of
// one kind past the first three are counted unless --verbose; any fatal
// problem fails the build with status 1 and leaves the output as it was.
func TestBuildReportsEveryProblem(t *testing.T) {
	dir := problemSite(t)
	post := func(name string) string { return filepath.Join("content", "posts", name) }
	links := func(from, to int) string {
		var b strings.Builder
		for i := from; i < to; i++ {
			fmt.Fprintf(&b, "warning: %s:6: link \"gone-%d.md\": no such page\n", post(fmt.Sprintf("link-%d.md", i)), i)
		}
		return b.String()
	}
	const more = "warning: 2 more \"link\" warnings in 2 files not shown (--verbose lists every one)\n"

	code, out, errOut := gmkit(t, "build", "--site", dir)
	if code != 0 {
		t.Fatalf("build: status %d\n%s", code, errOut)
	}
	if want := links(0, 3) + more; errOut != want {
		t.Errorf("warnings:\ngot\n%s\nwant\n%s", errOut, want)
	}
	if !strings.HasPrefix(out, "built ") {
		t.Errorf("stdout %q, want the summary line", out)
	}
	code, _, errOut = gmkit(t, "build", "--site", dir, "--verbose")
	if want := links(0, 5); code != 0 || errOut != want {
		t.Errorf("--verbose: status %d, warnings:\n%s\nwant status 0 and\n%s", code, errOut, want)
	}

	home := filepath.Join(dir, "public", "gemini", "index.gmi")
	before, err := os.ReadFile(home)
	if err != nil {
		t.Fatal(err)
	}
	breakFrontMatter(t, dir)
	public := filepath.Join(dir, "public")
	fatal := "error: " + post("bad-toml.md") + ":3: front matter (TOML): toml: unexpected character U+006F 'o' at start of value\n" +
		"error: " + post("bad-yaml.md") + ":2: front matter (YAML): did not find expected ',' or ']'\n"
	tail := "gmkit: build failed: 2 errors, 5 warnings; " + public + " is left as it was\n"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, fatal + links(0, 3) + more + tail},
		{[]string{"-v"}, fatal + links(0, 5) + tail},
	} {
		var first string
		for run := range 3 {
			code, _, errOut := gmkit(t, append([]string{"build", "--site", dir}, tc.args...)...)
			if code != 1 {
				t.Errorf("%v run %d: status %d, want 1", tc.args, run, code)
			}
			if run == 0 {
				first = errOut
				if errOut != tc.want {
					t.Errorf("%v: stderr\n%s\nwant\n%s", tc.args, errOut, tc.want)
				}
			} else if errOut != first {
				t.Errorf("%v run %d reports\n%s\nthe first run reported\n%s", tc.args, run, errOut, first)
			}
		}
	}
	after, err := os.ReadFile(home)
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("the output changed after a failed build (err %v)", err)
	}
}

// TestWatchReportsEveryProblem: under `serve --watch` the log reports a
// rebuild's problems as a build does: every fatal one naming file and
// line, warnings of one kind counted past the first three (all of them
// with --verbose), and the last good build still served.
func TestWatchReportsEveryProblem(t *testing.T) {
	for _, verbose := range []bool{false, true} {
		t.Run(fmt.Sprintf("verbose=%v", verbose), func(t *testing.T) {
			dir := problemSite(t)
			args := serveArgs(dir, "--watch", "--no-guppy", "--no-spartan", "--no-nex")
			if verbose {
				args = append(args, "--verbose")
			}
			in := startServe(t, args...)
			log := in.stderr.String()
			shown := strings.Count(log, "no such page")
			if want := map[bool]int{false: 3, true: 5}[verbose]; shown != want {
				t.Errorf("first build shows %d broken links, want %d\nstderr:\n%s", shown, want, log)
			}
			if counted := strings.Contains(log, `2 more "link" warnings in 2 files not shown`); counted == verbose {
				t.Errorf("first build: the count of warnings not shown is there: %v, want %v\nstderr:\n%s", counted, !verbose, log)
			}

			off := len(in.stderr.String())
			breakFrontMatter(t, dir)
			in.waitLog("break the front matter", off,
				filepath.Join("content", "posts", "bad-toml.md")+":3: front matter (TOML)",
				filepath.Join("content", "posts", "bad-yaml.md")+":2: front matter (YAML)",
				"rebuild failed: 2 errors, 5 warnings; still serving the last good build")
			in.check("broken front matter keeps the last good build",
				expect{path: "/posts/link-0/", want: []string{"Link 0"}})
		})
	}
}

// breakWebTemplates writes a site theme whose web templates are broken
// two ways: a partial that does not parse (line 2) and a page template
// that fails while running (line 3). It returns the two files as the
// report names them.
func breakWebTemplates(t *testing.T, dir string) (partials, page string) {
	t.Helper()
	html := filepath.Join(dir, "themes", "default", "html")
	writeFile(t, filepath.Join(html, "_extra.html"), "{{ define \"extra\" }}\n{{ .Site.Title | nosuchfunc }}{{ end }}\n", 0o644)
	writeFile(t, filepath.Join(html, "tag.html"), "<!doctype html>\n<title>{{ .Tag.Name }}</title>\n{{ index .Tag.Pages 99 }}\n", 0o644)
	return filepath.Join("themes", "default", "html", "_extra.html"), filepath.Join("themes", "default", "html", "tag.html")
}

// TestBuildReportsWebTemplateErrors: a broken web template is reported as
// the other outputs' templates are: at its file and line, as a template
// problem, every one at once, and the output left as it was; mended, the
// build succeeds.
func TestBuildReportsWebTemplateErrors(t *testing.T) {
	dir := problemSite(t)
	if code, _, errOut := gmkit(t, "build", "--site", dir); code != 0 {
		t.Fatalf("build: status %d\n%s", code, errOut)
	}
	home := filepath.Join(dir, "public", "html", "index.html")
	before, err := os.ReadFile(home)
	if err != nil {
		t.Fatal(err)
	}
	partials, tag := breakWebTemplates(t, dir)
	writeFile(t, filepath.Join(dir, "themes", "default", "html", "page.html"), "<!doctype html>\n{{ if .Page }}\n", 0o644)
	page := filepath.Join("themes", "default", "html", "page.html")
	code, _, errOut := gmkit(t, "build", "--site", dir)
	if code != 1 {
		t.Errorf("status %d, want 1", code)
	}
	for _, want := range []string{
		"error: " + partials + `:2: function "nosuchfunc" not defined` + "\n",
		"error: " + page + ":3: unexpected EOF\n",
		"gmkit: build failed: 2 errors, 5 warnings; " + filepath.Join(dir, "public") + " is left as it was\n",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if after, err := os.ReadFile(home); err != nil || !bytes.Equal(before, after) {
		t.Errorf("the web output changed after a failed build (err %v)", err)
	}

	// Once they parse, a template that fails while running (tag.html,
	// for every tag) is one problem at its file and line, naming what it
	// was making.
	for _, f := range []string{partials, page} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	code, _, errOut = gmkit(t, "build", "--site", dir)
	if want := "error: " + tag + ":3: executing \"tag.html\" at <index .Tag.Pages 99>: error calling index: index out of range: 99 (making tag "; code != 1 || strings.Count(errOut, want) != 1 {
		t.Errorf("status %d, stderr:\n%s\nwant status 1 and once %q", code, errOut, want)
	}
	if err := os.Remove(filepath.Join(dir, tag)); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := gmkit(t, "build", "--site", dir); code != 0 {
		t.Errorf("mended: status %d\n%s", code, errOut)
	}
}

// TestWatchReportsWebTemplateErrors: under `serve --watch` a broken save
// of a web template is reported at its file and line while the last good
// build is still served over HTTP, and its fix is served.
func TestWatchReportsWebTemplateErrors(t *testing.T) {
	dir := problemSite(t)
	in := startServe(t, serveArgs(dir, "--watch", "--no-guppy", "--no-spartan", "--no-nex")...)
	page := filepath.Join(dir, "themes", "default", "html", "page.html")
	off := len(in.stderr.String())
	writeFile(t, page, "<!doctype html>\n<title>{{ .Page.Title }}</title>\n<h1>{{ .Page.Title | nosuchfunc }}</h1>\n", 0o644)
	in.waitLog("break page.html", off,
		filepath.Join("themes", "default", "html", "page.html")+`:3: function "nosuchfunc" not defined`,
		"rebuild failed: 1 error, 5 warnings; still serving the last good build")
	in.check("a broken web template keeps the last good build",
		expect{path: "/posts/link-0/", want: []string{"Link 0", "Skip to content"}, only: []string{"http"}})
	writeFile(t, page, "<!doctype html>\n<title>{{ .Page.Title }}</title>\n<h1>Mended {{ .Page.Title }}</h1>\n", 0o644)
	in.waitFor("mend page.html",
		expect{path: "/posts/link-0/", want: []string{"Mended Link 0"}, not: []string{"Skip to content"}, only: []string{"http"}})
}
