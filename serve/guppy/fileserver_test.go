package guppy

import (
	"testing"
	"testing/fstest"
)

func testFS() fstest.MapFS {
	return fstest.MapFS{
		"index.gmi":           {Data: []byte("# Home\n")},
		"posts/index.gmi":     {Data: []byte("# Posts\n")},
		"posts/first.gmi":     {Data: []byte("# First\n")},
		"notes.txt":           {Data: []byte("plain\n")},
		"feed.atom":           {Data: []byte("<feed/>")},
		"img/cat.png":         {Data: []byte("\x89PNG")},
		"blob.unknownext":     {Data: []byte{0, 1, 2}},
		"empty/readme.gmi":    {Data: []byte("x")},
		".secret":             {Data: []byte("no")},
		".git/config":         {Data: []byte("no")},
		"posts/.draft.gmi":    {Data: []byte("no")},
		"caf\u00e9/index.gmi": {Data: []byte("# Caf\u00e9\n")},
		"with space.gmi":      {Data: []byte("spaced")},
	}
}

func TestFileServer(t *testing.T) {
	tests := []struct {
		url    string
		status Status
		meta   string
		body   string
	}{
		{"guppy://h", StatusSuccess, "text/gemini; charset=utf-8", "# Home\n"},
		{"guppy://h/", StatusSuccess, "text/gemini; charset=utf-8", "# Home\n"},
		{"guppy://h/index.gmi", StatusSuccess, "text/gemini; charset=utf-8", "# Home\n"},
		{"guppy://h/posts", StatusRedirect, "/posts/", ""},
		{"guppy://h/posts?q=1", StatusRedirect, "/posts/", ""},
		{"guppy://h/posts/", StatusSuccess, "text/gemini; charset=utf-8", "# Posts\n"},
		{"guppy://h/posts/first.gmi", StatusSuccess, "text/gemini; charset=utf-8", "# First\n"},
		{"guppy://h/posts/first.gmi/", StatusError, "not found", ""},
		{"guppy://h/notes.txt", StatusSuccess, "text/plain; charset=utf-8", "plain\n"},
		{"guppy://h/feed.atom", StatusSuccess, "application/atom+xml", "<feed/>"},
		{"guppy://h/img/cat.png", StatusSuccess, "image/png", "\x89PNG"},
		{"guppy://h/blob.unknownext", StatusSuccess, "application/octet-stream", "\x00\x01\x02"},
		{"guppy://h/empty/", StatusError, "not found", ""},
		{"guppy://h/missing.gmi", StatusError, "not found", ""},
		{"guppy://h/caf%C3%A9/", StatusSuccess, "text/gemini; charset=utf-8", "# Caf\u00e9\n"},
		{"guppy://h/caf%C3%A9", StatusRedirect, "/caf%C3%A9/", ""},
		{"guppy://h/with%20space.gmi", StatusSuccess, "text/gemini; charset=utf-8", "spaced"},
		// Hidden files.
		{"guppy://h/.secret", StatusError, "not found", ""},
		{"guppy://h/.git/config", StatusError, "not found", ""},
		{"guppy://h/posts/.draft.gmi", StatusError, "not found", ""},
		{"guppy://h/%2esecret", StatusError, "not found", ""},
		// No way out of the root, in any encoding.
		{"guppy://h/../index.gmi", StatusError, "bad request", ""},
		{"guppy://h/posts/../index.gmi", StatusError, "bad request", ""},
		{"guppy://h/%2e%2e/index.gmi", StatusError, "bad request", ""},
		{"guppy://h/%2E%2E/%2E%2E/etc/passwd", StatusError, "bad request", ""},
		{"guppy://h/posts%2ffirst.gmi", StatusError, "bad request", ""},
		{"guppy://h/posts%2Ffirst.gmi", StatusError, "bad request", ""},
		{"guppy://h/posts%5cfirst.gmi", StatusError, "bad request", ""},
		{"guppy://h//index.gmi", StatusError, "bad request", ""},
		{"guppy://h/./index.gmi", StatusError, "bad request", ""},
		{"guppy://h/index.gmi%00", StatusError, "bad request", ""},
	}
	h := FileServer(testFS(), Options{})
	for _, tt := range tests {
		rec := NewRecorder()
		h.ServeGuppy(rec, NewRequest(tt.url))
		if rec.Status != tt.status || rec.Meta != tt.meta || rec.Body.String() != tt.body {
			t.Errorf("%s: got %d %q %q, want %d %q %q", tt.url, rec.Status, rec.Meta, rec.Body.String(), tt.status, tt.meta, tt.body)
		}
	}
}

func TestFileServerOptions(t *testing.T) {
	fsys := fstest.MapFS{
		"home.gmi": {Data: []byte("home")},
		"big.gmi":  {Data: make([]byte, 100)},
		"x.foo":    {Data: []byte("foo")},
	}
	h := FileServer(fsys, Options{Index: "home.gmi", Lang: "en", MaxFileSize: 50, MIMETypes: map[string]string{".foo": "text/x-foo"}})
	tests := []struct {
		url    string
		status Status
		meta   string
	}{
		{"guppy://h/", StatusSuccess, "text/gemini; charset=utf-8; lang=en"},
		{"guppy://h/big.gmi", StatusError, "file too large"},
		{"guppy://h/x.foo", StatusSuccess, "text/x-foo; charset=utf-8; lang=en"},
	}
	for _, tt := range tests {
		rec := NewRecorder()
		h.ServeGuppy(rec, NewRequest(tt.url))
		if rec.Status != tt.status || rec.Meta != tt.meta {
			t.Errorf("%s: got %d %q, want %d %q", tt.url, rec.Status, rec.Meta, tt.status, tt.meta)
		}
	}
}

func TestRecorder(t *testing.T) {
	rec := NewRecorder()
	if _, err := rec.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	if rec.Status != StatusSuccess || rec.Meta != "text/gemini" {
		t.Errorf("implicit header: got %d %q, want 2 text/gemini", rec.Status, rec.Meta)
	}
	rec = NewRecorder()
	rec.WriteHeader(StatusError, "gone\r\nInjected: yes")
	rec.WriteHeader(StatusSuccess, "text/plain")
	if _, err := rec.Write([]byte("x")); err != ErrBodyNotAllowed {
		t.Errorf("Write after an error header: got %v, want ErrBodyNotAllowed", err)
	}
	if rec.Status != StatusError || rec.Meta != "gone  Injected: yes" {
		t.Errorf("got %d %q, want the first header with CRLF blanked", rec.Status, rec.Meta)
	}
}
