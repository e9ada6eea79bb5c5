package certs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gmkit/gmkit/serve/certs/pebbletest"
)

// serveHTTPS serves a page over TLS with a's certificates, and the HTTP-01
// challenge on httpL, until the returned stop is called.
func serveHTTPS(t *testing.T, a *ACME, tlsL, httpL net.Listener) (stop func()) {
	t.Helper()
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello over https") })
	s1 := &http.Server{Handler: page, TLSConfig: a.TLSConfig()}
	s2 := &http.Server{Handler: a.HTTPHandler(nil)}
	done := make(chan struct{}, 2)
	go func() { s1.ServeTLS(tlsL, "", ""); done <- struct{}{} }()
	go func() { s2.Serve(httpL); done <- struct{}{} }()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s1.Shutdown(ctx)
		s2.Shutdown(ctx)
		<-done
		<-done
	}
}

// fetch gets the page over HTTPS from addr as host, trusting only roots,
// and returns the certificate the server presented.
func fetch(t *testing.T, addr, host string, roots *x509.CertPool) *x509.Certificate {
	t.Helper()
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: host},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 2 * time.Minute}
	resp, err := c.Get("https://" + host + "/")
	if err != nil {
		t.Fatalf("GET https://%s/: %v", host, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "hello over https" {
		t.Fatalf("body: got %q", body)
	}
	return resp.TLS.PeerCertificates[0]
}

// TestACMEWithPebble gets a certificate from a real ACME server (Pebble)
// on loopback, checks that it chains to Pebble's root and is kept in the
// state folder, then restarts with the CA gone and checks that the same
// certificate is served from the folder.
func TestACMEWithPebble(t *testing.T) {
	tlsL, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	httpL, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tlsPort := tlsL.Addr().(*net.TCPAddr).Port
	httpPort := httpL.Addr().(*net.TCPAddr).Port
	p := pebbletest.Start(t, func() (int, int) { return httpPort, tlsPort })
	dir := filepath.Join(t.TempDir(), "acme")
	cfg := ACMEConfig{Dir: dir, Hosts: []string{"gmkit.test", "www.gmkit.test"}, Email: "owner@gmkit.test",
		DirectoryURL: p.DirectoryURL, HTTPClient: p.Client}
	a, err := NewACME(cfg)
	if err != nil {
		t.Fatal(err)
	}
	stop := serveHTTPS(t, a, tlsL, httpL)
	first := fetch(t, tlsL.Addr().String(), "gmkit.test", p.Roots)
	if err := first.VerifyHostname("gmkit.test"); err != nil {
		t.Errorf("certificate: %v", err)
	}
	if !strings.Contains(first.Issuer.CommonName, "Pebble") {
		t.Errorf("issuer: got %q, want Pebble's intermediate", first.Issuer.CommonName)
	}
	www := fetch(t, tlsL.Addr().String(), "www.gmkit.test", p.Roots)
	if err := www.VerifyHostname("www.gmkit.test"); err != nil {
		t.Errorf("www certificate: %v", err)
	}
	stop()
	p.Close()

	for _, name := range []string{"gmkit.test", "www.gmkit.test", "acme_account+key"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("state folder: %v", err)
			continue
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s: mode %v, want private", name, fi.Mode().Perm())
		}
	}

	// Restart with the CA unreachable: only the folder can answer.
	cfg.DirectoryURL = "https://127.0.0.1:1/dir"
	a2, err := NewACME(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tlsL2, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	httpL2, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stop = serveHTTPS(t, a2, tlsL2, httpL2)
	defer stop()
	again := fetch(t, tlsL2.Addr().String(), "gmkit.test", p.Roots)
	if again.SerialNumber.Cmp(first.SerialNumber) != 0 {
		t.Errorf("after restart: serial %v, want the kept %v", again.SerialNumber, first.SerialNumber)
	}
}

func TestNewACMERefusesPrivateNames(t *testing.T) {
	for _, host := range []string{"localhost", "blog.localhost", "127.0.0.1", "::1", "intranet", "bad name"} {
		_, err := NewACME(ACMEConfig{Dir: t.TempDir(), Hosts: []string{host}})
		if err == nil {
			t.Errorf("%q: no error", host)
		}
	}
	if _, err := NewACME(ACMEConfig{Hosts: []string{"example.org"}}); err == nil {
		t.Error("no folder: no error")
	}
	if _, err := NewACME(ACMEConfig{Dir: t.TempDir()}); err == nil {
		t.Error("no hosts: no error")
	}
	a, err := NewACME(ACMEConfig{Dir: t.TempDir(), Hosts: []string{"Example.ORG."}})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Has("example.org") || !a.Has("EXAMPLE.org.") || a.Has("other.org") {
		t.Errorf("Has: wrong answers for %v", a.Hosts())
	}
}
