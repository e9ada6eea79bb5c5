package sitegen

import (
	"bytes"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestFiles checks that generation is deterministic, that posts are of the
// promised size, and that every link between posts names a generated file.
func TestFiles(t *testing.T) {
	o := Options{Posts: 300}
	a, b := Files(o), Files(o)
	if len(a) != o.Posts+4 {
		t.Errorf("got %d files, want %d", len(a), o.Posts+4)
	}
	total := 0
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("%s differs between two runs", name)
		}
		if !strings.HasPrefix(name, "posts/post-") {
			continue
		}
		total += len(data)
		for _, chunk := range strings.Split(string(data), "](")[1:] {
			dest := chunk[:strings.IndexByte(chunk, ')')]
			if strings.HasSuffix(dest, ".md") {
				if _, ok := a["posts/"+dest]; !ok {
					t.Errorf("%s links to %s, which is not generated", name, dest)
				}
			}
		}
	}
	if avg := total / o.Posts; avg < 2000 || avg > 4096 {
		t.Errorf("got posts of %d bytes on average, want 2-4 KB", avg)
	}
	if bytes.Equal(Post(o, 5, 0), Post(o, 5, 1)) {
		t.Error("an edit did not change the post")
	}
}

// TestWriteDates checks that Write dates every file Written, as a site
// written long before its build is.
func TestWriteDates(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, Options{Posts: 3}); err != nil {
		t.Fatal(err)
	}
	n := 0
	err := filepath.WalkDir(filepath.Join(dir, "content"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		info, err := d.Info()
		if err != nil {
			return err
		}
		if got := info.ModTime(); !got.Equal(Written) {
			t.Errorf("%s: got modification time %v, want %v", path, got, Written)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 3+4 {
		t.Errorf("got %d files, want %d", n, 3+4)
	}
}
