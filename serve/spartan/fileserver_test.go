package spartan

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gmkit/gmkit/serve/policy"
)

func testCapsule() fstest.MapFS {
	return fstest.MapFS{
		"index.gmi":             {Data: []byte("# Home\n=> /posts/ Posts\n")},
		"posts/index.gmi":       {Data: []byte("# Posts\n")},
		"posts/hello/index.gmi": {Data: []byte("# Hello\n")},
		"notes.txt":             {Data: []byte("plain notes\n")},
		"map.png":               {Data: []byte("\x89PNG")},
		"files/a.txt":           {Data: []byte("a\n")},
		".secret":               {Data: []byte("no")},
		"private/index.gmi":     {Data: []byte("# Private\n")},
	}
}

// TestTreeHandler drives TreeHandler with a Recorder: every decision of
// the policy, in Spartan's words.
func TestTreeHandler(t *testing.T) {
	pol := &policy.Policy{Listing: true, Rules: []policy.Rule{{Prefix: "/private/"}}}
	redirects := []policy.Redirect{{From: "/old/", To: "/posts/"}, {From: "/away/", To: "gemini://example.net/"}}
	h := TreeHandler(pol.Tree(testCapsule(), DefaultIndex, redirects), nil, Options{})
	tests := []struct {
		line, data string
		status     Status
		meta       string
		body       string
	}{
		{"localhost / 0", "", StatusSuccess, "text/gemini; charset=utf-8", "# Home\n=> /posts/ Posts\n"},
		{"localhost /posts/hello/ 0", "", StatusSuccess, "text/gemini; charset=utf-8", "# Hello\n"},
		{"localhost /posts 0", "", StatusRedirect, "/posts/", ""},
		{"localhost /notes.txt 0", "", StatusSuccess, "text/plain; charset=utf-8", "plain notes\n"},
		{"localhost /map.png 0", "", StatusSuccess, "image/png", "\x89PNG"},
		{"localhost /files/ 0", "", StatusSuccess, "text/gemini; charset=utf-8", "# Index of /files/\n\n=> ../ ..\n=> a.txt a.txt\n"},
		{"localhost /old/ 0", "", StatusRedirect, "/posts/", ""},
		{"localhost /old 0", "", StatusRedirect, "/posts/", ""},
		{"localhost /away/ 0", "", StatusSuccess, "text/gemini", "# Moved\n\n=> gemini://example.net/\n"},
		{"localhost /private/ 0", "", StatusClientError, CertMessage, ""},
		{"localhost /.secret 0", "", StatusClientError, "Not found", ""},
		{"localhost /missing 0", "", StatusClientError, "Not found", ""},
		{"localhost /notes.txt/ 0", "", StatusClientError, "Not found", ""},
		{"localhost /cgi-bin/x 0", "", StatusClientError, "Not found", ""},
		{"localhost /notes.txt 5", "hello", StatusClientError, "Uploads go to scripts only", ""},
	}
	for _, tt := range tests {
		rec := NewRecorder()
		h.ServeSpartan(rec, NewRequest(tt.line, []byte(tt.data)))
		if rec.Status != tt.status || rec.Meta != tt.meta || rec.Body.String() != tt.body {
			t.Errorf("%q: got %d %q %q, want %d %q %q", tt.line, rec.Status, rec.Meta, rec.Body.String(), tt.status, tt.meta, tt.body)
		}
	}
}

// TestTreeHandlerCGIMount: with a CGI mount and no runner, script paths
// answer "not found" rather than falling through to files.
func TestTreeHandlerCGIMount(t *testing.T) {
	fsys := testCapsule()
	fsys["cgi-bin/x"] = &fstest.MapFile{Data: []byte("#!/bin/sh\n")}
	pol := &policy.Policy{CGIMount: policy.DefaultCGIMount}
	rec := NewRecorder()
	TreeHandler(pol.Tree(fsys, DefaultIndex, nil), nil, Options{}).ServeSpartan(rec, NewRequest("localhost /cgi-bin/x 0", nil))
	if rec.Status != StatusClientError || strings.Contains(rec.Body.String(), "#!") {
		t.Errorf("script path without a runner: %d %q %q", rec.Status, rec.Meta, rec.Body.String())
	}
}
