package site

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"
)

// TestReloadEqualsLoad changes a loaded site the ways a writer and an
// editor do, tells Reload the paths a watcher reports, and compares what
// it loads with a fresh Load: pages (and their titles), files and what is
// left out.
func TestReloadEqualsLoad(t *testing.T) {
	type change func(t *testing.T, dir string) []string
	at := func(dir string, names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, filepath.Join(dir, filepath.FromSlash(n)))
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		change change
	}{
		{"edit", func(t *testing.T, dir string) []string {
			writeFiles(t, dir, map[string]string{"content/posts/ok.md": "---\ntitle: Edited\n---\nNew.\n"})
			return at(dir, "content/posts/ok.md")
		}},
		{"atomic save", func(t *testing.T, dir string) []string {
			writeFiles(t, dir, map[string]string{"content/posts/.ok.md.tmp-9": "---\ntitle: Saved\n---\nNew.\n"})
			if err := os.Rename(filepath.Join(dir, "content/posts/.ok.md.tmp-9"), filepath.Join(dir, "content/posts/ok.md")); err != nil {
				t.Fatal(err)
			}
			return at(dir, "content/posts/.ok.md.tmp-9", "content/posts/ok.md")
		}},
		{"add and remove", func(t *testing.T, dir string) []string {
			writeFiles(t, dir, map[string]string{"content/posts/a-b.md": "# A-b\n", "static/z.txt": "z\n", "content/posts/pic.png": "png"})
			os.Remove(filepath.Join(dir, "content/about.md"))
			return at(dir, "content/posts/a-b.md", "static/z.txt", "content/posts/pic.png", "content/about.md")
		}},
		{"rename", func(t *testing.T, dir string) []string {
			os.Rename(filepath.Join(dir, "content/about.md"), filepath.Join(dir, "content/posts/about.md"))
			return at(dir, "content/about.md", "content/posts/about.md")
		}},
		{"new folder", func(t *testing.T, dir string) []string {
			writeFiles(t, dir, map[string]string{"content/notes/n.md": "# N\n", "content/notes/deep/d.md": "# D\n"})
			return at(dir, "content/notes")
		}},
		{"removed folder", func(t *testing.T, dir string) []string {
			os.RemoveAll(filepath.Join(dir, "content/posts"))
			return at(dir, "content/posts")
		}},
		{"lost events", func(t *testing.T, dir string) []string {
			writeFiles(t, dir, map[string]string{"content/posts/ok.md": "# Lost\n", "content/x.md": "# X\n"})
			return []string{"."}
		}},
		{"outside", func(t *testing.T, dir string) []string {
			writeFiles(t, dir, map[string]string{"content/x.md": "# X\n"})
			return at(dir, "elsewhere.txt")
		}},
		{"fifo", func(t *testing.T, dir string) []string {
			if err := syscall.Mkfifo(filepath.Join(dir, "content/pipe.md"), 0o644); err != nil {
				t.Skip(err)
			}
			return at(dir, "content/pipe.md")
		}},
		{"symlink", func(t *testing.T, dir string) []string {
			os.Symlink(filepath.Join(dir, "content/about.md"), filepath.Join(dir, "content/link.md"))
			return at(dir, "content/link.md")
		}},
		{"dotfile and backup", func(t *testing.T, dir string) []string {
			writeFiles(t, dir, map[string]string{"content/.hidden.md": "# H\n", "content/about.md~": "old", "content/data.tmp": "kept"})
			return at(dir, "content/.hidden.md", "content/about.md~", "content/data.tmp")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeSite(t)
			ctx := context.Background()
			cfg := Config{Dir: dir, ContentDir: "content", StaticDir: "static"}
			prev, err := Load(ctx, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			paths := tc.change(t, dir)
			got, err := Reload(ctx, cfg, prev, paths)
			if err != nil {
				t.Fatal(err)
			}
			want, err := Load(ctx, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := summary(got), summary(want); !slices.Equal(g, w) {
				t.Errorf("Reload:\n%q\nLoad:\n%q", g, w)
			}
		})
	}
}

// summary lists what a site holds: pages with their titles, files, and
// what was left out, in order.
func summary(s *Site) []string {
	out := sources(s)
	for i, src := range out {
		if p := s.Page(src); p != nil {
			out[i] += " " + p.Title
		}
	}
	for _, sk := range s.Skipped {
		out = append(out, "skip:"+sk.File+": "+sk.Reason)
	}
	return out
}

// TestStaleSeesChanges walks a site changed since it was loaded, with no
// events told: Stale must list each changed file.
func TestStaleSeesChanges(t *testing.T) {
	dir := writeSite(t)
	ctx := context.Background()
	cfg := Config{Dir: dir, ContentDir: "content", StaticDir: "static"}
	old := time.Now().Add(-time.Hour)
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.Chtimes(p, old, old)
		}
		return nil
	})
	prev, err := Load(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := Stale(ctx, cfg, prev); !ok || len(got) != 0 {
		t.Fatalf("nothing changed: got %q, %v; want none, true", got, ok)
	}
	writeFiles(t, dir, map[string]string{"content/posts/ok.md": "changed\n", "static/new.txt": "n"})
	os.Remove(filepath.Join(dir, "content/about.md"))
	got, ok := Stale(ctx, cfg, prev)
	want := []string{filepath.Join(dir, "content/about.md"), filepath.Join(dir, "content/posts/ok.md"), filepath.Join(dir, "static/new.txt")}
	slices.Sort(got)
	if !ok || !slices.Equal(got, want) {
		t.Errorf("got %q, %v; want %q, true", got, ok, want)
	}
}

func TestWalkCmp(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"a/b", "a-b", -1}, {"a", "a/b", -1}, {"a/b", "a/b", 0}, {"b", "a/z", 1}, {"a/b/c", "a/bc", -1},
	} {
		if got := walkCmp(tc.a, tc.b); got != tc.want {
			t.Errorf("walkCmp(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
