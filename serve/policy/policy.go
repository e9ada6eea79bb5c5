// Package policy is the one set of rules every gmkit server applies, whatever
// its protocol: which paths are valid, which files may be served (no
// dotfiles, no symbolic link leading out of the tree or to a dotfile),
// folders and their index files, directory listings, the host names and
// port served, the CGI mount, redirects, and which paths need a client
// certificate.
//
// A protocol turns its request into a Path (ParseURLPath, ParseSelector),
// asks a Tree for a Decision and writes the Decision in its own words: a
// Gemini server answers CertRequired with 60, a Gopher server, whose
// clients cannot present a certificate, with an error item. A rule is
// therefore written once and holds on every protocol.
package policy

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"io/fs"
	"net"
	"net/netip"
	"path"
	"strings"
	"time"
)

// DefaultCGIMount is where the CGI folder is served on every protocol.
const DefaultCGIMount = "/cgi-bin"

// DefaultHostname is the host name served when none is configured.
const DefaultHostname = "localhost"

// Policy holds the rules. The zero value serves any host, lists no folder,
// has no CGI and no access rule. A Policy must not change once in use.
type Policy struct {
	// Hostnames are the host names served, compared case-insensitively,
	// a trailing dot ignored. On a loopback connection localhost,
	// 127.0.0.1 and ::1 are served too. Empty means any host.
	Hostnames []string
	// Listing answers a folder without an index file with a list of its
	// entries (dotfiles left out).
	Listing bool
	// CGIMount is the path the CGI folder is served at ("/cgi-bin"); empty
	// means no CGI.
	CGIMount string
	// Rules are the access rules; for a path under several, the longest
	// prefix wins.
	Rules []Rule
	// Now tells the time for certificate validity; nil means time.Now.
	Now func() time.Time
}

// A Rule requires a client certificate for every path under Prefix, on
// every protocol: one that cannot present a certificate is refused.
type Rule struct {
	// Prefix is a URL path prefix, e.g. "/private/".
	Prefix string
	// Fingerprints lists the certificates allowed, by SHA-256 (hex, any
	// case, colons and a "SHA256:" prefix allowed).
	Fingerprints []string
	// AllowVerified allows certificates that chain to the configured
	// client CA (Client.Verified).
	AllowVerified bool
}

// A Client is what a request presents. A protocol that cannot carry a
// client certificate passes a nil *Client.
type Client struct {
	// Cert is the client's certificate; nil when it sent none.
	Cert *x509.Certificate
	// Verified reports that Cert chains to the configured client CA.
	Verified bool
}

// A Redirect sends requests for one path to another address.
type Redirect struct {
	// From is a URL path ("/old/"); it matches with or without its
	// trailing slash, an exact entry winning.
	From string
	// To is a path or an absolute URL.
	To string
	// Temporary marks a redirect that may change (Gemini 30, not 31).
	Temporary bool
}

// Kind is what a Decision tells the protocol to do.
type Kind uint8

// Decisions.
const (
	// NotFound: nothing to serve (missing, hidden, refused link, a file
	// asked for as a folder, a folder without index or listing).
	NotFound Kind = iota
	// File: send the regular file Name.
	File
	// Listing: list the folder Name.
	Listing
	// AddSlash: Name is a folder asked for without its trailing slash;
	// protocols with redirects send the client to the path plus "/",
	// others answer as for the path with the slash (Path.WithSlash).
	AddSlash
	// Redirected: send the client to Target (Temporary tells which kind).
	Redirected
	// CGI: run the script; Target is the path below the mount
	// ("/name/extra"), Name the mount ("/cgi-bin").
	CGI
	// CertRequired: the path needs a client certificate and none came
	// (or the protocol cannot carry one).
	CertRequired
	// CertNotValid: the certificate is expired or not yet valid.
	CertNotValid
	// CertNotAuthorised: the certificate is not one the rule allows.
	CertNotAuthorised
)

var kindNames = [...]string{"not found", "file", "listing", "add slash", "redirect", "cgi", "certificate required", "certificate not valid", "certificate not authorised"}

// String names the kind, for tests and logs.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// A Decision is the policy's answer to one request.
type Decision struct {
	Kind Kind
	// Name is the fs.FS name (File, Listing, AddSlash), or the CGI mount.
	Name string
	// Target is the redirect address, or the CGI script path.
	Target string
	// Temporary marks a temporary redirect.
	Temporary bool
	// Info describes the file Name (File) as the decision found it, so
	// that a server need not look it up again.
	Info fs.FileInfo
}

// A Tree is one output's files under a Policy, with the site's redirects:
// protocols make one per content swap, so that the cost of preparing it is
// paid once per build.
type Tree struct {
	p         *Policy
	fsys      fs.FS
	index     string
	redirects map[string]Redirect
}

// Tree returns fsys (nil: nothing is served) under p, with index as the
// file answering for a folder ("index.gmi", "gophermap") and redirects.
func (p *Policy) Tree(fsys fs.FS, index string, redirects []Redirect) *Tree {
	t := &Tree{p: p, fsys: fsys, index: index}
	if len(redirects) > 0 {
		t.redirects = make(map[string]Redirect, 2*len(redirects))
		for _, r := range redirects {
			t.redirects[r.From] = r
		}
		for _, r := range redirects { // exact entries win over slash variants
			alt := strings.TrimSuffix(r.From, "/")
			if alt == r.From {
				alt += "/"
			}
			if _, ok := t.redirects[alt]; !ok && alt != "" {
				t.redirects[alt] = r
			}
		}
	}
	return t
}

// FS returns the tree's files (nil when the output is off).
func (t *Tree) FS() fs.FS { return t.fsys }

// Policy returns the rules the tree applies.
func (t *Tree) Policy() *Policy { return t.p }

// Decide applies the rules to a request for p by c (nil: the protocol
// cannot present a certificate), in this order: access rules, redirects,
// the CGI mount, then files (dotfiles, links, folders, index, listing). An
// access rule is checked against the path asked for and again against
// where its symbolic links lead.
func (t *Tree) Decide(p Path, c *Client) Decision {
	if d, ok := t.p.access(p, c); !ok {
		return d
	}
	if t.redirects != nil {
		if r, ok := t.redirects[p.String()]; ok {
			return Decision{Kind: Redirected, Target: r.To, Temporary: r.Temporary}
		}
	}
	if p.hidden {
		return Decision{Kind: NotFound}
	}
	if script, ok := CGIScript(t.p.CGIMount, p); ok {
		return Decision{Kind: CGI, Name: "/" + strings.Trim(t.p.CGIMount, "/"), Target: script}
	}
	if t.fsys == nil {
		return Decision{Kind: NotFound}
	}
	name := p.Name()
	real, fi, err := resolveLinks(t.fsys, "", name)
	if err != nil {
		return Decision{Kind: NotFound}
	}
	if real != name && len(t.p.Rules) > 0 {
		rp := Path{name: strings.TrimPrefix(real, "."), slash: p.slash}
		if d, ok := t.p.access(rp, c); !ok {
			return d
		}
	}
	if fi == nil {
		if fi, err = fs.Stat(t.fsys, real); err != nil {
			return Decision{Kind: NotFound}
		}
	}
	if !fi.IsDir() {
		if p.slash || !fi.Mode().IsRegular() {
			return Decision{Kind: NotFound}
		}
		return Decision{Kind: File, Name: real, Info: fi}
	}
	if !p.Slash() {
		return Decision{Kind: AddSlash, Name: real}
	}
	if t.index != "" {
		// The folder is resolved already: only the index's own name is
		// left to check.
		dir := real
		if dir == "." {
			dir = ""
		}
		if ireal, ifi, err := resolveLinks(t.fsys, dir, t.index); err == nil {
			if ifi == nil {
				ifi, err = fs.Stat(t.fsys, ireal)
			}
			if err == nil && ifi.Mode().IsRegular() {
				return Decision{Kind: File, Name: ireal, Info: ifi}
			}
		}
	}
	if t.p.Listing {
		return Decision{Kind: Listing, Name: real}
	}
	return Decision{Kind: NotFound}
}

// ReadDir lists the folder name as listings show it: dotfiles and names
// with control characters or invalid UTF-8 left out (see unsafeName).
func (t *Tree) ReadDir(name string) ([]fs.DirEntry, error) {
	if t.fsys == nil {
		return nil, fs.ErrNotExist
	}
	entries, err := fs.ReadDir(t.fsys, name)
	if err != nil {
		return nil, err
	}
	out := entries[:0]
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") && !unsafeName(e.Name()) {
			out = append(out, e)
		}
	}
	return out, nil
}

// access checks the rules for p; ok is false with the refusal.
func (pol *Policy) access(p Path, c *Client) (Decision, bool) {
	if len(pol.Rules) == 0 {
		return Decision{}, true
	}
	var rule *Rule
	for i := range pol.Rules {
		r := &pol.Rules[i]
		if p.under(r.Prefix) && (rule == nil || len(r.Prefix) > len(rule.Prefix)) {
			rule = r
		}
	}
	if rule == nil {
		return Decision{}, true
	}
	if c == nil || c.Cert == nil {
		return Decision{Kind: CertRequired}, false
	}
	now := time.Now
	if pol.Now != nil {
		now = pol.Now
	}
	if t := now(); t.Before(c.Cert.NotBefore) || t.After(c.Cert.NotAfter) {
		return Decision{Kind: CertNotValid}, false
	}
	if len(rule.Fingerprints) == 0 && !rule.AllowVerified {
		return Decision{}, true
	}
	if rule.AllowVerified && c.Verified {
		return Decision{}, true
	}
	fp := Fingerprint(c.Cert)
	for _, f := range rule.Fingerprints {
		if NormFingerprint(f) == fp {
			return Decision{}, true
		}
	}
	return Decision{Kind: CertNotAuthorised}, false
}

// Fingerprint is a certificate's SHA-256 in upper-case hex.
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// NormFingerprint puts a configured fingerprint in Fingerprint's form.
func NormFingerprint(s string) string {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "SHA256:"), "sha256:")
	return strings.ToUpper(strings.ReplaceAll(s, ":", ""))
}

// CGIScript reports whether p is under mount (a path such as "/cgi-bin"),
// and returns the script path below it ("/name/extra", "" for the mount
// itself). An empty mount holds nothing.
func CGIScript(mount string, p Path) (script string, ok bool) {
	m := strings.Trim(mount, "/")
	if m == "" {
		return "", false
	}
	rest, found := strings.CutPrefix(p.name, m)
	if !found || (rest != "" && rest[0] != '/') {
		return "", false
	}
	if p.slash {
		rest += "/"
	}
	return rest, true
}

// HostAllowed reports whether a request naming host is for a host served.
// conn is an address of the request's connection (the local one for TCP,
// the client's for a datagram protocol listening on a wildcard address;
// nil when unknown): when it is a loopback address, localhost, 127.0.0.1
// and ::1 are served too.
func (pol *Policy) HostAllowed(host string, conn net.Addr) bool {
	return HostAllowed(pol.Hostnames, host, conn)
}

// HostAllowed reports whether host is one of names (see
// Policy.HostAllowed).
func HostAllowed(names []string, host string, conn net.Addr) bool {
	if len(names) == 0 {
		return true
	}
	host = strings.TrimSuffix(host, ".")
	for _, h := range names {
		if strings.EqualFold(strings.TrimSuffix(h, "."), host) {
			return true
		}
	}
	if conn != nil && isLoopback(conn) {
		switch strings.ToLower(host) {
		case "localhost", "127.0.0.1", "::1":
			return true
		}
	}
	return false
}

// PortAllowed reports whether a request naming port (0: none named, the
// protocol's default port def applies) is for want; want 0 means the
// port of local.
func PortAllowed(port, def, want int, local net.Addr) bool {
	if port == 0 {
		port = def
	}
	if want == 0 {
		want = AddrPort(local)
	}
	return port == want
}

// AddrPort is the port of a network address, or 0.
func AddrPort(a net.Addr) int {
	switch t := a.(type) {
	case *net.TCPAddr:
		return t.Port
	case *net.UDPAddr:
		return t.Port
	case nil:
		return 0
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return 0
	}
	return int(ap.Port())
}

func isLoopback(a net.Addr) bool {
	switch t := a.(type) {
	case *net.TCPAddr:
		return t.IP.IsLoopback()
	case *net.UDPAddr:
		return t.IP.IsLoopback()
	}
	ap, err := netip.ParseAddrPort(a.String())
	return err == nil && ap.Addr().IsLoopback()
}

var errRefused = errors.New("refused")

// maxLinkHops bounds the symbolic links followed for one name.
const maxLinkHops = 40

// resolveLinks returns name, relative to cur (a folder already resolved;
// "" for the root), with every symbolic link in it replaced by its target,
// when fsys can report links (fs.ReadLinkFS: a folder on disk through
// os.Root; an in-memory snapshot has none). It refuses absolute targets,
// targets leaving fsys, targets naming a dotfile, and chains of more than
// maxLinkHops links. The FileInfo is that of the file found when the walk
// looked it up (it is no link), so that the caller need not stat it again;
// nil otherwise.
func resolveLinks(fsys fs.FS, cur, name string) (string, fs.FileInfo, error) {
	rl, ok := fsys.(fs.ReadLinkFS)
	if !ok || name == "." {
		return path.Join(cur, name), nil, nil
	}
	// The common case: no element is a link. Each prefix of the name is
	// looked at in place, without splitting or joining strings.
	full, start := name, 0
	if cur != "" {
		full, start = cur+"/"+name, len(cur)+1
	}
	for i := start; ; {
		end := len(full)
		if j := strings.IndexByte(full[i:], '/'); j >= 0 {
			end = i + j
		}
		if end == i || full[i] == '.' {
			return "", nil, errRefused
		}
		fi, err := rl.Lstat(full[:end])
		if err != nil {
			return "", nil, err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return resolveSlow(rl, cur, name)
		}
		if end == len(full) {
			return full, fi, nil
		}
		i = end + 1
	}
}

// resolveSlow is resolveLinks for a name with a link in it: one element at
// a time, following each link.
func resolveSlow(rl fs.ReadLinkFS, cur, name string) (string, fs.FileInfo, error) {
	parts := strings.Split(name, "/")
	var last fs.FileInfo
	for hops := 0; len(parts) > 0; {
		p := parts[0]
		parts = parts[1:]
		if p == "" || strings.HasPrefix(p, ".") {
			return "", nil, errRefused
		}
		next := path.Join(cur, p)
		fi, err := rl.Lstat(next)
		if err != nil {
			return "", nil, err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			cur, last = next, fi
			continue
		}
		if hops++; hops > maxLinkHops {
			return "", nil, errRefused
		}
		target, err := rl.ReadLink(next)
		if err != nil || target == "" || path.IsAbs(target) || strings.HasPrefix(target, "\\") {
			return "", nil, errRefused
		}
		joined := path.Join(cur, target)
		if joined == ".." || strings.HasPrefix(joined, "../") {
			return "", nil, errRefused
		}
		cur, last = "", nil
		if joined != "." {
			parts = append(strings.Split(joined, "/"), parts...)
		}
	}
	if cur == "" {
		return ".", nil, nil
	}
	return cur, last, nil
}
