//go:build linux

package publish

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestLeftoversRemoved: the .public.new-* folders of builds that were
// killed halfway are removed by the next write, whichever way it writes.
func TestLeftoversRemoved(t *testing.T) {
	for _, fresh := range []bool{false, true} {
		t.Run(map[bool]string{false: "recycling", true: "fresh"}[fresh], func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "public")
			for _, name := range []string{".public.new-123", ".public.new-456/gemini/posts"} {
				must(t, os.MkdirAll(filepath.Join(parent, name), 0o755))
				must(t, os.WriteFile(filepath.Join(parent, name, "index.gmi"), bytes.Repeat([]byte("x"), 1<<10), 0o644))
			}
			must(t, os.WriteFile(filepath.Join(parent, ".public.newsletter"), []byte("not ours"), 0o644))
			out := makeOutput(t, baseFiles(), nil)
			write := Write
			if fresh {
				write = WriteFresh
			}
			must(t, write(context.Background(), out, dir))
			checkTree(t, dir, out)
			got := besides(t, dir)
			for _, name := range got {
				if strings.HasPrefix(name, ".public.new-") {
					t.Errorf("%s left beside the output after a write", name)
				}
			}
			if _, err := os.Stat(filepath.Join(parent, ".public.newsletter")); err != nil {
				t.Errorf("a file that is not a leftover was removed: %v", err)
			}
		})
	}
}

// TestWriteWaitsForLock: while another build holds the output's lock, a
// write waits (and gives up when its context ends); it never writes beside
// the other one.
func TestWriteWaitsForLock(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "public")
	unlock, err := lockOutput(context.Background(), parent, "public")
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Write(ctx, makeOutput(t, baseFiles(), nil), dir) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Write while locked: got %v, want it to wait and end with context.Canceled", err)
	}
	if _, err := os.Lstat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the waiting write made %s: %v", dir, err)
	}
	unlock()
	writeOK(t, makeOutput(t, baseFiles(), nil), dir)
}

// TestFullDisk writes to a filesystem too small for the next build, made
// for the test (a 512 KiB tmpfs; it needs root and is skipped without):
// the write fails with an error, and the output is the previous build,
// whole, never a mix.
func TestFullDisk(t *testing.T) {
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=512k,nr_inodes=4096"); err != nil {
		t.Skipf("cannot mount a small tmpfs here (%v); CI runs as root and can", err)
	}
	t.Cleanup(func() { syscall.Unmount(mnt, syscall.MNT_DETACH) })
	dir := filepath.Join(mnt, "public")
	small := makeOutput(t, baseFiles(), nil)
	writeOK(t, small, dir)
	for _, keep := range []bool{true, false} {
		big := baseFiles().with(map[string]string{
			"gemini/posts/a/index.gmi": "# A\nEdited.\n",
			"gemini/large.bin":         strings.Repeat("z", 600<<10),
		})
		write := Write
		if !keep {
			write = WriteFresh
		}
		err := write(context.Background(), makeOutput(t, big, nil), dir)
		if !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("keep=%v: got %v, want an error wrapping ENOSPC", keep, err)
		}
		checkTree(t, dir, small)
	}
	// Once there is room again, the next build writes whole.
	next := makeOutput(t, baseFiles().with(map[string]string{"gemini/posts/a/index.gmi": "# A\nEdited.\n"}), nil)
	writeOK(t, next, dir)
}
