package web

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"

	"golang.org/x/net/http/httpguts"

	gcgi "github.com/gmkit/gmkit/serve/cgi"
)

// MaxCGIBody bounds the request body a script is handed (a form post).
const MaxCGIBody = 1 << 20

// maxCGIHeader bounds the CGI header block a script writes before its
// body.
const maxCGIHeader = 64 << 10

// CGI runs the scripts of a CGI folder, for the requests a TreeHandler's
// policy sends to its CGI mount, as CGI/1.1 scripts: the script writes CGI
// headers (Content-Type, Status, Location, any other) and a blank line,
// then the body, and any method reaches it. It runs through serve/cgi's
// Runner, as over every other protocol: scripts are found by the same
// rules (only executable files inside the folder, no dotfiles, no way
// out), see a clean environment with a fixed PATH, run in their own
// folder and their own process group, and are bounded by the Runner's
// timeout and output cap. The group is killed when the script exits, when
// its time is up, when its output passes the cap and when the client goes
// away: nothing a script starts outlives its request.
type CGI struct {
	// Runner names the folder and the bounds, and runs the scripts.
	Runner *gcgi.Runner
	// DocumentRoot is DOCUMENT_ROOT, the HTML output's folder on disk.
	DocumentRoot string
}

func (c *CGI) logger() *slog.Logger {
	if c.Runner != nil && c.Runner.Logger != nil {
		return c.Runner.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// run runs the script at script (the path below mount, as the policy
// found it) for r. The script's whole answer is read (at most the
// Runner's output cap) before any of it is sent, so that a script that
// fails, times out or writes too much is answered with an error, never a
// cut-off page.
func (c *CGI) run(w http.ResponseWriter, r *http.Request, mount, script string) {
	req := &gcgi.Request{
		Path:         script,
		Mount:        mount,
		RawQuery:     r.URL.RawQuery,
		RemoteAddr:   r.RemoteAddr,
		Protocol:     "HTTP/1.1",
		DocumentRoot: c.DocumentRoot,
	}
	req.ServerName, req.ServerPort = serverAddr(r)
	if r.Body != nil && r.Body != http.NoBody {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxCGIBody))
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			http.Error(w, "413 request body too large", http.StatusRequestEntityTooLarge)
			return
		case err != nil:
			http.Error(w, "400 bad request: the body did not arrive whole", http.StatusBadRequest)
			return
		}
		if len(body) > 0 {
			req.Body, req.ContentLength = bytes.NewReader(body), int64(len(body))
		}
	}
	req.Env = httpEnv(r)
	res, err := c.Runner.Run(r.Context(), req)
	switch {
	case errors.Is(err, gcgi.ErrNotFound):
		http.Error(w, "404 not found", http.StatusNotFound)
		return
	case errors.Is(err, gcgi.ErrTimeout):
		http.Error(w, "504 the script took too long", http.StatusGatewayTimeout)
		return
	case errors.Is(err, gcgi.ErrOutputTooLarge):
		http.Error(w, "502 the script wrote too much", http.StatusBadGateway)
		return
	case r.Context().Err() != nil:
		return // the client went away; the script was stopped
	case err != nil:
		http.Error(w, "500 the script did not run", http.StatusInternalServerError)
		return
	}
	log := c.logger().With("script", res.ScriptName)
	code, hdr, body, ok := parseCGI(res.Output, log)
	if !ok {
		http.Error(w, "500 the script wrote no valid CGI header", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	for k, vs := range hdr {
		h[k] = vs
	}
	if r.Method != http.MethodHead {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// httpEnv is the CGI/1.1 environment of an HTTP request beyond what the
// Runner sets: the method as it came, the request URI, the host, the
// request headers as HTTP_*, CONTENT_TYPE, and HTTPS=on over TLS.
func httpEnv(r *http.Request) []string {
	env := []string{
		"REQUEST_METHOD=" + r.Method,
		"REQUEST_URI=" + r.URL.RequestURI(),
	}
	if r.TLS != nil {
		env = append(env, "HTTPS=on")
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		env = append(env, "CONTENT_TYPE="+ct)
	}
	if r.Host != "" {
		env = append(env, "HTTP_HOST="+r.Host)
	}
	for k, vs := range r.Header {
		k = strings.Map(envName, k)
		switch k {
		case "PROXY", "HOST", "CONTENT_TYPE", "CONTENT_LENGTH":
			// PROXY would become HTTP_PROXY, which programs read as
			// their proxy (httpoxy); the others have their own names.
			continue
		}
		sep := ", "
		if k == "COOKIE" {
			sep = "; "
		}
		env = append(env, "HTTP_"+k+"="+strings.Join(vs, sep))
	}
	return env
}

// envName maps a header name's characters onto an environment variable's.
func envName(r rune) rune {
	switch {
	case r >= 'a' && r <= 'z':
		return r - ('a' - 'A')
	case r == '-':
		return '_'
	case r == '=':
		return '_' // no "=" in a variable's name
	}
	return r
}

// serverAddr is SERVER_NAME and SERVER_PORT: the host the request named
// and its port, else the connection's port.
func serverAddr(r *http.Request) (string, int) {
	host := hostOnly(r.Host)
	if _, p, err := net.SplitHostPort(r.Host); err == nil {
		if n, err := strconv.Atoi(p); err == nil {
			return host, n
		}
	}
	if local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if t, ok := local.(*net.TCPAddr); ok {
			return host, t.Port
		}
	}
	if r.TLS != nil {
		return host, 443
	}
	return host, 80
}

// parseCGI splits a script's output into its status, headers and body
// (RFC 3875 section 6): header lines up to a blank line, LF or CRLF ended.
// Status sets the status; Location without one answers 302; otherwise a
// Content-Type is required. A line that is no header is logged and left
// out. ok is false when the output holds no header block.
func parseCGI(out []byte, log *slog.Logger) (code int, hdr http.Header, body []byte, ok bool) {
	hdr = http.Header{}
	rest := out
	lines := 0
	for {
		line, after, found := bytes.Cut(rest, []byte("\n"))
		if !found || len(out)-len(after) > maxCGIHeader {
			log.Warn("cgi wrote no blank line after its headers")
			return 0, nil, nil, false
		}
		rest = after
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			break
		}
		lines++
		name, val, found := strings.Cut(string(line), ":")
		if !found || !httpguts.ValidHeaderFieldName(name) {
			log.Warn("cgi wrote an invalid header", "header", string(line))
			continue
		}
		val = textproto.TrimString(val)
		if !httpguts.ValidHeaderFieldValue(val) {
			log.Warn("cgi wrote an invalid header", "header", string(line))
			continue
		}
		if strings.EqualFold(name, "Status") {
			n, err := strconv.Atoi(strings.SplitN(val, " ", 2)[0])
			if err != nil || n < 100 || n > 999 {
				log.Warn("cgi wrote an invalid status", "status", val)
				return 0, nil, nil, false
			}
			code = n
			continue
		}
		hdr.Add(name, val)
	}
	if lines == 0 {
		log.Warn("cgi wrote no headers")
		return 0, nil, nil, false
	}
	if code == 0 && hdr.Get("Location") != "" {
		code = http.StatusFound
	}
	if code == 0 {
		if hdr.Get("Content-Type") == "" {
			log.Warn("cgi wrote no Content-Type")
			return 0, nil, nil, false
		}
		code = http.StatusOK
	}
	return code, hdr, rest, true
}
