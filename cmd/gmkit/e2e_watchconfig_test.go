package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestServeWatchConfig changes configuration keys under `gmkit serve
// --watch`. Each change either takes full effect (a new output folder is
// written whole; a new content folder is built and then watched) or the
// log says a restart is needed, naming the key.
func TestServeWatchConfig(t *testing.T) {
	dir := t.TempDir()
	writeArchive(t, dir, filepath.Join("testdata", "e2e", "site.txtar"))
	config := filepath.Join(dir, "gmkit.toml")
	base := readFile(t, config)
	setBuild := func(lines ...string) {
		t.Helper()
		writeFile(t, config, strings.Replace(base, "[build]\n", "[build]\n"+strings.Join(lines, "\n")+"\n", 1), 0o644)
	}

	in := startServe(t, serveArgs(dir, "--watch")...)
	defer in.stop()
	in.check("first build", expect{path: "/posts/low-tide/", want: []string{"bravo-one"}})
	public := listTree(t, filepath.Join(dir, "public"))

	// 1. A new output folder gets the whole build, not just what changed.
	offset := len(in.stderr.String())
	setBuild(`output = "out2"`)
	in.waitLog("change build.output", offset, "new output folder", "out2")
	if got := listTree(t, filepath.Join(dir, "out2")); !slices.Equal(got, public) {
		t.Errorf("out2 holds %d files, want the %d of public:\ngot  %v\nwant %v", len(got), len(public), got, public)
	}

	// 2. A new content folder is built at once, and then watched: an edit
	// in it is served.
	if err := os.CopyFS(filepath.Join(dir, "notes"), os.DirFS(filepath.Join(dir, "content"))); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "notes", "posts", "low-tide.md"), "---\ntitle: Low tide\ndate: 2025-01-02\n---\nMarker kilo-one.\n", 0o644)
	setBuild(`output = "out2"`, `content = "notes"`)
	in.waitFor("change build.content", expect{path: "/posts/low-tide/", want: []string{"kilo-one"}})
	saveAtomically(t, filepath.Join(dir, "notes", "posts", "low-tide.md"), "---\ntitle: Low tide\ndate: 2025-01-02\n---\nMarker kilo-two.\n")
	in.waitFor("edit in the new content folder", expect{path: "/posts/low-tide/", want: []string{"kilo-two"}, not: []string{"kilo-one"}})
	// The servers get a build before the disk does: wait for the disk.
	page := filepath.Join(dir, "out2", "gemini", "posts", "low-tide", "index.gmi")
	for deadline := time.Now().Add(changeWait); !strings.Contains(readFile(t, page), "kilo-two"); time.Sleep(pollEvery) {
		if time.Now().After(deadline) {
			t.Fatalf("out2 was not brought up to date after the edit:\n%s", readFile(t, page))
		}
	}
	// 3. Keys the servers or the logger read only when they start: the log
	// names each and says to restart.
	offset = len(in.stderr.String())
	writeFile(t, config, strings.Replace(base, "[build]\n", "[build]\noutput = \"out2\"\ncontent = \"notes\"\n", 1)+`
[gemini]
listen = "127.0.0.1:1"
max_conns = 7

[guppy]
window = 4

[log]
level = "debug"
`, 0o644)
	// (gemini.listen is set by a flag, which wins: no change to it.)
	in.waitLog("change server keys", offset, "gemini.max_conns, guppy.window, log.level changed: restart gmkit serve")
	if log := in.stderr.String()[offset:]; strings.Contains(log, "gemini.listen") {
		t.Errorf("the log names gemini.listen, which a flag sets:\n%s", log)
	}
	// And the servers still answer from where they listened.
	in.check("servers unchanged", expect{path: "/posts/low-tide/", want: []string{"kilo-two"}})
}

// listTree lists the files below dir, slash-separated and sorted.
func listTree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// TestReloadEffectsCoverEveryKey holds reloadEffects to the key table:
// every key says, by name or by section, how a change to it takes effect
// under --watch.
func TestReloadEffectsCoverEveryKey(t *testing.T) {
	for _, k := range keys {
		_, byName := reloadEffects[k.name]
		section, _, _ := strings.Cut(k.name, ".")
		_, bySection := reloadEffects[section+"."]
		if !byName && !(strings.Contains(k.name, ".") && bySection) {
			t.Errorf("key %s: reloadEffects does not say how a change to it takes effect under --watch", k.name)
		}
	}
}
