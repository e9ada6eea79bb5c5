package nex

import "github.com/gmkit/gmkit/serve/protocol"

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
	s := &protocol.TCPServer[Handler]{Info: info, Env: env, Addr: set.String("listen"), DefaultPort: DefaultPort}
	srv := &Server{
		Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
			h, ok := s.Live()
			if !ok {
				Error(w, "The site is still being built; try again in a moment.")
				return
			}
			h.ServeNex(w, r)
		}),
		MaxConns:        set.Int("max_conns"),
		MaxConnsPerAddr: set.Int("max_conns_per_addr"),
		Logger:          env.Logger,
	}
	if l := env.Limiter(set); l != nil {
		srv.Limiter = l
	}
	opts := Options{Width: set.Int("width")}
	s.Server = srv
	s.Handler = func(c *protocol.Content) Handler {
		return TreeHandler(env.Policy.Tree(c.FS(info.Output), DefaultIndex, c.RedirectsFor(info.Output)), opts)
	}
	return s, nil
}
