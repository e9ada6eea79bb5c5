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

// writePair writes a certificate for host valid from notBefore to notAfter,
// and its key, into dir; it returns the two file names.
func writePair(t *testing.T, dir, host string, notBefore, notAfter time.Time) (certFile, keyFile string) {
	t.Helper()
	certPEM, keyPEM, err := Generate(host, notBefore.Add(time.Hour), notAfter.Sub(notBefore.Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, host+"-own.crt"), filepath.Join(dir, host+"-own.key")
	if err := os.WriteFile(certFile, certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestUserPairProblems: a certificate of the user's own that has expired,
// is not yet valid or names none of the served hosts is an error that
// names the file and the problem; nothing is generated in its place.
func TestUserPairProblems(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name                string
		host                string
		notBefore, notAfter time.Time
		want                string
	}{
		{"expired", "example.org", now.Add(-48 * time.Hour), now.Add(-24 * time.Hour), "expired"},
		{"not yet valid", "example.org", now.Add(24 * time.Hour), now.Add(48 * time.Hour), "not valid before"},
		{"another host", "other.example", now.Add(-time.Hour), now.Add(time.Hour), "other.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cf, kf := writePair(t, t.TempDir(), tt.host, tt.notBefore, tt.notAfter)
			dir := t.TempDir()
			_, err := New(Config{Dir: dir, Hosts: []string{"example.org"}, Pairs: []Pair{{cf, kf}}})
			if err == nil || !strings.Contains(err.Error(), cf) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error naming %s and saying %q", err, cf, tt.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("made %d files in the certificate folder, want none", len(entries))
			}
		})
	}
}

// TestMissingKeyIsAnError: a stored certificate whose key is gone (or a key
// whose certificate is gone) is an error that says how to make a new one on
// purpose; it is never silently replaced by a new identity.
func TestMissingKeyIsAnError(t *testing.T) {
	for _, gone := range []string{".key", ".crt"} {
		t.Run(gone, func(t *testing.T) {
			dir := t.TempDir()
			cfg := Config{Dir: dir, Hosts: []string{"example.org"}}
			before := mustNew(t, cfg).List()[0]
			kept := before.CertFile
			if gone == ".crt" {
				kept = before.KeyFile
			}
			keptBytes, _ := os.ReadFile(kept)
			os.Remove(filepath.Join(dir, "example.org"+gone))
			_, err := New(cfg)
			if err == nil || !strings.Contains(err.Error(), "gmkit cert --renew example.org") || !strings.Contains(err.Error(), "example.org"+gone) {
				t.Fatalf("got %v, want an error naming the missing file and `gmkit cert --renew example.org`", err)
			}
			if b, _ := os.ReadFile(kept); string(b) != string(keptBytes) {
				t.Errorf("%s changed", kept)
			}
			if _, err := os.Stat(filepath.Join(dir, "example.org"+gone)); err == nil {
				t.Errorf("example.org%s was made again", gone)
			}
			// On purpose: a new certificate.
			cfg.Renew = []string{"example.org"}
			after := mustNew(t, cfg).List()[0]
			if after.Fingerprint == before.Fingerprint {
				t.Error("Renew kept the old certificate")
			}
		})
	}
}

// TestSharedLocalCertificates: every site presents the same certificate for
// localhost and loopback addresses, kept in the shared folder; a real host
// name's certificate stays with its site.
func TestSharedLocalCertificates(t *testing.T) {
	shared := t.TempDir()
	site1, site2 := t.TempDir(), t.TempDir()
	hosts := []string{"localhost", "127.0.0.1", "::1", "example.org"}
	s1 := mustNew(t, Config{Dir: site1, SharedDir: shared, Hosts: hosts})
	s2 := mustNew(t, Config{Dir: site2, SharedDir: shared, Hosts: hosts})
	l1, l2 := s1.List(), s2.List()
	for i, h := range hosts {
		local := h != "example.org"
		if same := l1[i].Fingerprint == l2[i].Fingerprint; same != local {
			t.Errorf("%s: same certificate in both sites = %v, want %v", h, same, local)
		}
		wantDir := shared
		if !local {
			wantDir = site1
		}
		if got := filepath.Dir(l1[i].CertFile); got != wantDir {
			t.Errorf("%s: stored in %s, want %s", h, got, wantDir)
		}
	}
	for _, d := range []string{site1, site2} {
		if _, err := os.Stat(filepath.Join(d, "localhost.crt")); err == nil {
			t.Errorf("%s holds a localhost certificate of its own", d)
		}
	}
}

// TestSharedAdoptsSiteCertificate: a site made before the shared folder
// existed keeps its localhost identity: the shared folder takes it over
// rather than making a new one that the site's clients would refuse.
func TestSharedAdoptsSiteCertificate(t *testing.T) {
	site := t.TempDir()
	old := mustNew(t, Config{Dir: site, Hosts: []string{"localhost"}}).List()[0]
	shared := filepath.Join(t.TempDir(), "gmkit", "certs")
	now := mustNew(t, Config{Dir: site, SharedDir: shared, Hosts: []string{"localhost"}}).List()[0]
	if now.Fingerprint != old.Fingerprint || filepath.Dir(now.CertFile) != shared {
		t.Errorf("got %s in %s, want the site's %s taken into %s", now.Fingerprint, filepath.Dir(now.CertFile), old.Fingerprint, shared)
	}
	other := mustNew(t, Config{Dir: t.TempDir(), SharedDir: shared, Hosts: []string{"localhost"}}).List()[0]
	if other.Fingerprint != old.Fingerprint {
		t.Errorf("another site got %s, want the shared %s", other.Fingerprint, old.Fingerprint)
	}
}

// TestSharedConcurrentFirstUse: sites started at once on a fresh machine
// agree on one localhost certificate.
func TestSharedConcurrentFirstUse(t *testing.T) {
	shared := t.TempDir()
	const n = 8
	prints := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			s, err := New(Config{Dir: t.TempDir(), SharedDir: shared, Hosts: []string{"localhost"}})
			if err != nil {
				t.Error(err)
				return
			}
			prints[i] = s.List()[0].Fingerprint
		})
	}
	wg.Wait()
	for i := 1; i < n; i++ {
		if prints[i] != prints[0] {
			t.Fatalf("site %d got %s, site 0 %s: want one shared certificate", i, prints[i], prints[0])
		}
	}
}

// TestUserPairWarnings: what may serve on but needs the user's attention
// is a warning: a certificate of theirs that expires within a month, and a
// served host their certificate does not name (a self-made one serves it).
func TestUserPairWarnings(t *testing.T) {
	now := time.Now()
	cf, kf := writePair(t, t.TempDir(), "example.org", now.Add(-time.Hour), now.Add(10*24*time.Hour))
	s := mustNew(t, Config{Dir: t.TempDir(), Hosts: []string{"example.org", "alias.example"}, Pairs: []Pair{{cf, kf}}})
	got := strings.Join(s.Warnings(), "\n")
	for _, want := range []string{cf + " expires on", "alias.example"} {
		if !strings.Contains(got, want) {
			t.Errorf("warnings %q lack %q", got, want)
		}
	}
	cf, kf = writePair(t, t.TempDir(), "example.org", now.Add(-time.Hour), now.Add(365*24*time.Hour))
	if w := mustNew(t, Config{Dir: t.TempDir(), Hosts: []string{"example.org"}, Pairs: []Pair{{cf, kf}}}).Warnings(); len(w) != 0 {
		t.Errorf("a certificate good for a year that names every host: warnings %q, want none", w)
	}
}
