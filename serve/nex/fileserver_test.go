package nex

import (
	"testing"
	"testing/fstest"
	"time"

	"github.com/gmkit/gmkit/serve/policy"
)

func testCapsule() fstest.MapFS {
	return fstest.MapFS{
		"index.gmi":             {Data: []byte("# Home\n\n=> posts/ Posts\n=> /cgi-bin/search Search\n")},
		"posts/index.gmi":       {Data: []byte("# Posts\n\n=> hello/ Hello\n")},
		"posts/hello/index.gmi": {Data: []byte("## Hello\n\nText.\n")},
		"notes.txt":             {Data: []byte("plain notes\n")},
		"files/a.txt":           {Data: []byte("a\n")},
		".secret":               {Data: []byte("no")},
		"private/index.gmi":     {Data: []byte("# Private\n")},
		"cgi-bin/search":        {Data: []byte("#!/bin/sh\n")},
	}
}

// TestTreeHandler drives TreeHandler with a Recorder: every decision of
// the policy, in Nex's words.
func TestTreeHandler(t *testing.T) {
	pol := &policy.Policy{Listing: true, CGIMount: policy.DefaultCGIMount, Rules: []policy.Rule{{Prefix: "/private/"}}}
	h := TreeHandler(pol.Tree(testCapsule(), DefaultIndex, []policy.Redirect{{From: "/old/", To: "/posts/"}}), Options{})
	const home = "Home\n====\n\n=> /posts/ Posts\n"
	tests := []struct {
		path string
		kind Kind
		want string
	}{
		{"", KindListing, home},
		{"/", KindListing, home},
		{"posts/", KindListing, "Posts\n=====\n\n=> /posts/hello/ Hello\n"},
		{"/posts", KindListing, "Posts\n=====\n\n=> /posts/hello/ Hello\n"},
		{"posts/hello/", KindListing, "Hello\n-----\n\nText.\n"},
		{"notes.txt", KindDocument, "plain notes\n"},
		{"/index.gmi", KindDocument, "# Home\n\n=> posts/ Posts\n=> /cgi-bin/search Search\n"},
		{"files/", KindListing, "Index of /files/\n================\n\n=> / ..\n=> /files/a.txt a.txt\n"},
		{"old/", KindListing, "Moved\n\n=> /posts/\n"},
		{"private/", KindError, CertMessage + "\n"},
		{".secret", KindError, NotFoundText},
		{"missing/", KindError, NotFoundText},
		{"cgi-bin/search", KindError, NotFoundText},
		{"../etc/passwd", KindError, BadPathText},
		{"%2e%2e/etc/passwd", KindError, BadPathText},
		{"posts/%2e%2e/%2e%2e/etc/passwd", KindError, BadPathText},
		{"posts%2fhello/", KindError, BadPathText},
		{"a%00b", KindError, BadPathText},
		{"notes.txt/", KindError, NotFoundText},
		{"%6eotes.txt", KindDocument, "plain notes\n"},
	}
	for _, tt := range tests {
		rec := NewRecorder()
		h.ServeNex(rec, NewRequest(tt.path))
		if rec.Kind != tt.kind || rec.Body.String() != tt.want {
			t.Errorf("%q: got %v %q, want %v %q", tt.path, rec.Kind, rec.Body.String(), tt.kind, tt.want)
		}
	}
}

// TestTreeHandlerRenderCache: a page is rendered once and kept, and a file
// that changes under the same handler (a folder on disk) is rendered again.
func TestTreeHandlerRenderCache(t *testing.T) {
	fsys := testCapsule()
	h := TreeHandler((&policy.Policy{}).Tree(fsys, DefaultIndex, nil), Options{})
	get := func() string {
		rec := NewRecorder()
		h.ServeNex(rec, NewRequest("posts/hello/"))
		return rec.Body.String()
	}
	first := get()
	if again := get(); again != first || first != "Hello\n-----\n\nText.\n" {
		t.Fatalf("two requests: %q then %q", first, again)
	}
	fsys["posts/hello/index.gmi"] = &fstest.MapFile{Data: []byte("## Hello again\n"), ModTime: time.Unix(1e9, 0)}
	if got := get(); got != "Hello again\n-----------\n" {
		t.Errorf("after the file changed: %q", got)
	}
}
