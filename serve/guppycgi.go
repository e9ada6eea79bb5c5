package serve

import "github.com/gmkit/gmkit/serve/guppy"

// guppyCGI puts the CGI folder in front of next for Guppy (scripts are the
// same as for Gemini; guppy.CGIHandler translates their headers).
func (s *Servers) guppyCGI(next guppy.Handler) guppy.Handler {
	if s.runner == nil {
		return next
	}
	cgiH := &guppy.CGIHandler{Runner: s.runner, Mount: CGIMount}
	return guppy.HandlerFunc(func(w guppy.ResponseWriter, r *guppy.Request) {
		if underMount(r.URL.Path) {
			cgiH.ServeGuppy(w, r)
			return
		}
		next.ServeGuppy(w, r)
	})
}
