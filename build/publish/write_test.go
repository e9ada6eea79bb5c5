//go:build linux

package publish

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gmkit/gmkit/build/tree"
)

// treeFiles describes an Output for a test: generated files by path, and
// copied assets (path -> source file) in assets.
type treeFiles map[string]string

// makeOutput builds an Output of generated files plus assets.
func makeOutput(t testing.TB, files treeFiles, assets map[string]string) *tree.Tree {
	t.Helper()
	b := tree.NewBuilder(len(files))
	mod := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for p, data := range files {
		b.Add(p, []byte(data), mod)
	}
	for p, src := range assets {
		fi, err := os.Stat(src)
		if err != nil {
			t.Fatal(err)
		}
		b.AddCopy(p, src, fi.Size(), fi.ModTime())
	}
	return b.Finish()
}

// baseFiles is a small two-output tree with nested folders.
func baseFiles() treeFiles {
	return treeFiles{
		"gemini/index.gmi":              "# Home\n=> /posts/ Posts\n",
		"gemini/atom.xml":               "<feed/>\n",
		"gemini/posts/index.gmi":        "# Posts\n=> /posts/a/ A\n=> /posts/b/ B\n",
		"gemini/posts/a/index.gmi":      "# A\nFirst post.\n",
		"gemini/posts/b/index.gmi":      "# B\nSecond post.\n",
		"gemini/posts/c/index.gmi":      "# C\nThird post.\n",
		"gemini/tags/x/index.gmi":       "# x\n",
		"gemini/tags/y/index.gmi":       "# y\n",
		"gopher/gophermap":              "iHome\t\tnull.host\t1\n",
		"gopher/posts/gophermap":        "0A\t/posts/a/\tlocalhost\t70\n",
		"gopher/posts/a/gophermap":      "iFirst post.\t\tnull.host\t1\n",
		"gopher/posts/b/gophermap":      "iSecond post.\t\tnull.host\t1\n",
		"gopher/posts/c/gophermap":      "iThird post.\t\tnull.host\t1\n",
		"gopher/posts/deep/er/est/file": "deep\n",
		"gemini/empty.txt":              "",
	}
}

func (f treeFiles) with(edits map[string]string) treeFiles {
	out := make(treeFiles, len(f))
	for p, d := range f {
		out[p] = d
	}
	for p, d := range edits {
		if d == "\x00delete" {
			delete(out, p)
			continue
		}
		out[p] = d
	}
	return out
}

const deleted = "\x00delete"

// writeOK writes out to dir and checks the result.
func writeOK(t *testing.T, out *tree.Tree, dir string) {
	t.Helper()
	if err := Write(context.Background(), out, dir); err != nil {
		t.Fatalf("Write: %v", err)
	}
	checkTree(t, dir, out)
	checkManifest(t, dir, out)
}

// checkTree walks dir and out and compares names, kinds, bytes and modes:
// dir must hold exactly out, nothing more.
func checkTree(t *testing.T, dir string, out *tree.Tree) {
	t.Helper()
	type node struct {
		Kind string
		Data string
	}
	got := map[string]node{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case fi.IsDir():
			if fi.Mode().Perm() != 0o755 {
				t.Errorf("%s: got mode %v, want 0755", rel, fi.Mode())
			}
			got[rel] = node{Kind: "dir"}
		case fi.Mode().IsRegular():
			if fi.Mode().Perm() != 0o644 {
				t.Errorf("%s: got mode %v, want 0644", rel, fi.Mode())
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			got[rel] = node{Kind: "file", Data: string(b)}
		default:
			got[rel] = node{Kind: fi.Mode().Type().String()}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]node{}
	err = fs.WalkDir(out, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			want[p] = node{Kind: "dir"}
			return nil
		}
		b, err := out.ReadFile(p)
		if err != nil {
			return err
		}
		want[p] = node{Kind: "file", Data: string(b)}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("tree under %s (-got +want):\n%s", dir, diff)
	}
}

// manifestOf is the file holding the manifest of the tree at root, which
// is public or .public.prev in its folder.
func manifestOf(t *testing.T, root string) string {
	t.Helper()
	p, ok, err := storeOf(filepath.Dir(root), "public").name(root)
	if err != nil || !ok {
		t.Fatalf("no manifest name for %s: %v", root, err)
	}
	return p
}

// readManifest parses the manifest of the tree dir.
func readManifest(t *testing.T, dir string) *manifest {
	t.Helper()
	b, err := os.ReadFile(manifestOf(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	m, err := parseManifest(b)
	if err != nil {
		t.Fatalf("manifest of %s: %v", dir, err)
	}
	return m
}

// checkManifest checks that dir's manifest lists exactly out's files and
// folders and that every entry is true of the disk.
func checkManifest(t *testing.T, dir string, out *tree.Tree) {
	t.Helper()
	m := readManifest(t, dir)
	var got, want []string
	for _, e := range m.Entries {
		got = append(got, e.Path)
		st, err := lstatDisk(filepath.Join(dir, filepath.FromSlash(e.Path)))
		if err != nil {
			t.Errorf("manifest lists %s: %v", e.Path, err)
			continue
		}
		if st != e.diskStat {
			t.Errorf("manifest entry %s: got %+v on disk, manifest says %+v", e.Path, st, e.diskStat)
		}
		if !e.Dir {
			if f := out.File(e.Path); f == nil || e.Key != contentKey(f) {
				t.Errorf("manifest entry %s: content key does not match the Output", e.Path)
			}
		}
	}
	want = append(want, out.Paths()...)
	want = append(want, out.Dirs()...)
	slices.Sort(want)
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("manifest paths (-got +want):\n%s", diff)
	}
}

// identity is what changes when a file is written: its inode and ctime.
type identity struct {
	Ino   uint64
	Ctime int64
}

// identities records every file and folder below dir.
func identities(t *testing.T, dir string) map[string]identity {
	t.Helper()
	ids := map[string]identity{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		st, err := lstatDisk(p)
		if err != nil {
			return err
		}
		ids[filepath.ToSlash(rel)] = identity{st.Ino, st.Ctime}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// besides lists the names beside dir that start with "."+base (what
// Write may leave there).
func besides(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		// The lock stays beside every output once written (see lockOutput).
		if strings.HasPrefix(e.Name(), "."+filepath.Base(dir)) && e.Name() != "."+filepath.Base(dir)+".lock" {
			out = append(out, e.Name())
		}
	}
	return out
}

// prevOf is the kept previous tree of dir.
func prevOf(dir string) string {
	return filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".prev")
}

func TestWriteFresh(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site", "public")
	out := makeOutput(t, baseFiles(), nil)
	writeOK(t, out, dir)
	if got, want := besides(t, dir), []string{".public.manifests"}; !slices.Equal(got, want) {
		t.Errorf("got %v beside the output, want %v after a first write", got, want)
	}
	// The second write has nothing to recycle yet; it keeps the first tree.
	first := identities(t, dir)
	writeOK(t, out, dir)
	if got, want := besides(t, dir), []string{".public.manifests", ".public.prev"}; !slices.Equal(got, want) {
		t.Errorf("got %v beside the output, want %v", got, want)
	}
	kept := identities(t, prevOf(dir))
	delete(first, ".") // renames move its ctime
	delete(kept, ".")
	if diff := cmp.Diff(kept, first); diff != "" {
		t.Errorf("the kept tree is not the first one (-got +want):\n%s", diff)
	}
}

// TestWriteRecycles writes the same Output three times: the third
// write claims the first tree and rewrites nothing in it.
func TestWriteRecycles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "public")
	out := makeOutput(t, baseFiles(), nil)
	writeOK(t, out, dir)
	first := identities(t, dir)
	delete(first, ".") // its ctime moves with every rename
	writeOK(t, out, dir)
	writeOK(t, out, dir)
	got := identities(t, dir)
	for p, id := range first {
		if got[p] != id {
			t.Errorf("%s was rewritten: got %+v, want %+v", p, got[p], id)
		}
	}
}

// TestWriteChanges recycles a tree into an Output with changed,
// added and removed files and folders; unchanged files stay untouched and
// changed ones keep their inode (overwritten in place).
func TestWriteChanges(t *testing.T) {
	src := t.TempDir()
	asset := filepath.Join(src, "pic.png")
	if err := os.WriteFile(asset, []byte("\x89PNG not really"), 0o644); err != nil {
		t.Fatal(err)
	}
	assets := map[string]string{"gemini/pic.png": asset, "gopher/pic.png": asset}
	a := makeOutput(t, baseFiles(), assets)
	cFiles := baseFiles().with(map[string]string{
		"gemini/posts/a/index.gmi":      "# A\nFirst post, edited at length.\n", // longer
		"gemini/posts/b/index.gmi":      "# B\n2nd post.\n",                     // shorter
		"gemini/posts/c/index.gmi":      "# C\nThird post!\n",                   // same size
		"gemini/posts/d/index.gmi":      "# D\nNew.\n",                          // new folder
		"gemini/posts/new.gmi":          "new file in an old folder\n",
		"gemini/tags/y/index.gmi":       deleted, // folder left empty
		"gopher/posts/c/gophermap":      deleted,
		"gopher/posts/deep/er/est/file": deleted, // a chain of folders
		"gopher/posts/deep/flat":        "flat\n",
		"gemini/empty.txt":              "not empty now\n",
	})
	dir := filepath.Join(t.TempDir(), "public")
	writeOK(t, a, dir)
	before := identities(t, dir)
	writeOK(t, makeOutput(t, baseFiles().with(map[string]string{"gemini/index.gmi": "other\n"}), nil), dir)

	// An asset whose source changed is copied again.
	if err := os.WriteFile(asset, []byte("\x89PNG other bytes, more of them"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := makeOutput(t, cFiles, assets)
	writeOK(t, c, dir)
	after := identities(t, dir)
	for _, p := range a.Paths() {
		if c.File(p) == nil {
			continue
		}
		same := string(a.File(p).Data()) == string(c.File(p).Data()) && a.File(p).Source() == ""
		if same && after[p] != before[p] {
			t.Errorf("%s: unchanged but rewritten", p)
		}
		if !same {
			if after[p] == before[p] {
				t.Errorf("%s: changed but not rewritten", p)
			}
			if after[p].Ino != before[p].Ino {
				t.Errorf("%s: got a new inode, want the file overwritten in place", p)
			}
		}
	}
	for _, p := range []string{"gopher/posts/c", "gemini/tags/y", "gopher/posts/deep/er"} {
		if _, err := os.Lstat(filepath.Join(dir, p)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: got err %v, want it removed", p, err)
		}
	}
}

// TestWriteTampered changes the kept tree behind Write's back
// in every way we could think of; the next write must still give exactly
// the Output, and touch nothing outside the tree.
func TestWriteTampered(t *testing.T) {
	outside := t.TempDir()
	linked := filepath.Join(t.TempDir(), "atom-link.xml") // a hard link made outside
	for _, f := range []string{"index.gmi", "gophermap", "a/index.gmi", "keep.txt"} {
		writeSiteFile(t, outside, f, []byte("outside "+f+"\n"))
	}
	cases := []struct {
		name   string
		tamper func(t *testing.T, prev string)
		// next, when set, is the Output written after tampering (else
		// the base one).
		next treeFiles
	}{
		{"nothing", func(t *testing.T, prev string) {}, nil},
		{"edit a file, same size, old times", func(t *testing.T, prev string) {
			p := filepath.Join(prev, "gemini/posts/a/index.gmi")
			fi, _ := os.Stat(p)
			must(t, os.WriteFile(p, []byte("# Z\nFirst p0st.\n"), 0o644))
			must(t, os.Chtimes(p, fi.ModTime(), fi.ModTime()))
		}, nil},
		{"edit a file, other size", func(t *testing.T, prev string) {
			must(t, os.WriteFile(filepath.Join(prev, "gopher/gophermap"), []byte("x"), 0o644))
		}, nil},
		{"stray file", func(t *testing.T, prev string) {
			must(t, os.WriteFile(filepath.Join(prev, "gemini/posts/stray.gmi"), []byte("stray\n"), 0o644))
		}, nil},
		{"stray file, folder times restored", func(t *testing.T, prev string) {
			d := filepath.Join(prev, "gemini/posts/a")
			fi, _ := os.Stat(d)
			must(t, os.WriteFile(filepath.Join(d, "stray.gmi"), []byte("stray\n"), 0o644))
			must(t, os.Chtimes(d, fi.ModTime(), fi.ModTime()))
		}, nil},
		{"stray folder and top-level file", func(t *testing.T, prev string) {
			writeSiteFile(t, prev, "gopher/junk/deeper/file", []byte("junk"))
			writeSiteFile(t, prev, "junk.txt", []byte("junk"))
		}, nil},
		{"delete a file", func(t *testing.T, prev string) {
			must(t, os.Remove(filepath.Join(prev, "gemini/tags/x/index.gmi")))
		}, nil},
		{"delete a folder", func(t *testing.T, prev string) {
			must(t, os.RemoveAll(filepath.Join(prev, "gopher/posts")))
		}, nil},
		{"folder becomes a symlink outside", func(t *testing.T, prev string) {
			d := filepath.Join(prev, "gemini/posts")
			must(t, os.RemoveAll(d))
			must(t, os.Symlink(outside, d))
		}, baseFiles().with(map[string]string{"gemini/posts/a/index.gmi": "changed\n", "gemini/posts/keep.txt": "mine\n"})},
		{"top folder becomes a symlink outside", func(t *testing.T, prev string) {
			d := filepath.Join(prev, "gopher")
			must(t, os.RemoveAll(d))
			must(t, os.Symlink(outside, d))
		}, nil},
		{"file becomes a symlink outside", func(t *testing.T, prev string) {
			p := filepath.Join(prev, "gemini/index.gmi")
			must(t, os.Remove(p))
			must(t, os.Symlink(filepath.Join(outside, "index.gmi"), p))
		}, baseFiles().with(map[string]string{"gemini/index.gmi": "changed home\n"})},
		{"file hard-linked outside", func(t *testing.T, prev string) {
			must(t, os.Link(filepath.Join(prev, "gemini/atom.xml"), linked))
		}, baseFiles().with(map[string]string{"gemini/atom.xml": "<feed>changed</feed>\n"})},
		{"folder becomes a file", func(t *testing.T, prev string) {
			d := filepath.Join(prev, "gemini/tags")
			must(t, os.RemoveAll(d))
			must(t, os.WriteFile(d, []byte("a file"), 0o644))
		}, nil},
		{"file becomes a folder", func(t *testing.T, prev string) {
			p := filepath.Join(prev, "gemini/atom.xml")
			must(t, os.Remove(p))
			writeSiteFile(t, p, "inner/file", []byte("inner"))
		}, nil},
		{"file becomes a fifo", func(t *testing.T, prev string) {
			p := filepath.Join(prev, "gemini/posts/b/index.gmi")
			must(t, os.Remove(p))
			must(t, syscall.Mkfifo(p, 0o644))
		}, nil},
		{"modes changed", func(t *testing.T, prev string) {
			must(t, os.Chmod(filepath.Join(prev, "gemini/posts/b/index.gmi"), 0o600))
			must(t, os.Chmod(filepath.Join(prev, "gopher/posts"), 0o700))
		}, nil},
		{"manifest corrupted", func(t *testing.T, prev string) {
			p := manifestOf(t, prev)
			b, err := os.ReadFile(p)
			must(t, err)
			b[len(b)/2] ^= 0x40
			must(t, os.WriteFile(p, b, 0o644))
		}, nil},
		{"manifest truncated", func(t *testing.T, prev string) {
			p := manifestOf(t, prev)
			fi, err := os.Stat(p)
			must(t, err)
			must(t, os.Truncate(p, fi.Size()/2))
		}, nil},
		{"manifest removed", func(t *testing.T, prev string) {
			must(t, os.Remove(manifestOf(t, prev)))
		}, nil},
		{"manifest is a symlink", func(t *testing.T, prev string) {
			p := manifestOf(t, prev)
			saved := filepath.Join(t.TempDir(), "m")
			must(t, os.Rename(p, saved))
			must(t, os.Symlink(saved, p))
		}, nil},
		{"manifest is a folder", func(t *testing.T, prev string) {
			p := manifestOf(t, prev)
			must(t, os.Remove(p))
			writeSiteFile(t, p, "inner", []byte("x"))
		}, nil},
		{"manifest of another tree", func(t *testing.T, prev string) {
			other := filepath.Join(t.TempDir(), "public")
			must(t, Write(context.Background(), makeOutput(t, baseFiles(), nil), other))
			b, err := os.ReadFile(manifestOf(t, other))
			must(t, err)
			must(t, os.WriteFile(manifestOf(t, prev), b, 0o644))
		}, nil},
		{"manifest store is a file", func(t *testing.T, prev string) {
			store := filepath.Join(filepath.Dir(prev), ".public.manifests")
			must(t, os.RemoveAll(store))
			must(t, os.WriteFile(store, []byte("not a folder"), 0o644))
		}, nil},
		{"manifest store is a symlink outside", func(t *testing.T, prev string) {
			store := filepath.Join(filepath.Dir(prev), ".public.manifests")
			must(t, os.RemoveAll(store))
			must(t, os.Symlink(outside, store))
		}, nil},
		{"prev is a file", func(t *testing.T, prev string) {
			must(t, os.RemoveAll(prev))
			must(t, os.WriteFile(prev, []byte("not a tree"), 0o644))
		}, nil},
		{"prev is a symlink outside", func(t *testing.T, prev string) {
			must(t, os.RemoveAll(prev))
			must(t, os.Symlink(outside, prev))
		}, nil},
		{"same-tick edit, racy entry", func(t *testing.T, prev string) {
			// A change lstat cannot see (same size, same times: what a
			// write in the same clock tick as ours looks like) is caught
			// because the entry is too close to the manifest's time.
			p := filepath.Join(prev, "gemini/posts/a/index.gmi")
			must(t, os.WriteFile(p, []byte("# A\nFirst p0st.\n"), 0o644))
			mp := manifestOf(t, prev)
			b, err := os.ReadFile(mp)
			must(t, err)
			m, err := parseManifest(b)
			must(t, err)
			st, err := lstatDisk(p)
			must(t, err)
			e := m.lookup("gemini/posts/a/index.gmi")
			e.diskStat = st
			m.Written = st.Ctime
			must(t, os.WriteFile(mp, m.encode(), 0o644))
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "public")
			base := makeOutput(t, baseFiles(), nil)
			writeOK(t, base, dir)
			writeOK(t, base, dir)
			outsideBefore := snapDir(t, outside, true)
			tc.tamper(t, prevOf(dir))
			next := base
			if tc.next != nil {
				next = makeOutput(t, tc.next, nil)
			}
			writeOK(t, next, dir)
			if b, err := os.ReadFile(linked); err == nil {
				if string(b) != "<feed/>\n" {
					t.Errorf("a hard link outside was written through: got %q", b)
				}
				must(t, os.Remove(linked))
			}
			if diff := cmp.Diff(snapDir(t, outside, true), outsideBefore); diff != "" {
				t.Errorf("outside the tree changed (-got +want):\n%s", diff)
			}
			// And once more, from the tree written before tampering.
			writeOK(t, next, dir)
			if got, want := besides(t, dir), []string{".public.manifests", ".public.prev"}; !slices.Equal(got, want) {
				t.Errorf("got %v beside the output, want %v", got, want)
			}
			if got, want := len(snapDir(t, filepath.Join(filepath.Dir(dir), ".public.manifests"), false)), 3; got != want {
				t.Errorf("got %d entries in the manifest store, want %d (itself and two manifests)", got, want)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestWriteFailure fails a write half way through recycling: dir is
// left exactly as it was, the claimed tree is gone (never trusted again),
// nothing is left beside dir, and the next write works.
func TestWriteFailure(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fail  func(t *testing.T) (context.Context, *tree.Tree)
		wants string
	}{
		{"asset vanished", func(t *testing.T) (context.Context, *tree.Tree) {
			src := filepath.Join(t.TempDir(), "vanishing.png")
			must(t, os.WriteFile(src, []byte("here for a moment"), 0o644))
			out := makeOutput(t, baseFiles(), map[string]string{"gemini/zz/vanishing.png": src})
			must(t, os.Remove(src))
			return context.Background(), out
		}, "vanishing.png"},
		{"canceled", func(t *testing.T) (context.Context, *tree.Tree) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, makeOutput(t, baseFiles().with(map[string]string{"gemini/index.gmi": "new\n"}), nil)
		}, "context canceled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "public")
			base := makeOutput(t, baseFiles(), nil)
			writeOK(t, base, dir)
			writeOK(t, base, dir)
			before := snapDir(t, dir, true)
			ctx, out := tc.fail(t)
			err := Write(ctx, out, dir)
			if err == nil || !strings.Contains(err.Error(), tc.wants) {
				t.Fatalf("got error %v, want one containing %q", err, tc.wants)
			}
			if diff := cmp.Diff(snapDir(t, dir, true), before); diff != "" {
				t.Errorf("dir changed (-got +want):\n%s", diff)
			}
			if got, want := besides(t, dir), []string{".public.manifests"}; !slices.Equal(got, want) {
				t.Errorf("got %v beside the output, want %v (the claimed tree removed)", got, want)
			}
			writeOK(t, base, dir)
			writeOK(t, base, dir)
		})
	}
}

func TestManifestRoundTrip(t *testing.T) {
	m := &manifest{Written: 1_700_000_000_123_456_789, Entries: []manEntry{
		{Path: "gemini", Dir: true, diskStat: diskStat{Mode: 0o40755, Ino: 12, Size: 4096, Mtime: 1_700_000_000_000_000_000, Ctime: 1_700_000_000_000_000_001}},
		{Path: "gemini/a b.gmi", diskStat: diskStat{Mode: 0o100644, Ino: 1 << 40, Size: 3, Mtime: 5, Ctime: -7}, Key: "h0123456789abcdef"},
		{Path: "gemini/a", Dir: true},
	}}
	slices.SortFunc(m.Entries, func(a, b manEntry) int { return strings.Compare(a.Path, b.Path) })
	b := m.encode()
	got, err := parseManifest(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got.Entries, m.Entries, cmp.AllowUnexported(manEntry{})); diff != "" {
		t.Errorf("entries (-got +want):\n%s", diff)
	}
	if got.Written != m.Written {
		t.Errorf("got Written %d, want %d", got.Written, m.Written)
	}
	for i := range b {
		if _, err := parseManifest(b[:i]); err == nil {
			t.Errorf("a manifest truncated to %d bytes parsed", i)
		}
	}
	bad := bytes.Clone(b)
	bad[len(manifestMagic)] = 2 // version
	if _, err := parseManifestBody(bad[:len(bad)-manifestSumLen]); !errors.Is(err, errManifestVersion) {
		t.Errorf("got %v for version 2, want errManifestVersion", err)
	}
}

// manifestSeeds are valid manifests for the fuzz target.
func manifestSeeds() [][]byte {
	empty := (&manifest{}).encode()
	one := (&manifest{Written: 99, Entries: []manEntry{
		{Path: "gemini", Dir: true, diskStat: diskStat{Mode: 0o40755, Ino: 2, Size: 4096, Mtime: 90, Ctime: 91}},
		{Path: "gemini/index.gmi", diskStat: diskStat{Mode: 0o100644, Ino: 3, Size: 10, Mtime: 80, Ctime: 95}, Key: "h0123456789abcdef"},
		{Path: "gopher", Dir: true, diskStat: diskStat{Mode: 0o40755, Ino: 4}},
		{Path: "gopher/pic.png", diskStat: diskStat{Mode: 0o100644, Ino: 5, Size: 7}, Key: "a\x0e\x02/src/pic.png"},
	}}).encode()
	return [][]byte{empty, one, []byte(manifestMagic), []byte("junk")}
}

// FuzzManifest feeds the manifest parser arbitrary bytes, both as a whole
// file and as a body (past the checksum): it must never panic, and what it
// accepts must encode back to something it reads the same way.
func FuzzManifest(f *testing.F) {
	for _, s := range manifestSeeds() {
		f.Add(s)
		if len(s) > manifestSumLen {
			f.Add(s[:len(s)-manifestSumLen])
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, parse := range []func([]byte) (*manifest, error){parseManifest, parseManifestBody} {
			m, err := parse(data)
			if err != nil {
				continue
			}
			again, err := parseManifest(m.encode())
			if err != nil {
				t.Fatalf("re-encoded manifest does not parse: %v", err)
			}
			if diff := cmp.Diff(again.Entries, m.Entries, cmp.AllowUnexported(manEntry{})); diff != "" || again.Written != m.Written {
				t.Fatalf("round trip differs (-again +first):\n%s", diff)
			}
			for i := range m.Entries {
				e := &m.Entries[i]
				if !fs.ValidPath(e.Path) || e.Path == "." || (i > 0 && e.Path <= m.Entries[i-1].Path) {
					t.Fatalf("accepted entry %q", e.Path)
				}
				if path.Clean(e.Path) != e.Path {
					t.Fatalf("accepted unclean path %q", e.Path)
				}
			}
		}
	})
}

// BenchmarkWriteRecycled writes a tree shaped like a built 1,000-post site
// (about 2,000 files of 1-4 KB in 2,000 folders) over and over, timing
// three kinds of write in turn, in the same run:
//
//	old        a fresh folder, swapped in, the previous tree removed (what
//	           Write did before it recycled trees)
//	same       Write recycling a tree that already holds the Output
//	changed    Write recycling a tree where every file differs
//
// It reports ms/write for each and the ratios to old.
func BenchmarkWriteRecycled(b *testing.B) {
	a, other := siteTree(1000, ""), siteTree(1000, "\n")
	ctx := context.Background()
	root := b.TempDir()
	oldDir := filepath.Join(root, "old", "public")
	sameDir := filepath.Join(root, "same", "public")
	changedDir := filepath.Join(root, "changed", "public")
	for _, d := range []string{oldDir, sameDir, changedDir} {
		if err := os.MkdirAll(filepath.Dir(d), 0o755); err != nil {
			b.Fatal(err)
		}
	}
	// Two writes each, so that every timed write has a tree to recycle.
	for range 2 {
		if err := Write(ctx, a, sameDir); err != nil {
			b.Fatal(err)
		}
		if err := Write(ctx, a, changedDir); err != nil {
			b.Fatal(err)
		}
		if err := writeFresh(ctx, a, oldDir, filepath.Dir(oldDir), "public"); err != nil {
			b.Fatal(err)
		}
	}
	var tOld, tSame, tChanged time.Duration
	i := 0
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if err := writeFresh(ctx, a, oldDir, filepath.Dir(oldDir), "public"); err != nil {
			b.Fatal(err)
		}
		tOld += time.Since(start)
		start = time.Now()
		if err := Write(ctx, a, sameDir); err != nil {
			b.Fatal(err)
		}
		tSame += time.Since(start)
		// A, A, B, B, A, A...: each write recycles the tree written two
		// writes before, which holds the other Output.
		next := other
		if i%4 >= 2 {
			next = a
		}
		i++
		start = time.Now()
		if err := Write(ctx, next, changedDir); err != nil {
			b.Fatal(err)
		}
		tChanged += time.Since(start)
	}
	n := float64(b.N)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / n }
	b.ReportMetric(ms(tOld), "old-ms/write")
	b.ReportMetric(ms(tSame), "same-ms/write")
	b.ReportMetric(ms(tChanged), "changed-ms/write")
	b.ReportMetric(float64(tSame)/float64(tOld), "same/old")
	b.ReportMetric(float64(tChanged)/float64(tOld), "changed/old")
	b.ReportMetric(float64(a.Len()), "files")
}

// siteTree is a tree shaped like a built site of n posts in both outputs;
// extra is appended to every file.
func siteTree(n int, extra string) *tree.Tree {
	b := tree.NewBuilder(2*n + 4)
	mod := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range n {
		body := strings.Repeat(fmt.Sprintf("Line %d of post %d, about as long as a line of prose.\n", i%7, i), 20+i%60)
		b.Add(fmt.Sprintf("gemini/posts/post-%04d/index.gmi", i), []byte("# Post\n"+body+extra), mod)
		b.Add(fmt.Sprintf("gopher/posts/post-%04d/gophermap", i), []byte("iPost\t\tnull.host\t1\n"+body+extra), mod)
	}
	b.Add("gemini/index.gmi", []byte("# Home\n"+extra), mod)
	b.Add("gopher/gophermap", []byte("iHome\t\tnull.host\t1\n"+extra), mod)
	return b.Finish()
}

// writeSiteFile writes data at the slash-separated path name below dir.
func writeSiteFile(t testing.TB, dir, name string, data []byte) {
	t.Helper()
	full := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// diskFile is what a test compares of one file or folder on disk.
type diskFile struct {
	Data    string
	Mode    fs.FileMode
	ModTime time.Time
}

// snapDir reads every file below dir. With times set, it also records
// modification times (to prove a folder was not touched).
func snapDir(t testing.TB, dir string, times bool) map[string]diskFile {
	t.Helper()
	snap := map[string]diskFile{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		s := diskFile{Mode: info.Mode()}
		if times {
			s.ModTime = info.ModTime()
		}
		if !d.IsDir() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			s.Data = string(b)
		}
		snap[filepath.ToSlash(rel)] = s
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}
