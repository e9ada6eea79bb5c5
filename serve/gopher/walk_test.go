package gopher

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gmkit/gmkit/serve/cgi"
	"github.com/gmkit/gmkit/serve/gopher/gophertest"
)

// TestWalkHole walks every item reachable from the root of the test hole,
// CGI search included, and expects nothing dangling.
func TestWalkHole(t *testing.T) {
	hole := testHole()
	hole["gophermap"].Data = append(hole["gophermap"].Data, "1Hand written\t/hand/\tgopher.example\t70\n1No map\tnomap\tgopher.example\t70\n"...)
	h := &CGIHandler{Runner: &cgi.Runner{Dir: writeScripts(t)}}
	addr := startServer(t, &Server{Handler: siteHandler(h, hole, Options{RewriteFrom: "gopher.example:70"})})
	visits, err := gophertest.Walk(t.Context(), addr, gophertest.Options{})
	if err != nil {
		t.Fatalf("walk found problems:\n%v", err)
	}
	fetched := map[string]bool{}
	for _, v := range visits {
		if v.Fetched {
			fetched[v.Selector] = true
		}
	}
	for _, sel := range []string{"", "/posts/", "/posts/hello.txt", "/about.txt", "/cgi-bin/search", "URL:https://example.org/",
		"/hand/", "/hand/note.txt", "/hand/zz.bin", "nomap", "/nomap/b.png", "/nomap/sub/", "/nomap/sub/x.txt"} {
		if !fetched[sel] {
			t.Errorf("walk did not fetch %q", sel)
		}
	}
	for _, v := range visits {
		if v.Host == "other.example" && v.Fetched {
			t.Errorf("walk fetched %q from another host", v.Selector)
		}
	}
}

// TestWalkFindsDangling checks the walker itself: a link to a missing
// selector, an error line and a malformed menu are reported.
func TestWalkFindsDangling(t *testing.T) {
	hole := fstest.MapFS{
		"gophermap": {Data: []byte("0Gone\t/gone.txt\n1Broken\t/broken/\n0Fine\t/fine.txt\n")},
		"fine.txt":  {Data: []byte("fine\n")},
	}
	broken := HandlerFunc(func(w ResponseWriter, r *Request) {
		if r.Selector == "/broken/" {
			w.Write([]byte("iNo host\r\n3Oops\t\terror.host\t1\r\n"))
			return
		}
		FileServer(hole, Options{Listing: true}).ServeGopher(w, r)
	})
	addr := startServer(t, &Server{Handler: broken})
	_, err := gophertest.Walk(t.Context(), addr, gophertest.Options{})
	if err == nil {
		t.Fatal("walk over a hole with dangling items reported no problem")
	}
	for _, want := range []string{`"/gone.txt"`, "answered with an error item: Not found", `"/broken/"`, "does not end with .CRLF"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("walk error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "fine.txt") {
		t.Errorf("walk error %q blames a fine item", err)
	}
}
