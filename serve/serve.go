package serve

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gmkit/gmkit/serve/certs"
	"github.com/gmkit/gmkit/serve/cgi"
	"github.com/gmkit/gmkit/serve/gemini"
	"github.com/gmkit/gmkit/serve/gopher"
	"github.com/gmkit/gmkit/serve/guppy"
	"github.com/gmkit/gmkit/serve/ratelimit"
)

// Config describes the servers to run. Only cmd/gmkit fills it from the
// user's configuration; zero values are documented per field.
type Config struct {
	// Hostname is the public host name; Aliases are other names served.
	// Default "localhost".
	Hostname string
	Aliases  []string
	// Lang is added to text/gemini responses as lang=... when set.
	Lang string
	// Software is SERVER_SOFTWARE for CGI, e.g. "gmkit/1.0.0".
	Software string
	// StateDir holds private state; certificates go in StateDir/certs.
	// Required when Gemini or Gopher over TLS is on.
	StateDir string
	// SharedCertDir, when set, holds the self-made certificates of
	// localhost and loopback addresses instead, shared by every site of the
	// user (see certs.UserDir).
	SharedCertDir string
	// Logger gets one line per request and server events. nil discards.
	Logger *slog.Logger
	// ShutdownGrace is how long requests in flight may take to finish
	// once the servers are told to stop. Zero means 5 s.
	ShutdownGrace time.Duration
	// StopNow, closed during the grace period, ends it: connections still
	// open are closed and requests in flight (CGI scripts included) end at
	// once. nil means the grace period always runs its course.
	StopNow <-chan struct{}

	Gemini GeminiConfig
	Gopher GopherConfig
	Guppy  GuppyConfig
	CGI    CGIConfig
}

// GeminiConfig configures the Gemini server.
type GeminiConfig struct {
	Enabled bool
	// Addr is the listen address. Empty means ":1965".
	Addr string
	// Port is the public port requests must name; zero means the port
	// listened on. IgnorePort turns the check off (behind a port forward).
	Port       int
	IgnorePort bool
	// CertFile and KeyFile name the user's own certificate; empty means a
	// self-made one kept in StateDir/certs.
	CertFile, KeyFile string
	// ClientCA is a PEM file of a CA whose client certificates count as
	// verified.
	ClientCA string
	// RequireCert lists path prefixes that need a client certificate;
	// AllowedCerts restricts them to these SHA-256 fingerprints.
	RequireCert  []string
	AllowedCerts []string
	// Listing answers folders without index.gmi with a generated list.
	Listing bool
	// MaxConns caps connections; zero means the stream default (1024).
	MaxConns int
	// Rate and Burst limit requests per client address; zero Rate means
	// no limit.
	Rate  float64
	Burst int

	// MaxConnsPerAddr caps connections from one client address; zero
	// means the stream default (32), negative no cap.
	MaxConnsPerAddr int
}

// GopherConfig configures the Gopher server.
type GopherConfig struct {
	Enabled bool
	// Addr is the listen address. Empty means ":70".
	Addr string
	// TLSAddr, when set, also serves Gopher over TLS there.
	TLSAddr string
	// Host and Port are the public host and port written into menus. Empty
	// Host means Config.Hostname; zero Port means the port listened on.
	Host     string
	Port     int
	MaxConns int
	Rate     float64
	Burst    int

	// MaxConnsPerAddr: see GeminiConfig.
	MaxConnsPerAddr int
}

// GuppyConfig configures the Guppy server.
type GuppyConfig struct {
	Enabled bool
	// Addr is the UDP listen address. Empty means ":6775".
	Addr string
	// Window, MaxSessions and Timeout: see guppy.Server. Zero means its
	// defaults.
	Window      int
	MaxSessions int
	Timeout     time.Duration
}

// CGIConfig configures CGI for every protocol.
type CGIConfig struct {
	// Dir is the folder of scripts, served at /cgi-bin/. Empty means no CGI.
	Dir string
	// Timeout and MaxOutput bound each script; zero means serve/cgi's
	// defaults.
	Timeout   time.Duration
	MaxOutput int
	// GeminiRoot and GopherRoot are DOCUMENT_ROOT for scripts run over
	// Gemini and Guppy, and over Gopher: the outputs' folders on disk.
	GeminiRoot string
	GopherRoot string
}

// Servers runs the configured servers over one Site.
type Servers struct {
	cfg    Config
	log    *slog.Logger
	site   Site
	certs  *certs.Store
	runner *cgi.Runner
	caPool *x509.CertPool

	gemL, gopL, gopTLSL net.Listener
	gupL                net.PacketConn

	gem    *gemini.Server
	gop    *gopher.Server
	gopTLS *gopher.Server
	gup    *guppy.Server
}

// New prepares the servers: it loads or makes certificates and checks the
// configuration. Nothing listens until Listen.
func New(cfg Config) (*Servers, error) {
	if cfg.Hostname == "" {
		cfg.Hostname = "localhost"
	}
	if cfg.ShutdownGrace == 0 {
		cfg.ShutdownGrace = 5 * time.Second
	}
	if cfg.Gemini.Addr == "" {
		cfg.Gemini.Addr = ":1965"
	}
	if cfg.Gopher.Addr == "" {
		cfg.Gopher.Addr = ":70"
	}
	if cfg.Gopher.Host == "" {
		cfg.Gopher.Host = cfg.Hostname
	}
	if cfg.Guppy.Addr == "" {
		cfg.Guppy.Addr = guppy.DefaultAddr
	}
	s := &Servers{cfg: cfg, log: cfg.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if cfg.Gemini.Enabled || cfg.Gopher.TLSAddr != "" {
		cc := certs.Config{Dir: filepath.Join(cfg.StateDir, "certs"), SharedDir: cfg.SharedCertDir, Hosts: append([]string{cfg.Hostname}, cfg.Aliases...)}
		if cfg.Gemini.CertFile != "" || cfg.Gemini.KeyFile != "" {
			if cfg.Gemini.CertFile == "" || cfg.Gemini.KeyFile == "" {
				return nil, errors.New("gemini.cert and gemini.key go together: set both or neither")
			}
			cc.Pairs = []certs.Pair{{CertFile: cfg.Gemini.CertFile, KeyFile: cfg.Gemini.KeyFile}}
		}
		st, err := certs.New(cc)
		if err != nil {
			return nil, err
		}
		s.certs = st
	}
	if cfg.Gemini.ClientCA != "" {
		pem, err := os.ReadFile(cfg.Gemini.ClientCA)
		if err != nil {
			return nil, fmt.Errorf("gemini.client_ca: %w", err)
		}
		s.caPool = x509.NewCertPool()
		if !s.caPool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("gemini.client_ca: %s holds no PEM certificate", cfg.Gemini.ClientCA)
		}
	}
	if cfg.CGI.Dir != "" {
		if st, err := os.Stat(cfg.CGI.Dir); err == nil && st.IsDir() {
			s.runner = &cgi.Runner{Dir: cfg.CGI.Dir, Timeout: cfg.CGI.Timeout, MaxOutput: cfg.CGI.MaxOutput, Software: cfg.Software, Logger: s.log.With("proto", "cgi")}
		}
	}
	return s, nil
}

// Certificates describes the Gemini certificates, for printing.
func (s *Servers) Certificates() []certs.Info {
	if s.certs == nil {
		return nil
	}
	return s.certs.List()
}

// Listen binds every enabled server's address. Errors say which server,
// which address, and what to do about it. On error nothing stays bound.
func (s *Servers) Listen() (err error) {
	defer func() {
		if err != nil {
			s.closeListeners()
		}
	}()
	if s.cfg.Gemini.Enabled {
		if s.gemL, err = listenTCP("gemini", s.cfg.Gemini.Addr, "--gemini"); err != nil {
			return err
		}
	}
	if s.cfg.Gopher.Enabled {
		if s.gopL, err = listenTCP("gopher", s.cfg.Gopher.Addr, "--gopher"); err != nil {
			return err
		}
		if s.cfg.Gopher.TLSAddr != "" {
			if s.gopTLSL, err = listenTCP("gopher over TLS", s.cfg.Gopher.TLSAddr, "gopher.tls_listen"); err != nil {
				return err
			}
		}
	}
	if s.cfg.Guppy.Enabled {
		pc, lerr := net.ListenPacket("udp", s.cfg.Guppy.Addr)
		if lerr != nil {
			return listenError("guppy", s.cfg.Guppy.Addr, "--guppy", lerr)
		}
		s.gupL = pc
	}
	return nil
}

func listenTCP(name, addr, flag string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, listenError(name, addr, flag, err)
	}
	return l, nil
}

// listenError explains a failure to listen in terms of what to do.
func listenError(name, addr, flag string, err error) error {
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return fmt.Errorf("%s: %s is already in use (is another gmkit or server running?); choose another address with %s, or turn %s off with --no-%s", name, addr, flag, name, strings.Fields(name)[0])
	case errors.Is(err, syscall.EACCES):
		return fmt.Errorf("%s: %s is a privileged port; use a port above 1023 (e.g. %s 127.0.0.1:%d), or allow it with: sudo setcap cap_net_bind_service=+ep $(which gmkit)", name, addr, flag, highPort(addr))
	}
	return fmt.Errorf("%s: listening on %s: %w", name, addr, err)
}

func highPort(addr string) int {
	_, p, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(p)
	return 7000 + n
}

func (s *Servers) closeListeners() {
	for _, l := range []net.Listener{s.gemL, s.gopL, s.gopTLSL} {
		if l != nil {
			l.Close()
		}
	}
	if s.gupL != nil {
		s.gupL.Close()
	}
}

// Addr returns where the named server ("gemini", "gopher", "gopher-tls",
// "guppy") listens, or nil when it is off. Valid after Listen.
func (s *Servers) Addr(name string) net.Addr {
	switch name {
	case "gemini":
		if s.gemL != nil {
			return s.gemL.Addr()
		}
	case "gopher":
		if s.gopL != nil {
			return s.gopL.Addr()
		}
	case "gopher-tls":
		if s.gopTLSL != nil {
			return s.gopTLSL.Addr()
		}
	case "guppy":
		if s.gupL != nil {
			return s.gupL.LocalAddr()
		}
	}
	return nil
}

// GopherPublic is the host and port the Gopher menus should carry: the
// configured public ones, or the port actually listened on. Valid after
// Listen.
func (s *Servers) GopherPublic() (string, int) {
	port := s.cfg.Gopher.Port
	if port == 0 {
		if a, ok := s.Addr("gopher").(*net.TCPAddr); ok {
			port = a.Port
		} else {
			port = 70
		}
	}
	return s.cfg.Gopher.Host, port
}

// GeminiPublicPort is the port absolute gemini:// URLs should carry.
func (s *Servers) GeminiPublicPort() int {
	if s.cfg.Gemini.Port != 0 {
		return s.cfg.Gemini.Port
	}
	if a, ok := s.Addr("gemini").(*net.TCPAddr); ok {
		return a.Port
	}
	return 1965
}

// Run serves until ctx is done, then shuts every server down, letting
// requests in flight finish within the grace period. It returns the first
// server error other than a normal shutdown. Listen must have succeeded.
func (s *Servers) Run(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	limiter := func(rate float64, burst int) *ratelimit.Limiter {
		if rate <= 0 {
			return nil
		}
		return ratelimit.New(ratelimit.Config{PerSecond: rate, Burst: burst})
	}
	if s.gemL != nil {
		s.gem = &gemini.Server{
			Handler:        gemini.HandlerFunc(s.serveGemini),
			GetCertificate: s.certs.GetCertificate,
			Hostnames:      append([]string{s.cfg.Hostname}, s.cfg.Aliases...),
			Port:           s.cfg.Gemini.Port,
			IgnorePort:     s.cfg.Gemini.IgnorePort,
			ClientCAs:      s.caPool,
			MaxConns:       s.cfg.Gemini.MaxConns,
			Logger:         s.log,

			MaxConnsPerAddr: s.cfg.Gemini.MaxConnsPerAddr,
		}
		if l := limiter(s.cfg.Gemini.Rate, s.cfg.Gemini.Burst); l != nil {
			s.gem.Limiter = l
		}
		g.Go(func() error { return ignoreClosed(s.gem.Serve(s.gemL), gemini.ErrServerClosed) })
	}
	if s.gopL != nil {
		host, port := s.GopherPublic()
		s.gop = &gopher.Server{Handler: gopher.HandlerFunc(s.serveGopher), Host: host, Port: port, MaxConns: s.cfg.Gopher.MaxConns, MaxConnsPerAddr: s.cfg.Gopher.MaxConnsPerAddr, Logger: s.log}
		if l := limiter(s.cfg.Gopher.Rate, s.cfg.Gopher.Burst); l != nil {
			s.gop.Limiter = l
		}
		g.Go(func() error { return ignoreClosed(s.gop.Serve(s.gopL), gopher.ErrServerClosed) })
		if s.gopTLSL != nil {
			_, tport := splitPort(s.gopTLSL.Addr())
			s.gopTLS = &gopher.Server{Handler: gopher.HandlerFunc(s.serveGopher), Host: host, Port: tport, MaxConns: s.cfg.Gopher.MaxConns, MaxConnsPerAddr: s.cfg.Gopher.MaxConnsPerAddr, Logger: s.log,
				TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: s.certs.GetCertificate}}
			s.gopTLS.Limiter = s.gop.Limiter
			g.Go(func() error { return ignoreClosed(s.gopTLS.Serve(s.gopTLSL), gopher.ErrServerClosed) })
		}
	}
	if s.gupL != nil {
		s.gup = &guppy.Server{Handler: guppy.HandlerFunc(s.serveGuppy), Logger: s.log, Window: s.cfg.Guppy.Window, MaxSessions: s.cfg.Guppy.MaxSessions, Timeout: s.cfg.Guppy.Timeout,
			Hostnames: append([]string{s.cfg.Hostname}, s.cfg.Aliases...)}
		g.Go(func() error { return ignoreClosed(s.gup.Serve(s.gupL), guppy.ErrServerClosed) })
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
	if s.gem != nil {
		g.Go(func() error { return s.gem.Shutdown(ctx) })
	}
	if s.gop != nil {
		g.Go(func() error { return s.gop.Shutdown(ctx) })
	}
	if s.gopTLS != nil {
		g.Go(func() error { return s.gopTLS.Shutdown(ctx) })
	}
	if s.gup != nil {
		g.Go(func() error { return s.gup.Shutdown(ctx) })
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

func ignoreClosed(err, closed error) error {
	if err == nil || errors.Is(err, closed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

func splitPort(a net.Addr) (string, int) {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.IP.String(), t.Port
	}
	return "", 0
}
