//go:build unix

package site

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestReadSource reads files of several sizes whole, and refuses a
// missing file and a special file without blocking on it.
func TestReadSource(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{0, 1, 4095, 4096, 70000} {
		name := filepath.Join(dir, "f")
		want := bytes.Repeat([]byte("ab\n"), n)[:n]
		if err := os.WriteFile(name, want, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := readSource(name)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("readSource of %d bytes: got %d bytes, %v; want %d bytes", n, len(got), err, n)
		}
	}
	if _, err := readSource(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("readSource(missing): got %v, want fs.ErrNotExist", err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	if _, err := readSource(fifo); err == nil {
		t.Error("readSource(FIFO): got no error, want one")
	}
}
