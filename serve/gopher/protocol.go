package gopher

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/gmkit/gmkit/serve/protocol"
	"github.com/gmkit/gmkit/serve/stream"
)

// Protocol is Gopher as gmkit serve runs it (see serve/protocol): the hole
// on a plain port and, when gopher.tls_listen is set, over TLS too, with
// CGI and the access policy.
var Protocol protocol.Protocol = proto{}

type proto struct{}

var info = protocol.Info{
	Name:        "gopher",
	Title:       "Gopher",
	Network:     "tcp",
	DefaultAddr: DefaultAddr,
	Output:      "gopher",
	Links:       true,
	Keys: append(append(protocol.CommonKeys("Gopher", DefaultAddr, "Serve the hole over Gopher. The hole is built while a protocol that serves it is on."),
		protocol.Key{Name: "tls_listen", Default: "", Type: protocol.Type{Kind: protocol.Addr, Optional: true}, Doc: "Address for Gopher over TLS (off when empty)."},
		protocol.Key{Name: "host", Default: "", Type: protocol.Type{Kind: protocol.Host, Optional: true}, Doc: "Public host written into menus; default `hostname`."},
		protocol.Key{Name: "port", Default: 0, Type: protocol.Type{Kind: protocol.Int, Max: 65535}, Doc: "Public port written into menus; 0 means the port the server listens on."},
	), protocol.StreamKeys("gopher")...),
}

func (proto) Info() protocol.Info { return info }

func (proto) New(env *protocol.Env, set protocol.Settings) (protocol.Server, error) {
	s := &server{env: env, addr: set.String("listen"), tlsAddr: set.String("tls_listen"), host: set.String("host"), port: set.Int("port")}
	if s.host == "" {
		s.host = env.Hostname()
	}
	if s.tlsAddr != "" {
		getCert, err := env.Certificates()
		if err != nil {
			return nil, err
		}
		s.tlsCfg = &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: getCert}
	}
	s.maxConns, s.perAddr = set.Int("max_conns"), set.Int("max_conns_per_addr")
	if l := env.Limiter(set); l != nil {
		s.limiter = l // not a nil *Limiter in the interface
	}
	if env.CGI != nil {
		s.cgi = &CGIHandler{Runner: env.CGI, Mount: env.Policy.CGIMount, DocumentRoot: env.DocRoot(info.Output)}
	}
	return s, nil
}

// server is Gopher's protocol.Server: one plain Server and, optionally, one
// over TLS, answering from the same content.
type server struct {
	env            *protocol.Env
	addr, tlsAddr  string
	host           string
	port, maxConns int
	perAddr        int
	limiter        stream.Limiter
	tlsCfg         *tls.Config
	cgi            *CGIHandler
	l, tlsL        net.Listener
	plain, overTLS *Server
	live           atomic.Pointer[Handler]
}

func (s *server) Listen() (err error) {
	if s.l, err = s.env.ListenTCP(info.Name, info.Name, s.addr, "--"+info.Name); err != nil {
		return err
	}
	if s.tlsAddr != "" {
		if s.tlsL, err = s.env.ListenTCP("gopher over TLS", info.Name, s.tlsAddr, "gopher.tls_listen"); err != nil {
			s.l.Close()
			return err
		}
	}
	host, port := s.Public()
	s.plain = &Server{Handler: HandlerFunc(s.serve), Host: host, Port: port, MaxConns: s.maxConns, MaxConnsPerAddr: s.perAddr, Limiter: s.limiter, Logger: s.env.Logger}
	if s.tlsL != nil {
		s.overTLS = &Server{Handler: HandlerFunc(s.serve), Host: host, Port: protocol.Port(s.tlsL.Addr()), MaxConns: s.maxConns, MaxConnsPerAddr: s.perAddr,
			Limiter: s.limiter, Logger: s.env.Logger, TLSConfig: s.tlsCfg}
	}
	return nil
}

func (s *server) Endpoints() []protocol.Endpoint {
	var out []protocol.Endpoint
	if s.l != nil {
		a := s.l.Addr()
		out = append(out, protocol.Endpoint{Name: info.Name, Addr: a, Banner: "Gopher  gopher://" + protocol.ClientAddr(a, DefaultPort) + "/"})
	}
	if s.tlsL != nil {
		a := s.tlsL.Addr()
		out = append(out, protocol.Endpoint{Name: "gopher-tls", Addr: a, Banner: "Gopher over TLS  gophers://" + protocol.ClientAddr(a, 0) + "/"})
	}
	return out
}

// Public is the host and port menus carry: the configured ones, or the
// plain port listened on.
func (s *server) Public() (string, int) {
	port := s.port
	if port == 0 && s.l != nil {
		port = protocol.Port(s.l.Addr())
	}
	if port == 0 {
		port = DefaultPort
	}
	return s.host, port
}

func (s *server) Swap(c *protocol.Content) {
	out := c.Outputs[info.Output]
	h := TreeHandler(s.env.Policy.Tree(out.FS, DefaultIndex, nil), s.cgi, Options{RewriteFrom: out.BuiltFor})
	s.live.Store(&h)
}

func (s *server) serve(w ResponseWriter, r *Request) {
	h := s.live.Load()
	if h == nil {
		Error(w, "The site is still being built; try again in a moment.")
		return
	}
	(*h).ServeGopher(w, r)
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
	if s.plain != nil {
		g.Go(func() error { return s.plain.Shutdown(ctx) })
	}
	if s.overTLS != nil {
		g.Go(func() error { return s.overTLS.Shutdown(ctx) })
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
