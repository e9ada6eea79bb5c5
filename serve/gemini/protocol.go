package gemini

import (
	"context"
	"errors"
	"net"
	"sync/atomic"

	"github.com/gmkit/gmkit/serve/protocol"
)

// Protocol is Gemini as gmkit serve runs it (see serve/protocol): the
// capsule over TLS, with CGI, redirects and the access policy.
var Protocol protocol.Protocol = proto{}

type proto struct{}

var info = protocol.Info{
	Name:        "gemini",
	Title:       "Gemini",
	Network:     "tcp",
	DefaultAddr: DefaultAddr,
	Output:      "gemini",
	Links:       true,
	Keys: append(append(protocol.CommonKeys("Gemini", DefaultAddr, "Serve the capsule over Gemini. The capsule is built while Gemini or another protocol that serves it (Guppy) is on."),
		protocol.Key{Name: "port", Default: 0, Type: protocol.Type{Kind: protocol.Int, Max: 65535}, Doc: "Public Gemini port written into absolute URLs and required in requests; 0 means the port of `gemini.listen`."},
		protocol.Key{Name: "check_port", Default: true, Type: protocol.Type{Kind: protocol.Bool}, Doc: "Answer 53 to requests naming another port; turn off behind a port forward."},
	), protocol.StreamKeys("gemini")...),
}

func (proto) Info() protocol.Info { return info }

func (proto) New(env *protocol.Env, set protocol.Settings) (protocol.Server, error) {
	getCert, err := env.Certificates()
	if err != nil {
		return nil, err
	}
	s := &server{env: env, addr: set.String("listen")}
	s.srv = &Server{
		Handler:        HandlerFunc(s.serve),
		GetCertificate: getCert,
		Hostnames:      env.Policy.Hostnames,
		Port:           set.Int("port"),
		IgnorePort:     !set.Bool("check_port"),
		ClientCAs:      env.ClientCAs,
		// A certificate can be asked for in the handshake only: ask for
		// one when an access rule or a CGI script may use it.
		NoClientCerts: len(env.Policy.Rules) == 0 && env.CGI == nil,
		MaxConns:      set.Int("max_conns"),
		Logger:        env.Logger,

		MaxConnsPerAddr: set.Int("max_conns_per_addr"),
	}
	if l := env.Limiter(set); l != nil {
		s.srv.Limiter = l
	}
	if env.CGI != nil {
		s.cgi = &CGIHandler{Runner: env.CGI, Mount: env.Policy.CGIMount, DocumentRoot: env.DocRoot(info.Output)}
	}
	return s, nil
}

// server is Gemini's protocol.Server.
type server struct {
	env  *protocol.Env
	addr string
	srv  *Server
	cgi  *CGIHandler
	l    net.Listener
	live atomic.Pointer[Handler]
}

func (s *server) Listen() (err error) {
	s.l, err = s.env.ListenTCP(info.Name, info.Name, s.addr, "--"+info.Name)
	return err
}

func (s *server) Endpoints() []protocol.Endpoint {
	if s.l == nil {
		return nil
	}
	a := s.l.Addr()
	return []protocol.Endpoint{{Name: info.Name, Addr: a, Banner: "Gemini  gemini://" + protocol.ClientAddr(a, DefaultPort) + "/"}}
}

func (s *server) Public() (string, int) {
	if s.srv.Port != 0 {
		return "", s.srv.Port
	}
	if s.l != nil {
		return "", protocol.Port(s.l.Addr())
	}
	return "", DefaultPort
}

func (s *server) Swap(c *protocol.Content) {
	h := TreeHandler(s.env.Policy.Tree(c.FS(info.Output), DefaultIndex, c.RedirectsFor(info.Output)), s.cgi, Options{Lang: s.env.Lang})
	s.live.Store(&h)
}

// serve answers from the content of the last Swap; before the first, it
// asks the client to come back in a second.
func (s *server) serve(w ResponseWriter, r *Request) {
	h := s.live.Load()
	if h == nil {
		w.WriteHeader(StatusSlowDown, "1")
		return
	}
	(*h).ServeGemini(w, r)
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
