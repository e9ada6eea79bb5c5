package gemini

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gmkit/gmkit/serve/cgi"
)

// cgiServer serves scripts (name -> sh body) under /cgi-bin/ and the test
// capsule elsewhere.
func cgiServer(t *testing.T, scripts map[string]string, srv *Server) *testServer {
	t.Helper()
	dir := t.TempDir()
	for name, body := range scripts { // all written before any runs
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ch := &CGIHandler{Runner: &cgi.Runner{Dir: dir, Timeout: 1500 * time.Millisecond}, Mount: "/cgi-bin", DocumentRoot: "/srv"}
	fsrv := FileServer(testFS(), Options{})
	srv.Handler = HandlerFunc(func(w ResponseWriter, r *Request) {
		if strings.HasPrefix(r.URL.Path, "/cgi-bin/") {
			ch.ServeGemini(w, r)
			return
		}
		fsrv.ServeGemini(w, r)
	})
	return startServer(t, srv)
}

func envMap(body string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(body, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			m[k] = v
		}
	}
	return m
}

var cgiScripts = map[string]string{
	"env":      "printf '20 text/plain\\r\\n'; env\n",
	"lf":       "echo '20 text/gemini'; echo '# hi'\n",
	"slow":     "sleep 5; printf '20 text/plain\\r\\nlate'\n",
	"bad":      "echo 'hello world'\n",
	"badmime":  "printf '20 not a mime\\r\\n'\n",
	"empty":    "exit 0\n",
	"notfound": "printf '51 No such thing\\r\\nbody ignored'\n",
	"ask": `if [ -z "$QUERY_STRING" ]; then printf '10 Your name?\r\n'; else printf '20 text/gemini\r\nHello, %s!\n' "$GEMINI_SEARCH_STRING"; fi
`,
}

func TestCGI(t *testing.T) {
	ts := cgiServer(t, cgiScripts, &Server{})
	b := ts.base()
	tests := []struct{ line, header, body string }{
		{b + "/cgi-bin/lf", "20 text/gemini", "# hi\n"},
		{b + "/cgi-bin/slow", "42 CGI script timed out", ""},
		{b + "/cgi-bin/bad", "42 CGI script sent an invalid header", ""},
		{b + "/cgi-bin/badmime", "42 CGI script sent an invalid header", ""},
		{b + "/cgi-bin/empty", "42 CGI script sent an invalid header", ""},
		{b + "/cgi-bin/notfound", "51 No such thing", ""},
		{b + "/cgi-bin/missing", "51 Not found", ""},
		{b + "/cgi-bin/ask", "10 Your name?", ""},
		{b + "/cgi-bin/ask?J%C3%BCrgen%20M+M", "20 text/gemini", "Hello, Jürgen M+M!\n"},
	}
	for _, tt := range tests {
		h, body := get(t, ts.addr, tt.line, nil)
		if h != tt.header || body != tt.body {
			t.Errorf("%s: got %q %q, want %q %q", tt.line, h, body, tt.header, tt.body)
		}
	}
}

func TestCGIEnvironment(t *testing.T) {
	ts := cgiServer(t, cgiScripts, &Server{})
	h, body := get(t, ts.addr, ts.base()+"/cgi-bin/env/extra/path?q%20x", nil)
	if h != "20 text/plain" {
		t.Fatalf("header %q", h)
	}
	env := envMap(body)
	want := map[string]string{
		"GATEWAY_INTERFACE":    "CGI/1.1",
		"SERVER_PROTOCOL":      "GEMINI",
		"SERVER_NAME":          "localhost",
		"SERVER_PORT":          itoa(ts.port),
		"SCRIPT_NAME":          "/cgi-bin/env",
		"PATH_INFO":            "/extra/path",
		"PATH_TRANSLATED":      "/srv/extra/path",
		"QUERY_STRING":         "q%20x",
		"REMOTE_ADDR":          "127.0.0.1",
		"GEMINI_URL":           ts.base() + "/cgi-bin/env/extra/path?q%20x",
		"GEMINI_URL_PATH":      "/cgi-bin/env/extra/path",
		"GEMINI_SEARCH_STRING": "q x",
		"TLS_VERSION":          "TLSv1.3",
		"AUTH_TYPE":            "",
		"DOCUMENT_ROOT":        "/srv",
	}
	for k, v := range want {
		if got, ok := env[k]; !ok || got != v {
			t.Errorf("%s = %q (set %v), want %q", k, got, ok, v)
		}
	}
	for _, k := range []string{"TLS_CIPHER", "REMOTE_PORT", "SCRIPT_FILENAME"} {
		if env[k] == "" {
			t.Errorf("%s empty", k)
		}
	}
	if _, ok := env["TLS_CLIENT_HASH"]; ok {
		t.Error("TLS_CLIENT_HASH set without a client certificate")
	}
}

func TestCGIClientCertificate(t *testing.T) {
	now := time.Now()
	ca := clientCert(t, "Test CA", now.Add(-time.Hour), now.Add(time.Hour), nil, true)
	pool := x509.NewCertPool()
	pool.AddCert(ca.Leaf)
	signed := clientCert(t, "alice", now.Add(-time.Hour), now.Add(time.Hour), &ca, false)
	self := clientCert(t, "mallory", now.Add(-time.Hour), now.Add(time.Hour), nil, false)
	ts := cgiServer(t, cgiScripts, &Server{ClientCAs: pool})

	for _, tt := range []struct {
		cert       *tlsCert
		cn, authed string
	}{
		{&tlsCert{signed}, "alice", "1"},
		{&tlsCert{self}, "mallory", "0"},
	} {
		h, body := get(t, ts.addr, ts.base()+"/cgi-bin/env", withCert(tt.cert.c))
		if h != "20 text/plain" {
			t.Fatalf("header %q: self-signed certificates must be accepted", h)
		}
		env := envMap(body)
		sum := sha256.Sum256(tt.cert.c.Leaf.Raw)
		want := map[string]string{
			"AUTH_TYPE":                "Certificate",
			"REMOTE_USER":              tt.cn,
			"TLS_CLIENT_HASH":          "SHA256:" + strings.ToUpper(hex.EncodeToString(sum[:])),
			"TLS_CLIENT_SUBJECT":       "CN=" + tt.cn,
			"TLS_CLIENT_SUBJECT_CN":    tt.cn,
			"TLS_CLIENT_ISSUER":        tt.cert.c.Leaf.Issuer.String(),
			"TLS_CLIENT_NOT_AFTER":     tt.cert.c.Leaf.NotAfter.UTC().Format(time.RFC3339),
			"TLS_CLIENT_NOT_BEFORE":    tt.cert.c.Leaf.NotBefore.UTC().Format(time.RFC3339),
			"TLS_CLIENT_SERIAL_NUMBER": tt.cert.c.Leaf.SerialNumber.String(),
			"TLS_CLIENT_AUTHORISED":    tt.authed,
		}
		for k, v := range want {
			if env[k] != v {
				t.Errorf("%s: %s = %q, want %q", tt.cn, k, env[k], v)
			}
		}
	}
}

type tlsCert struct{ c tls.Certificate }
