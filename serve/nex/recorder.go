package nex

import (
	"bytes"
	"context"
)

// A Recorder is a ResponseWriter that keeps what a handler sends, for
// testing handlers without a socket.
type Recorder struct {
	// Kind is what the handler said the response is (KindNone if nothing).
	Kind Kind
	// Body holds every byte written.
	Body bytes.Buffer
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{} }

// SetKind records k.
func (rec *Recorder) SetKind(k Kind) { rec.Kind = k }

// Write appends p to Body.
func (rec *Recorder) Write(p []byte) (int, error) { return rec.Body.Write(p) }

// NewRequest returns a Request for a test, with path as sent (no line
// ending) and RemoteAddr 192.0.2.1:1234. It does not check path, so that
// handlers can be tested on input a server never passes them.
func NewRequest(path string) *Request {
	return &Request{Path: path, RemoteAddr: "192.0.2.1:1234", ctx: context.Background()}
}
