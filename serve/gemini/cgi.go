package gemini

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/gmkit/gmkit/serve/cgi"
	"github.com/gmkit/gmkit/serve/policy"
)

// CGIHandler runs the scripts of a cgi.Runner for requests under Mount.
// The script's first output line must be a valid Gemini header (else 42);
// a timeout, an output over the cap or a failure to start answer 42; a
// missing script answers 51.
type CGIHandler struct {
	// Runner runs the scripts. Required.
	Runner *cgi.Runner
	// Mount is the URL path the CGI folder is served at, e.g. "/cgi-bin".
	Mount string
	// DocumentRoot is passed as DOCUMENT_ROOT.
	DocumentRoot string
}

// ServeGemini runs the script for r. Paths are checked by serve/policy:
// one outside Mount answers 51, one with dot segments 59.
func (h *CGIHandler) ServeGemini(w ResponseWriter, r *Request) {
	p, ok := policy.ParseURLPath(r.URL.EscapedPath())
	if !ok {
		w.WriteHeader(StatusBadRequest, "Invalid path")
		return
	}
	script, ok := policy.CGIScript(h.Mount, p)
	if !ok || p.Hidden() {
		w.WriteHeader(StatusNotFound, "Not found")
		return
	}
	h.run(w, r, "/"+strings.Trim(h.Mount, "/"), script)
}

// run runs the script at path script below mount.
func (h *CGIHandler) run(w ResponseWriter, r *Request, mount, script string) {
	if h.Runner == nil {
		w.WriteHeader(StatusNotFound, "Not found")
		return
	}
	res, err := h.Runner.Run(r.Context(), &cgi.Request{
		Path:         script,
		Mount:        mount,
		RawQuery:     r.URL.RawQuery,
		RemoteAddr:   r.RemoteAddr,
		ServerName:   r.Host,
		ServerPort:   r.ServerPort,
		Protocol:     "GEMINI",
		DocumentRoot: h.DocumentRoot,
		Env:          CGIEnv(r),
	})
	switch {
	case errors.Is(err, cgi.ErrNotFound):
		w.WriteHeader(StatusNotFound, "Not found")
		return
	case errors.Is(err, cgi.ErrTimeout):
		w.WriteHeader(StatusCGIError, "CGI script timed out")
		return
	case err != nil:
		w.WriteHeader(StatusCGIError, "CGI script failed")
		return
	}
	status, meta, body, ok := cgi.SplitHeader(res.Output)
	if !ok {
		line, _, _ := bytes.Cut(res.Output, []byte("\n"))
		h.logger().Warn("cgi wrote an invalid header", "script", res.ScriptName, "header", string(line[:min(len(line), 200)]))
		w.WriteHeader(StatusCGIError, "CGI script sent an invalid header")
		return
	}
	w.WriteHeader(Status(status), meta)
	if status/10 == 2 {
		w.Write(body)
	}
}

func (h *CGIHandler) logger() *slog.Logger {
	if h.Runner.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Runner.Logger
}

// CGIEnv returns the Gemini-specific CGI variables for r: GEMINI_URL,
// GEMINI_URL_PATH, GEMINI_SEARCH_STRING, the TLS_* facts of the connection
// and, with a client certificate, AUTH_TYPE=Certificate, REMOTE_USER (its
// CN), TLS_CLIENT_HASH, _SUBJECT, _SUBJECT_CN, _ISSUER, _NOT_BEFORE,
// _NOT_AFTER, _SERIAL_NUMBER and TLS_CLIENT_AUTHORISED (1 when it chains to
// the server's client CA, else 0).
func CGIEnv(r *Request) []string {
	search, err := url.QueryUnescape(strings.ReplaceAll(r.URL.RawQuery, "+", "%2B"))
	if err != nil {
		search = r.URL.RawQuery
	}
	env := []string{
		"GEMINI_URL=" + r.URL.String(),
		"GEMINI_URL_PATH=" + r.URL.Path,
		"GEMINI_SEARCH_STRING=" + search,
	}
	if r.TLS != nil {
		env = append(env,
			"TLS_VERSION="+tlsVersion(r.TLS.Version),
			"TLS_CIPHER="+tls.CipherSuiteName(r.TLS.CipherSuite),
		)
	}
	c := r.ClientCert()
	if c == nil {
		return append(env, "AUTH_TYPE=")
	}
	sum := sha256.Sum256(c.Raw)
	authorised := "0"
	if r.ClientCertVerified {
		authorised = "1"
	}
	return append(env,
		"AUTH_TYPE=Certificate",
		"REMOTE_USER="+c.Subject.CommonName,
		"TLS_CLIENT_HASH=SHA256:"+strings.ToUpper(hex.EncodeToString(sum[:])),
		"TLS_CLIENT_SUBJECT="+c.Subject.String(),
		"TLS_CLIENT_SUBJECT_CN="+c.Subject.CommonName,
		"TLS_CLIENT_ISSUER="+c.Issuer.String(),
		"TLS_CLIENT_NOT_BEFORE="+c.NotBefore.UTC().Format(time.RFC3339),
		"TLS_CLIENT_NOT_AFTER="+c.NotAfter.UTC().Format(time.RFC3339),
		"TLS_CLIENT_SERIAL_NUMBER="+c.SerialNumber.String(),
		"TLS_CLIENT_AUTHORISED="+authorised,
	)
}

func tlsVersion(v uint16) string {
	switch v {
	case tls.VersionTLS12:
		return "TLSv1.2"
	case tls.VersionTLS13:
		return "TLSv1.3"
	}
	return tls.VersionName(v)
}
