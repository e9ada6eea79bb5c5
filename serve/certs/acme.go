package certs

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// LetsEncrypt is the default ACME directory: Let's Encrypt's production
// CA.
const LetsEncrypt = acme.LetsEncryptURL

// ACMEConfig describes certificates obtained from an ACME certificate
// authority (Let's Encrypt by default) for public host names.
type ACMEConfig struct {
	// Dir holds the account key and the certificates (created with mode
	// 0700 if missing), e.g. ".gmkit/acme" inside the site. They are
	// reused across restarts and renewed before they expire. Required.
	Dir string
	// Hosts are the names to get certificates for: public DNS names
	// pointing at this machine, with port 443 (or the HTTP port, 80)
	// reachable from the CA. No IP addresses, no "localhost".
	Hosts []string
	// Email is given to the CA for expiry notices; empty means none.
	Email string
	// DirectoryURL is the CA's ACME directory. Empty means LetsEncrypt.
	DirectoryURL string
	// HTTPClient talks to the CA; nil means http.DefaultClient. Tests set
	// one that trusts a test CA.
	HTTPClient *http.Client
}

// ACME hands out certificates from an ACME CA, getting one for a host the
// first time a client asks for it (through the TLS-ALPN-01 challenge on
// the HTTPS port, or HTTP-01 on the HTTP port when HTTPHandler is in
// front of it), keeping it in Dir and renewing it 30 days before expiry.
// Accepting the CA's terms of service is implied by configuring it.
type ACME struct {
	m     *autocert.Manager
	hosts []string
}

// NewACME checks cfg and prepares the manager; nothing is asked of the CA
// until a client connects.
func NewACME(cfg ACMEConfig) (*ACME, error) {
	if cfg.Dir == "" {
		return nil, errors.New("acme: no folder to keep certificates in")
	}
	if len(cfg.Hosts) == 0 {
		return nil, errors.New("acme: no host name to get a certificate for")
	}
	var hosts []string
	for _, h := range cfg.Hosts {
		host, err := normalize(h)
		if err != nil {
			return nil, fmt.Errorf("acme: %w", err)
		}
		if err := publicName(host); err != nil {
			return nil, err
		}
		hosts = append(hosts, host)
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("acme: %w", err)
	}
	dir := cfg.DirectoryURL
	if dir == "" {
		dir = LetsEncrypt
	}
	m := &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		Cache:      autocert.DirCache(cfg.Dir),
		HostPolicy: autocert.HostWhitelist(hosts...),
		Email:      cfg.Email,
		Client:     &acme.Client{DirectoryURL: dir, HTTPClient: cfg.HTTPClient},
	}
	return &ACME{m: m, hosts: hosts}, nil
}

// publicName refuses names no public CA issues for.
func publicName(host string) error {
	switch {
	case net.ParseIP(host) != nil:
		return fmt.Errorf("acme: %s is an IP address; ACME certificates need a DNS name", host)
	case host == "localhost" || strings.HasSuffix(host, ".localhost"):
		return fmt.Errorf("acme: %s is not a public name; set hostname to the site's public DNS name", host)
	case !strings.Contains(host, "."):
		return fmt.Errorf("acme: %s is not a fully qualified name (no dot)", host)
	}
	return nil
}

// Hosts returns the names certificates are got for.
func (a *ACME) Hosts() []string { return a.hosts }

// Has reports whether host (any case, a trailing dot ignored) is one of
// the names certificates are got for.
func (a *ACME) Has(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, h := range a.hosts {
		if h == host {
			return true
		}
	}
	return false
}

// GetCertificate returns the certificate for hello's server name, getting
// it from the CA when there is none yet; it fits tls.Config.GetCertificate
// and answers the TLS-ALPN-01 challenge. A client sending no server name
// gets the first host's certificate.
func (a *ACME) GetCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	if hello.ServerName == "" {
		h := *hello
		h.ServerName = a.hosts[0]
		hello = &h
	}
	return a.m.GetCertificate(hello)
}

// TLSConfig returns a server configuration using GetCertificate, with the
// ALPN protocols HTTPS and the challenge need.
func (a *ACME) TLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		GetCertificate: a.GetCertificate,
		NextProtos:     []string{"h2", "http/1.1", acme.ALPNProto},
	}
}

// HTTPHandler answers the CA's HTTP-01 challenge requests and passes every
// other request to fallback.
func (a *ACME) HTTPHandler(fallback http.Handler) http.Handler {
	return a.m.HTTPHandler(fallback)
}
