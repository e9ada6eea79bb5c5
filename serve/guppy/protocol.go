package guppy

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"time"

	"github.com/gmkit/gmkit/serve/protocol"
)

// Defaults of Server fields (the zero values) that gmkit's config shows.
const (
	DefaultWindow      = 8
	DefaultMaxSessions = 1024
	DefaultTimeout     = 30 * time.Second
)

// Protocol is Guppy as gmkit serve runs it (see serve/protocol): the
// capsule over UDP, with CGI, redirects and the access policy.
var Protocol protocol.Protocol = proto{}

type proto struct{}

var info = protocol.Info{
	Name:        "guppy",
	Title:       "Guppy",
	Network:     "udp",
	DefaultAddr: DefaultAddr,
	Output:      "gemini",
	Keys: append(protocol.CommonKeys("Guppy", DefaultAddr, "Serve the capsule over Guppy (UDP); it is built for Guppy even with `gemini.enabled = false`."),
		protocol.Key{Name: "port", Default: 0, Type: protocol.Type{Kind: protocol.Int, Max: 65535}, Doc: "Public Guppy port requests must name; 0 means the port of `guppy.listen`."},
		protocol.Key{Name: "check_port", Default: true, Type: protocol.Type{Kind: protocol.Bool}, Doc: "Refuse requests naming another port; turn off behind a port forward."},
		protocol.Key{Name: "window", Default: DefaultWindow, Type: protocol.Type{Kind: protocol.Int, Min: 1, Max: 1024}, Doc: "Chunks in flight per transfer (reference clients buffer 8)."},
		protocol.Key{Name: "max_sessions", Default: DefaultMaxSessions, Type: protocol.Type{Kind: protocol.Int, Min: 1, Max: protocol.MaxInt}, Doc: "Most transfers at once."},
		protocol.Key{Name: "session_timeout", Default: DefaultTimeout.String(), Type: protocol.Type{Kind: protocol.Duration}, Doc: "A transfer that makes no progress for this long is dropped."},
	),
}

func (proto) Info() protocol.Info { return info }

func (proto) New(env *protocol.Env, set protocol.Settings) (protocol.Server, error) {
	timeout, err := set.Duration("session_timeout")
	if err != nil {
		return nil, err
	}
	s := &server{env: env, addr: set.String("listen"),
		opts: Options{Lang: env.Lang, Port: set.Int("port"), IgnorePort: !set.Bool("check_port")}}
	s.srv = &Server{Handler: HandlerFunc(s.serve), Logger: env.Logger, Window: set.Int("window"), MaxSessions: set.Int("max_sessions"), Timeout: timeout,
		Hostnames: env.Policy.Hostnames}
	if env.CGI != nil {
		s.cgi = &CGIHandler{Runner: env.CGI, Mount: env.Policy.CGIMount, DocumentRoot: env.DocRoot(info.Output)}
	}
	return s, nil
}

// server is Guppy's protocol.Server.
type server struct {
	env  *protocol.Env
	addr string
	opts Options
	srv  *Server
	cgi  *CGIHandler
	pc   net.PacketConn
	live atomic.Pointer[Handler]
}

func (s *server) Listen() (err error) {
	s.pc, err = protocol.ListenUDP(info.Name, info.Name, s.addr, "--"+info.Name)
	return err
}

func (s *server) Endpoints() []protocol.Endpoint {
	if s.pc == nil {
		return nil
	}
	a := s.pc.LocalAddr()
	return []protocol.Endpoint{{Name: info.Name, Addr: a, Banner: "Guppy   guppy://" + protocol.ClientAddr(a, DefaultPort) + "/"}}
}

func (s *server) Public() (string, int) {
	if s.opts.Port != 0 {
		return "", s.opts.Port
	}
	if s.pc != nil {
		return "", protocol.Port(s.pc.LocalAddr())
	}
	return "", DefaultPort
}

func (s *server) Swap(c *protocol.Content) {
	h := TreeHandler(s.env.Policy.Tree(c.FS(info.Output), DefaultIndex, c.RedirectsFor(info.Output)), s.cgi, s.opts)
	s.live.Store(&h)
}

func (s *server) serve(w ResponseWriter, r *Request) {
	h := s.live.Load()
	if h == nil {
		w.WriteHeader(StatusError, "the site is still being built; try again in a moment")
		return
	}
	(*h).ServeGuppy(w, r)
}

func (s *server) Serve() error {
	err := s.srv.Serve(s.pc)
	if errors.Is(err, ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

func (s *server) Shutdown(ctx context.Context) error { return s.srv.Shutdown(ctx) }

func (s *server) Close() error {
	if s.pc != nil {
		return s.pc.Close()
	}
	return nil
}
