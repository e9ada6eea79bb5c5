package gopher

import (
	"bytes"
	"context"
	"github.com/gmkit/gmkit/build/gophermap"
)

// A Recorder is a ResponseWriter that keeps what a handler sends, for
// testing handlers without a socket.
type Recorder struct {
	// Type is the item type the handler declared with SetType (0 if none).
	Type gophermap.Type
	// Body holds every byte written.
	Body bytes.Buffer
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{} }

// SetType records t.
func (rec *Recorder) SetType(t gophermap.Type) { rec.Type = t }

// Write appends p to Body.
func (rec *Recorder) Write(p []byte) (int, error) { return rec.Body.Write(p) }

// NewRequest returns a Request for a test, parsed from line as a server
// would parse it, with RemoteAddr 192.0.2.1:1234, Host localhost and Port 70.
// A line the server would refuse gives a Request holding the raw line as its
// selector, so that handlers can be tested on input a server never passes
// them.
func NewRequest(line string) *Request {
	r, err := ParseRequest(line)
	if err != nil {
		r = &Request{Selector: line}
	}
	r.RemoteAddr = "192.0.2.1:1234"
	r.Host = "localhost"
	r.Port = 70
	r.ctx = context.Background()
	return r
}
