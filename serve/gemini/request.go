package gemini

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/url"
	"strings"
	"unicode/utf8"
)

// MaxURLLength is the longest request URL, in bytes, CRLF not counted.
const MaxURLLength = 1024

// errLineTooLong: no CRLF within MaxURLLength+2 bytes.
var errLineTooLong = errors.New("gemini: request line longer than 1024 bytes")

// Request is one Gemini request as a handler sees it.
type Request struct {
	// URL is the parsed request URL (always absolute, scheme "gemini").
	URL *url.URL
	// RawURL is the request line as sent, without CRLF.
	RawURL string
	// Host is the URL's hostname, lower-cased, without port.
	Host string
	// RemoteAddr is the client's "host:port".
	RemoteAddr string
	// ServerPort is the port this request was addressed to (from the URL,
	// 1965 when it names none).
	ServerPort int
	// TLS describes the connection; nil in tests without a socket.
	TLS *tls.ConnectionState
	// ClientCertVerified reports that the client certificate chains to the
	// Server's ClientCAs.
	ClientCertVerified bool

	ctx context.Context
}

// Context returns the request's context: cancelled when the server closes
// the connection. Never nil.
func (r *Request) Context() context.Context {
	if r.ctx == nil {
		return context.Background()
	}
	return r.ctx
}

// WithContext returns a shallow copy of r with ctx as its context.
func (r *Request) WithContext(ctx context.Context) *Request {
	r2 := *r
	r2.ctx = ctx
	return &r2
}

// ClientCert returns the client's certificate, or nil.
func (r *Request) ClientCert() *x509.Certificate {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return nil
	}
	return r.TLS.PeerCertificates[0]
}

// NewRequest parses rawURL as a request line (without CRLF) and returns a
// Request for driving a handler without a socket.
func NewRequest(rawURL string) (*Request, error) {
	u, status, msg := ParseURL(rawURL)
	if status != 0 {
		return nil, &RequestError{Status: status, Meta: msg}
	}
	return &Request{URL: u, RawURL: rawURL, Host: strings.ToLower(u.Hostname()), ServerPort: urlPort(u), RemoteAddr: "192.0.2.1:1965"}, nil
}

// RequestError is a request the server refuses before any handler runs.
type RequestError struct {
	Status Status
	Meta   string
}

func (e *RequestError) Error() string { return e.Meta }

func urlPort(u *url.URL) int {
	p := u.Port()
	if p == "" {
		return DefaultPort
	}
	n := 0
	for _, c := range p {
		n = n*10 + int(c-'0')
		if n > 65535 {
			return -1
		}
	}
	return n
}

// readRequestLine reads up to CRLF, never more than MaxURLLength+2 bytes.
// A bare LF does not end the line.
func readRequestLine(r io.Reader) (string, error) {
	buf := make([]byte, MaxURLLength+2)
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		from := max(n-1, 0)
		n += m
		if i := bytes.Index(buf[from:n], []byte("\r\n")); i >= 0 {
			return string(buf[:from+i]), nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", errLineTooLong
}

// ParseURL checks a request URL as the Gemini rules require. It returns the
// URL and status 0, or the status to answer (59 for a malformed request,
// 53 for a well-formed URL of another scheme) and a message. Hostname and
// port are checked by the Server, the path by serve/policy.
func ParseURL(raw string) (u *url.URL, status Status, msg string) {
	switch {
	case raw == "":
		return nil, StatusBadRequest, "Empty request"
	case len(raw) > MaxURLLength:
		return nil, StatusBadRequest, "URL too long"
	case !utf8.ValidString(raw):
		return nil, StatusBadRequest, "URL is not valid UTF-8"
	case strings.HasPrefix(raw, "\uFEFF"):
		return nil, StatusBadRequest, "URL starts with a byte order mark"
	}
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c <= ' ' || c == 0x7f {
			return nil, StatusBadRequest, "URL contains a space or control character"
		}
	}
	if strings.Contains(raw, "#") {
		return nil, StatusBadRequest, "URL has a fragment"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, StatusBadRequest, "Malformed URL"
	}
	if u.Scheme == "" {
		return nil, StatusBadRequest, "URL is not absolute"
	}
	if u.User != nil {
		return nil, StatusBadRequest, "URL has user information"
	}
	if !strings.EqualFold(u.Scheme, "gemini") {
		if u.Host == "" && u.Opaque == "" {
			return nil, StatusBadRequest, "Malformed URL"
		}
		return nil, StatusProxyRequestRefused, "Proxy request refused"
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return nil, StatusBadRequest, "URL has no host"
	}
	if urlPort(u) < 0 {
		return nil, StatusBadRequest, "Invalid port"
	}
	return u, 0, ""
}
