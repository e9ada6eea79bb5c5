package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWatchFullDisk runs `serve --watch` with its output folder on a
// filesystem too small for the next build (a 2 MiB tmpfs made for the
// test; it needs root and is skipped without). A change that does not fit
// is served from memory, the failure is logged, and public/ still holds
// the last build written, whole; once the big file is gone the next
// rebuild is written again.
func TestWatchFullDisk(t *testing.T) {
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=2m"); err != nil {
		t.Skipf("cannot mount a small tmpfs here (%v); CI runs as root and can", err)
	}
	t.Cleanup(func() { syscall.Unmount(mnt, syscall.MNT_DETACH) })
	dir := t.TempDir()
	writeArchive(t, dir, filepath.Join("testdata", "e2e", "site.txtar"))
	out := filepath.Join(mnt, "public")
	t.Setenv("GMKIT_BUILD_OUTPUT", out)

	in := startServe(t, serveArgs(dir, "--watch")...)
	before := treeOf(t, out)
	if len(before) == 0 {
		t.Fatalf("nothing written to %s", out)
	}

	// 1.5 MiB more: the recycled tree and the new one do not both fit.
	off := len(in.stderr.String())
	writeFile(t, filepath.Join(dir, "static", "big.bin"), strings.Repeat("b", 1536<<10), 0o644)
	saveAtomically(t, filepath.Join(dir, "content", "posts", "low-tide.md"), "---\ntitle: Lower tide\ndate: 2025-01-02\n---\nMarker bravo-nine.\n")
	in.waitFor("a change that does not fit on disk", expect{path: "/posts/low-tide/", want: []string{"bravo-nine"}})
	in.waitLog("a change that does not fit on disk", off, "writing the output folder failed", "no space left on device")
	if got := treeOf(t, out); !sameTree(got, before) {
		t.Errorf("public/ changed after a failed write: got %d files, want the %d of the last build written", len(got), len(before))
	}

	// Room again: the next rebuild is written, whole.
	off = len(in.stderr.String())
	if err := os.Remove(filepath.Join(dir, "static", "big.bin")); err != nil {
		t.Fatal(err)
	}
	in.waitLog("room again", off, "rebuilt")
	for _, f := range []string{"gemini/posts/low-tide/index.gmi"} {
		waitContent(t, filepath.Join(out, f), "bravo-nine")
	}
	if _, err := os.Stat(filepath.Join(out, "gemini", "big.bin")); err == nil {
		t.Errorf("big.bin written though it is gone from static/")
	}
}

// treeOf reads every file below dir.
func treeOf(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		files[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func sameTree(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// waitContent waits until the file holds want.
func waitContent(t *testing.T, name, want string) {
	t.Helper()
	deadline := time.Now().Add(changeWait)
	for {
		b, _ := os.ReadFile(name)
		if strings.Contains(string(b), want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not hold %q after %s:\n%s", name, want, changeWait, b)
		}
		time.Sleep(pollEvery)
	}
}
