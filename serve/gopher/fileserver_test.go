package gopher

import (
	"bytes"
	"flag"
	"github.com/gmkit/gmkit/build/gophermap"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// testHole is a small built hole: maps as the build writes them (complete
// items, LF endings), a hand-written gophernicus-style map, a directory with
// no map and a file of each type.
func testHole() fstest.MapFS {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	return fstest.MapFS{
		"gophermap": {Data: []byte("iWelcome to the hole\t\tgopher.example\t70\n" +
			"1Posts\t/posts/\tgopher.example\t70\n" +
			"0About\t/about.txt\tgopher.example\t70\n" +
			"7Search\t/cgi-bin/search\tgopher.example\t70\n" +
			"hWeb\tURL:https://example.org/\tgopher.example\t70\n")},
		"about.txt":          {Data: []byte("About this hole.\n\nSecond paragraph.\n.\n")},
		"posts/gophermap":    {Data: []byte("1Back\t/\tgopher.example\t70\n0Hello\t/posts/hello.txt\tgopher.example\t70\n")},
		"posts/hello.txt":    {Data: []byte("Hello, world\nline two\r\nline three\n")},
		"hand/gophermap":     {Data: []byte("!Hand written\n# a comment\n\nPlain text line\n0Relative\tnote.txt\n0Absolute\t/about.txt\n1Elsewhere\t/\tother.example\n0note.txt\t\n-secret.txt\n*\n.\niafter the end\n")},
		"hand/note.txt":      {Data: []byte("note\n")},
		"hand/secret.txt":    {Data: []byte("secret\n")},
		"hand/zz.bin":        {Data: []byte{0, 1, 2}},
		"nomap/a.txt":        {Data: []byte("a\n")},
		"nomap/b.png":        {Data: png},
		"nomap/c.gif":        {Data: []byte("GIF89a")},
		"nomap/d.pdf":        {Data: []byte("%PDF-1.4")},
		"nomap/e.mp3":        {Data: []byte("ID3")},
		"nomap/f.html":       {Data: []byte("<p>hi</p>")},
		"nomap/g.bin":        {Data: []byte{0xff, '\n', 0x00}},
		"nomap/README":       {Data: []byte("readme\n")},
		"nomap/.hidden":      {Data: []byte("no")},
		"nomap/sub/x.txt":    {Data: []byte("x\n")},
		"images/photo.png":   {Data: png},
		".secret/key.txt":    {Data: []byte("never")},
		"posts/.draft.txt":   {Data: []byte("never")},
		"with space/doc.txt": {Data: []byte("spaced\n")},
	}
}

// golden compares got with testdata/golden/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("reading golden file %s (run with -update to create it): %v", file, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("response differs from %s:\ngot:\n%q\nwant:\n%q", file, got, want)
	}
}

func TestFileServerGolden(t *testing.T) {
	tests := []struct {
		name     string
		selector string
		typ      gophermap.Type
	}{
		{"root", "", gophermap.TypeMenu},
		{"root-slash", "/", gophermap.TypeMenu},
		{"posts", "/posts/", gophermap.TypeMenu},
		{"posts-noslash", "/posts", gophermap.TypeMenu},
		{"posts-relative", "posts/", gophermap.TypeMenu},
		{"hello", "/posts/hello.txt", gophermap.TypeText},
		{"about", "/about.txt", gophermap.TypeText},
		{"hand", "/hand/", gophermap.TypeMenu},
		{"nomap", "/nomap/", gophermap.TypeMenu},
		{"space", "/with space/doc.txt", gophermap.TypeText},
		{"url", "URL:https://example.org/a?b=1&c=it's", gophermap.TypeHTML},
		{"missing", "/nope.txt", gophermap.TypeError},
	}
	fsrv := FileServer(testHole(), Options{Listing: true})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := NewRecorder()
			r := NewRequest(tt.selector + "\r\n")
			r.Host, r.Port = "gopher.example", 70
			fsrv.ServeGopher(rec, r)
			if rec.Type != tt.typ {
				t.Errorf("type = %q, want %q", rec.Type, tt.typ)
			}
			golden(t, tt.name, rec.Body.Bytes())
		})
	}
}

func TestFileServerBinariesRaw(t *testing.T) {
	hole := testHole()
	for _, name := range []string{"nomap/b.png", "nomap/c.gif", "nomap/d.pdf", "nomap/e.mp3", "nomap/f.html", "nomap/g.bin", "images/photo.png"} {
		rec := NewRecorder()
		FileServer(hole, Options{Listing: true}).ServeGopher(rec, NewRequest("/"+name))
		if got, want := rec.Body.Bytes(), hole[name].Data; !bytes.Equal(got, want) {
			t.Errorf("%s: got %q, want the file unchanged %q", name, got, want)
		}
		if got, want := rec.Type, typeForPath(name); got != want {
			t.Errorf("%s: type %q, want %q", name, got, want)
		}
	}
}

func TestFileServerRefuses(t *testing.T) {
	selectors := []string{
		"/../etc/passwd", "../etc/passwd", "/posts/../../etc/passwd", "/posts/../about.txt",
		"/./about.txt", "//about.txt", "/posts//hello.txt", "/%2e%2e/etc/passwd",
		"/..%2fetc/passwd", "/..\\etc\\passwd", "/.secret/key.txt", "/.secret/",
		"/posts/.draft.txt", "/nomap/.hidden", "/about.txt/", "/posts/hello.txt/x",
		"/etc/passwd", "/nope/", "URL:javascript:alert(1)", "URL:nothing", "URL:data:text/html,x",
	}
	for _, sel := range selectors {
		rec := NewRecorder()
		FileServer(testHole(), Options{Listing: true}).ServeGopher(rec, NewRequest(sel))
		if rec.Type != gophermap.TypeError || !bytes.HasPrefix(rec.Body.Bytes(), []byte("3")) {
			t.Errorf("%q: got type %q body %q, want a type-3 error", sel, rec.Type, rec.Body.String())
		}
	}
}

func TestFileServerSymlinks(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("outside\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "docs", "deep"), 0o755))
	must(os.WriteFile(filepath.Join(root, "docs", "in.txt"), []byte("inside\n"), 0o644))
	must(os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(root, "abs.txt")))
	must(os.Symlink("../"+filepath.Base(outside)+"/secret.txt", filepath.Join(root, "rel.txt")))
	must(os.Symlink(outside, filepath.Join(root, "outdir")))
	must(os.Symlink("../..", filepath.Join(root, "docs", "deep", "up")))
	must(os.Symlink("in.txt", filepath.Join(root, "docs", "alias.txt")))
	must(os.Symlink("..", filepath.Join(root, "docs", "deep", "back")))
	must(os.Symlink("loop2", filepath.Join(root, "loop1")))
	must(os.Symlink("loop1", filepath.Join(root, "loop2")))

	for _, fsys := range []struct {
		name string
		open func() any
	}{{name: "DirFS"}, {name: "Root"}} {
		t.Run(fsys.name, func(t *testing.T) {
			var h Handler
			if fsys.name == "DirFS" {
				h = FileServer(os.DirFS(root), Options{Listing: true})
			} else {
				r, err := os.OpenRoot(root)
				must(err)
				defer r.Close()
				h = FileServer(r.FS(), Options{Listing: true})
			}
			for _, sel := range []string{"/abs.txt", "/rel.txt", "/outdir/secret.txt", "/docs/deep/up/etc/passwd", "/loop1"} {
				rec := NewRecorder()
				h.ServeGopher(rec, NewRequest(sel))
				if rec.Type != gophermap.TypeError || strings.Contains(rec.Body.String(), "outside") {
					t.Errorf("%s: got type %q body %q, want a type-3 error", sel, rec.Type, rec.Body.String())
				}
			}
			for _, sel := range []string{"/docs/alias.txt", "/docs/deep/back/in.txt"} {
				rec := NewRecorder()
				h.ServeGopher(rec, NewRequest(sel))
				if got, want := rec.Body.String(), "inside\r\n"; got != want {
					t.Errorf("%s: got %q, want %q (a link inside the root is followed)", sel, got, want)
				}
			}
		})
	}
}

func TestFileServerOptions(t *testing.T) {
	hole := testHole()
	r := NewRequest("/")
	r.Host, r.Port = "127.0.0.1", 7777
	rec := NewRecorder()
	FileServer(hole, Options{Listing: true, RewriteFrom: "gopher.example:70"}).ServeGopher(rec, r)
	if got := rec.Body.String(); strings.Contains(got, "gopher.example") || !strings.Contains(got, "1Posts\t/posts/\t127.0.0.1\t7777\r\n") {
		t.Errorf("RewriteFrom: got %q, want every line pointed at 127.0.0.1:7777", got)
	}
	rec = NewRecorder()
	FileServer(hole, Options{Listing: true, Host: "pub.example", Port: 7070}).ServeGopher(rec, NewRequest("/nomap/"))
	if got := rec.Body.String(); !strings.Contains(got, "0a.txt\t/nomap/a.txt\tpub.example\t7070\r\n") {
		t.Errorf("Host/Port: got %q, want generated lines for pub.example:7070", got)
	}
}
