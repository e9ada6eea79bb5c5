// Package serve runs gmkit's servers together over one live snapshot of a
// built site. It knows no protocol by name: it walks the list in
// protocols.go, giving each protocol the shared Env (certificates, CGI, the
// one access policy of serve/policy) and its own settings, and swaps new
// content into all of them after every build. A request in flight finishes
// with the content it started with.
package serve

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gmkit/gmkit/serve/certs"
	"github.com/gmkit/gmkit/serve/cgi"
	"github.com/gmkit/gmkit/serve/policy"
	"github.com/gmkit/gmkit/serve/protocol"
	"github.com/gmkit/gmkit/serve/ratelimit"
	"github.com/gmkit/gmkit/serve/stream"
)

// Content is one built site, as the servers need it.
type Content = protocol.Content

// Output is one built output of a Content.
type Output = protocol.Output

// Redirect sends requests for one path to another address.
type Redirect = policy.Redirect

// DefaultShutdownGrace is how long requests in flight may take to finish
// once the servers are told to stop, when Config.ShutdownGrace is zero.
const DefaultShutdownGrace = 5 * time.Second

// ErrNothingToServe is returned by New when every protocol is turned off.
var ErrNothingToServe = errors.New("every server is turned off; nothing to serve")

// Config describes the servers to run. Only cmd/gmkit fills it from the
// user's configuration; zero values are documented per field. Settings
// that belong to one protocol are read by that protocol from Settings.
type Config struct {
	// Hostname is the public host name; Aliases are other names served.
	// Empty Hostname means policy.DefaultHostname.
	Hostname string
	Aliases  []string
	// Lang is added to text/gemini responses as lang=... when set.
	Lang string
	// StateDir holds private state; certificates go in StateDir/certs.
	StateDir string
	// SharedCertDir, when set, holds the self-made certificates of
	// localhost and loopback addresses instead, shared by every site of the
	// user (see certs.UserDir).
	SharedCertDir string
	// CertFile and KeyFile name the user's own certificate for every TLS
	// server; empty means a self-made one kept in StateDir/certs.
	CertFile, KeyFile string
	// ClientCA is a PEM file of a CA whose client certificates count as
	// verified.
	ClientCA string
	// Listing answers folders without an index file with a generated list,
	// on every protocol.
	Listing bool
	// RequireCert lists path prefixes that need a client certificate on
	// every protocol; AllowedCerts restricts them to these SHA-256
	// fingerprints (certificates ClientCA signed are allowed too).
	RequireCert  []string
	AllowedCerts []string
	// ProxyFrom lists the load balancers (addresses or CIDR ranges, e.g.
	// "127.0.0.1", "10.0.0.0/8") whose TCP connections start with the
	// PROXY protocol (v1 or v2), on every TCP protocol. Empty: none.
	ProxyFrom []string
	// CGI configures the scripts served at policy.DefaultCGIMount.
	CGI CGIConfig
	// ACME gets certificates from an ACME CA for HTTPS (and, when asked,
	// for Gemini); kept in StateDir/acme.
	ACME ACMEConfig
	// OutputDir is the folder the outputs are written to; each protocol's
	// scripts get OutputDir/<output> as DOCUMENT_ROOT.
	OutputDir string
	// Software is SERVER_SOFTWARE for CGI, e.g. "gmkit/1.0.0".
	Software string
	// Logger gets one line per request and server events. nil discards.
	Logger *slog.Logger
	// ShutdownGrace is how long requests in flight may take to finish
	// once the servers are told to stop. Zero means DefaultShutdownGrace.
	ShutdownGrace time.Duration
	// StopNow, closed during the grace period, ends it: connections still
	// open are closed and requests in flight (CGI scripts included) end at
	// once. nil means the grace period always runs its course.
	StopNow <-chan struct{}
	// Settings returns the settings of the protocol named name (its
	// enabled and listen keys among them). nil, or a nil result, means the
	// protocol's defaults.
	Settings func(name string) protocol.Settings
}

// CGIConfig configures CGI for every protocol.
type CGIConfig struct {
	// Dir is the folder of scripts. Empty, or a folder that does not
	// exist, means no CGI.
	Dir string
	// Timeout and MaxOutput bound each script; zero means serve/cgi's
	// defaults.
	Timeout   time.Duration
	MaxOutput int
}

// ACMEConfig configures certificates from an ACME CA (Let's Encrypt by
// default) for Hostname and Aliases, which must be public DNS names.
type ACMEConfig struct {
	// Enabled gets them; the zero value uses the certificate store only.
	Enabled bool
	// Email is given to the CA for expiry notices; empty means none.
	Email string
	// DirectoryURL is the CA's ACME directory; empty means Let's Encrypt.
	DirectoryURL string
	// Gemini makes every TLS server (Gemini, Gopher over TLS) present the
	// ACME certificate too, instead of the self-made one clients pinned.
	Gemini bool
	// HTTPClient talks to the CA; nil means http.DefaultClient.
	HTTPClient *http.Client
}

// running is one enabled protocol and its server.
type running struct {
	info protocol.Info
	srv  protocol.Server
}

// Servers runs the enabled protocols over one site.
type Servers struct {
	cfg   Config
	log   *slog.Logger
	env   *protocol.Env
	store *certs.Store
	list  []running
	seq   atomic.Uint64
}

// New prepares the enabled protocols' servers: it loads or makes
// certificates when a protocol needs them and checks the configuration.
// Nothing listens until Listen.
func New(cfg Config) (*Servers, error) {
	if cfg.Hostname == "" {
		cfg.Hostname = policy.DefaultHostname
	}
	if cfg.ShutdownGrace == 0 {
		cfg.ShutdownGrace = DefaultShutdownGrace
	}
	s := &Servers{cfg: cfg, log: cfg.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	hosts := append([]string{cfg.Hostname}, cfg.Aliases...)
	pol := &policy.Policy{Hostnames: hosts, Listing: cfg.Listing}
	env := &protocol.Env{Hostnames: hosts, Lang: cfg.Lang, Logger: s.log, Policy: pol,
		NewLimiter: func(rate float64, burst int) stream.Limiter {
			return ratelimit.New(ratelimit.Config{PerSecond: rate, Burst: burst})
		}}
	if cfg.ClientCA != "" {
		pem, err := os.ReadFile(cfg.ClientCA)
		if err != nil {
			return nil, fmt.Errorf("serve.client_ca: %w", err)
		}
		env.ClientCAs = x509.NewCertPool()
		if !env.ClientCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("serve.client_ca: %s holds no PEM certificate", cfg.ClientCA)
		}
	}
	for _, a := range cfg.ProxyFrom {
		p, err := parseProxySource(a)
		if err != nil {
			return nil, err
		}
		env.ProxyFrom = append(env.ProxyFrom, p)
	}
	for _, p := range cfg.RequireCert {
		pol.Rules = append(pol.Rules, policy.Rule{Prefix: p, Fingerprints: cfg.AllowedCerts, AllowVerified: env.ClientCAs != nil})
	}
	if cfg.CGI.Dir != "" {
		if st, err := os.Stat(cfg.CGI.Dir); err == nil && st.IsDir() {
			env.CGI = &cgi.Runner{Dir: cfg.CGI.Dir, Timeout: cfg.CGI.Timeout, MaxOutput: cfg.CGI.MaxOutput, Software: cfg.Software, Logger: s.log.With("proto", "cgi")}
			pol.CGIMount = policy.DefaultCGIMount
		}
	}
	if cfg.OutputDir != "" {
		env.DocumentRoot = func(output string) string { return filepath.Join(cfg.OutputDir, output) }
	}
	if cfg.ACME.Enabled {
		a, err := certs.NewACME(certs.ACMEConfig{Dir: filepath.Join(cfg.StateDir, "acme"), Hosts: hosts,
			Email: cfg.ACME.Email, DirectoryURL: cfg.ACME.DirectoryURL, HTTPClient: cfg.ACME.HTTPClient})
		if err != nil {
			return nil, err
		}
		env.ACME = a
	}
	var once sync.Once
	var certErr error
	env.Certificates = func() (func(*tls.ClientHelloInfo) (*tls.Certificate, error), error) {
		once.Do(func() { s.store, certErr = s.makeCerts(hosts) })
		if certErr != nil {
			return nil, certErr
		}
		if env.ACME != nil && cfg.ACME.Gemini {
			return s.acmeFirst, nil
		}
		return s.store.GetCertificate, nil
	}
	s.env = env
	for _, p := range protocols {
		info := p.Info()
		set := s.settings(info)
		if !set.Bool("enabled") {
			continue
		}
		srv, err := p.New(env, set)
		if err != nil {
			return nil, err
		}
		s.list = append(s.list, running{info: info, srv: srv})
	}
	if len(s.list) == 0 {
		return nil, ErrNothingToServe
	}
	return s, nil
}

func (s *Servers) settings(info protocol.Info) protocol.Settings {
	if s.cfg.Settings != nil {
		if set := s.cfg.Settings(info.Name); set != nil {
			return set
		}
	}
	return protocol.Defaults(info, nil)
}

// makeCerts opens the certificate store every TLS server shares.
func (s *Servers) makeCerts(hosts []string) (*certs.Store, error) {
	cc := certs.Config{Dir: filepath.Join(s.cfg.StateDir, "certs"), SharedDir: s.cfg.SharedCertDir, Hosts: hosts}
	if s.cfg.CertFile != "" || s.cfg.KeyFile != "" {
		if s.cfg.CertFile == "" || s.cfg.KeyFile == "" {
			return nil, errors.New("serve.cert and serve.key go together: set both or neither")
		}
		cc.Pairs = []certs.Pair{{CertFile: s.cfg.CertFile, KeyFile: s.cfg.KeyFile}}
	}
	st, err := certs.New(cc)
	if err != nil {
		return nil, err
	}
	for _, w := range st.Warnings() {
		s.log.Warn(w)
	}
	return st, nil
}

// acmeFirst presents the ACME certificate for the names it covers, and the
// store's certificate when there is none (a client sent no or another
// name) or the CA cannot be reached.
func (s *Servers) acmeFirst(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	if s.env.ACME.Has(hello.ServerName) {
		c, err := s.env.ACME.GetCertificate(hello)
		if err == nil {
			return c, nil
		}
		s.log.Warn("no ACME certificate; presenting the self-made one", "host", hello.ServerName, "err", err)
	}
	return s.store.GetCertificate(hello)
}

// Certificates describes the server certificates, for printing; nil when
// no protocol serves TLS.
func (s *Servers) Certificates() []certs.Info {
	if s.store == nil {
		return nil
	}
	return s.store.List()
}

// Listen binds every enabled server's addresses. Errors say which server,
// which address, and what to do about it. On error nothing stays bound.
func (s *Servers) Listen() error {
	for i, r := range s.list {
		if err := r.srv.Listen(); err != nil {
			for _, done := range s.list[:i] {
				done.srv.Close()
			}
			return err
		}
	}
	return nil
}

// Endpoints lists what every server bound, in banner order. Valid after
// Listen.
func (s *Servers) Endpoints() []protocol.Endpoint {
	var out []protocol.Endpoint
	for _, r := range s.list {
		out = append(out, r.srv.Endpoints()...)
	}
	return out
}

// Addr returns where the endpoint named name ("gemini", "gopher-tls", ...)
// listens, or nil when it is off. Valid after Listen.
func (s *Servers) Addr(name string) net.Addr {
	for _, e := range s.Endpoints() {
		if e.Name == name {
			return e.Addr
		}
	}
	return nil
}

// Public returns the host and port that the absolute links of output
// should carry: those of the enabled protocol whose Info.Links names
// output. Host "" means the hostname. ok is false when no such protocol
// runs. Valid after Listen.
func (s *Servers) Public(output string) (host string, port int, ok bool) {
	for _, r := range s.list {
		if r.info.Output == output && r.info.Links {
			host, port = r.srv.Public()
			return host, port, true
		}
	}
	return "", 0, false
}

// Scheme returns the scheme the absolute links of output should carry,
// when the protocol serving them says (see protocol.Schemer), else "".
// Valid after Listen.
func (s *Servers) Scheme(output string) string {
	for _, r := range s.list {
		if r.info.Output == output && r.info.Links {
			if sc, ok := r.srv.(protocol.Schemer); ok {
				return sc.Scheme()
			}
			return ""
		}
	}
	return ""
}

// Swap makes c the content every server answers from. Requests already
// being answered finish with the content they started with.
func (s *Servers) Swap(c Content) {
	for _, r := range s.list {
		r.srv.Swap(&c)
	}
	s.seq.Add(1)
}

// Seq counts the swaps so far (0 before the first).
func (s *Servers) Seq() uint64 { return s.seq.Load() }

// Run serves until ctx is done, then shuts every server down, letting
// requests in flight finish within the grace period. It returns the first
// server error other than a normal shutdown. Listen must have succeeded.
func (s *Servers) Run(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	for _, r := range s.list {
		g.Go(r.srv.Serve)
	}
	g.Go(func() error {
		<-gctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownGrace)
		defer cancel()
		if s.cfg.StopNow != nil {
			go func() { // ends with the grace period or at StopNow
				select {
				case <-s.cfg.StopNow:
					cancel()
				case <-sctx.Done():
				}
			}()
		}
		return s.shutdown(sctx)
	})
	return g.Wait()
}

// shutdown stops every server, in parallel, within ctx.
func (s *Servers) shutdown(ctx context.Context) error {
	var g errgroup.Group
	for _, r := range s.list {
		g.Go(func() error { return r.srv.Shutdown(ctx) })
	}
	err := g.Wait()
	if errors.Is(err, context.DeadlineExceeded) {
		s.log.Warn("shutdown grace period over; closed the connections still open")
		return nil
	}
	if errors.Is(err, context.Canceled) {
		s.log.Warn("stopped at once; closed the connections still open")
		return nil
	}
	return err
}

// parseProxySource reads one entry of Config.ProxyFrom: an address (a
// single host) or a CIDR range.
func parseProxySource(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("serve.proxy_protocol: %q is neither an IP address nor a CIDR range", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}
