package spartan

import "github.com/gmkit/gmkit/serve/protocol"

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
	s := &protocol.TCPServer[Handler]{Info: info, Env: env, Addr: set.String("listen"), DefaultPort: DefaultPort}
	maxUpload := int64(set.Int("max_upload"))
	if maxUpload == 0 {
		maxUpload = -1 // the key's 0 is "no uploads"; the Server's zero is its default
	}
	srv := &Server{
		Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
			h, ok := s.Live()
			if !ok {
				w.WriteHeader(StatusServerError, "The site is still being built; try again in a moment")
				return
			}
			h.ServeSpartan(w, r)
		}),
		HostAllowed:     env.Policy.HostAllowed,
		MaxUpload:       maxUpload,
		MaxConns:        set.Int("max_conns"),
		MaxConnsPerAddr: set.Int("max_conns_per_addr"),
		Logger:          env.Logger,
	}
	if l := env.Limiter(set); l != nil {
		srv.Limiter = l
	}
	var cgi *CGIHandler
	if env.CGI != nil {
		cgi = &CGIHandler{Runner: env.CGI, Mount: env.Policy.CGIMount, DocumentRoot: env.DocRoot(info.Output)}
	}
	s.Server = srv
	s.Handler = func(c *protocol.Content) Handler {
		return TreeHandler(env.Policy.Tree(c.FS(info.Output), DefaultIndex, c.RedirectsFor(info.Output)), cgi, Options{})
	}
	return s, nil
}
