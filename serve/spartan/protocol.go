package spartan

import (
	"context"
	"errors"
	"net"
	"sync/atomic"

	"github.com/gmkit/gmkit/serve/protocol"
)

// DefaultPort is Spartan's port.
const DefaultPort = 300

// Protocol is Spartan as gmkit serve runs it (see serve/protocol): the
// capsule over plain TCP, with uploads to the CGI scripts, redirects and
// the access policy.
var Protocol protocol.Protocol = proto{}

type proto struct{}

var info = protocol.Info{
	Name:        "spartan",
	Title:       "Spartan",
	Network:     "tcp",
	DefaultAddr: DefaultAddr,
	Output:      "gemini",
	Keys: append(append(protocol.CommonKeys("Spartan", DefaultAddr, "Serve the capsule over Spartan; needs `gemini.enabled`, whose capsule it serves."),
		protocol.Key{Name: "max_upload", Default: DefaultMaxUpload, Type: protocol.Type{Kind: protocol.Int, Min: 0, Max: protocol.MaxInt}, Doc: "Largest data block a request may send, in bytes (0: none); larger ones are refused before any is read."},
	), protocol.StreamKeys("spartan")...),
}

func (proto) Info() protocol.Info { return info }

func (proto) New(env *protocol.Env, set protocol.Settings) (protocol.Server, error) {
	s := &server{env: env, addr: set.String("listen")}
	maxUpload := int64(set.Int("max_upload"))
	if maxUpload == 0 {
		maxUpload = -1 // the key's 0 is "no uploads"; the Server's zero is its default
	}
	s.srv = &Server{
		Handler:         HandlerFunc(s.serve),
		HostAllowed:     env.Policy.HostAllowed,
		MaxUpload:       maxUpload,
		MaxConns:        set.Int("max_conns"),
		MaxConnsPerAddr: set.Int("max_conns_per_addr"),
		Logger:          env.Logger,
	}
	if l := env.Limiter(set); l != nil {
		s.srv.Limiter = l
	}
	if env.CGI != nil {
		s.cgi = &CGIHandler{Runner: env.CGI, Mount: env.Policy.CGIMount, DocumentRoot: env.DocRoot(info.Output)}
	}
	return s, nil
}

// server is Spartan's protocol.Server.
type server struct {
	env  *protocol.Env
	addr string
	srv  *Server
	cgi  *CGIHandler
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
	return []protocol.Endpoint{{Name: info.Name, Addr: a, Banner: "Spartan spartan://" + protocol.ClientAddr(a, DefaultPort) + "/"}}
}

func (s *server) Public() (string, int) {
	if s.l != nil {
		return "", protocol.Port(s.l.Addr())
	}
	return "", DefaultPort
}

func (s *server) Swap(c *protocol.Content) {
	h := TreeHandler(s.env.Policy.Tree(c.FS(info.Output), DefaultIndex, c.Redirects), s.cgi, Options{})
	s.live.Store(&h)
}

// serve answers from the content of the last Swap.
func (s *server) serve(w ResponseWriter, r *Request) {
	h := s.live.Load()
	if h == nil {
		w.WriteHeader(StatusServerError, "The site is still being built; try again in a moment")
		return
	}
	(*h).ServeSpartan(w, r)
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
