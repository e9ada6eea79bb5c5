package serve

import "github.com/gmkit/gmkit/serve/guppy"

// guppyCGI puts the CGI folder in front of next for Guppy.
func (s *Servers) guppyCGI(next guppy.Handler) guppy.Handler {
	return next
}
