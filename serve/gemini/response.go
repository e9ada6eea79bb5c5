package gemini

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gmkit/gmkit/serve/cgi"
)

// MaxMetaLength is the longest meta line, in bytes.
const MaxMetaLength = cgi.MaxMetaLength

// DefaultMIME is the type of a 20 response with an empty meta.
const DefaultMIME = "text/gemini; charset=utf-8"

// ErrBodyNotAllowed is returned by Write after a header whose status is
// not a success (only 2x responses have a body).
var ErrBodyNotAllowed = errors.New("gemini: response status has no body")

// Handler answers a Gemini request. It writes one header with WriteHeader
// (or lets the first Write imply "20 text/gemini") and, for a 2x status,
// the body.
type Handler interface {
	ServeGemini(w ResponseWriter, r *Request)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(w ResponseWriter, r *Request)

// ServeGemini calls f(w, r).
func (f HandlerFunc) ServeGemini(w ResponseWriter, r *Request) { f(w, r) }

// ResponseWriter sends a Gemini response.
type ResponseWriter interface {
	// WriteHeader sends "status meta CRLF". Only the first call counts. An
	// out-of-range status becomes 40; a meta with CR or LF is cut there; a
	// meta longer than MaxMetaLength is shortened; an empty meta becomes
	// DefaultMIME for 20 and StatusText otherwise.
	WriteHeader(status Status, meta string)
	// Write sends body bytes, writing "20 text/gemini" first if no header
	// was sent. It returns ErrBodyNotAllowed after a non-2x header.
	Write(p []byte) (int, error)
}

// header builds the header line for status and meta, normalized as
// ResponseWriter.WriteHeader describes.
func header(status Status, meta string) (Status, string) {
	if status < 10 || status > 69 {
		status, meta = StatusTemporaryFailure, "Invalid response status"
	}
	if i := strings.IndexAny(meta, "\r\n"); i >= 0 {
		meta = meta[:i]
	}
	if len(meta) > MaxMetaLength {
		cut := MaxMetaLength
		for cut > 0 && !utf8.RuneStart(meta[cut]) {
			cut--
		}
		meta = meta[:cut]
	}
	if meta == "" {
		if status/10 == 2 {
			meta = DefaultMIME
		} else if meta = StatusText(status); meta == "" {
			meta = StatusText(status / 10 * 10)
		}
	}
	return status, meta
}

// responseBufferSize is the response's buffer: the header and the start
// of the body leave together, a small page in one TLS record.
const responseBufferSize = 16 << 10

// response is the ResponseWriter of the Server. Its buffer comes from the
// Server's pool and goes back in finish. Whatever a Write call passes on to
// TLS is sent before the call returns, so the batching underneath never
// delays a response more than this buffer does.
type response struct {
	bw     *bufio.Writer
	tc     *tls.Conn  // gets close_notify in finish; nil when not over TLS
	conn   *batchConn // flushed after every Write; nil writes straight through
	bufs   *buffers   // where bw goes back; nil: not pooled
	status Status
	meta   string
	bytes  int64 // body bytes accepted
	err    error
}

// newResponse returns a response writing to w, with a buffer from bufs
// when it is not nil. When w is a *tls.Conn over a batchConn, every Write
// ends by flushing the batch.
func newResponse(w io.Writer, bufs *buffers) *response {
	r := &response{bufs: bufs}
	if bufs != nil {
		if bw, ok := bufs.writer.Get().(*bufio.Writer); ok {
			bw.Reset(w)
			r.bw = bw
		}
	}
	if r.bw == nil {
		r.bw = bufio.NewWriterSize(w, responseBufferSize)
	}
	if tc, ok := w.(*tls.Conn); ok {
		r.tc = tc
		r.conn, _ = tc.NetConn().(*batchConn)
	}
	return r
}

func (r *response) WriteHeader(status Status, meta string) {
	if r.status != 0 {
		return
	}
	r.status, r.meta = header(status, meta)
	if r.bw == nil {
		r.err = errFinished
		return
	}
	_, r.err = r.bw.WriteString(strconv.Itoa(int(r.status)) + " " + r.meta + "\r\n")
}

func (r *response) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.WriteHeader(StatusSuccess, DefaultMIME)
	}
	if r.status/10 != 2 {
		return 0, ErrBodyNotAllowed
	}
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.bw.Write(p)
	r.bytes += int64(n)
	if err == nil && r.conn != nil {
		err = r.conn.Flush()
	}
	r.err = err
	return n, err
}

// ReadFrom copies src into the response through its buffer, so io.Copy
// from a file does not need a buffer of its own.
func (r *response) ReadFrom(src io.Reader) (int64, error) {
	if r.status == 0 {
		r.WriteHeader(StatusSuccess, DefaultMIME)
	}
	if r.status/10 != 2 {
		return 0, ErrBodyNotAllowed
	}
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.bw.ReadFrom(src)
	r.bytes += n
	if err == nil && r.conn != nil {
		err = r.conn.Flush()
	}
	r.err = err
	return n, err
}

// finish sends what is buffered and, over TLS, close_notify, then gives the
// buffer back. The response refuses writes afterwards.
func (r *response) finish() error {
	if r.bw == nil {
		return r.err
	}
	if r.err == nil {
		r.err = r.bw.Flush()
	}
	if r.err == nil && r.conn != nil {
		// close_notify leaves with the last records (see batchConn).
		if r.tc != nil {
			r.err = r.tc.CloseWrite()
		}
		if err := r.conn.Flush(); r.err == nil {
			r.err = err
		}
	}
	err := r.err
	if r.bufs != nil {
		r.bw.Reset(nil)
		r.bufs.writer.Put(r.bw)
	}
	r.bw = nil
	if r.err == nil {
		r.err = errFinished
	}
	return err
}

// errFinished is returned by writes after the response was sent.
var errFinished = errors.New("gemini: response already sent")

// Recorder is a ResponseWriter that records the response, for
// testing handlers without a socket.
type Recorder struct {
	// Status and Meta are the header written (0 and "" until then).
	Status Status
	Meta   string
	// Body is the body written.
	Body bytes.Buffer
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{} }

// WriteHeader records the first header, normalized as the Server sends it.
func (r *Recorder) WriteHeader(status Status, meta string) {
	if r.Status != 0 {
		return
	}
	r.Status, r.Meta = header(status, meta)
}

// Write records body bytes like the Server's ResponseWriter.
func (r *Recorder) Write(p []byte) (int, error) {
	if r.Status == 0 {
		r.WriteHeader(StatusSuccess, DefaultMIME)
	}
	if r.Status/10 != 2 {
		return 0, ErrBodyNotAllowed
	}
	return r.Body.Write(p)
}

// Header returns the recorded header line as sent on the wire, with CRLF.
func (r *Recorder) Header() string {
	return strconv.Itoa(int(r.Status)) + " " + r.Meta + "\r\n"
}

// ParseHeader checks a response header line (without CRLF): two digits
// 10-69, then nothing or a space and a meta of at most MaxMetaLength bytes
// of valid UTF-8 without control characters. It returns the status and
// meta, or ok=false.
func ParseHeader(line string) (status Status, meta string, ok bool) {
	code, meta, ok := cgi.ParseHeaderLine(line)
	return Status(code), meta, ok
}
