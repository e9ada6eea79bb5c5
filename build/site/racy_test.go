package site

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestLoadSeesSameSizeEditInOneTick edits a page to new text of the same
// size within one tick of the file system's clock (simulated by setting
// its modification time back): a load after one that saw the old text must
// read the new text, not trust the size and time it saw before.
func TestLoadSeesSameSizeEditInOneTick(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "content", "post.md")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(title string, mod time.Time) {
		t.Helper()
		if err := os.WriteFile(file, []byte("---\ntitle: "+title+"\n---\nBody.\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(file, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	cfg := Config{Dir: dir, ContentDir: "content", StaticDir: "static"}
	ctx := context.Background()
	write("Alpha", time.Now())
	first, err := Load(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := first.Page("post.md").Title; got != "Alpha" {
		t.Fatalf("first load: got title %q, want Alpha", got)
	}
	info, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	write("Gamma", info.ModTime()) // same size, same time
	second, err := Load(ctx, cfg, first)
	if err != nil {
		t.Fatal(err)
	}
	if got := second.Page("post.md").Title; got != "Gamma" {
		t.Errorf("second load: got title %q, want Gamma", got)
	}
}
