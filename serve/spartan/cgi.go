package spartan

import (
	"bytes"
	"errors"
	"io"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/gmkit/gmkit/serve/cgi"
	"github.com/gmkit/gmkit/serve/policy"
)

// maxQueryInput is the largest data block also given to a script as its
// QUERY_STRING (see CGI).
const maxQueryInput = 1024

// CGIHandler answers paths under Mount by running a script from Runner's
// folder:
// "/cgi-bin/name/extra?query" runs "name" with PATH_INFO "/extra" and
// QUERY_STRING "query". The data block is the script's standard input,
// with CONTENT_LENGTH set and REQUEST_METHOD=POST. So that scripts written
// for Gemini take input over Spartan unchanged, a data block of at most
// 1024 bytes of UTF-8 text is also given as QUERY_STRING (percent-encoded,
// spaces as %20) when the path has no query of its own. SERVER_PROTOCOL is
// SPARTAN.
//
// A script may answer in Spartan's form (a first line "2 text/gemini",
// "3 /path", "4 message" or "5 message") or in Gemini's, which is
// translated:
//
//	10/11 prompt  ->  2 text/gemini and a page "# prompt" with the input
//	                  line "=: /path prompt", /path being this script: the
//	                  reader's answer comes back as the data block
//	2x mime       ->  2 mime
//	3x target     ->  3 /path when the target is on this host (a path, or
//	                  a spartan:// URL naming it); any other URL becomes a
//	                  one-link page, as Spartan cannot redirect elsewhere
//	4x message    ->  5 message (a failure on the server's side)
//	5x, 6x        ->  4 message (a request that cannot be answered)
//
// A missing script answers "4 Not found"; a data block shorter than
// announced "4"; a script that times out, writes too much, fails with no
// output or writes an invalid first line "5".
type CGIHandler struct {
	// Runner runs the scripts (folder, timeout, output cap, log). Required.
	Runner *cgi.Runner
	// Mount is the path of the CGI folder, e.g. "/cgi-bin". Empty means
	// policy.DefaultCGIMount.
	Mount string
	// DocumentRoot is DOCUMENT_ROOT for the scripts (the served capsule's
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

// ServeSpartan runs the script for r. Paths are checked by serve/policy:
// one outside Mount, or naming a dotfile, answers "4 Not found".
func (h *CGIHandler) ServeSpartan(w ResponseWriter, r *Request) {
	p, ok := policy.ParseURLPath(r.RawPath)
	if !ok {
		w.WriteHeader(StatusClientError, "Invalid path")
		return
	}
	script, ok := policy.CGIScript(h.mount(), p)
	if !ok || p.Hidden() {
		w.WriteHeader(StatusClientError, "Not found")
		return
	}
	h.run(w, r, h.mount(), script)
}

// run runs the script at path script below mount.
func (h *CGIHandler) run(w ResponseWriter, r *Request, mount, script string) {
	if h.Runner == nil || script == "" || script == "/" {
		w.WriteHeader(StatusClientError, "Not found")
		return
	}
	var data []byte
	if r.ContentLength > 0 {
		data = make([]byte, r.ContentLength)
		if _, err := io.ReadFull(r.Body, data); err != nil {
			w.WriteHeader(StatusClientError, "Data block shorter than its length")
			return
		}
	}
	query := r.RawQuery
	if query == "" && len(data) > 0 && len(data) <= maxQueryInput && utf8.Valid(data) && bytes.IndexByte(data, 0) < 0 {
		query = strings.ReplaceAll(url.QueryEscape(string(data)), "+", "%20")
	}
	req := &cgi.Request{
		Path:         script,
		Mount:        mount,
		RawQuery:     query,
		RemoteAddr:   r.RemoteAddr,
		ServerName:   r.Host,
		ServerPort:   r.ServerPort,
		Protocol:     "SPARTAN",
		DocumentRoot: h.DocumentRoot,
	}
	if r.ContentLength > 0 {
		req.Body, req.ContentLength = bytes.NewReader(data), r.ContentLength
	}
	res, err := h.Runner.Run(r.Context(), req)
	switch {
	case errors.Is(err, cgi.ErrNotFound):
		w.WriteHeader(StatusClientError, "Not found")
		return
	case errors.Is(err, cgi.ErrTimeout):
		w.WriteHeader(StatusServerError, "Script timed out")
		return
	case errors.Is(err, cgi.ErrOutputTooLarge):
		w.WriteHeader(StatusServerError, "Script output too large")
		return
	case err != nil:
		w.WriteHeader(StatusServerError, "Script failed")
		return
	}
	status, meta, body, ok := scriptAnswer(res.Output, r)
	if !ok {
		line, _, _ := bytes.Cut(res.Output, []byte("\n"))
		if h.Runner.Logger != nil {
			h.Runner.Logger.Warn("cgi wrote an invalid first line", "script", res.ScriptName, "line", string(line[:min(len(line), 200)]))
		}
		w.WriteHeader(StatusServerError, "Script sent an invalid first line")
		return
	}
	w.WriteHeader(status, meta)
	if status == StatusSuccess {
		_, _ = w.Write(body)
	}
}

// scriptAnswer reads a script's output in Spartan's or Gemini's form and
// returns the Spartan response to send.
func scriptAnswer(out []byte, r *Request) (Status, string, []byte, bool) {
	line, rest, found := bytes.Cut(out, []byte("\n"))
	if !found {
		return 0, "", nil, false
	}
	head := string(bytes.TrimSuffix(line, []byte("\r")))
	if len(head) >= 1 && head[0] >= '2' && head[0] <= '5' && (len(head) == 1 || head[1] == ' ') {
		status := Status(head[0] - '0')
		meta := strings.TrimPrefix(head[1:], " ")
		if status == StatusRedirect && !strings.HasPrefix(meta, "/") {
			return 0, "", nil, false
		}
		return status, meta, rest, true
	}
	code, meta, body, ok := cgi.SplitHeader(out)
	if !ok {
		return 0, "", nil, false
	}
	switch code / 10 {
	case 1:
		return StatusSuccess, DefaultMIME, PromptPage(r.RawPath, meta), true
	case 2:
		return StatusSuccess, meta, body, true
	case 3:
		if p, ok := sameHostPath(meta, r); ok {
			return StatusRedirect, p, nil, true
		}
		return StatusSuccess, DefaultMIME, []byte("# Moved\n\n=> " + meta + "\n"), true
	case 4:
		return StatusServerError, meta, nil, true
	}
	return StatusClientError, meta, nil, true
}

// sameHostPath resolves a Gemini redirect target against r and returns the
// path (with its query) to redirect to when it stays on this host.
func sameHostPath(target string, r *Request) (string, bool) {
	u, err := url.Parse(target)
	if err != nil {
		return "", false
	}
	base := &url.URL{Scheme: "spartan", Host: r.Host, Path: r.Path, RawPath: r.RawPath}
	u = base.ResolveReference(u)
	if u.Scheme != "spartan" || !strings.EqualFold(u.Hostname(), r.Host) || u.User != nil {
		return "", false
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p, true
}

// PromptPage returns the gemtext page that asks for input in Spartan: a
// heading with the prompt and the input line "=: path prompt", whose
// answer a client sends as the data block of a request to path.
func PromptPage(path, prompt string) []byte {
	prompt = strings.Join(strings.Fields(prompt), " ")
	if prompt == "" {
		prompt = "Input"
	}
	return []byte("# " + prompt + "\n\n=: " + path + " " + prompt + "\n")
}
