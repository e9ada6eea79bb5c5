package serve

import (
	"bytes"
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/gmkit/gmkit/serve/cgi"
	"github.com/gmkit/gmkit/serve/gemini"
	"github.com/gmkit/gmkit/serve/guppy"
)

// guppyCGI puts the CGI folder in front of next for Guppy. Scripts write a
// Gemini header, translated for Guppy: 2x is a success, 1x an input
// prompt, 3x a redirect, anything else an error.
func (s *Servers) guppyCGI(next guppy.Handler) guppy.Handler {
	if s.runner == nil {
		return next
	}
	return guppy.HandlerFunc(func(w guppy.ResponseWriter, r *guppy.Request) {
		if !underMount(r.URL.Path) {
			next.ServeGuppy(w, r)
			return
		}
		s.runGuppyCGI(w, r)
	})
}

func (s *Servers) runGuppyCGI(w guppy.ResponseWriter, r *guppy.Request) {
	port, _ := strconv.Atoi(r.URL.Port())
	if _, p, err := net.SplitHostPort(r.LocalAddr); err == nil && port == 0 {
		port, _ = strconv.Atoi(p)
	}
	search, err := url.QueryUnescape(strings.ReplaceAll(r.URL.RawQuery, "+", "%2B"))
	if err != nil {
		search = r.URL.RawQuery
	}
	res, err := s.runner.Run(r.Context(), &cgi.Request{
		Path:       strings.TrimPrefix(r.URL.Path, CGIMount),
		Mount:      CGIMount,
		RawQuery:   r.URL.RawQuery,
		RemoteAddr: r.RemoteAddr,
		ServerName: r.URL.Hostname(),
		ServerPort: port,
		Protocol:   "GUPPY",
		Env: []string{
			"GEMINI_URL=" + r.URL.String(),
			"GEMINI_URL_PATH=" + r.URL.Path,
			"GEMINI_SEARCH_STRING=" + search,
		},
	})
	switch {
	case errors.Is(err, cgi.ErrNotFound):
		w.WriteHeader(guppy.StatusError, "not found")
		return
	case errors.Is(err, cgi.ErrTimeout):
		w.WriteHeader(guppy.StatusError, "CGI script timed out")
		return
	case err != nil:
		w.WriteHeader(guppy.StatusError, "CGI script failed")
		return
	}
	line, body, found := bytes.Cut(res.Output, []byte("\n"))
	status, meta, ok := gemini.ParseHeader(string(bytes.TrimSuffix(line, []byte("\r"))))
	if !found || !ok {
		s.log.Warn("cgi wrote an invalid header", "proto", "guppy", "script", res.ScriptName, "header", string(line))
		w.WriteHeader(guppy.StatusError, "CGI script sent an invalid header")
		return
	}
	switch status / 10 {
	case 2:
		w.WriteHeader(guppy.StatusSuccess, meta)
		_, _ = w.Write(body)
	case 1:
		w.WriteHeader(guppy.StatusInput, meta)
	case 3:
		w.WriteHeader(guppy.StatusRedirect, meta)
	default:
		w.WriteHeader(guppy.StatusError, meta)
	}
}
