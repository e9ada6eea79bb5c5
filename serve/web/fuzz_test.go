package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gmkit/gmkit/serve/policy"
)

// FuzzServe sends arbitrary request targets and Accept-Encoding and Range
// headers to the handler every HTTP request reaches. It must never panic,
// never fail with a 5xx, and never send a dotfile's bytes. Seeds are in
// testdata/fuzz/FuzzServe.
func FuzzServe(f *testing.F) {
	pol := &policy.Policy{Hostnames: []string{"example.org"}}
	h := Headers(TreeHandler(pol.Tree(site(), DefaultIndex, []policy.Redirect{{From: "/old/", To: "/posts/hello/"}}), nil, Options{Listing: true}), HeaderOptions{})
	f.Fuzz(func(t *testing.T, target, acceptEncoding, rng string) {
		if !strings.HasPrefix(target, "/") {
			target = "/" + target
		}
		r, err := http.NewRequest("GET", "http://example.org"+target, nil)
		if err != nil || r.URL.Host != "example.org" {
			return // not a request a server could be sent
		}
		r.Header.Set("Accept-Encoding", acceptEncoding)
		r.Header.Set("Range", rng)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%q: status %d", target, w.Code)
		}
		if strings.Contains(w.Body.String(), "secret") || strings.Contains(w.Body.String(), "hidden") {
			t.Fatalf("%q: a dotfile was served: %q", target, w.Body.String())
		}
	})
}
