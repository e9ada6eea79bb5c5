package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestInterruptTwice: the first Ctrl-C says that requests in flight are
// finishing; the second closes them at once, CGI script included, instead
// of waiting out the grace period.
func TestInterruptTwice(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	if code, _, errOut := gmkit(t, "init", dir); code != 0 {
		t.Fatalf("init: status %d: %s", code, errOut)
	}
	pidFile := filepath.Join(t.TempDir(), "pid")
	writeFile(t, filepath.Join(dir, "cgi-bin", "slow"), "#!/bin/sh\necho $$ > "+pidFile+".tmp && mv "+pidFile+".tmp "+pidFile+"\nexec sleep 60\n", 0o755)
	t.Setenv("GMKIT_CGI_TIMEOUT", "2m")

	sigs := make(chan os.Signal, 3)
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	ctx, stop := interruptible(context.Background(), sigs, stderr)
	defer stop()
	done := make(chan int, 1)
	go func() {
		done <- runContext(ctx, []string{"serve", "--site", dir, "--gemini", "127.0.0.1:0", "--gopher", "127.0.0.1:0", "--no-guppy", "--no-spartan", "--no-nex", "--no-http"}, stdout, stderr)
	}()
	waitUntil(t, "serving", func() bool { return strings.Contains(stdout.String(), "Press Ctrl-C to stop.") })
	var gopherAddr string
	for _, m := range listening.FindAllStringSubmatch(stdout.String(), -1) {
		if m[2] == "gopher" {
			gopherAddr = m[3]
		}
	}
	c, err := net.Dial("tcp", gopherAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("/cgi-bin/slow\r\n")); err != nil {
		t.Fatal(err)
	}
	var pid int
	waitUntil(t, "the script to start", func() bool {
		b, err := os.ReadFile(pidFile)
		pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil && pid > 0
	})

	sigs <- os.Interrupt
	waitUntil(t, "the first Ctrl-C to be answered", func() bool {
		return strings.Contains(stderr.String(), "requests in flight finish (press Ctrl-C again to stop at once)")
	})
	sigs <- os.Interrupt
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit status %d, want 0\nstderr:\n%s", code, stderr)
		}
	case <-time.After(stopWait):
		t.Fatalf("still running %s after the second Ctrl-C\nstderr:\n%s", stopWait, stderr)
	}
	if got := stderr.String(); !strings.Contains(got, "stopped at once") || strings.Contains(got, "grace period over") {
		t.Errorf("stderr:\n%s\nwant \"stopped at once\" and not the grace period running out", got)
	}
	waitUntil(t, "the script to end", func() bool { return syscall.Kill(pid, 0) != nil })
}

// waitUntil polls cond until it holds, failing the test after startWait.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(startWait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s after %s", what, startWait)
		}
		time.Sleep(pollEvery)
	}
}

// TestGuppyGetInputHint: asked for input, guppy-get shows how to write the
// answer into the URL with %20 for spaces (a + is sent as a literal +).
func TestGuppyGetInputHint(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	if code, _, errOut := gmkit(t, "init", dir); code != 0 {
		t.Fatalf("init: status %d: %s", code, errOut)
	}
	in := startServe(t, "serve", "--site", dir, "--gemini", "127.0.0.1:0", "--no-gopher", "--guppy", "127.0.0.1:0", "--no-spartan", "--no-nex", "--no-http")
	u := "guppy://" + in.guppy + "/cgi-bin/search"
	code, _, errOut := gmkit(t, "guppy-get", u)
	if want := u + "?your%20answer"; code != 1 || !strings.Contains(errOut, want) || strings.Contains(errOut, "+") {
		t.Errorf("guppy-get %s: got %d %q, want 1 and a hint with %q and no +", u, code, errOut, want)
	}
}
