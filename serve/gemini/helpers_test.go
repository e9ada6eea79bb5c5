package gemini

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gmkit/gmkit/serve/certs"
)

// testFS is the capsule most tests serve.
func testFS() fstest.MapFS {
	return fstest.MapFS{
		"index.gmi":           {Data: []byte("# Home\n")},
		"about.gmi":           {Data: []byte("# About\n")},
		"notes.txt":           {Data: []byte("plain\n")},
		"photo.png":           {Data: []byte("\x89PNG")},
		"blob.unknownext":     {Data: []byte{0, 1, 2}},
		"noext":               {Data: []byte{0, 1, 2}},
		"posts/index.gmi":     {Data: []byte("# Posts\n")},
		"posts/first.gmi":     {Data: []byte("# First\n")},
		"empty/.keep":         {Data: []byte("")},
		"files/a.gmi":         {Data: []byte("a")},
		"files/b c.txt":       {Data: []byte("b")},
		"files/.secret":       {Data: []byte("s")},
		"files/sub/x.gmi":     {Data: []byte("x")},
		".hidden.gmi":         {Data: []byte("hidden")},
		".git/config":         {Data: []byte("hidden")},
		"exactly/placeholder": {Data: []byte("")},
	}
}

type testServer struct {
	srv  *Server
	addr string
	port int
	done chan error
}

// base returns "gemini://localhost:PORT".
func (ts *testServer) base() string { return "gemini://localhost:" + strconv.Itoa(ts.port) }

func startServer(t *testing.T, srv *Server) *testServer {
	t.Helper()
	if srv.GetCertificate == nil && srv.TLSConfig == nil {
		store, err := certs.New(certs.Config{Dir: t.TempDir(), Hosts: []string{"localhost"}})
		if err != nil {
			t.Fatal(err)
		}
		srv.GetCertificate = store.GetCertificate
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{srv: srv, addr: l.Addr().String(), port: l.Addr().(*net.TCPAddr).Port, done: make(chan error, 1)}
	go func() { ts.done <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-ts.done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return ts
}

func clientConfig() *tls.Config {
	return &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"}
}

// rawRequest sends raw bytes verbatim over TLS and returns the whole answer.
func rawRequest(t *testing.T, addr, raw string, cfg *tls.Config) (string, error) {
	t.Helper()
	if cfg == nil {
		cfg = clientConfig()
	}
	c, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if _, err := io.WriteString(c, raw); err != nil {
		return "", err
	}
	b, err := io.ReadAll(c)
	return string(b), err
}

// get sends one request line and splits the answer into header and body.
func get(t *testing.T, addr, line string, cfg *tls.Config) (header, body string) {
	t.Helper()
	resp, err := rawRequest(t, addr, line+"\r\n", cfg)
	if err != nil {
		t.Fatalf("request %q: %v", line, err)
	}
	header, body, found := strings.Cut(resp, "\r\n")
	if !found {
		t.Fatalf("request %q: answer %q has no CRLF", line, resp)
	}
	return header, body
}

// clientCert makes a client certificate, self-signed unless a CA is given.
func clientCert(t *testing.T, cn string, notBefore, notAfter time.Time, ca *tls.Certificate, isCA bool) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    notBefore, NotAfter: notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true, IsCA: isCA,
	}
	parent, signer := tmpl, any(key)
	if ca != nil {
		parent, signer = ca.Leaf, ca.PrivateKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

func withCert(c tls.Certificate) *tls.Config {
	cfg := clientConfig()
	cfg.Certificates = []tls.Certificate{c}
	return cfg
}
