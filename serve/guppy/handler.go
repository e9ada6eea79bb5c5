package guppy

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Status is the kind of a Guppy response.
type Status int

// Response statuses. The numbers are those of the wire format, except
// StatusSuccess, whose packets carry a sequence number instead.
const (
	StatusInput    Status = 1 // meta is a prompt; the client asks again with ?query
	StatusSuccess  Status = 2 // meta is the MIME type; a body follows
	StatusRedirect Status = 3 // meta is a URL, possibly relative
	StatusError    Status = 4 // meta is a message
)

// String returns the status as the log shows it.
func (s Status) String() string { return strconv.Itoa(int(s)) }

// A Handler answers one Guppy request. ServeGuppy writes the whole response
// to w and returns; the server sends it once the handler has returned, so a
// handler never waits for the network. Handlers must not keep w or r after
// returning.
type Handler interface {
	ServeGuppy(w ResponseWriter, r *Request)
}

// HandlerFunc adapts an ordinary function to a Handler.
type HandlerFunc func(w ResponseWriter, r *Request)

// ServeGuppy calls f(w, r).
func (f HandlerFunc) ServeGuppy(w ResponseWriter, r *Request) { f(w, r) }

// A ResponseWriter carries a handler's response.
type ResponseWriter interface {
	// WriteHeader sets the status and its meta (MIME type, prompt, URL or
	// message). Only the first call counts. An empty MIME type means
	// text/gemini. CR and LF in meta are replaced by spaces.
	WriteHeader(status Status, meta string)
	// Write appends body bytes. Without a WriteHeader call it first calls
	// WriteHeader(StatusSuccess, "text/gemini"). It fails with
	// ErrBodyNotAllowed after a status other than StatusSuccess.
	Write(p []byte) (int, error)
}

// Errors a ResponseWriter returns.
var (
	ErrBodyNotAllowed = errors.New("guppy: body after a status without body")
	ErrBodyTooLarge   = errors.New("guppy: response body over the server's limit")
)

// A Request is one parsed Guppy request.
type Request struct {
	// URL is the parsed request URL. Its Scheme is "guppy".
	URL *url.URL
	// RawURL is the URL exactly as the client sent it, without CRLF.
	RawURL string
	// RemoteAddr is the client's address ("ip:port").
	RemoteAddr string
	// LocalAddr is the server socket's address ("ip:port"); empty in tests.
	LocalAddr string

	ctx context.Context
}

// Context returns the request's context: it is cancelled when the server
// closes, and its deadline is the server's Timeout after the request
// arrived. It is never nil.
func (r *Request) Context() context.Context {
	if r.ctx == nil {
		return context.Background()
	}
	return r.ctx
}

// WithContext returns a shallow copy of r with its context set to ctx.
// A nil ctx is replaced by context.Background().
func (r *Request) WithContext(ctx context.Context) *Request {
	if ctx == nil {
		ctx = context.Background()
	}
	r2 := *r
	r2.ctx = ctx
	return &r2
}

// ParseRequestURL parses a request line (without CRLF) as the server does:
// an absolute URL with a host, without user information or fragment. The
// scheme is not checked: the server answers other schemes with an error.
func ParseRequestURL(raw string) (*url.URL, error) {
	if raw == "" || !validText([]byte(raw)) {
		return nil, malformed("request is not printable UTF-8")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, malformedError("bad URL: " + err.Error())
	}
	switch {
	case u.Scheme == "" || u.Opaque != "":
		return nil, malformed("URL is not absolute")
	case u.Host == "":
		return nil, malformed("URL has no host")
	case u.User != nil:
		return nil, malformed("URL has user information")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return nil, malformed("URL has a fragment")
	}
	return u, nil
}

// NewRequest returns a Request for a test, parsed from rawURL, with
// RemoteAddr 192.0.2.1:1234. A URL the server would refuse still gives a
// Request (with what url.Parse makes of it, or an empty URL), so that
// handlers can be tested on input a server never passes them.
func NewRequest(rawURL string) *Request {
	u, err := ParseRequestURL(rawURL)
	if err != nil {
		u, err = url.Parse(rawURL)
		if err != nil {
			u = &url.URL{}
		}
	}
	return &Request{URL: u, RawURL: rawURL, RemoteAddr: "192.0.2.1:1234", ctx: context.Background()}
}

// A Recorder is a ResponseWriter that keeps what a handler sends, for
// testing handlers without a socket.
type Recorder struct {
	// Status and Meta are what the handler passed to WriteHeader (Status is
	// 0 if it wrote nothing at all).
	Status Status
	// Meta is the header's meta; see Status.
	Meta string
	// Body holds every body byte written.
	Body bytes.Buffer
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{} }

// WriteHeader records the status and meta, once.
func (rec *Recorder) WriteHeader(status Status, meta string) {
	if rec.Status != 0 {
		return
	}
	rec.Status, rec.Meta = status, cleanMeta(status, meta)
}

// Write appends p to Body.
func (rec *Recorder) Write(p []byte) (int, error) {
	if rec.Status == 0 {
		rec.WriteHeader(StatusSuccess, "")
	}
	if rec.Status != StatusSuccess {
		return 0, ErrBodyNotAllowed
	}
	return rec.Body.Write(p)
}

// cleanMeta makes meta safe for one header line: invalid UTF-8 is replaced,
// control characters (CR and LF included) become spaces, an empty MIME type
// becomes text/gemini, and the whole header stays within one datagram (cut
// on a rune boundary).
func cleanMeta(status Status, meta string) string {
	if status == StatusSuccess && meta == "" {
		return "text/gemini"
	}
	b := []byte(strings.ToValidUTF8(meta, "\uFFFD"))
	for i, c := range b {
		if c < 0x20 || c == 0x7f {
			b[i] = ' '
		}
	}
	// Leave room for "2147483647 " and CRLF in a success header.
	if limit := MaxDatagram - maxSeqHeader - 1; len(b) > limit {
		b = b[:limit]
		for len(b) > 0 {
			r, size := utf8.DecodeLastRune(b)
			if r != utf8.RuneError || size > 1 {
				break
			}
			b = b[:len(b)-1]
		}
	}
	return string(b)
}
