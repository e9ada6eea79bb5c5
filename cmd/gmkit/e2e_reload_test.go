package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestNoBuildReloadsOnHUP publishes a new build to a running
// `serve --no-build` the way an operator does (gmkit build, then
// kill -HUP): every protocol serves the new tree, a reader that never
// stops asking meanwhile gets no failed answer, and a folder that does not
// load on a HUP leaves the last tree served.
func TestNoBuildReloadsOnHUP(t *testing.T) {
	dir := t.TempDir()
	writeArchive(t, dir, filepath.Join("testdata", "e2e", "site.txtar"))
	build := func() {
		t.Helper()
		if code := runContext(context.Background(), []string{"build", "--site", dir}, io.Discard, io.Discard); code != 0 {
			t.Fatalf("gmkit build exited %d", code)
		}
	}
	build()
	in := startServe(t, serveArgs(dir, "--no-build")...)
	in.check("first tree", expect{path: "/posts/low-tide/", want: []string{"bravo-one"}})

	stopReader := make(chan struct{})
	readerDone := make(chan []string, 1)
	go func() { readerDone <- readContinuously(in, stopReader) }()

	for i, marker := range []string{"bravo-two", "bravo-three"} {
		saveAtomically(t, filepath.Join(dir, "content", "posts", "low-tide.md"),
			"---\ntitle: Low tide\ndate: 2025-01-02\ntags: [tides]\n---\nMarker "+marker+".\n")
		build()
		// Not before the HUP: the server keeps the tree it opened.
		in.check("before the HUP", expect{path: "/posts/low-tide/", not: []string{marker}})
		off := len(in.stderr.String())
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		in.waitLog("HUP", off, "SIGHUP: serving the output folder as it is now")
		in.waitFor("after HUP "+string(rune('1'+i)), expect{path: "/posts/low-tide/", want: []string{marker}})
	}

	// An output folder gone: the HUP is logged as failed, nothing changes.
	out := filepath.Join(dir, "public")
	if err := os.Rename(out, out+".away"); err != nil {
		t.Fatal(err)
	}
	off := len(in.stderr.String())
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	in.waitLog("HUP without a tree", off, "did not load; still serving")
	in.check("HUP without a tree", expect{path: "/posts/low-tide/", want: []string{"bravo-three"}})

	close(stopReader)
	for _, p := range <-readerDone {
		t.Errorf("while trees were swapped: %s", p)
	}
}
