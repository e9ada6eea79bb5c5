package gopher

import (
	"errors"
	"net/url"
	"strings"

	"github.com/gmkit/gmkit/serve/cgi"
	"github.com/gmkit/gmkit/serve/policy"
)

// CGIHandler answers selectors under Mount by running a script from Runner's
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
type CGIHandler struct {
	// Runner runs the scripts (folder, timeout, output cap, log). Required.
	Runner *cgi.Runner
	// Mount is the selector prefix of the CGI folder, e.g. "/cgi-bin".
	// Empty means policy.DefaultCGIMount.
	Mount string
	// DocumentRoot is DOCUMENT_ROOT for the scripts (the served hole's
	// folder on disk, when there is one).
	DocumentRoot string
}

func (h *CGIHandler) mount() string {
	m := h.Mount
	if m == "" {
		m = policy.DefaultCGIMount
	}
	return "/" + strings.Trim(m, "/")
}

// ServeGopher runs the script for r. Selectors are checked by
// serve/policy: one outside Mount answers "Not found", one with "." or
// ".." segments "Bad selector".
func (h *CGIHandler) ServeGopher(w ResponseWriter, r *Request) {
	sel, _, _ := strings.Cut(r.Selector, "?")
	p, ok := policy.ParseSelector(sel)
	if !ok {
		Error(w, "Bad selector")
		return
	}
	script, ok := policy.CGIScript(h.mount(), p)
	if !ok || p.Hidden() {
		NotFound(w)
		return
	}
	h.run(w, r, h.mount(), script)
}

// run runs the script at path script below mount.
func (h *CGIHandler) run(w ResponseWriter, r *Request, mount, script string) {
	if h.Runner == nil || script == "" || script == "/" {
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
		Path:         script,
		Mount:        mount,
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
