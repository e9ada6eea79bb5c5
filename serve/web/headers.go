package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultCSP is the Content-Security-Policy sent when HeaderOptions.CSP is
// empty: no scripts, frames, plugins or inline styles; images and media
// from this site or over HTTPS; styles and fonts from this site; forms
// only to this site (CGI scripts).
const DefaultCSP = "default-src 'none'; img-src 'self' https: data:; media-src 'self' https:; " +
	"style-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// DefaultReferrerPolicy is the Referrer-Policy sent when
// HeaderOptions.ReferrerPolicy is empty: other sites learn only this
// site's origin, never the page a reader came from.
const DefaultReferrerPolicy = "strict-origin-when-cross-origin"

// HeaderOptions configures Headers.
type HeaderOptions struct {
	// CSP is the Content-Security-Policy. Empty means DefaultCSP.
	CSP string
	// ReferrerPolicy is the Referrer-Policy. Empty means
	// DefaultReferrerPolicy.
	ReferrerPolicy string
	// HSTS, when above zero, is sent as Strict-Transport-Security
	// max-age on answers over TLS. Only set it for a certificate browsers
	// trust: they will refuse plain HTTP to the host for that long.
	HSTS time.Duration
}

// Headers sets the security headers on every answer of next:
// Content-Security-Policy, X-Content-Type-Options: nosniff,
// Referrer-Policy, X-Frame-Options: DENY and, over TLS when configured,
// Strict-Transport-Security. They are set before next runs, so a handler
// may change them.
func Headers(next http.Handler, opts HeaderOptions) http.Handler {
	csp := opts.CSP
	if csp == "" {
		csp = DefaultCSP
	}
	ref := opts.ReferrerPolicy
	if ref == "" {
		ref = DefaultReferrerPolicy
	}
	hsts := ""
	if opts.HSTS > 0 {
		hsts = "max-age=" + strconv.FormatInt(int64(opts.HSTS/time.Second), 10)
	}
	// The header values are built once; each request copies slices.
	cspV, refV := []string{csp}, []string{ref}
	nosniff, deny, hstsV := []string{"nosniff"}, []string{"DENY"}, []string{hsts}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Content-Security-Policy"] = cspV
		h["X-Content-Type-Options"] = nosniff
		h["Referrer-Policy"] = refV
		h["X-Frame-Options"] = deny
		if hsts != "" && r.TLS != nil {
			h["Strict-Transport-Security"] = hstsV
		}
		next.ServeHTTP(w, r)
	})
}

// RedirectHTTPS answers every request with a 301 to the same path and
// query over HTTPS, on port (443 when zero or 443). The host is the one the
// request named when it is in hosts, else hosts[0], so the answer never
// points at a name this server does not hold a certificate for.
func RedirectHTTPS(hosts []string, port int) http.Handler {
	known := make(map[string]bool, len(hosts))
	for _, h := range hosts {
		known[strings.ToLower(h)] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := strings.ToLower(hostOnly(r.Host))
		if !known[host] && len(hosts) > 0 {
			host = hosts[0]
		}
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		if port != 0 && port != 443 {
			host += ":" + strconv.Itoa(port)
		}
		redirect(w, "https://"+host+r.URL.RequestURI(), http.StatusMovedPermanently)
	})
}

// hostOnly strips a port from a Host header value.
func hostOnly(hostport string) string {
	if strings.HasPrefix(hostport, "[") {
		if i := strings.Index(hostport, "]"); i > 0 {
			return hostport[1:i]
		}
	}
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 && !strings.Contains(hostport[:i], ":") {
		return hostport[:i]
	}
	return hostport
}
