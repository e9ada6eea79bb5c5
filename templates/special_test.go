//go:build unix

package templates

import (
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"testing/fstest"
)

// TestSpecialFilesSkipped: a FIFO in a theme folder would block the read
// forever; it is left out and named by Skipped, and a symlink to a
// regular file still counts.
func TestSpecialFilesSkipped(t *testing.T) {
	dir := t.TempDir()
	gem := filepath.Join(dir, "gemini")
	if err := os.Mkdir(gem, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(gem, "page.gmi"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "real.gmi"), []byte("linked home"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "real.gmi"), filepath.Join(gem, "home.gmi")); err != nil {
		t.Fatal(err)
	}
	def := fstest.MapFS{"gemini/page.gmi": {Data: []byte("default page")}}
	set, err := Load("gemini", os.DirFS(dir), "themes/mine", def, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := set.Skipped(), []string{"themes/mine/gemini/page.gmi"}; !slices.Equal(got, want) {
		t.Errorf("Skipped() = %q, want %q", got, want)
	}
	for name, want := range map[string]string{"page.gmi": "default page", "home.gmi": "linked home"} {
		got, err := set.Execute(name, nil)
		if err != nil || string(got) != want {
			t.Errorf("%s: got %q, %v; want %q", name, got, err, want)
		}
	}
}
