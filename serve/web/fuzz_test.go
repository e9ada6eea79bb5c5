package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/net/http/httpguts"

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

// FuzzParseCGI splits arbitrary script output as a CGI answer. It must
// never panic; what it accepts has a status from 100 to 999, headers
// net/http can send, and a body that is the output's tail. Seeds are in
// testdata/fuzz/FuzzParseCGI.
func FuzzParseCGI(f *testing.F) {
	log := slog.New(slog.DiscardHandler)
	f.Fuzz(func(t *testing.T, out []byte) {
		code, hdr, body, ok := parseCGI(out, log)
		if !ok {
			return
		}
		if code < 100 || code > 999 {
			t.Fatalf("%q: status %d", out, code)
		}
		if !bytes.HasSuffix(out, body) {
			t.Fatalf("%q: body %q is not the output's tail", out, body)
		}
		for k, vs := range hdr {
			for _, v := range vs {
				if !httpguts.ValidHeaderFieldName(k) || !httpguts.ValidHeaderFieldValue(v) {
					t.Fatalf("%q: header %q: %q passed", out, k, v)
				}
			}
		}
	})
}
