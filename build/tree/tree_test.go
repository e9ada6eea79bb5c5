package tree

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"
	"time"
)

func testTree(t *testing.T) (*Tree, string) {
	t.Helper()
	src := filepath.Join(t.TempDir(), "pic.png")
	if err := os.WriteFile(src, []byte("not really a picture"), 0o644); err != nil {
		t.Fatal(err)
	}
	mod := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	b := NewBuilder(4)
	b.Add("gemini/index.gmi", []byte("# Home\n"), mod)
	b.Add("gemini/posts/a/index.gmi", []byte("# A\n"), mod)
	b.Add("gopher/gophermap", []byte("iHome\t\tnull.host\t1\n"), mod)
	b.Add("gemini/empty", nil, mod)
	b.AddCopy("gemini/pic.png", src, 20, mod)
	if !b.Has("gemini/pic.png") || b.Has("gemini/nothing") {
		t.Errorf("Has is wrong")
	}
	return b.Finish(), src
}

// TestTreeFS holds a Tree and its subtrees to the fs.FS contract.
func TestTreeFS(t *testing.T) {
	tr, _ := testTree(t)
	if err := fstest.TestFS(tr, "gemini/index.gmi", "gemini/posts/a/index.gmi", "gopher/gophermap", "gemini/pic.png", "gemini/empty"); err != nil {
		t.Error(err)
	}
	sub, err := tr.Sub("gemini")
	if err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(sub, "index.gmi", "posts/a/index.gmi", "pic.png", "empty"); err != nil {
		t.Error(err)
	}
	if _, err := sub.(fs.ReadFileFS).ReadFile("../gopher/gophermap"); err == nil {
		t.Error("a subtree read a file outside it")
	}
}

func TestTreeFiles(t *testing.T) {
	tr, src := testTree(t)
	if got, want := tr.Paths(), []string{"gemini/empty", "gemini/index.gmi", "gemini/pic.png", "gemini/posts/a/index.gmi", "gopher/gophermap"}; !slices.Equal(got, want) {
		t.Errorf("Paths: got %v, want %v", got, want)
	}
	if got, want := tr.Dirs(), []string{"gemini", "gemini/posts", "gemini/posts/a", "gopher"}; !slices.Equal(got, want) {
		t.Errorf("Dirs: got %v, want %v", got, want)
	}
	if tr.Len() != 5 {
		t.Errorf("Len: got %d, want 5", tr.Len())
	}
	for _, tc := range []struct {
		path, data, source string
		size               int64
	}{
		{"gemini/index.gmi", "# Home\n", "", 7},
		{"gemini/empty", "", "", 0},
		{"gemini/pic.png", "", src, 20},
	} {
		f := tr.File(tc.path)
		if f == nil {
			t.Errorf("File(%q) = nil", tc.path)
			continue
		}
		if string(f.Data()) != tc.data || f.Source() != tc.source || f.Size() != tc.size || f.Name() != filepath.Base(tc.path) {
			t.Errorf("File(%q): got data %q source %q size %d name %q, want %q %q %d", tc.path, f.Data(), f.Source(), f.Size(), f.Name(), tc.data, tc.source, tc.size)
		}
	}
	if tr.File("gemini") != nil || !tr.IsDir("gemini") || !tr.IsDir(".") || tr.IsDir("gemini/index.gmi") {
		t.Error("File and IsDir disagree about folders")
	}
}
