package gopher

import (
	"errors"
	"net/url"
	"strings"

	"github.com/gmkit/gmkit/serve/cgi"
)

// DefaultCGIMount is the selector prefix CGI scripts are served under when
// CGI.Mount is empty.
const DefaultCGIMount = "/cgi-bin"

// CGI answers selectors under Mount by running a script from Runner's
// folder: "/cgi-bin/name/extra?query" runs "name" with PATH_INFO "/extra"
// and QUERY_STRING "query". The text a type-7 client sends after the TAB is
// SEARCHREQUEST, and also QUERY_STRING (percent-encoded, spaces as %20)
// when the selector has no "?query" of its own. The script also gets
// SERVER_PROTOCOL=GOPHER, SELECTOR (the selector as sent, query included)
// and GOPHER_FILETYPE ("7" for a search, else "0"), next to the common
// variables of serve/cgi, and its output is sent as it is: a menu, text or
// anything else, in the script's own format.
//
// A missing script answers "Not found"; a script that times out, writes too
// much or fails with no output answers a type-3 error item.
type CGI struct {
	// Runner runs the scripts (folder, timeout, output cap, log). Required.
	Runner *cgi.Runner
	// Mount is the selector prefix of the CGI folder, e.g. "/cgi-bin".
	// Empty means DefaultCGIMount.
	Mount string
	// DocumentRoot is DOCUMENT_ROOT for the scripts (the served hole's
	// folder on disk, when there is one).
	DocumentRoot string
}

func (h *CGI) mount() string {
	m := h.Mount
	if m == "" {
		m = DefaultCGIMount
	}
	return "/" + strings.Trim(m, "/")
}

// Match reports whether selector names something under the CGI mount, so
// that a caller can route it here rather than to a FileServer. The leading
// slash of the selector is optional.
func (h *CGI) Match(selector string) bool {
	_, ok := h.scriptPath(selector)
	return ok
}

// scriptPath returns the path below the mount ("/name/extra") for selector,
// without its query.
func (h *CGI) scriptPath(selector string) (string, bool) {
	sel, _, _ := strings.Cut(selector, "?")
	if !strings.HasPrefix(sel, "/") {
		sel = "/" + sel
	}
	rest, ok := strings.CutPrefix(sel, h.mount())
	if !ok || !strings.HasPrefix(rest, "/") || len(rest) < 2 {
		return "", false
	}
	return rest, true
}

// ServeGopher runs the script for r.
func (h *CGI) ServeGopher(w ResponseWriter, r *Request) {
	p, ok := h.scriptPath(r.Selector)
	if !ok || h.Runner == nil {
		NotFound(w)
		return
	}
	_, query, hasQuery := strings.Cut(r.Selector, "?")
	fileType := "0"
	if r.Search != "" {
		fileType = "7"
		if !hasQuery {
			query = strings.ReplaceAll(url.QueryEscape(r.Search), "+", "%20")
		}
	}
	req := &cgi.Request{
		Path:         p,
		Mount:        h.mount(),
		RawQuery:     query,
		RemoteAddr:   r.RemoteAddr,
		ServerName:   r.Host,
		ServerPort:   r.Port,
		Protocol:     "GOPHER",
		DocumentRoot: h.DocumentRoot,
		Env: []string{
			"SELECTOR=" + r.Selector,
			"SEARCHREQUEST=" + r.Search,
			"GOPHER_FILETYPE=" + fileType,
		},
	}
	res, err := h.Runner.Run(r.Context(), req)
	switch {
	case errors.Is(err, cgi.ErrNotFound):
		NotFound(w)
	case errors.Is(err, cgi.ErrTimeout):
		Error(w, "Script timed out")
	case errors.Is(err, cgi.ErrOutputTooLarge):
		Error(w, "Script output too large")
	case err != nil:
		Error(w, "Script failed")
	case res.ExitCode != 0 && len(res.Output) == 0:
		Error(w, "Script failed")
	default:
		_, _ = w.Write(res.Output)
	}
}
