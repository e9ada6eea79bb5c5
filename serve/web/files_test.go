package web

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

var mod = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func site() fstest.MapFS {
	page := "<!doctype html><title>x</title><p>" + strings.Repeat("hello web ", 100) + "</p>\n"
	return fstest.MapFS{
		"index.html":             {Data: []byte(page), ModTime: mod},
		"404.html":               {Data: []byte("<!doctype html><title>Not found</title><p>Nothing here.</p>\n"), ModTime: mod},
		"posts/hello/index.html": {Data: []byte("<p>hello</p>\n"), ModTime: mod},
		"posts/atom.xml":         {Data: []byte("<feed>" + strings.Repeat("<entry/>", 100) + "</feed>\n"), ModTime: mod},
		"img/cat.png":            {Data: []byte("\x89PNG\r\n\x1a\n" + strings.Repeat("\x00", 400)), ModTime: mod},
		"style.css":              {Data: []byte("body{max-width:40em}\n"), ModTime: mod},
		"empty/readme.txt":       {Data: []byte("read me\n"), ModTime: mod},
		".secret":                {Data: []byte("secret"), ModTime: mod},
		"dir/.hidden/x.html":     {Data: []byte("hidden"), ModTime: mod},
		"digits.txt":             {Data: []byte("0123456789"), ModTime: mod},
	}
}

func do(h http.Handler, method, target string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestFilesAnswers(t *testing.T) {
	h := FileServer(site(), Options{Lang: "en"})
	tests := []struct {
		name, method, target string
		hdr                  []string
		code                 int
		ctype, location      string
		bodyHas              string
	}{
		{"home", "GET", "/", nil, 200, "text/html; charset=utf-8", "", "hello web"},
		{"page in folder", "GET", "/posts/hello/", nil, 200, "text/html; charset=utf-8", "", "<p>hello</p>"},
		{"index by name", "GET", "/posts/hello/index.html", nil, 200, "text/html; charset=utf-8", "", "<p>hello</p>"},
		{"folder without slash", "GET", "/posts/hello", nil, 301, "", "/posts/hello/", ""},
		{"folder without slash keeps query", "GET", "/posts/hello?a=1", nil, 301, "", "/posts/hello/?a=1", ""},
		{"feed", "GET", "/posts/atom.xml", nil, 200, "application/atom+xml", "", "<feed>"},
		{"image", "GET", "/img/cat.png", nil, 200, "image/png", "", "PNG"},
		{"css", "GET", "/style.css", nil, 200, "text/css; charset=utf-8", "", "max-width"},
		{"missing", "GET", "/nope", nil, 404, "text/html; charset=utf-8", "", "Nothing here."},
		{"file with slash", "GET", "/style.css/", nil, 404, "text/html; charset=utf-8", "", "Nothing here."},
		{"folder without index", "GET", "/empty/", nil, 404, "text/html; charset=utf-8", "", "Nothing here."},
		{"dotfile", "GET", "/.secret", nil, 404, "text/html; charset=utf-8", "", "Nothing here."},
		{"dot folder", "GET", "/dir/.hidden/x.html", nil, 404, "text/html; charset=utf-8", "", "Nothing here."},
		{"encoded dotfile", "GET", "/%2esecret", nil, 404, "text/html; charset=utf-8", "", "Nothing here."},
		{"dot dot", "GET", "/posts/%2e%2e/.secret", nil, 400, "text/plain; charset=utf-8", "", "invalid path"},
		{"encoded slash", "GET", "/posts%2Fhello/", nil, 400, "text/plain; charset=utf-8", "", "invalid path"},
		{"backslash", "GET", "/posts%5chello/", nil, 400, "text/plain; charset=utf-8", "", "invalid path"},
		{"NUL", "GET", "/index.html%00", nil, 400, "text/plain; charset=utf-8", "", "invalid path"},
		{"empty segment", "GET", "/posts//hello/", nil, 400, "text/plain; charset=utf-8", "", "invalid path"},
		{"post", "POST", "/", nil, 405, "text/plain; charset=utf-8", "", "method not allowed"},
		{"head", "HEAD", "/style.css", nil, 200, "text/css; charset=utf-8", "", ""},
		{"range", "GET", "/digits.txt", []string{"Range", "bytes=2-4"}, 206, "text/plain; charset=utf-8", "", "234"},
		{"bad range", "GET", "/digits.txt", []string{"Range", "bytes=20-30"}, 416, "", "", ""},
		{"not modified by date", "GET", "/style.css", []string{"If-Modified-Since", mod.Add(time.Hour).Format(http.TimeFormat)}, 304, "", "", ""},
		{"modified since", "GET", "/style.css", []string{"If-Modified-Since", mod.Add(-time.Hour).Format(http.TimeFormat)}, 200, "text/css; charset=utf-8", "", "max-width"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(h, tt.method, tt.target, tt.hdr...)
			if w.Code != tt.code {
				t.Fatalf("status: got %d, want %d (body %q)", w.Code, tt.code, w.Body.String())
			}
			if tt.ctype != "" {
				if got := w.Header().Get("Content-Type"); got != tt.ctype {
					t.Errorf("Content-Type: got %q, want %q", got, tt.ctype)
				}
			}
			if got := w.Header().Get("Location"); got != tt.location {
				t.Errorf("Location: got %q, want %q", got, tt.location)
			}
			if !strings.Contains(w.Body.String(), tt.bodyHas) {
				t.Errorf("body: got %q, want it to hold %q", w.Body.String(), tt.bodyHas)
			}
			if tt.method == "HEAD" && w.Body.Len() != 0 {
				t.Errorf("HEAD body: got %d bytes, want none", w.Body.Len())
			}
		})
	}
}

func TestFilesHeaders(t *testing.T) {
	h := FileServer(site(), Options{Lang: "en", MaxAge: time.Hour})
	w := do(h, "GET", "/")
	for k, want := range map[string]string{
		"Content-Language": "en",
		"Cache-Control":    "no-cache",
		"Last-Modified":    mod.Format(http.TimeFormat),
		"Vary":             "Accept-Encoding",
		"Accept-Ranges":    "bytes",
	} {
		if got := w.Header().Get(k); got != want {
			t.Errorf("%s: got %q, want %q", k, got, want)
		}
	}
	if et := w.Header().Get("ETag"); !strings.HasPrefix(et, `"`) || len(et) < 10 {
		t.Errorf("ETag: got %q, want a strong tag", et)
	}
	img := do(h, "GET", "/img/cat.png")
	if got, want := img.Header().Get("Cache-Control"), "public, max-age=3600"; got != want {
		t.Errorf("image Cache-Control: got %q, want %q", got, want)
	}
	if got := img.Header().Get("Content-Language"); got != "" {
		t.Errorf("image Content-Language: got %q, want none", got)
	}
	if got := img.Header().Get("Vary"); got != "" {
		t.Errorf("image Vary: got %q, want none", got)
	}
}

func TestFilesETag(t *testing.T) {
	h := FileServer(site(), Options{})
	first := do(h, "GET", "/style.css")
	et := first.Header().Get("ETag")
	for _, inm := range []string{et, `"nope", ` + et, "*"} {
		if w := do(h, "GET", "/style.css", "If-None-Match", inm); w.Code != 304 || w.Body.Len() != 0 {
			t.Errorf("If-None-Match %s: got %d with %d bytes, want 304 and none", inm, w.Code, w.Body.Len())
		}
	}
	if w := do(h, "GET", "/style.css", "If-None-Match", `"other"`); w.Code != 200 {
		t.Errorf("other tag: got %d, want 200", w.Code)
	}
	// If-Range with the current tag gives the range; a stale one the whole file.
	dt := do(h, "GET", "/digits.txt").Header().Get("ETag")
	if w := do(h, "GET", "/digits.txt", "Range", "bytes=0-0", "If-Range", dt); w.Code != 206 || w.Body.String() != "0" {
		t.Errorf("If-Range current: got %d %q, want 206 \"0\"", w.Code, w.Body.String())
	}
	if w := do(h, "GET", "/digits.txt", "Range", "bytes=0-0", "If-Range", `"stale"`); w.Code != 200 || w.Body.Len() != 10 {
		t.Errorf("If-Range stale: got %d %q, want 200 and the whole file", w.Code, w.Body.String())
	}
	// A changed file gets a new tag from the same handler.
	fsys := site()
	h = FileServer(fsys, Options{})
	before := do(h, "GET", "/digits.txt").Header().Get("ETag")
	fsys["digits.txt"] = &fstest.MapFile{Data: []byte("9876543210"), ModTime: mod.Add(time.Second)}
	if after := do(h, "GET", "/digits.txt").Header().Get("ETag"); after == before {
		t.Errorf("ETag after change: got %s again", after)
	}
}

func TestFilesGzip(t *testing.T) {
	h := FileServer(site(), Options{})
	plain := do(h, "GET", "/")
	tests := []struct {
		ae   string
		gzip bool
	}{
		{"gzip", true},
		{"br, gzip, deflate", true},
		{"gzip;q=0.5", true},
		{"gzip;q=0", false},
		{"*", true},
		{"*, gzip;q=0", false},
		{"identity", false},
		{"", false},
	}
	for _, tt := range tests {
		w := do(h, "GET", "/", "Accept-Encoding", tt.ae)
		got := w.Header().Get("Content-Encoding") == "gzip"
		if got != tt.gzip {
			t.Errorf("Accept-Encoding %q: gzip %v, want %v", tt.ae, got, tt.gzip)
			continue
		}
		if !got {
			continue
		}
		if w.Header().Get("ETag") == plain.Header().Get("ETag") {
			t.Errorf("gzip and identity share the ETag %s", plain.Header().Get("ETag"))
		}
		zr, err := gzip.NewReader(w.Body)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(zr)
		if string(body) != plain.Body.String() {
			t.Errorf("gunzipped body differs from the plain one")
		}
	}
	// Images are not compressed; small text neither.
	for _, p := range []string{"/img/cat.png", "/style.css"} {
		if w := do(h, "GET", p, "Accept-Encoding", "gzip"); w.Header().Get("Content-Encoding") != "" {
			t.Errorf("%s: got Content-Encoding %q, want none", p, w.Header().Get("Content-Encoding"))
		}
	}
	// The 404 page comes gzipped too when asked and worth it.
	if w := do(h, "GET", "/nope", "Accept-Encoding", "gzip"); w.Code != 404 {
		t.Errorf("404 gzip: got %d", w.Code)
	}
}

func TestFilesNoNotFoundPage(t *testing.T) {
	fsys := site()
	delete(fsys, "404.html")
	w := do(FileServer(fsys, Options{}), "GET", "/nope")
	if w.Code != 404 || !strings.Contains(w.Body.String(), "404 not found") {
		t.Errorf("got %d %q, want 404 with a short text", w.Code, w.Body.String())
	}
}

func TestFilesListing(t *testing.T) {
	fsys := site()
	fsys["empty/<b>.txt"] = &fstest.MapFile{Data: []byte("x")}
	fsys["empty/a:b.txt"] = &fstest.MapFile{Data: []byte("x")}
	fsys["empty/.dot"] = &fstest.MapFile{Data: []byte("x")}
	w := do(FileServer(fsys, Options{Listing: true}), "GET", "/empty/")
	body := w.Body.String()
	if w.Code != 200 {
		t.Fatalf("got %d, want 200", w.Code)
	}
	for _, want := range []string{`<a href="../">`, `<a href="readme.txt">readme.txt</a>`, `<a href="%3Cb%3E.txt">&lt;b&gt;.txt</a>`, `<a href="./a:b.txt">`} {
		if !strings.Contains(body, want) {
			t.Errorf("listing lacks %s:\n%s", want, body)
		}
	}
	if strings.Contains(body, ".dot") {
		t.Errorf("listing shows a dotfile:\n%s", body)
	}
}

// TestFilesOnDiskChange serves a folder through os.Root, as serve
// --no-build does: small files are answered from memory while they stay
// the same, and a file rewritten on disk is answered as it is now, with a
// new tag, whatever its size.
func TestFilesOnDiskChange(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "note.txt")
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	h := FileServer(root.FS(), Options{})
	var tags []string
	for i, body := range []string{"first version\n", "second version\n", "third  version\n"} {
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		// The third write keeps the size: only the time tells it apart.
		if err := os.Chtimes(p, mod, mod.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second answer comes from memory
			w := do(h, "GET", "/note.txt")
			if w.Code != 200 || w.Body.String() != body {
				t.Fatalf("version %d: got %d %q, want 200 %q", i+1, w.Code, w.Body.String(), body)
			}
			if w := do(h, "GET", "/note.txt", "Range", "bytes=0-4"); w.Code != 206 || w.Body.String() != body[:5] {
				t.Errorf("version %d range: got %d %q, want 206 %q", i+1, w.Code, w.Body.String(), body[:5])
			}
		}
		tags = append(tags, do(h, "GET", "/note.txt").Header().Get("ETag"))
	}
	if tags[0] == tags[1] || tags[1] == tags[2] {
		t.Errorf("ETags %q: want a new one for each version", tags)
	}
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if w := do(h, "GET", "/note.txt"); w.Code != 404 {
		t.Errorf("removed file: got %d, want 404", w.Code)
	}
}
