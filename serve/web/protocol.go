package web

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/gmkit/gmkit/serve/protocol"
)

// DefaultAddr is where HTTP is served by default.
const DefaultAddr = ":80"

// Protocol is the web as gmkit serve runs it (see serve/protocol): the
// HTML output over HTTP and, when http.https_listen is set, over HTTPS
// with the shared certificate or one from an ACME CA (acme.*), plain
// HTTP then redirecting to HTTPS; with CGI, redirects and the access
// policy.
var Protocol protocol.Protocol = proto{}

type proto struct{}

var info = protocol.Info{
	Name:        "http",
	Title:       "HTTP",
	Network:     "tcp",
	DefaultAddr: DefaultAddr,
	Output:      "html",
	Links:       true,
	Keys: append([]protocol.Key{
		{Name: "enabled", Default: true, Type: protocol.Type{Kind: protocol.Bool}, Doc: "Serve the web output over HTTP. The web output (`public/html`) is built while HTTP is on."},
		{Name: "listen", Default: DefaultAddr, Type: protocol.Type{Kind: protocol.Addr}, Doc: "Address the HTTP server listens on."},
		{Name: "https_listen", Default: "", Type: protocol.Type{Kind: protocol.Addr, Optional: true}, Doc: "Address for HTTPS (off when empty), with `serve.cert`, an ACME certificate (`acme.enabled`) or the self-made one."},
		{Name: "port", Default: 0, Type: protocol.Type{Kind: protocol.Int, Max: 65535}, Doc: "Public HTTP port written into absolute URLs; 0 means the port of `http.listen`."},
		{Name: "https_port", Default: 0, Type: protocol.Type{Kind: protocol.Int, Max: 65535}, Doc: "Public HTTPS port redirects point at; 0 means the port of `http.https_listen`."},
		{Name: "redirect_https", Default: true, Type: protocol.Type{Kind: protocol.Bool}, Doc: "With HTTPS on, answer plain HTTP with a 301 to the same address over HTTPS."},
		{Name: "hsts", Default: "0s", Type: protocol.Type{Kind: protocol.Duration, Optional: true}, Doc: "Strict-Transport-Security max-age sent over HTTPS (0: not sent); only for a certificate browsers trust."},
		{Name: "csp", Default: DefaultCSP, Type: protocol.Type{Kind: protocol.Text}, Doc: "Content-Security-Policy sent with every answer (the default allows no scripts)."},
		{Name: "max_age", Default: "0s", Type: protocol.Type{Kind: protocol.Duration, Optional: true}, Doc: "How long browsers may keep images and other files without asking again (pages, feeds and text are always checked)."},
	}, protocol.StreamKeys("http")...),
}

func (proto) Info() protocol.Info { return info }

func (proto) New(env *protocol.Env, set protocol.Settings) (protocol.Server, error) {
	s := &server{env: env, addr: set.String("listen"), tlsAddr: set.String("https_listen"),
		port: set.Int("port"), tlsPort: set.Int("https_port"), redirect: set.Bool("redirect_https"),
		maxConns: set.Int("max_conns"), perAddr: set.Int("max_conns_per_addr")}
	hsts, err := set.Duration("hsts")
	if err != nil {
		return nil, err
	}
	maxAge, err := set.Duration("max_age")
	if err != nil {
		return nil, err
	}
	s.hdr = HeaderOptions{CSP: set.String("csp"), HSTS: hsts}
	s.opts = Options{Lang: env.Lang, MaxAge: maxAge}
	if l := env.Limiter(set); l != nil {
		s.limiter = l
	}
	if env.CGI != nil {
		s.cgi = &CGI{Runner: env.CGI, DocumentRoot: env.DocRoot(info.Output)}
	}
	if s.tlsAddr != "" {
		if env.ACME != nil {
			s.tlsCfg = env.ACME.TLSConfig()
		} else {
			getCert, err := env.Certificates()
			if err != nil {
				return nil, err
			}
			s.tlsCfg = &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: getCert}
		}
	}
	return s, nil
}

// server is the web's protocol.Server: plain HTTP and, optionally, HTTPS,
// answering from the same content.
type server struct {
	env               *protocol.Env
	addr, tlsAddr     string
	port, tlsPort     int
	redirect          bool
	maxConns, perAddr int
	limiter           Limiter
	hdr               HeaderOptions
	opts              Options
	tlsCfg            *tls.Config
	cgi               *CGI
	l, tlsL           net.Listener
	plain, overTLS    *Server
	live              atomic.Pointer[http.Handler]
}

func (s *server) Listen() (err error) {
	if s.l, err = s.env.ListenTCP(info.Name, info.Name, s.addr, "--"+info.Name); err != nil {
		return err
	}
	if s.tlsAddr != "" {
		if s.tlsL, err = s.env.ListenTCP("https", info.Name, s.tlsAddr, "http.https_listen"); err != nil {
			s.l.Close()
			return err
		}
	}
	// Plain HTTP answers the ACME HTTP-01 challenge, then either redirects
	// to HTTPS or serves the site.
	plain := http.Handler(http.HandlerFunc(s.serve))
	if s.tlsL != nil && s.redirect {
		plain = RedirectHTTPS(s.env.Hostnames, s.httpsPort())
	}
	if s.env.ACME != nil {
		plain = s.env.ACME.HTTPHandler(plain)
	}
	s.plain = s.newServer(plain, nil)
	if s.tlsL != nil {
		s.overTLS = s.newServer(http.HandlerFunc(s.serve), s.tlsCfg)
	}
	return nil
}

func (s *server) newServer(h http.Handler, cfg *tls.Config) *Server {
	return &Server{Handler: h, TLSConfig: cfg, Limiter: s.limiter, MaxConns: s.maxConns,
		MaxConnsPerAddr: s.perAddr, Logger: s.env.Log()}
}

func (s *server) httpsPort() int {
	if s.tlsPort != 0 {
		return s.tlsPort
	}
	if s.tlsL != nil {
		return protocol.Port(s.tlsL.Addr())
	}
	return 443
}

func (s *server) Endpoints() []protocol.Endpoint {
	var out []protocol.Endpoint
	if s.l != nil {
		a := s.l.Addr()
		out = append(out, protocol.Endpoint{Name: info.Name, Addr: a, Banner: "HTTP    http://" + protocol.ClientAddr(a, 80) + "/"})
	}
	if s.tlsL != nil {
		a := s.tlsL.Addr()
		out = append(out, protocol.Endpoint{Name: "https", Addr: a, Banner: "HTTPS   https://" + protocol.ClientAddr(a, 443) + "/"})
	}
	return out
}

// Public is the host and port absolute web links carry: HTTPS when it is
// on, else HTTP, as configured or as listened on.
func (s *server) Public() (string, int) {
	if s.tlsL != nil || s.tlsAddr != "" && s.tlsPort != 0 {
		return "", s.httpsPort()
	}
	port := s.port
	if port == 0 && s.l != nil {
		port = protocol.Port(s.l.Addr())
	}
	if port == 0 {
		port = 80
	}
	return "", port
}

// Scheme is the scheme of Public's port: https when HTTPS is on, else
// http.
func (s *server) Scheme() string {
	if s.tlsL != nil || s.tlsAddr != "" && s.tlsPort != 0 {
		return "https"
	}
	return "http"
}

func (s *server) Swap(c *protocol.Content) {
	out := c.Outputs[info.Output]
	var h http.Handler = TreeHandler(s.env.Policy.Tree(out.FS, DefaultIndex, c.RedirectsFor(info.Output)), s.cgi, s.opts)
	h = Headers(h, s.hdr)
	s.live.Store(&h)
}

func (s *server) serve(w http.ResponseWriter, r *http.Request) {
	h := s.live.Load()
	if h == nil {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "503 the site is still being built; try again in a moment", http.StatusServiceUnavailable)
		return
	}
	(*h).ServeHTTP(w, r)
}

func (s *server) Serve() error {
	var g errgroup.Group
	g.Go(func() error { return closed(s.plain.Serve(s.l)) })
	if s.overTLS != nil {
		g.Go(func() error { return closed(s.overTLS.Serve(s.tlsL)) })
	}
	return g.Wait()
}

func closed(err error) error {
	if errors.Is(err, ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

func (s *server) Shutdown(ctx context.Context) error {
	var g errgroup.Group
	for _, srv := range []*Server{s.plain, s.overTLS} {
		if srv != nil {
			g.Go(func() error { return srv.Shutdown(ctx) })
		}
	}
	return g.Wait()
}

func (s *server) Close() error {
	for _, l := range []net.Listener{s.l, s.tlsL} {
		if l != nil {
			l.Close()
		}
	}
	return nil
}
