package nex

import (
	"context"
	"errors"
	"net"
	"sync/atomic"

	"github.com/gmkit/gmkit/serve/protocol"
)

// DefaultPort is Nex's port.
const DefaultPort = 1900

// Protocol is Nex as gmkit serve runs it (see serve/protocol): the capsule
// over plain TCP, its pages rendered as Nex listings, under the access
// policy. Nothing runs over Nex: it has no CGI.
var Protocol protocol.Protocol = proto{}

type proto struct{}

var info = protocol.Info{
	Name:        "nex",
	Title:       "Nex",
	Network:     "tcp",
	DefaultAddr: DefaultAddr,
	Output:      "gemini",
	Keys: append(append(protocol.CommonKeys("Nex", DefaultAddr, "Serve the capsule over Nex; needs `gemini.enabled`, whose capsule it serves."),
		protocol.Key{Name: "width", Default: DefaultWidth, Type: protocol.Type{Kind: protocol.Int, Min: 20, Max: 1000}, Doc: "Column width Nex pages are wrapped at."},
	), protocol.StreamKeys("nex")...),
}

func (proto) Info() protocol.Info { return info }

func (proto) New(env *protocol.Env, set protocol.Settings) (protocol.Server, error) {
	s := &server{env: env, addr: set.String("listen"), opts: Options{Width: set.Int("width")}}
	s.srv = &Server{
		Handler:         HandlerFunc(s.serve),
		MaxConns:        set.Int("max_conns"),
		MaxConnsPerAddr: set.Int("max_conns_per_addr"),
		Logger:          env.Logger,
	}
	if l := env.Limiter(set); l != nil {
		s.srv.Limiter = l
	}
	return s, nil
}

// server is Nex's protocol.Server.
type server struct {
	env  *protocol.Env
	addr string
	opts Options
	srv  *Server
	l    net.Listener
	live atomic.Pointer[Handler]
}

func (s *server) Listen() (err error) {
	s.l, err = protocol.ListenTCP(info.Name, info.Name, s.addr, "--"+info.Name)
	return err
}

func (s *server) Endpoints() []protocol.Endpoint {
	if s.l == nil {
		return nil
	}
	a := s.l.Addr()
	return []protocol.Endpoint{{Name: info.Name, Addr: a, Banner: "Nex     nex://" + protocol.ClientAddr(a, DefaultPort) + "/"}}
}

func (s *server) Public() (string, int) {
	if s.l != nil {
		return "", protocol.Port(s.l.Addr())
	}
	return "", DefaultPort
}

func (s *server) Swap(c *protocol.Content) {
	h := TreeHandler(s.env.Policy.Tree(c.FS(info.Output), DefaultIndex, c.Redirects), s.opts)
	s.live.Store(&h)
}

// serve answers from the content of the last Swap.
func (s *server) serve(w ResponseWriter, r *Request) {
	h := s.live.Load()
	if h == nil {
		Error(w, "The site is still being built; try again in a moment.")
		return
	}
	(*h).ServeNex(w, r)
}

func (s *server) Serve() error {
	err := s.srv.Serve(s.l)
	if errors.Is(err, ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

func (s *server) Shutdown(ctx context.Context) error { return s.srv.Shutdown(ctx) }

func (s *server) Close() error {
	if s.l != nil {
		return s.l.Close()
	}
	return nil
}
