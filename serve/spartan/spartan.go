// Package spartan serves the Spartan protocol (spartan://, plain TCP, port
// 300) in the shape of net/http: a Handler answers a Request through a
// ResponseWriter, a Server reads one request per connection and hands it to
// its Handler, and CGI runs scripts with uploaded data on their standard
// input.
//
// A request is one ASCII line "host SP path SP content-length CRLF"
// followed by content-length bytes of data. A response is one status line,
// "2 mime-type", "3 /path", "4 message" or "5 message", then a body for
// success only. Documents are text/gemini, where a line "=: /path text"
// asks the reader for input and sends it as the data of a request to /path.
package spartan

import (
	"context"
	"io"
)

// A Handler answers one Spartan request. ServeSpartan writes the status
// line with WriteHeader (or lets the first Write imply "2 text/gemini")
// and, for a success, the body; the server closes the connection when it
// returns. Handlers must not keep w or r after returning.
type Handler interface {
	ServeSpartan(w ResponseWriter, r *Request)
}

// HandlerFunc adapts an ordinary function to a Handler.
type HandlerFunc func(w ResponseWriter, r *Request)

// ServeSpartan calls f(w, r).
func (f HandlerFunc) ServeSpartan(w ResponseWriter, r *Request) { f(w, r) }

// A ResponseWriter carries a handler's response to the client.
type ResponseWriter interface {
	// WriteHeader sends the status line "status meta CRLF". Only the first
	// call counts. meta is the MIME type for StatusSuccess (empty means
	// DefaultMIME), an absolute path for StatusRedirect and a message for
	// the errors; it is cut at a CR or LF, bytes outside printable ASCII
	// become '?', and an empty error message becomes the status's text.
	// An unknown status is sent as StatusServerError.
	WriteHeader(status Status, meta string)
	// Write sends body bytes, sending "2 text/gemini" first if no status
	// line was written. It returns ErrBodyNotAllowed after an error or a
	// redirect.
	Write(p []byte) (int, error)
}

// A Request is one parsed Spartan request.
type Request struct {
	// Host is the host the request names, lower-cased, without a final
	// dot; an IPv6 address without brackets.
	Host string
	// Path is the decoded path, always starting with "/".
	Path string
	// RawPath is the path as sent, still percent-encoded, without the
	// query.
	RawPath string
	// RawQuery is the text after a "?" in the path as sent, without the
	// "?", still percent-encoded; empty when there is none.
	RawQuery string
	// ContentLength is the size of the data block, in bytes.
	ContentLength int64
	// Body reads the data block: exactly ContentLength bytes, then io.EOF
	// (io.ErrUnexpectedEOF if the client sends fewer). Never nil.
	Body io.Reader
	// RemoteAddr is the client's network address ("ip:port").
	RemoteAddr string
	// ServerPort is the port the request arrived on (300 in tests without
	// a socket).
	ServerPort int

	ctx context.Context
}

// Context returns the request's context: it is cancelled when the server
// shuts down or closes the connection. It is never nil.
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
