package guppy

import (
	"bytes"
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/gmkit/gmkit/serve/cgi"
	"github.com/gmkit/gmkit/serve/policy"
)

// CGIHandler runs the scripts of a cgi.Runner for requests under Mount.
// Scripts are the same as for Gemini: they write a Gemini header line, then
// the body. The header is translated to Guppy: 2x is a success with the
// header's MIME type (text/gemini if none), 1x an input prompt, 3x a
// redirect, 4x, 5x and 6x an error with the header's message. A first line
// that is not a Gemini header, a timeout, an output over the cap or a
// failure to start are answered with an error; a missing script with
// "4 not found".
type CGIHandler struct {
	// Runner runs the scripts. Required.
	Runner *cgi.Runner
	// Mount is the URL path the CGI folder is served at, e.g. "/cgi-bin".
	Mount string
	// DocumentRoot is passed as DOCUMENT_ROOT.
	DocumentRoot string
	// ServerName and ServerPort are passed as SERVER_NAME and SERVER_PORT;
	// empty and 0 mean the request URL's host and port (the port of the
	// socket, or 6775, when the URL names none).
	ServerName string
	// ServerPort: see ServerName.
	ServerPort int
}

// ServeGuppy runs the script for r. Paths are checked by serve/policy: one
// outside Mount answers "4 not found", one with dot segments "4 bad
// request".
func (h *CGIHandler) ServeGuppy(w ResponseWriter, r *Request) {
	if r.URL == nil {
		w.WriteHeader(StatusError, "bad request")
		return
	}
	p, ok := policy.ParseURLPath(r.URL.EscapedPath())
	if !ok {
		w.WriteHeader(StatusError, "bad request")
		return
	}
	script, ok := policy.CGIScript(h.Mount, p)
	if !ok || p.Hidden() {
		w.WriteHeader(StatusError, "not found")
		return
	}
	h.run(w, r, "/"+strings.Trim(h.Mount, "/"), script)
}

// run runs the script at path script below mount.
func (h *CGIHandler) run(w ResponseWriter, r *Request, mount, script string) {
	if h.Runner == nil {
		w.WriteHeader(StatusError, "not found")
		return
	}
	res, err := h.Runner.Run(r.Context(), &cgi.Request{
		Path:         script,
		Mount:        mount,
		RawQuery:     r.URL.RawQuery,
		RemoteAddr:   r.RemoteAddr,
		ServerName:   h.serverName(r),
		ServerPort:   h.serverPort(r),
		Protocol:     "GUPPY",
		DocumentRoot: h.DocumentRoot,
		Env:          CGIEnv(r),
	})
	switch {
	case errors.Is(err, cgi.ErrNotFound):
		w.WriteHeader(StatusError, "not found")
		return
	case errors.Is(err, cgi.ErrTimeout):
		w.WriteHeader(StatusError, "CGI script timed out")
		return
	case err != nil:
		w.WriteHeader(StatusError, "CGI script failed")
		return
	}
	status, meta, body, ok := translateHeader(res.Output)
	if !ok {
		if h.Runner.Logger != nil {
			line, _, _ := bytes.Cut(res.Output, []byte("\n"))
			h.Runner.Logger.Warn("cgi wrote an invalid header", "proto", "guppy",
				"script", res.ScriptName, "header", string(line[:min(len(line), 200)]))
		}
		w.WriteHeader(StatusError, "CGI script sent an invalid header")
		return
	}
	w.WriteHeader(status, meta)
	if status == StatusSuccess {
		_, _ = w.Write(body)
	}
}

func (h *CGIHandler) serverName(r *Request) string {
	if h.ServerName != "" {
		return h.ServerName
	}
	return r.URL.Hostname()
}

func (h *CGIHandler) serverPort(r *Request) int {
	if h.ServerPort > 0 {
		return h.ServerPort
	}
	if n, err := strconv.Atoi(r.URL.Port()); err == nil {
		return n
	}
	if _, port, err := net.SplitHostPort(r.LocalAddr); err == nil {
		if n, err := strconv.Atoi(port); err == nil {
			return n
		}
	}
	return DefaultPort
}

// translateHeader reads a script's Gemini header ("NN meta" and CRLF or LF)
// and maps it to a Guppy status. ok is false when the first line is not a
// Gemini header.
func translateHeader(out []byte) (status Status, meta string, body []byte, ok bool) {
	code, meta, body, ok := cgi.SplitHeader(out)
	if !ok {
		return 0, "", nil, false
	}
	switch code / 10 {
	case 1:
		return StatusInput, meta, nil, true
	case 2:
		return StatusSuccess, meta, body, true
	case 3:
		return StatusRedirect, meta, nil, true
	}
	if meta == "" {
		meta = "error " + strconv.Itoa(code)
	}
	return StatusError, meta, nil, true
}

// CGIEnv returns the variables a Guppy request adds for a CGI script, named
// as Gemini servers name them so that one script serves both: GEMINI_URL
// (the guppy:// URL), GEMINI_URL_PATH, GEMINI_SEARCH_STRING (the decoded
// query) and an empty AUTH_TYPE.
func CGIEnv(r *Request) []string {
	search, err := url.QueryUnescape(strings.ReplaceAll(r.URL.RawQuery, "+", "%2B"))
	if err != nil {
		search = r.URL.RawQuery
	}
	return []string{
		"GEMINI_URL=" + r.URL.String(),
		"GEMINI_URL_PATH=" + r.URL.Path,
		"GEMINI_SEARCH_STRING=" + search,
		"AUTH_TYPE=",
	}
}
