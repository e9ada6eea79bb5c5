package build

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gmkit/gmkit/build/bench/sitegen"
	"github.com/gmkit/gmkit/build/record"
)

// cacheSite writes a generated site with old file times and returns its
// configuration.
func cacheSite(t *testing.T) Config {
	dir := t.TempDir()
	if err := sitegen.Write(dir, sitegen.Options{Posts: 40}); err != nil {
		t.Fatal(err)
	}
	ageFiles(t, dir)
	return Config{Dir: dir, Title: "Cached", Hostname: "example.org"}
}

// cachedBuild builds cfg with a new Builder using the build cache in dir,
// saves the cache, and returns the result and the notes about the cache.
func cachedBuild(t *testing.T, cfg Config, dir string) (*Result, []error) {
	t.Helper()
	var notes []error
	b := NewBuilder(cfg)
	b.UseCache(dir, func(err error) { notes = append(notes, err) })
	res, err := b.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := b.SaveCache(); err != nil {
		t.Fatal(err)
	}
	return res, notes
}

func TestBuildCacheReused(t *testing.T) {
	cfg := cacheSite(t)
	dir := t.TempDir()
	first, notes := cachedBuild(t, cfg, dir)
	if len(notes) > 0 {
		t.Fatalf("first build: notes %v, want none (no cache file is no problem)", notes)
	}
	all := first.Rendered
	second, notes := cachedBuild(t, cfg, dir)
	if len(notes) > 0 {
		t.Fatalf("second build: notes %v", notes)
	}
	if second.Rendered != 0 || second.Remade != 0 {
		t.Errorf("second build: got Rendered %d, Remade %d, want 0, 0 (first rendered %d)", second.Rendered, second.Remade, all)
	}
	if diff := cmp.Diff(snapOutput(t, first.Output), snapOutput(t, second.Output)); diff != "" {
		t.Errorf("output (-fresh +cached):\n%s", diff)
	}

	// One post edited: it alone is rendered again.
	post := filepath.Join(cfg.Dir, "content", filepath.FromSlash(sitegen.PostName(7)))
	if err := os.WriteFile(post, sitegen.Post(sitegen.Options{Posts: 40}, 7, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-30 * time.Minute)
	if err := os.Chtimes(post, at, at); err != nil {
		t.Fatal(err)
	}
	third, _ := cachedBuild(t, cfg, dir)
	if third.Rendered != 1 {
		t.Errorf("after one edit: got Rendered %d, want 1", third.Rendered)
	}
	fresh, err := NewBuilder(cfg).Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(snapOutput(t, third.Output), snapOutput(t, fresh.Output)); diff != "" {
		t.Errorf("output after an edit (-cached +fresh):\n%s", diff)
	}

	// Another configuration keeps a file of its own and reads none.
	other := cfg
	other.Title = "Other"
	res, notes := cachedBuild(t, other, dir)
	if len(notes) > 0 || res.Rendered != all {
		t.Errorf("other configuration: got notes %v, Rendered %d, want none, %d", notes, res.Rendered, all)
	}
	// The build after the edit made one page: it left the file as it
	// was, and each build makes that page again.
	if res, _ := cachedBuild(t, cfg, dir); res.Rendered != 1 {
		t.Errorf("back to the first configuration: got Rendered %d, want 1", res.Rendered)
	}
}

// TestBuildCacheDamaged damages the cache file in every way a crash, a full
// disk or a stray write could, and checks that the build ignores it with a
// note, builds everything right, and writes a good file again.
func TestBuildCacheDamaged(t *testing.T) {
	cfg := cacheSite(t)
	fresh, err := NewBuilder(cfg).Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := snapOutput(t, fresh.Output)
	all := fresh.Rendered
	damages := []struct {
		name   string
		damage func([]byte) []byte
	}{
		{"empty", func([]byte) []byte { return nil }},
		{"header only", func(b []byte) []byte { return b[:40] }},
		{"cut short", func(b []byte) []byte { return b[:len(b)/2] }},
		{"last byte lost", func(b []byte) []byte { return b[:len(b)-1] }},
		{"one byte more", func(b []byte) []byte { return append(b, 0) }},
		{"byte flipped in the middle", func(b []byte) []byte { b[len(b)/2] ^= 0x20; return b }},
		{"byte flipped at the end", func(b []byte) []byte { b[len(b)-1] ^= 1; return b }},
		{"zeros from a crash", func(b []byte) []byte { clear(b[len(b)/3:]); return b }},
		{"not a cache file", func([]byte) []byte { return []byte("hello\n") }},
		{"another format", func(b []byte) []byte { b[len("gmkit build cache\x00")]++; return b }},
		{"another key", func(b []byte) []byte { b[len("gmkit build cache\x00")+4] ^= 0xff; return b }},
	}
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			dir := t.TempDir()
			cachedBuild(t, cfg, dir)
			files, _ := filepath.Glob(filepath.Join(dir, "*.cache"))
			if len(files) != 1 {
				t.Fatalf("cache files %v, want one", files)
			}
			data, err := os.ReadFile(files[0])
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(files[0], d.damage(data), 0o600); err != nil {
				t.Fatal(err)
			}
			res, notes := cachedBuild(t, cfg, dir)
			if len(notes) != 1 {
				t.Errorf("got notes %v, want one", notes)
			}
			if res.Rendered != all {
				t.Errorf("got Rendered %d, want %d (the damaged file is not used)", res.Rendered, all)
			}
			if diff := cmp.Diff(snapOutput(t, res.Output), want); diff != "" {
				t.Errorf("output (-cached +fresh):\n%s", diff)
			}
			res, notes = cachedBuild(t, cfg, dir)
			if len(notes) != 0 || res.Rendered != 0 {
				t.Errorf("next build: got notes %v, Rendered %d, want none, 0 (the file written again)", notes, res.Rendered)
			}
		})
	}
	t.Run("unreadable", func(t *testing.T) {
		dir := t.TempDir()
		cachedBuild(t, cfg, dir)
		files, _ := filepath.Glob(filepath.Join(dir, "*.cache"))
		if err := os.Remove(files[0]); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(files[0], 0o700); err != nil { // reading it fails
			t.Fatal(err)
		}
		b := NewBuilder(cfg)
		var notes []error
		b.UseCache(dir, func(err error) { notes = append(notes, err) })
		res, err := b.Build(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(notes) != 1 || res.Rendered != all {
			t.Errorf("got notes %v, Rendered %d, want one, %d", notes, res.Rendered, all)
		}
		if err := b.SaveCache(); err == nil {
			t.Error("saving over a folder: got no error")
		}
	})
}

// FuzzDecodeCache holds the cache's decoder to refusing, never panicking
// on, a payload that passed its checksum but is not what the encoder
// wrote.
func FuzzDecodeCache(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0})
	f.Add([]byte{1, 3, 0, 0, 0})
	cfg := Config{Dir: f.TempDir(), Title: "Fuzz", Hostname: "example.org"}
	for name, data := range map[string]string{
		"content/_index.md":       "# Home\n",
		"content/posts/a.md":      "---\ntitle: A\ndate: 2026-01-02\ntags: [x, y]\nextra: {k: [1, 2.5, true]}\n---\nSee [b](b.md) and {{< unknown >}}.\n",
		"content/posts/b.md":      "+++\ntitle = \"B\"\ndate = 2026-01-03T10:00:00+02:00\n+++\nBack to [a](a.md).\n",
		"content/posts/_index.md": "Posts.\n",
	} {
		p := filepath.Join(cfg.Dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			f.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	b := NewBuilder(cfg)
	if _, err := b.Build(context.Background()); err != nil {
		f.Fatal(err)
	}
	var w record.Writer
	encodeCache(&w, b.site, b.cache, b.outs)
	f.Add(w.Data())
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = decodeCache(data)
	})
}
