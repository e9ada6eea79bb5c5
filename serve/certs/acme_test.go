package certs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/letsencrypt/pebble/v2/ca"
	"github.com/letsencrypt/pebble/v2/db"
	"github.com/letsencrypt/pebble/v2/va"
	"github.com/letsencrypt/pebble/v2/wfe"
	"github.com/miekg/dns"
)

// pebble is Let's Encrypt's test ACME server, run in the test process on
// loopback. Its validation authority really checks the challenges: it
// resolves names through dnsAddr and connects to 127.0.0.1 on the given
// HTTP and TLS ports.
type pebble struct {
	dirURL string
	client *http.Client
	roots  *x509.CertPool
	close  func()
}

func startPebble(t *testing.T, httpPort, tlsPort int, dnsAddr string) *pebble {
	t.Helper()
	t.Setenv("PEBBLE_VA_NOSLEEP", "1")
	t.Setenv("PEBBLE_WFE_NONCEREJECT", "0")
	t.Setenv("PEBBLE_AUTHZREUSE", "0")
	logger := log.New(io.Discard, "", 0)
	if testing.Verbose() {
		logger = log.New(os.Stderr, "pebble ", log.Lmicroseconds)
	}
	store := db.NewMemoryStore()
	authority := ca.New(logger, store, "", "ecdsa", 0, 1, map[string]ca.Profile{"default": {Description: "default"}})
	validator := va.New(logger, httpPort, tlsPort, false, dnsAddr, store)
	front := wfe.New(logger, store, validator, authority, []string{"pebble.letsencrypt.org"}, false, false, 0, 0)
	ts := httptest.NewTLSServer(front.Handler())
	roots := x509.NewCertPool()
	roots.AddCert(authority.GetRootCert(0).Cert)
	return &pebble{dirURL: ts.URL + wfe.DirectoryPath, client: ts.Client(), roots: roots, close: ts.Close}
}

// startDNS answers every A question with 127.0.0.1 and every other
// question with no records, over TCP on loopback.
func startDNS(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{Listener: l, Net: "tcp", Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		for _, question := range q.Question {
			if question.Qtype == dns.TypeA {
				m.Answer = append(m.Answer, &dns.A{
					Hdr: dns.RR_Header{Name: question.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
					A:   net.IPv4(127, 0, 0, 1),
				})
			}
		}
		w.WriteMsg(m)
	})}
	done := make(chan struct{})
	go func() { srv.ActivateAndServe(); close(done) }()
	t.Cleanup(func() { srv.Shutdown(); <-done })
	return l.Addr().String()
}

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
	p := startPebble(t, httpPort, tlsPort, startDNS(t))
	dir := filepath.Join(t.TempDir(), "acme")
	cfg := ACMEConfig{Dir: dir, Hosts: []string{"gmkit.test", "www.gmkit.test"}, Email: "owner@gmkit.test",
		DirectoryURL: p.dirURL, HTTPClient: p.client}
	a, err := NewACME(cfg)
	if err != nil {
		t.Fatal(err)
	}
	stop := serveHTTPS(t, a, tlsL, httpL)
	first := fetch(t, tlsL.Addr().String(), "gmkit.test", p.roots)
	if err := first.VerifyHostname("gmkit.test"); err != nil {
		t.Errorf("certificate: %v", err)
	}
	if !strings.Contains(first.Issuer.CommonName, "Pebble") {
		t.Errorf("issuer: got %q, want Pebble's intermediate", first.Issuer.CommonName)
	}
	www := fetch(t, tlsL.Addr().String(), "www.gmkit.test", p.roots)
	if err := www.VerifyHostname("www.gmkit.test"); err != nil {
		t.Errorf("www certificate: %v", err)
	}
	stop()
	p.close()

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
	again := fetch(t, tlsL2.Addr().String(), "gmkit.test", p.roots)
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
