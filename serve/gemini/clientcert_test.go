package gemini

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gmkit/gmkit/serve/policy"
)

func TestRequireCertificate(t *testing.T) {
	now := time.Now()
	ca := clientCert(t, "CA", now.Add(-time.Hour), now.Add(time.Hour), nil, true)
	pool := x509.NewCertPool()
	pool.AddCert(ca.Leaf)
	good := clientCert(t, "good", now.Add(-time.Hour), now.Add(time.Hour), nil, false)
	other := clientCert(t, "other", now.Add(-time.Hour), now.Add(time.Hour), nil, false)
	expired := clientCert(t, "old", now.Add(-2*time.Hour), now.Add(-time.Hour), nil, false)
	signed := clientCert(t, "member", now.Add(-time.Hour), now.Add(time.Hour), &ca, false)
	sum := sha256.Sum256(good.Leaf.Raw)
	fp := hex.EncodeToString(sum[:]) // lower case, no colons: still matches

	files := fstest.MapFS{}
	for _, d := range []string{"public", "any/x", "pinned/x", "members/x"} {
		files[d] = &fstest.MapFile{Data: []byte("ok")}
	}
	pol := &policy.Policy{Rules: []policy.Rule{
		{Prefix: "/any/"},
		{Prefix: "/pinned/", Fingerprints: []string{fp}},
		{Prefix: "/members/", AllowVerified: true},
	}}
	ts := startServer(t, &Server{ClientCAs: pool, Handler: TreeHandler(pol.Tree(files, DefaultIndex, nil), nil, Options{MIMETypes: map[string]string{"": "text/gemini"}})})
	tests := []struct {
		path string
		cert *tlsCert
		want string
	}{
		{"/public", nil, "20 text/gemini; charset=utf-8"},
		{"/any/x", nil, "60 Client certificate required"},
		{"/any/x", &tlsCert{other}, "20 text/gemini; charset=utf-8"},
		{"/any/x", &tlsCert{expired}, "62 Certificate expired or not yet valid"},
		{"/pinned/x", &tlsCert{good}, "20 text/gemini; charset=utf-8"},
		{"/pinned/x", &tlsCert{other}, "61 Certificate not authorised"},
		{"/members/x", &tlsCert{signed}, "20 text/gemini; charset=utf-8"},
		{"/members/x", &tlsCert{good}, "61 Certificate not authorised"},
		{"/members/x", nil, "60 Client certificate required"},
	}
	for _, tt := range tests {
		cfg := clientConfig()
		name := "none"
		if tt.cert != nil {
			cfg = withCert(tt.cert.c)
			name = tt.cert.c.Leaf.Subject.CommonName
		}
		if h, _ := get(t, ts.addr, ts.base()+tt.path, cfg); h != tt.want {
			t.Errorf("%s with %s: got %q, want %q", tt.path, name, h, tt.want)
		}
	}
}

// TestNoClientCerts: a server that nothing served needs a certificate for
// does not ask for one in the handshake; one that may need it asks every
// client, so that a path under an access rule can be answered.
func TestNoClientCerts(t *testing.T) {
	now := time.Now()
	cert := clientCert(t, "reader", now.Add(-time.Hour), now.Add(time.Hour), nil, false)
	files := fstest.MapFS{"index.gmi": {Data: []byte("# hi\n")}}
	for _, no := range []bool{true, false} {
		ts := startServer(t, &Server{NoClientCerts: no, Handler: FileServer(files, Options{})})
		asked := 0
		cfg := clientConfig()
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			asked++
			return &cert, nil
		}
		if h, _ := get(t, ts.addr, ts.base()+"/", cfg); !strings.HasPrefix(h, "20 ") {
			t.Errorf("NoClientCerts %v: got %q, want 20", no, h)
		}
		if want := map[bool]int{true: 0, false: 1}[no]; asked != want {
			t.Errorf("NoClientCerts %v: the client was asked for a certificate %d times, want %d", no, asked, want)
		}
	}
}
