// Package gopher serves a Gopher hole (RFC 1436) in the shape of net/http: a
// Handler answers a Request through a ResponseWriter, a Server accepts
// connections and hands each request line to its Handler, and FileServer
// answers selectors from an fs.FS holding the built hole.
//
// Wire format decisions:
//   - Menus are sent as CRLF lines and end with ".\r\n".
//   - Text (type 0) is sent with CRLF line endings and without a terminating
//     "." line and without dot-stuffing. Tested with curl and lynx: both
//     print a trailing "." line (and a doubled leading dot) as part of the
//     document, so the terminator would show up as content in the two
//     clients people reach for first, while no modern client needs it to
//     find the end of a document (the server closes the connection).
//   - Binaries and CGI output are sent as they are.
//   - Errors are a one-line type-3 menu.
package gopher

import (
	"context"
	"crypto/tls"
	"github.com/gmkit/gmkit/build/gophermap"
	"io"
)

// A Handler answers one Gopher request. ServeGopher writes the whole response
// to w and returns; the server closes the connection afterwards. Handlers must
// not keep w or r after returning.
type Handler interface {
	ServeGopher(w ResponseWriter, r *Request)
}

// HandlerFunc adapts an ordinary function to a Handler.
type HandlerFunc func(w ResponseWriter, r *Request)

// ServeGopher calls f(w, r).
func (f HandlerFunc) ServeGopher(w ResponseWriter, r *Request) { f(w, r) }

// A ResponseWriter carries a handler's response to the client. Gopher has no
// response header: what is written is what the client receives.
type ResponseWriter interface {
	io.Writer
	// SetType records the item type of the response (gophermap.TypeMenu,
	// gophermap.TypeText, gophermap.TypeError, ...): a Gopher response's status. It changes nothing on the wire; servers log it as the
	// request's status and recorders keep it for tests. The zero value (0)
	// means "not said".
	SetType(t gophermap.Type)
}

// A Request is one parsed Gopher request line.
type Request struct {
	// Selector is the selector as the client sent it, without the search
	// text and without any Gopher+ suffix. Empty means the root.
	Selector string
	// Search is the text after the first TAB, for type-7 search items.
	// Empty when the client sent none.
	Search string
	// Plus is the Gopher+ marker the client appended ("+", "$", "!" and
	// their variants), stripped from Selector and Search; empty if none.
	Plus string
	// RemoteAddr is the client's network address ("ip:port").
	RemoteAddr string
	// Host and Port are the public host name and port this server
	// advertises: generated menu lines point there.
	Host string
	// Port is the advertised port; see Host.
	Port int
	// TLS is non-nil when the request arrived over TLS.
	TLS *tls.ConnectionState

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
