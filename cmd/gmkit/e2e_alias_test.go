package main

import (
	"path/filepath"
	"testing"
)

// TestServeAliases: a page's old addresses (aliases, redirect_from, the
// address a hand-written .gmi file had) answer with a permanent redirect
// to the page in every mode serve runs in: over a build it made once, under
// --watch, and with --no-build over the folder a `gmkit build` wrote, which
// holds the redirects in a file of its own. Gopher, which has no
// redirects, gets a menu at the old address pointing to the page.
func TestServeAliases(t *testing.T) {
	dir := t.TempDir()
	writeArchive(t, dir, filepath.Join("testdata", "e2e", "site.txtar"))
	writeFile(t, filepath.Join(dir, "content", "posts", "moved.md"), "---\ntitle: Moved post\naliases: [/old/moved/]\nredirect_from: /2019/01/01/moved.html\n---\nIt moved.\n", 0o644)
	writeFile(t, filepath.Join(dir, "content", "notes", "jot.gmi"), "# A jot\n\nHand-written.\n", 0o644)
	checks := []expect{
		{path: "/old/moved/", head: "31 /posts/moved/", only: []string{"gemini"}},
		{path: "/old/moved", head: "31 /posts/moved/", only: []string{"gemini"}},
		{path: "/2019/01/01/moved.html", head: "31 /posts/moved/", only: []string{"gemini"}},
		{path: "/notes/jot.gmi", head: "31 /notes/jot/", only: []string{"gemini"}},
		{path: "/old/moved/", want: []string{"has moved", "Moved post"}, only: []string{"gopher"}},
		{path: "/posts/moved/", want: []string{"It moved."}, only: []string{"gemini", "gopher"}},
	}
	for _, mode := range []struct {
		name string
		args []string
	}{{"one build", nil}, {"--watch", []string{"--watch"}}} {
		in := startServe(t, serveArgs(dir, mode.args...)...)
		in.check(mode.name, checks...)
		if code := in.stop(); code != 0 {
			t.Errorf("%s: exit status %d, want 0\nstderr:\n%s", mode.name, code, in.stderr)
		}
	}
	if code, out, errs := gmkit(t, "build", "--site", dir); code != 0 {
		t.Fatalf("gmkit build: status %d\n%s%s", code, out, errs)
	}
	in := startServe(t, serveArgs(dir, "--no-build")...)
	in.check("--no-build", checks...)
	if code := in.stop(); code != 0 {
		t.Errorf("--no-build: exit status %d, want 0\nstderr:\n%s", code, in.stderr)
	}
}
