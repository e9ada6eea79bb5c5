// Package pebbletest runs Let's Encrypt's test ACME server, Pebble, inside
// a test process on loopback, with a DNS server that points every name at
// 127.0.0.1, so that ACME clients can be tested end to end: Pebble's
// validation authority really connects back to the ports given and checks
// the challenge answers.
package pebbletest

import (
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"

	"github.com/letsencrypt/pebble/v2/ca"
	"github.com/letsencrypt/pebble/v2/db"
	"github.com/letsencrypt/pebble/v2/va"
	"github.com/letsencrypt/pebble/v2/wfe"
	"github.com/miekg/dns"
)

// CA is a running Pebble.
type CA struct {
	// DirectoryURL is the ACME directory.
	DirectoryURL string
	// Client trusts Pebble's own HTTPS certificate: use it to talk to it.
	Client *http.Client
	// Roots holds the root that issued certificates chain to.
	Roots *x509.CertPool

	srv *httptest.Server
}

// Start runs Pebble until the test ends. ports is called once, at the
// first ACME request, and names the loopback ports where the validation
// authority checks HTTP-01 and TLS-ALPN-01 answers: the servers under
// test may thus bind their ports after Start.
func Start(t testing.TB, ports func() (httpPort, tlsPort int)) *CA {
	t.Helper()
	t.Setenv("PEBBLE_VA_NOSLEEP", "1")
	t.Setenv("PEBBLE_WFE_NONCEREJECT", "0")
	t.Setenv("PEBBLE_AUTHZREUSE", "0")
	logger := log.New(io.Discard, "", 0)
	if testing.Verbose() {
		logger = log.New(os.Stderr, "pebble ", log.Lmicroseconds)
	}
	dnsAddr := startDNS(t)
	store := db.NewMemoryStore()
	authority := ca.New(logger, store, "", "ecdsa", 0, 1, map[string]ca.Profile{"default": {Description: "default"}})
	var once sync.Once
	var front http.Handler
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() {
			httpPort, tlsPort := ports()
			validator := va.New(logger, httpPort, tlsPort, false, dnsAddr, store)
			f := wfe.New(logger, store, validator, authority, []string{"pebble.letsencrypt.org"}, false, false, 0, 0)
			front = f.Handler()
		})
		front.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(authority.GetRootCert(0).Cert)
	return &CA{DirectoryURL: srv.URL + wfe.DirectoryPath, Client: srv.Client(), Roots: roots, srv: srv}
}

// Close stops Pebble: later ACME requests fail.
func (c *CA) Close() { c.srv.Close() }

// startDNS answers every A question with 127.0.0.1 and every other
// question with no records, over TCP on loopback, until the test ends.
func startDNS(t testing.TB) string {
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
