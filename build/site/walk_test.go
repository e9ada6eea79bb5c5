package site

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// writeSite lays out a small site with one ordinary post, page and static
// file, and returns its folder.
func writeSite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"content/posts/ok.md": "---\ntitle: OK\ndate: 2024-01-02\n---\nHello.\n",
		"content/about.md":    "# About\n\nText.\n",
		"static/style.txt":    "static\n",
	})
	return dir
}

// writeFiles writes files (slash paths below dir to their text).
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func load(t *testing.T, dir string, outside bool) *Site {
	t.Helper()
	s, err := Load(context.Background(), Config{Dir: dir, ContentDir: "content", StaticDir: "static", OutsideSymlinks: outside}, nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return s
}

func sources(s *Site) []string {
	var out []string
	for p := range s.All() {
		out = append(out, p.Source)
	}
	for _, a := range s.Assets {
		out = append(out, "asset:"+a.Path)
	}
	slices.Sort(out)
	return out
}

// TestLoadSkipsWhatCannotBePublished: special files, symlinks out of the
// site and names that cannot travel in a request line are left out, each
// with a Skip naming it; nothing blocks, and the rest of the site loads.
func TestLoadSkipsWhatCannotBePublished(t *testing.T) {
	dir := writeSite(t)
	outsideDir := t.TempDir()
	secret := filepath.Join(outsideDir, "passwd")
	if err := os.WriteFile(secret, []byte("root:x:0:0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mk := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	c := func(p string) string { return filepath.Join(dir, "content", p) }
	st := func(p string) string { return filepath.Join(dir, "static", p) }
	// A FIFO named like a post: reading it would block the build forever.
	mk(syscall.Mkfifo(c("posts/fifo.md"), 0o644))
	mk(syscall.Mkfifo(st("pipe.txt"), 0o644))
	// A socket.
	l, err := net.Listen("unix", filepath.Join(dir, "static", "sock"))
	mk(err)
	defer l.Close()
	// A symlink out of the site, one within it, one to a folder, a dangling one.
	mk(os.Symlink(secret, c("leak.md")))
	mk(os.Symlink(secret, st("leak.txt")))
	mk(os.Symlink(c("about.md"), c("posts/same.md")))
	mk(os.Symlink(filepath.Join(dir, "content", "posts"), st("posts-dir")))
	mk(os.Symlink(filepath.Join(dir, "nowhere"), st("dangling.txt")))
	// Names that would split a gemtext or gophermap line, and one not UTF-8.
	mk(os.WriteFile(c("posts/evil\n=> gemini:evil.example.md"), []byte("x\n"), 0o644))
	mk(os.WriteFile(st("tab\there.txt"), []byte("x\n"), 0o644))
	mk(os.WriteFile(c("posts/bad-\xff.md"), []byte("x\n"), 0o644))

	s := load(t, dir, false)
	got := sources(s)
	want := []string{"about.md", "asset:style.txt", "posts/ok.md", "posts/same.md"}
	if !slices.Equal(got, want) {
		t.Errorf("loaded %q, want %q", got, want)
	}
	reasons := map[string]string{}
	for _, sk := range s.Skipped {
		reasons[sk.File] = sk.Reason
	}
	for file, why := range map[string]string{
		"content/posts/fifo.md": "FIFO",
		"static/pipe.txt":       "FIFO",
		"static/sock":           "socket",
		"content/leak.md":       "outside the site",
		"static/leak.txt":       "outside the site",
		"static/posts-dir":      "folder",
		"static/dangling.txt":   "leads nowhere",
		`"content/posts/evil\n=> gemini:evil.example.md"`: "control character U+000A",
		`"static/tab\there.txt"`:                          "control character U+0009",
		`"content/posts/bad-\xff.md"`:                     "not valid UTF-8",
	} {
		if got, ok := reasons[file]; !ok {
			t.Errorf("no Skip for %s; skipped: %v", file, s.Skipped)
		} else if !strings.Contains(got, why) {
			t.Errorf("Skip for %s says %q, want it to mention %q", file, got, why)
		}
	}
	if len(s.Skipped) != 10 {
		t.Errorf("%d skips, want 10: %v", len(s.Skipped), s.Skipped)
	}
}

// TestLoadOutsideSymlinksAllowed: the setting publishes a symlink out of
// the site; special files stay out whatever it says.
func TestLoadOutsideSymlinksAllowed(t *testing.T) {
	dir := writeSite(t)
	target := filepath.Join(t.TempDir(), "shared.md")
	if err := os.WriteFile(target, []byte("# Shared\n\nText.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(dir, "content", "shared.md")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "content", "fifo.md"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := load(t, dir, true)
	if p := s.Page("shared.md"); p == nil || p.Title != "Shared" {
		t.Errorf("shared.md: got %+v, want the page titled Shared", p)
	}
	if len(s.Skipped) != 1 || !strings.Contains(s.Skipped[0].Reason, "FIFO") {
		t.Errorf("Skipped = %v, want the FIFO alone", s.Skipped)
	}
}
