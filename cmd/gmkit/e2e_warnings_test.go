package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestWatchSaysThingsOnce: under --watch a broken-link warning is shown
// when it first appears, not again on every rebuild, and its fix is
// reported; deleting a post reports the neighbour pages remade, not "0 of
// N".
func TestWatchSaysThingsOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	if code, _, errOut := gmkit(t, "init", dir); code != 0 {
		t.Fatalf("init: status %d: %s", code, errOut)
	}
	posts := filepath.Join(dir, "content", "posts")
	writeFile(t, filepath.Join(posts, "a-broken.md"), "---\ntitle: Broken\ndate: 2020-01-02\n---\n\nSee [nowhere](nowhere.md).\n", 0o644)
	in := startServe(t, serveArgs(dir, "--watch", "--no-guppy")...)
	const broken = "nowhere.md"
	if n := strings.Count(in.stderr.String(), broken); n != 1 {
		t.Fatalf("first build: the warning about %s shows %d times, want once\nstderr:\n%s", broken, n, in.stderr)
	}

	// Unrelated saves: rebuilds, no repeat of the warning. The first save
	// is repeated until the watcher, which starts beside the servers, has
	// seen one.
	other := filepath.Join(posts, "other.md")
	waitUntil(t, "the watcher to see a save", func() bool {
		off := len(in.stderr.String())
		writeFile(t, other, "---\ntitle: Other\ndate: 2020-01-01\n---\n\nZero.\n", 0o644)
		time.Sleep(time.Second)
		return strings.Contains(in.stderr.String()[off:], "rebuilt")
	})
	for i, text := range []string{"One.", "Two."} {
		off := len(in.stderr.String())
		writeFile(t, other, "---\ntitle: Other\ndate: 2020-01-01\n---\n\n"+text+"\n", 0o644)
		in.waitLog("save "+text, off, "rebuilt")
		if log := in.stderr.String()[off:]; strings.Contains(log, broken) {
			t.Errorf("rebuild %d repeats the warning:\n%s", i+1, log)
		}
	}

	// The fix is reported once.
	off := len(in.stderr.String())
	writeFile(t, filepath.Join(posts, "a-broken.md"), "---\ntitle: Broken\ndate: 2020-01-02\n---\n\nFixed.\n", 0o644)
	in.waitLog("fix", off, "fixed: ", "rebuilt")

	// Deleting a post changes its neighbours' older/newer links.
	off = len(in.stderr.String())
	if err := os.Remove(filepath.Join(posts, "a-broken.md")); err != nil {
		t.Fatal(err)
	}
	in.waitLog("delete", off, "rebuilt")
	m := regexp.MustCompile(`rebuilt (\d+) of (\d+) pages`).FindStringSubmatch(in.stderr.String()[off:])
	if m == nil || m[1] == "0" {
		t.Errorf("after deleting a post the log says %q, want the neighbours counted\nstderr:\n%s", m, in.stderr.String()[off:])
	}
}
