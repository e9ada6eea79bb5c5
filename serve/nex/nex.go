// Package nex serves the Nex protocol (nex://, plain TCP, port 1900) in the
// shape of net/http: a Handler answers a Request through a ResponseWriter,
// and a Server reads one path per connection, hands it to its Handler and
// closes the connection.
//
// A request is a path, possibly empty, ending at LF (CRLF is accepted too).
// There is no status line: a document is sent as it is, and a directory (an
// empty path or one ending in "/") is plain text in which every line
// starting "=> " followed by a URL is a link. Clients choose how to show a
// document by its path's extension, plain text when it has none. A missing
// file is answered with a short plain-text message.
package nex

import (
	"context"
	"io"
)

// A Handler answers one Nex request. ServeNex writes the whole response to
// w and returns; the server closes the connection afterwards. Handlers must
// not keep w or r after returning.
type Handler interface {
	ServeNex(w ResponseWriter, r *Request)
}

// HandlerFunc adapts an ordinary function to a Handler.
type HandlerFunc func(w ResponseWriter, r *Request)

// ServeNex calls f(w, r).
func (f HandlerFunc) ServeNex(w ResponseWriter, r *Request) { f(w, r) }

// A ResponseWriter carries a handler's response to the client. Nex has no
// response header: what is written is what the client receives.
type ResponseWriter interface {
	io.Writer
	// SetKind records what the response is. It changes nothing on the
	// wire; servers log it as the request's status and recorders keep it
	// for tests.
	SetKind(k Kind)
}

// Kind says what a response is, for logs and tests.
type Kind uint8

// Kinds of response.
const (
	// KindNone: the handler did not say.
	KindNone Kind = iota
	// KindDocument: a file sent as it is.
	KindDocument
	// KindListing: plain text with "=> " link lines (a directory).
	KindListing
	// KindError: a plain-text message saying why nothing else was sent.
	KindError
)

// String names the kind as the request log shows it.
func (k Kind) String() string {
	switch k {
	case KindDocument:
		return "document"
	case KindListing:
		return "listing"
	case KindError:
		return "error"
	}
	return "-"
}

// A Request is one Nex request.
type Request struct {
	// Path is the path as the client sent it, without the line ending.
	// Empty means the root; a leading "/" is optional.
	Path string
	// RemoteAddr is the client's network address ("ip:port").
	RemoteAddr string

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

// IsDir reports whether r asks for a directory: an empty path or one ending
// in "/".
func (r *Request) IsDir() bool {
	return r.Path == "" || r.Path[len(r.Path)-1] == '/'
}

// Error answers with msg as a plain-text line. Messages are best kept
// fixed: echoing what a client sent gives it a say in what others see.
func Error(w ResponseWriter, msg string) {
	w.SetKind(KindError)
	_, _ = io.WriteString(w, msg+"\n")
}

// NotFoundText is the answer for a path with nothing behind it.
const NotFoundText = "Not found\n"

// BadPathText is the answer for a path that breaks the path rules (a "."
// or ".." segment, an encoded "/", a NUL).
const BadPathText = "Bad path\n"

// NotFound answers NotFoundText.
func NotFound(w ResponseWriter) {
	w.SetKind(KindError)
	_, _ = io.WriteString(w, NotFoundText)
}
