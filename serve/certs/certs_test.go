package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func mustNew(t *testing.T, cfg Config) *Store {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func leafFor(t *testing.T, s *Store, sni string) *x509.Certificate {
	t.Helper()
	c, err := s.GetCertificate(&tls.ClientHelloInfo{ServerName: sni})
	if err != nil {
		t.Fatal(err)
	}
	return c.Leaf
}

func TestCreateAndReuse(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".gmkit", "certs")
	cfg := Config{Dir: dir, Hosts: []string{"Example.org", "localhost"}}
	s1 := mustNew(t, cfg)
	list1 := s1.List()
	if len(list1) != 2 || list1[0].Host != "example.org" || list1[1].Host != "localhost" {
		t.Fatalf("List = %+v", list1)
	}
	if !regexp.MustCompile(`^([0-9A-F]{2}:){31}[0-9A-F]{2}$`).MatchString(list1[0].Fingerprint) {
		t.Errorf("fingerprint %q is not colon-separated upper-case SHA-256", list1[0].Fingerprint)
	}
	if d := time.Until(list1[0].NotAfter); d < DefaultValidity-2*time.Hour {
		t.Errorf("validity %v, want about %v", d, DefaultValidity)
	}
	fi, err := os.Stat(list1[0].KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("key mode %v, want 0600", got)
	}
	// A new Store on the same folder (a restart) keeps the certificates.
	s2 := mustNew(t, cfg)
	for i, info := range s2.List() {
		if info.Fingerprint != list1[i].Fingerprint {
			t.Errorf("%s: fingerprint changed across restart: got %s, want %s", info.Host, info.Fingerprint, list1[i].Fingerprint)
		}
	}
}

func TestNamesAndSNI(t *testing.T) {
	s := mustNew(t, Config{Dir: t.TempDir(), Hosts: []string{"example.org", "localhost", "alias.example.org"}})
	leaf := leafFor(t, s, "localhost")
	if leaf.Subject.CommonName != "localhost" || len(leaf.DNSNames) != 1 || leaf.DNSNames[0] != "localhost" {
		t.Errorf("localhost: CN %q, DNS %v", leaf.Subject.CommonName, leaf.DNSNames)
	}
	var ips []string
	for _, ip := range leaf.IPAddresses {
		ips = append(ips, ip.String())
	}
	if strings.Join(ips, ",") != "127.0.0.1,::1" {
		t.Errorf("localhost IP SANs = %v, want 127.0.0.1, ::1", ips)
	}
	if pub, ok := leaf.PublicKey.(*ecdsa.PublicKey); !ok || pub.Curve != elliptic.P256() {
		t.Errorf("public key %T, want ECDSA P-256", leaf.PublicKey)
	}
	tests := []struct{ sni, want string }{
		{"", "example.org"},
		{"unknown.test", "example.org"},
		{"ALIAS.example.org", "alias.example.org"},
		{"localhost", "localhost"},
	}
	for _, tt := range tests {
		if got := leafFor(t, s, tt.sni).Subject.CommonName; got != tt.want {
			t.Errorf("SNI %q: got %q, want %q", tt.sni, got, tt.want)
		}
	}
	if leaf := leafFor(t, s, "example.org"); len(leaf.IPAddresses) != 0 {
		t.Errorf("example.org has IP SANs %v", leaf.IPAddresses)
	}
}

func TestRotateExpiredAtLoad(t *testing.T) {
	dir := t.TempDir()
	past := time.Now().Add(-3 * 365 * 24 * time.Hour)
	old := mustNew(t, Config{Dir: dir, Hosts: []string{"example.org"}, Now: func() time.Time { return past }, Validity: 24 * time.Hour})
	oldInfo := old.List()[0]
	if oldInfo.NotAfter.After(time.Now()) {
		t.Fatal("test certificate is not expired")
	}
	s := mustNew(t, Config{Dir: dir, Hosts: []string{"example.org"}})
	info := s.List()[0]
	if info.Fingerprint == oldInfo.Fingerprint {
		t.Error("expired certificate was reused")
	}
	if !info.NotAfter.After(time.Now()) {
		t.Errorf("new certificate expires %v", info.NotAfter)
	}
	// And it is the one on disk now.
	if again := mustNew(t, Config{Dir: dir, Hosts: []string{"example.org"}}).List()[0]; again.Fingerprint != info.Fingerprint {
		t.Error("rotated certificate not persisted")
	}
}

func TestRotateExpiredWhileServing(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := mustNew(t, Config{Dir: t.TempDir(), Hosts: []string{"example.org"}, Now: clock, Validity: time.Hour})
	before := Fingerprint(leafFor(t, s, "example.org"))
	mu.Lock()
	now = now.Add(2 * time.Hour)
	mu.Unlock()
	after := Fingerprint(leafFor(t, s, "example.org"))
	if after == before {
		t.Error("expired certificate still served")
	}
	if got := s.List()[0].Fingerprint; got != after {
		t.Errorf("List fingerprint %s, want %s", got, after)
	}
}

func TestRenew(t *testing.T) {
	dir := t.TempDir()
	s := mustNew(t, Config{Dir: dir, Hosts: []string{"example.org"}})
	before := s.List()[0].Fingerprint
	info, err := s.Renew("EXAMPLE.org")
	if err != nil {
		t.Fatal(err)
	}
	if info.Fingerprint == before {
		t.Error("Renew kept the fingerprint")
	}
	if got := Fingerprint(leafFor(t, s, "example.org")); got != info.Fingerprint {
		t.Errorf("served %s after Renew, want %s", got, info.Fingerprint)
	}
	if got := mustNew(t, Config{Dir: dir, Hosts: []string{"example.org"}}).List()[0].Fingerprint; got != info.Fingerprint {
		t.Errorf("renewed certificate not persisted: got %s, want %s", got, info.Fingerprint)
	}
	if _, err := s.Renew("other.example"); err == nil {
		t.Error("Renew of an unknown host succeeded")
	}
}

func TestUserPairOverrides(t *testing.T) {
	udir := t.TempDir()
	certPEM, keyPEM, err := Generate("example.org", time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cf, kf := filepath.Join(udir, "my.crt"), filepath.Join(udir, "my.key")
	os.WriteFile(cf, certPEM, 0o644)
	os.WriteFile(kf, keyPEM, 0o600)
	dir := t.TempDir()
	s := mustNew(t, Config{Dir: dir, Hosts: []string{"example.org", "localhost"}, Pairs: []Pair{{cf, kf}}})
	list := s.List()
	if !list[0].UserProvided || list[0].CertFile != cf {
		t.Errorf("example.org: %+v, want the user pair", list[0])
	}
	if list[1].UserProvided {
		t.Errorf("localhost: %+v, want a generated one", list[1])
	}
	if _, err := os.Stat(filepath.Join(dir, "example.org.crt")); err == nil {
		t.Error("generated a certificate for a host the user pair covers")
	}
	if _, err := s.Renew("example.org"); err == nil {
		t.Error("Renew replaced a user-provided certificate")
	}
}

func TestCorruptFileIsAnError(t *testing.T) {
	dir := t.TempDir()
	mustNew(t, Config{Dir: dir, Hosts: []string{"example.org"}})
	os.WriteFile(filepath.Join(dir, "example.org.crt"), []byte("garbage"), 0o644)
	_, err := New(Config{Dir: dir, Hosts: []string{"example.org"}})
	if err == nil || !strings.Contains(err.Error(), "example.org.crt") {
		t.Errorf("got %v, want an error naming the file", err)
	}
}

func TestInvalidHosts(t *testing.T) {
	for _, h := range []string{"", "a/b", "../x", "a..b", "bad host"} {
		if _, err := New(Config{Dir: t.TempDir(), Hosts: []string{h}}); err == nil {
			t.Errorf("host %q accepted", h)
		}
	}
	if _, err := New(Config{Dir: t.TempDir()}); err == nil {
		t.Error("no hosts accepted")
	}
}

func TestTLSHandshake(t *testing.T) {
	s := mustNew(t, Config{Dir: t.TempDir(), Hosts: []string{"example.org", "localhost"}})
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{GetCertificate: s.GetCertificate})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() { // ends when the listener closes
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	for _, sni := range []string{"localhost", ""} {
		c, err := tls.Dial("tcp", l.Addr().String(), &tls.Config{ServerName: sni, InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		leaf := c.ConnectionState().PeerCertificates[0]
		c.Close()
		want := map[string]string{"localhost": "localhost", "": "example.org"}[sni]
		if leaf.Subject.CommonName != want {
			t.Errorf("SNI %q: got %s, want %s", sni, leaf.Subject.CommonName, want)
		}
		if sni == "localhost" {
			if err := leaf.VerifyHostname("127.0.0.1"); err != nil {
				t.Errorf("localhost certificate does not cover 127.0.0.1: %v", err)
			}
		}
	}
}
