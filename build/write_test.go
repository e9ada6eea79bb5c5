package build

import (
	"context"
	"github.com/gmkit/gmkit/build/publish"
	"github.com/gmkit/gmkit/build/tree"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gmkit/gmkit/build/bench/sitegen"
)

func TestWriteFreshDropsTheKeptTree(t *testing.T) {
	cfg := genSite(t, 5)
	res := mustBuild(t, NewBuilder(cfg))
	dir := filepath.Join(t.TempDir(), "public")
	ctx := context.Background()
	for range 2 { // the second write keeps the first tree beside dir (on Linux)
		if err := publish.Write(ctx, res.Output, dir); err != nil {
			t.Fatal(err)
		}
	}
	want := snapDir(t, dir, false)

	cfg.OutputDir = dir
	cfg.NoKeepPrevious = true
	if err := NewBuilder(cfg).Write(ctx, res.Output); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(snapDir(t, dir, false), want); diff != "" {
		t.Errorf("written folder (-got +want):\n%s", diff)
	}
	ents, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		// The empty lock file stays (removing it would race with a build
		// waiting for it).
		if e.Name() != "public" && e.Name() != ".public.lock" {
			t.Errorf("left beside the output: %s", e.Name())
		}
	}
}

// TestWriteSite writes a generated site, edits it, and recycles the old
// tree: the result is exactly what the new build holds.
func TestWriteSite(t *testing.T) {
	cfg := genSite(t, 40)
	dir := filepath.Join(t.TempDir(), "public")
	cfg.OutputDir = dir
	ctx := context.Background()
	for range 2 {
		b := NewBuilder(cfg)
		if err := b.Write(ctx, mustBuild(t, b).Output); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Remove(filepath.Join(cfg.Dir, "content", filepath.FromSlash(sitegen.PostName(3)))); err != nil {
		t.Fatal(err)
	}
	writeSiteFile(t, cfg.Dir, "content/posts/added.md", []byte("---\ntitle: Added\ndate: 2031-01-01\n---\nNew.\n"))
	b := NewBuilder(cfg)
	second := mustBuild(t, b)
	if err := b.Write(ctx, second.Output); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(snapDir(t, dir, false), snapTree(t, second.Output)); diff != "" {
		t.Errorf("written folder (-got +want):\n%s", diff)
	}
}

// TestPublishedTreeIsReproducible builds the same sources again and again,
// with fresh Builders, and writes them to the same folder (the later
// writes recycle the earlier trees) and to another: every published tree
// is byte for byte the same, and holds exactly what the build made,
// nothing of the build's own (no manifest).
func TestPublishedTreeIsReproducible(t *testing.T) {
	cfg := genSite(t, 30)
	ctx := context.Background()
	root := t.TempDir()
	var want map[string]fileSnap
	for i, dir := range []string{"public", "public", "public", "other/public"} {
		cfg.OutputDir = filepath.Join(root, dir)
		b := NewBuilder(cfg)
		res := mustBuild(t, b)
		if err := b.Write(ctx, res.Output); err != nil {
			t.Fatal(err)
		}
		got := snapDir(t, cfg.OutputDir, false)
		if diff := cmp.Diff(got, snapTree(t, res.Output)); diff != "" {
			t.Errorf("write %d: %s holds other than the build (-got +want):\n%s", i, dir, diff)
		}
		if want == nil {
			want = got
			continue
		}
		if diff := cmp.Diff(got, want); diff != "" {
			t.Errorf("write %d: %s differs from the first write (-got +want):\n%s", i, dir, diff)
		}
	}
}

// snapTree is what snapDir gives for a folder holding exactly out.
func snapTree(t testing.TB, out *tree.Tree) map[string]fileSnap {
	t.Helper()
	snap := map[string]fileSnap{"./": {Mode: fs.ModeDir | 0o755}}
	for _, d := range out.Dirs() {
		snap[d+"/"] = fileSnap{Mode: fs.ModeDir | 0o755}
	}
	for _, p := range out.Paths() {
		b, err := out.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		snap[p] = fileSnap{Data: string(b), Mode: 0o644}
	}
	return snap
}
