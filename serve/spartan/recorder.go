package spartan

import (
	"bytes"
	"context"
	"strconv"
)

// A Recorder is a ResponseWriter that keeps what a handler sends, for
// testing handlers without a socket.
type Recorder struct {
	// Status and Meta are the status line written, normalized as the
	// Server sends it (0 and "" until then).
	Status Status
	Meta   string
	// Body holds the body written.
	Body bytes.Buffer
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{} }

// WriteHeader records the first status line.
func (rec *Recorder) WriteHeader(status Status, meta string) {
	if rec.Status != 0 {
		return
	}
	rec.Status, rec.Meta, _ = statusLine(status, meta)
}

// Write records body bytes like the Server's ResponseWriter.
func (rec *Recorder) Write(p []byte) (int, error) {
	if rec.Status == 0 {
		rec.WriteHeader(StatusSuccess, DefaultMIME)
	}
	if rec.Status != StatusSuccess {
		return 0, ErrBodyNotAllowed
	}
	return rec.Body.Write(p)
}

// Header returns the recorded status line as sent on the wire, with CRLF.
func (rec *Recorder) Header() string {
	return strconv.Itoa(int(rec.Status)) + " " + rec.Meta + "\r\n"
}

// NewRequest returns a Request for a test, parsed from line (a request
// line without CRLF) as a server would parse it, with data as its data
// block, RemoteAddr 192.0.2.1:1234 and ServerPort 300. A line the server
// would refuse panics: a test should use ParseRequest for those.
func NewRequest(line string, data []byte) *Request {
	r, err := ParseRequest(line)
	if err != nil {
		panic("spartan.NewRequest: " + err.Error())
	}
	r.Body = &body{r: bytes.NewReader(data), n: r.ContentLength}
	r.RemoteAddr = "192.0.2.1:1234"
	r.ServerPort = 300
	r.ctx = context.Background()
	return r
}
