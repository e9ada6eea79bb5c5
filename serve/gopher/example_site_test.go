package gopher

import (
	"github.com/gmkit/gmkit/build/gophermap"
	"net"
	"path/filepath"
	"testing"

	"github.com/gmkit/gmkit/build"
	"github.com/gmkit/gmkit/serve/cgi"
	"github.com/gmkit/gmkit/serve/gopher/gophertest"
)

// TestWalkContentExample builds the example site into memory, serves its
// Gopher hole over TCP with the example's CGI scripts (their search is a
// type-7 item), and walks every item reachable from the root: nothing may
// dangle.
func TestWalkContentExample(t *testing.T) {
	site, err := filepath.Abs(filepath.Join("..", "..", "content-example"))
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port // the built menus name it
	cfg := build.Config{Dir: site, Hostname: "127.0.0.1"}
	cfg.Set("gopher", "port", port)
	res, err := build.NewBuilder(cfg).Build(t.Context())
	if err != nil {
		l.Close()
		t.Fatalf("building %s: %v", site, err)
	}
	hole, err := res.Output.Sub("gopher")
	if err != nil {
		l.Close()
		t.Fatal(err)
	}
	h := &CGIHandler{Runner: &cgi.Runner{Dir: filepath.Join(site, "cgi-bin")}}
	s := &Server{Handler: siteHandler(h, hole, Options{})}
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(l) }()
	t.Cleanup(func() {
		s.Close()
		<-errc
	})
	visits, err := gophertest.Walk(t.Context(), l.Addr().String(), gophertest.Options{Search: "antenna"})
	if err != nil {
		t.Fatalf("walking the served content-example:\n%v", err)
	}
	kinds := map[string]int{}
	fetched, hits := 0, 0
	for _, v := range visits {
		if v.From == "/cgi-bin/search" && v.Type == gophermap.TypeMenu && v.Selector != "" {
			hits++ // a post found by the search for "antenna"
		}
		if v.Fetched {
			fetched++
			kinds[string(v.Type)]++
		}
	}
	t.Logf("fetched %d items from the example hole, by type: %v", fetched, kinds)
	if hits == 0 {
		t.Errorf("the type-7 search for %q listed no post", "antenna")
	}
	if kinds["1"] < 3 || kinds["7"] < 1 {
		t.Errorf("walk fetched %d menus and %d searches; want the site's menus and its type-7 search", kinds["1"], kinds["7"])
	}
}
