// Package certs keeps the self-signed certificates a Gemini server presents:
// one per hostname, made once, stored in a folder and reused across
// restarts (clients pin them on first use), replaced only when missing,
// expired or on purpose. A user's own certificate and key override.
package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// DefaultValidity is how long a generated certificate lasts: ten years.
// Gemini clients pin a capsule's certificate on first use and warn when it
// changes, so a certificate should outlive the capsule's ordinary life; no
// certificate authority is involved, so short lifetimes buy nothing. The
// store still replaces one that has expired.
const DefaultValidity = 10 * 365 * 24 * time.Hour

// Config describes a Store.
type Config struct {
	// Dir is the folder holding the generated certificates (created with
	// mode 0700 if missing), e.g. ".gmkit/certs" inside the site. Required
	// unless every host is covered by a user pair.
	Dir string
	// Hosts are the served hostnames. The first one's certificate is also
	// presented to clients that send no (or an unknown) server name.
	Hosts []string
	// Pairs are user-provided certificate/key files. Each serves the hosts
	// its certificate names (wildcards included); hosts no pair names get a
	// generated certificate.
	Pairs []Pair
	// SharedDir, when set, holds the generated certificates of localhost
	// and loopback addresses instead of Dir: one folder per user (see
	// UserDir) shared by every site, so that trying one site and then
	// another on the same machine presents the same development
	// certificate and clients that pinned it do not object.
	SharedDir string
	// Renew lists hosts whose generated certificates are made anew, on
	// purpose, instead of loaded (see gmkit cert --renew).
	Renew []string
	// Validity of generated certificates. Zero means DefaultValidity.
	Validity time.Duration
	// Now tells the time. nil means time.Now.
	Now func() time.Time
}

// Pair names a user-provided PEM certificate (chain) and key.
type Pair struct {
	CertFile, KeyFile string
}

// Info describes one host's certificate, for printing.
type Info struct {
	Host string
	// Fingerprint is the SHA-256 of the DER certificate, upper-case hex
	// with colons, as clients show it.
	Fingerprint string
	NotBefore   time.Time
	NotAfter    time.Time
	// CertFile and KeyFile are where it is stored.
	CertFile, KeyFile string
	// UserProvided is true for a certificate from Config.Pairs.
	UserProvided bool
}

// Store hands out certificates by server name. It is safe for concurrent
// use.
type Store struct {
	cfg Config
	now func() time.Time

	mu       sync.RWMutex
	certs    map[string]*entry // by lower-case host
	user     []*entry
	warnings []string
}

// expiryWarning is how long before a certificate of the user's own expires
// Warnings starts to mention it.
const expiryWarning = 30 * 24 * time.Hour

type entry struct {
	cert *tls.Certificate
	info Info
}

// New loads the certificate of every host in cfg.Hosts, creating those that
// are missing or expired. It fails (without replacing anything) when a
// stored file cannot be read or parsed: an unreadable certificate is
// reported, never silently replaced, since clients have pinned it.
func New(cfg Config) (*Store, error) {
	s := &Store{cfg: cfg, now: cfg.Now, certs: map[string]*entry{}}
	if s.now == nil {
		s.now = time.Now
	}
	if len(cfg.Hosts) == 0 {
		return nil, errors.New("certs: no hostnames given")
	}
	hosts := s.Hosts()
	for _, h := range cfg.Hosts {
		if _, err := normalize(h); err != nil {
			return nil, err
		}
	}
	for _, p := range cfg.Pairs {
		e, err := loadPair(p.CertFile, p.KeyFile)
		if err != nil {
			return nil, err
		}
		if err := checkUserCert(p.CertFile, e.cert.Leaf, hosts, s.now()); err != nil {
			return nil, err
		}
		e.info.UserProvided = true
		s.user = append(s.user, e)
	}
	renew := map[string]bool{}
	for _, h := range cfg.Renew {
		host, err := normalize(h)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(hosts, host) {
			return nil, fmt.Errorf("certs: %s is not a served host", h)
		}
		if e := s.userFor(host); e != nil {
			return nil, fmt.Errorf("certs: %s uses your own certificate %s; replace that file instead", h, e.info.CertFile)
		}
		renew[host] = true
	}
	for _, e := range s.user {
		if left := e.info.NotAfter.Sub(s.now()); left < expiryWarning {
			s.warnings = append(s.warnings, fmt.Sprintf("your certificate %s expires on %s, in %d days: renew it before then, or clients will refuse it",
				e.info.CertFile, e.info.NotAfter.UTC().Format("2006-01-02"), int(left.Hours()/24)))
		}
	}
	for _, host := range hosts {
		if e := s.userFor(host); e != nil {
			s.certs[host] = e
			continue
		}
		if len(s.user) > 0 {
			s.warnings = append(s.warnings, fmt.Sprintf("your certificate %s does not name %s: a self-made certificate serves it", s.user[0].info.CertFile, host))
		}
		load := s.loadOrCreate
		if renew[host] {
			load = s.make
		}
		e, err := load(host)
		if err != nil {
			return nil, err
		}
		s.certs[host] = e
	}
	return s, nil
}

// checkUserCert refuses a certificate of the user's own that would not
// serve: expired, not yet valid, or naming none of the served hosts. Each
// of these used to mean a certificate clients refuse, or a self-made one
// served in its place without a word.
func checkUserCert(file string, leaf *x509.Certificate, hosts []string, now time.Time) error {
	const day = "2006-01-02 15:04 MST"
	switch {
	case now.Before(leaf.NotBefore):
		return fmt.Errorf("certs: your certificate %s is not valid before %s (it is %s now): check the machine's clock, or use a certificate valid today", file, leaf.NotBefore.UTC().Format(day), now.UTC().Format(day))
	case !now.Before(leaf.NotAfter):
		return fmt.Errorf("certs: your certificate %s expired on %s: renew it, or stop using it to serve a self-made one", file, leaf.NotAfter.UTC().Format(day))
	}
	for _, h := range hosts {
		if leaf.VerifyHostname(h) == nil {
			return nil
		}
	}
	names := append([]string(nil), leaf.DNSNames...)
	for _, ip := range leaf.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && leaf.Subject.CommonName != "" {
		names = []string{leaf.Subject.CommonName}
	}
	return fmt.Errorf("certs: your certificate %s names %s, none of the served hosts (%s): use a certificate for them, or set the host name it names", file, strings.Join(names, ", "), strings.Join(hosts, ", "))
}

func (s *Store) userFor(host string) *entry {
	for _, e := range s.user {
		if e.cert.Leaf.VerifyHostname(host) == nil {
			return e
		}
	}
	return nil
}

// normalize checks a hostname and lower-cases it. IP literals are allowed.
func normalize(h string) (string, error) {
	host := strings.ToLower(strings.TrimSuffix(strings.Trim(h, "[]"), "."))
	if host == "" || len(host) > 253 {
		return "", fmt.Errorf("certs: invalid hostname %q", h)
	}
	if net.ParseIP(host) != nil {
		return host, nil
	}
	for _, r := range host {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_') {
			return "", fmt.Errorf("certs: invalid hostname %q", h)
		}
	}
	if strings.HasPrefix(host, ".") || strings.Contains(host, "..") {
		return "", fmt.Errorf("certs: invalid hostname %q", h)
	}
	return host, nil
}

// local reports whether host is a development name: localhost or a
// loopback address, the same machine whoever asks.
func local(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// dir is the folder holding host's generated certificate.
func (s *Store) dir(host string) string {
	if s.cfg.SharedDir != "" && local(host) {
		return s.cfg.SharedDir
	}
	return s.cfg.Dir
}

func filesIn(dir, host string) (certFile, keyFile string) {
	base := strings.ReplaceAll(host, ":", "_")
	return filepath.Join(dir, base+".crt"), filepath.Join(dir, base+".key")
}

func (s *Store) files(host string) (certFile, keyFile string) {
	return filesIn(s.dir(host), host)
}

// loadOrCreate loads host's stored certificate, makes one when there is
// none (or it expired), and refuses half of a pair: a certificate without
// its key cannot be served, and making a new one would change the
// identity clients pinned. A development host's certificate goes in the
// shared folder; the first time, a site's own one is taken over.
func (s *Store) loadOrCreate(host string) (*entry, error) {
	dir := s.dir(host)
	if dir == "" {
		return nil, fmt.Errorf("certs: no folder for the certificate of %s", host)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	certFile, keyFile := s.files(host)
	_, errC := os.Stat(certFile)
	_, errK := os.Stat(keyFile)
	switch noC, noK := errors.Is(errC, os.ErrNotExist), errors.Is(errK, os.ErrNotExist); {
	case noC && noK:
		if dir != s.cfg.Dir && s.cfg.Dir != "" {
			if e, ok := s.adopt(host); ok {
				return e, nil
			}
		}
		return s.create(host)
	case noK:
		return nil, fmt.Errorf("certs: the certificate %s is there but its key %s is missing: restore the key from a backup, or make a new certificate on purpose with `gmkit cert --renew %s` (clients that pinned the old one will warn)", certFile, keyFile, host)
	case noC:
		return nil, fmt.Errorf("certs: the key %s is there but its certificate %s is missing: restore the certificate from a backup, or make a new one on purpose with `gmkit cert --renew %s` (clients that pinned the old one will warn)", keyFile, certFile, host)
	}
	e, err := loadPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	if !s.now().Before(e.info.NotAfter) {
		return s.create(host)
	}
	e.info.Host = host
	return e, nil
}

// adopt copies the site's own certificate for host, made before the shared
// folder was used, into the shared folder, so that the site keeps the
// identity its clients pinned. It reports false when there is no usable
// one.
func (s *Store) adopt(host string) (*entry, bool) {
	siteCert, siteKey := filesIn(s.cfg.Dir, host)
	e, err := loadPair(siteCert, siteKey)
	if err != nil || !s.now().Before(e.info.NotAfter) {
		return nil, false
	}
	certPEM, err1 := os.ReadFile(siteCert)
	keyPEM, err2 := os.ReadFile(siteKey)
	if err1 != nil || err2 != nil {
		return nil, false
	}
	certFile, keyFile := s.files(host)
	if writeAtomic(keyFile, keyPEM, 0o600) != nil || writeAtomic(certFile, certPEM, 0o644) != nil {
		return nil, false
	}
	if e, err = loadPair(certFile, keyFile); err != nil {
		return nil, false
	}
	e.info.Host = host
	return e, true
}

// make creates host's certificate anew, on purpose, holding the folder's
// lock.
func (s *Store) make(host string) (*entry, error) {
	dir := s.dir(host)
	if dir == "" {
		return nil, fmt.Errorf("certs: no folder for the certificate of %s", host)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return s.create(host)
}

func loadPair(certFile, keyFile string) (*entry, error) {
	c, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("certs: load %s and %s: %w", certFile, keyFile, err)
	}
	leaf := c.Leaf
	if leaf == nil {
		if leaf, err = x509.ParseCertificate(c.Certificate[0]); err != nil {
			return nil, fmt.Errorf("certs: parse %s: %w", certFile, err)
		}
		c.Leaf = leaf
	}
	host := leaf.Subject.CommonName
	if len(leaf.DNSNames) > 0 {
		host = leaf.DNSNames[0]
	}
	return &entry{cert: &c, info: Info{
		Host:        host,
		Fingerprint: Fingerprint(leaf),
		NotBefore:   leaf.NotBefore,
		NotAfter:    leaf.NotAfter,
		CertFile:    certFile,
		KeyFile:     keyFile,
	}}, nil
}

// create makes and stores a new certificate for host, replacing any
// previous files atomically.
func (s *Store) create(host string) (*entry, error) {
	if err := os.MkdirAll(s.dir(host), 0o700); err != nil {
		return nil, fmt.Errorf("certs: create folder %s: %w", s.dir(host), err)
	}
	certPEM, keyPEM, err := Generate(host, s.now(), s.validity())
	if err != nil {
		return nil, err
	}
	certFile, keyFile := s.files(host)
	if err := writeAtomic(keyFile, keyPEM, 0o600); err != nil {
		return nil, err
	}
	if err := writeAtomic(certFile, certPEM, 0o644); err != nil {
		return nil, err
	}
	e, err := loadPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	e.info.Host = host
	return e, nil
}

func (s *Store) validity() time.Duration {
	if s.cfg.Validity > 0 {
		return s.cfg.Validity
	}
	return DefaultValidity
}

func writeAtomic(file string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(file), ".tmp-"+filepath.Base(file)+"-*")
	if err != nil {
		return fmt.Errorf("certs: write %s: %w", file, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("certs: write %s: %w", file, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("certs: write %s: %w", file, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("certs: write %s: %w", file, err)
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return fmt.Errorf("certs: write %s: %w", file, err)
	}
	return nil
}

// Generate returns a new self-signed ECDSA P-256 certificate and key, in
// PEM, for host: subject CN and SAN DNS = host, plus SAN IPs 127.0.0.1 and
// ::1 for "localhost" (an IP literal host gets that IP as its SAN), valid
// from an hour before now for validity.
func Generate(host string, now time.Time, validity time.Duration) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("certs: key for %s: %w", host, err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("certs: serial for %s: %w", host, err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: host},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	if ip := net.ParseIP(host); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{host}
	}
	if host == "localhost" {
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("certs: certificate for %s: %w", host, err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("certs: key for %s: %w", host, err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}

// Fingerprint returns the SHA-256 of c's DER bytes in upper-case hex with
// colons (AB:CD:...).
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// GetCertificate picks the certificate for hello's server name, falling
// back to the first host's; it fits tls.Config.GetCertificate. A generated
// certificate found expired is replaced on the spot.
func (s *Store) GetCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	host := strings.ToLower(strings.TrimSuffix(hello.ServerName, "."))
	s.mu.RLock()
	e, ok := s.certs[host]
	if !ok {
		host, _ = normalize(s.cfg.Hosts[0])
		e = s.certs[host]
	}
	s.mu.RUnlock()
	if e.info.UserProvided || s.now().Before(e.info.NotAfter) {
		return e.cert, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur := s.certs[host]; cur != e { // someone else replaced it
		return cur.cert, nil
	}
	fresh, err := s.make(host)
	if err != nil {
		return e.cert, nil // keep serving the old one rather than failing
	}
	s.certs[host] = fresh
	return fresh.cert, nil
}

// Warnings returns what New found that serves on but needs attention: a
// certificate of the user's own that expires within a month, a served host
// it does not name. The server prints them when it starts.
func (s *Store) Warnings() []string { return s.warnings }

// List returns the certificate of every host, in the order of Config.Hosts.
func (s *Store) List() []Info {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Info
	seen := map[string]bool{}
	for _, h := range s.cfg.Hosts {
		host, _ := normalize(h)
		if seen[host] {
			continue
		}
		seen[host] = true
		info := s.certs[host].info
		info.Host = host
		out = append(out, info)
	}
	return out
}

// Renew replaces host's generated certificate with a new one, on purpose
// (clients that pinned the old one will warn). It refuses hosts served by a
// user-provided pair and unknown hosts.
func (s *Store) Renew(host string) (Info, error) {
	h, err := normalize(host)
	if err != nil {
		return Info{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.certs[h]
	if !ok {
		return Info{}, fmt.Errorf("certs: %s is not a served host", host)
	}
	if e.info.UserProvided {
		return Info{}, fmt.Errorf("certs: %s uses the user-provided %s; replace that file instead", host, e.info.CertFile)
	}
	fresh, err := s.make(h)
	if err != nil {
		return Info{}, err
	}
	s.certs[h] = fresh
	return fresh.info, nil
}

// UserDir returns the folder for certificates shared by every site of the
// user (Config.SharedDir): $XDG_STATE_HOME/gmkit/certs, else
// ~/.local/state/gmkit/certs; on macOS and Windows gmkit/certs in the
// user's configuration folder.
func UserDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "gmkit", "certs"), nil
	}
	switch runtime.GOOS {
	case "darwin", "ios", "windows", "plan9":
		d, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("certs: no folder for shared certificates: %w", err)
		}
		return filepath.Join(d, "gmkit", "certs"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("certs: no folder for shared certificates: %w", err)
	}
	return filepath.Join(home, ".local", "state", "gmkit", "certs"), nil
}

// Hosts returns the normalized served hostnames.
func (s *Store) Hosts() []string {
	var out []string
	for _, h := range s.cfg.Hosts {
		n, _ := normalize(h)
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}
