package gemini

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/gmkit/gmkit/serve/policy"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func serveRec(t *testing.T, h Handler, rawURL string) *Recorder {
	t.Helper()
	req, err := NewRequest(rawURL)
	if err != nil {
		t.Fatalf("NewRequest(%q): %v", rawURL, err)
	}
	rec := NewRecorder()
	h.ServeGemini(rec, req)
	return rec
}

func TestFileServer(t *testing.T) {
	h := FileServer(testFS(), Options{Lang: "fr", MIMETypes: map[string]string{".txt": "text/plain; charset=latin1"}})
	tests := []struct {
		path, header, body string
	}{
		{"", "20 text/gemini; charset=utf-8; lang=fr\r\n", "# Home\n"},
		{"/", "20 text/gemini; charset=utf-8; lang=fr\r\n", "# Home\n"},
		{"/about.gmi", "20 text/gemini; charset=utf-8; lang=fr\r\n", "# About\n"},
		{"/notes.txt", "20 text/plain; charset=latin1; lang=fr\r\n", "plain\n"},
		{"/photo.png", "20 image/png\r\n", "\x89PNG"},
		{"/blob.unknownext", "20 application/octet-stream\r\n", "\x00\x01\x02"},
		{"/noext", "20 application/octet-stream\r\n", "\x00\x01\x02"},
		{"/posts", "31 /posts/\r\n", ""},
		{"/posts/", "20 text/gemini; charset=utf-8; lang=fr\r\n", "# Posts\n"},
		{"/files", "31 /files/\r\n", ""},
		{"/files/", "51 Not found\r\n", ""},
		{"/about.gmi/", "51 Not found\r\n", ""},
		{"/.hidden.gmi", "51 Not found\r\n", ""},
		{"/.git/config", "51 Not found\r\n", ""},
		{"/files/.secret", "51 Not found\r\n", ""},
		{"/files/b%20c.txt", "20 text/plain; charset=latin1; lang=fr\r\n", "b"},
		{"/%2e%2e/x", "59 Invalid path\r\n", ""},
		{"/posts/./first.gmi", "59 Invalid path\r\n", ""},
	}
	for _, tt := range tests {
		rec := serveRec(t, h, "gemini://localhost"+tt.path)
		if got := rec.Header(); got != tt.header {
			t.Errorf("%s: header %q, want %q", tt.path, got, tt.header)
		}
		if got := rec.Body.String(); got != tt.body {
			t.Errorf("%s: body %q, want %q", tt.path, got, tt.body)
		}
	}
}

func TestDirectoryListing(t *testing.T) {
	h := FileServer(testFS(), Options{Listing: true})
	for _, tt := range []struct{ path, golden string }{
		{"/files/", "listing-files.gmi"},
		{"/empty/", "listing-empty.gmi"},
	} {
		rec := serveRec(t, h, "gemini://localhost"+tt.path)
		if rec.Status != 20 || rec.Meta != "text/gemini; charset=utf-8" {
			t.Errorf("%s: header %q", tt.path, rec.Header())
		}
		golden := filepath.Join("testdata", tt.golden)
		if *update {
			os.WriteFile(golden, rec.Body.Bytes(), 0o644)
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if got := rec.Body.String(); got != string(want) {
			t.Errorf("%s: got\n%s\nwant\n%s", tt.path, got, want)
		}
	}
}

func TestRedirects(t *testing.T) {
	h := TreeHandler((&policy.Policy{}).Tree(testFS(), DefaultIndex, []policy.Redirect{
		{From: "/old-post/", To: "/posts/new/"},
		{From: "/gone", To: "gemini://elsewhere.example/", Temporary: true},
	}), nil, Options{})
	tests := []struct{ path, want string }{
		{"/old-post/", "31 /posts/new/\r\n"},
		{"/old-post", "31 /posts/new/\r\n"},
		{"/gone", "30 gemini://elsewhere.example/\r\n"},
		{"/gone/", "30 gemini://elsewhere.example/\r\n"},
		{"/about.gmi", "20 text/gemini; charset=utf-8\r\n"},
	}
	for _, tt := range tests {
		if got := serveRec(t, h, "gemini://localhost"+tt.path).Header(); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestRecorderAndHeaderRules(t *testing.T) {
	tests := []struct {
		status Status
		meta   string
		want   string
	}{
		{20, "", "20 text/gemini; charset=utf-8\r\n"},
		{51, "", "51 Not found\r\n"},
		{65, "", "65 Client certificate required\r\n"},
		{7, "x", "40 Invalid response status\r\n"},
		{100, "x", "40 Invalid response status\r\n"},
		{30, "/a\r\n20 text/gemini", "30 /a\r\n"},
	}
	for _, tt := range tests {
		rec := NewRecorder()
		rec.WriteHeader(tt.status, tt.meta)
		rec.WriteHeader(20, "ignored")
		if got := rec.Header(); got != tt.want {
			t.Errorf("WriteHeader(%d, %q): got %q, want %q", tt.status, tt.meta, got, tt.want)
		}
	}
	rec := NewRecorder()
	rec.WriteHeader(51, "")
	if _, err := rec.Write([]byte("x")); err != ErrBodyNotAllowed {
		t.Errorf("Write after 51: %v, want ErrBodyNotAllowed", err)
	}
	long := NewRecorder()
	long.WriteHeader(20, "text/plain; x="+string(make([]byte, 2000)))
	if len(long.Meta) > MaxMetaLength {
		t.Errorf("meta of %d bytes sent", len(long.Meta))
	}
}
