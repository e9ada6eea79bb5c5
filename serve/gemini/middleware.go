package gemini

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Redirect maps one path to another address.
type Redirect struct {
	// From is a URL path, e.g. "/old-post/"; it also matches with or
	// without its trailing slash.
	From string
	// To is where the client goes: a path or an absolute URL.
	To string
	// Temporary answers 30 instead of 31.
	Temporary bool
}

type redirects struct {
	table map[string]Redirect
	next  Handler
}

// Redirects returns a Handler answering 31 (or 30) for the paths in rules
// and passing everything else to next.
func Redirects(rules []Redirect, next Handler) Handler {
	t := make(map[string]Redirect, len(rules))
	for _, r := range rules {
		t[r.From] = r
	}
	for _, r := range rules { // exact entries win over the slash variants
		alt := strings.TrimSuffix(r.From, "/")
		if alt == r.From {
			alt += "/"
		}
		if _, ok := t[alt]; !ok && alt != "" {
			t[alt] = r
		}
	}
	return redirects{table: t, next: next}
}

func (h redirects) ServeGemini(w ResponseWriter, r *Request) {
	if rd, ok := h.table[r.URL.Path]; ok {
		status := StatusPermanentRedirect
		if rd.Temporary {
			status = StatusRedirect
		}
		w.WriteHeader(status, rd.To)
		return
	}
	if h.next == nil {
		w.WriteHeader(StatusNotFound, "Not found")
		return
	}
	h.next.ServeGemini(w, r)
}

// CertRule requires a client certificate for the paths under Prefix.
type CertRule struct {
	// Prefix is a URL path prefix, e.g. "/private/".
	Prefix string
	// Fingerprints lists allowed certificates by SHA-256 (hex, any case,
	// colons optional).
	Fingerprints []string
	// RequireCA allows certificates verified against the Server's
	// ClientCAs.
	RequireCA bool
}

type requireCert struct {
	rules []CertRule
	next  Handler
	now   func() time.Time
}

// RequireCertificate returns a Handler that, for paths under a rule's
// Prefix (the longest matching rule wins), answers 60 without a client
// certificate, 62 when it is expired or not yet valid, and 61 when the rule
// lists fingerprints or RequireCA and the certificate matches neither; a
// rule with neither accepts any valid certificate. Other requests go to
// next.
func RequireCertificate(rules []CertRule, next Handler) Handler {
	return requireCert{rules: rules, next: next, now: time.Now}
}

func normFingerprint(s string) string {
	return strings.ToUpper(strings.NewReplacer(":", "", "SHA256:", "", "sha256:", "").Replace(s))
}

func (h requireCert) ServeGemini(w ResponseWriter, r *Request) {
	var rule *CertRule
	for i := range h.rules {
		if strings.HasPrefix(r.URL.Path, h.rules[i].Prefix) && (rule == nil || len(h.rules[i].Prefix) > len(rule.Prefix)) {
			rule = &h.rules[i]
		}
	}
	if rule != nil {
		c := r.ClientCert()
		if c == nil {
			w.WriteHeader(StatusCertificateRequired, "Client certificate required")
			return
		}
		if now := h.now(); now.Before(c.NotBefore) || now.After(c.NotAfter) {
			w.WriteHeader(StatusCertificateNotValid, "Certificate expired or not yet valid")
			return
		}
		if len(rule.Fingerprints) > 0 || rule.RequireCA {
			sum := sha256.Sum256(c.Raw)
			fp := strings.ToUpper(hex.EncodeToString(sum[:]))
			ok := rule.RequireCA && r.ClientCertVerified
			for _, f := range rule.Fingerprints {
				ok = ok || normFingerprint(f) == fp
			}
			if !ok {
				w.WriteHeader(StatusCertificateNotAuthorised, "Certificate not authorised")
				return
			}
		}
	}
	if h.next == nil {
		w.WriteHeader(StatusNotFound, "Not found")
		return
	}
	h.next.ServeGemini(w, r)
}
