package serve

import (
	"strings"

	"github.com/gmkit/gmkit/serve/gemini"
	"github.com/gmkit/gmkit/serve/gopher"
	"github.com/gmkit/gmkit/serve/guppy"
)

// CGIMount is where the CGI folder is served on every protocol.
const CGIMount = "/cgi-bin"

// Swap makes c the content every server answers from, for all protocols at
// once. Requests already being answered finish with the content they
// started with.
func (s *Servers) Swap(c Content) {
	snap := &snapshot{seq: s.site.seq.Add(1)}
	var redirects []gemini.Redirect
	for _, r := range c.Redirects {
		redirects = append(redirects, gemini.Redirect{From: r.From, To: r.To, Temporary: r.Temporary})
	}

	// Gemini: certificate rules, then redirects, then CGI or files.
	var gem gemini.Handler = notFoundGemini
	if c.Gemini != nil {
		gem = gemini.FileServer(c.Gemini, gemini.FileServerOptions{Lang: s.cfg.Lang, Listing: s.cfg.Gemini.Listing})
	}
	if s.runner != nil {
		files := gem
		cgiH := &gemini.CGIHandler{Runner: s.runner, Mount: CGIMount, DocumentRoot: s.cfg.CGI.GeminiRoot}
		gem = gemini.HandlerFunc(func(w gemini.ResponseWriter, r *gemini.Request) {
			if underMount(r.URL.Path) {
				cgiH.ServeGemini(w, r)
				return
			}
			files.ServeGemini(w, r)
		})
	}
	if len(redirects) > 0 {
		gem = gemini.Redirects(redirects, gem)
	}
	if len(s.cfg.Gemini.RequireCert) > 0 {
		var rules []gemini.CertRule
		for _, p := range s.cfg.Gemini.RequireCert {
			rules = append(rules, gemini.CertRule{Prefix: p, Fingerprints: s.cfg.Gemini.AllowedCerts, RequireCA: s.caPool != nil})
		}
		gem = gemini.RequireCertificate(rules, gem)
	}
	snap.gemini = gem

	// Gopher: CGI or files.
	var gop gopher.Handler = gopher.HandlerFunc(func(w gopher.ResponseWriter, r *gopher.Request) { gopher.NotFound(w) })
	if c.Gopher != nil {
		gop = gopher.FileServer(c.Gopher, gopher.Options{RewriteFrom: c.GopherBuiltFor})
	}
	if s.runner != nil {
		files := gop
		cgiH := &gopher.CGI{Runner: s.runner, Mount: CGIMount, DocumentRoot: s.cfg.CGI.GopherRoot}
		gop = gopher.HandlerFunc(func(w gopher.ResponseWriter, r *gopher.Request) {
			if cgiH.Match(r.Selector) {
				cgiH.ServeGopher(w, r)
				return
			}
			files.ServeGopher(w, r)
		})
	}
	snap.gopher = gop

	// Guppy: the capsule, and CGI.
	var gup guppy.Handler = guppy.HandlerFunc(func(w guppy.ResponseWriter, r *guppy.Request) { w.WriteHeader(guppy.StatusError, "not found") })
	if c.Gemini != nil {
		gup = guppy.FileServer(c.Gemini, guppy.Options{Lang: s.cfg.Lang})
	}
	gup = s.guppyCGI(gup)
	if len(c.Redirects) > 0 {
		gup = guppyRedirects(c.Redirects, gup)
	}
	snap.guppy = gup

	s.site.cur.Store(snap)
}

func underMount(p string) bool {
	return p == CGIMount || strings.HasPrefix(p, CGIMount+"/")
}

var notFoundGemini = gemini.HandlerFunc(func(w gemini.ResponseWriter, r *gemini.Request) {
	w.WriteHeader(gemini.StatusNotFound, "Not found")
})

func (s *Servers) serveGemini(w gemini.ResponseWriter, r *gemini.Request) {
	snap := s.site.load()
	if snap == nil {
		w.WriteHeader(gemini.StatusSlowDown, "1")
		return
	}
	snap.gemini.ServeGemini(w, r)
}

func (s *Servers) serveGopher(w gopher.ResponseWriter, r *gopher.Request) {
	snap := s.site.load()
	if snap == nil {
		gopher.Error(w, "The site is still being built; try again in a moment.")
		return
	}
	snap.gopher.ServeGopher(w, r)
}

func (s *Servers) serveGuppy(w guppy.ResponseWriter, r *guppy.Request) {
	snap := s.site.load()
	if snap == nil {
		w.WriteHeader(guppy.StatusError, "the site is still being built; try again in a moment")
		return
	}
	snap.guppy.ServeGuppy(w, r)
}

// guppyRedirects answers "3 <to>" for the paths in rules (with or without a
// trailing slash, as over Gemini) and passes everything else to next.
func guppyRedirects(rules []Redirect, next guppy.Handler) guppy.Handler {
	to := make(map[string]string, 2*len(rules))
	for _, r := range rules {
		from := strings.TrimSuffix(r.From, "/")
		if from == "" {
			from = "/"
		}
		to[from] = r.To
		to[from+"/"] = r.To
	}
	return guppy.HandlerFunc(func(w guppy.ResponseWriter, r *guppy.Request) {
		if dest, ok := to[r.URL.Path]; ok {
			w.WriteHeader(guppy.StatusRedirect, dest)
			return
		}
		next.ServeGuppy(w, r)
	})
}
