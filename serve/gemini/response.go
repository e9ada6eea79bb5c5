package gemini

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxMetaLength is the longest meta line, in bytes.
const MaxMetaLength = 1024

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
	WriteHeader(status int, meta string)
	// Write sends body bytes, writing "20 text/gemini" first if no header
	// was sent. It returns ErrBodyNotAllowed after a non-2x header.
	Write(p []byte) (int, error)
}

// header builds the header line for status and meta, normalized as
// ResponseWriter.WriteHeader describes.
func header(status int, meta string) (int, string) {
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

// response is the ResponseWriter of the Server: it buffers the header with
// the start of the body so a small page leaves in one TLS record.
type response struct {
	bw     *bufio.Writer
	status int
	meta   string
	bytes  int64 // body bytes accepted
	err    error
}

func newResponse(w io.Writer) *response {
	return &response{bw: bufio.NewWriterSize(w, 16<<10)}
}

func (r *response) WriteHeader(status int, meta string) {
	if r.status != 0 {
		return
	}
	r.status, r.meta = header(status, meta)
	_, r.err = r.bw.WriteString(strconv.Itoa(r.status) + " " + r.meta + "\r\n")
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
	r.err = err
	return n, err
}

func (r *response) finish() error {
	if r.err != nil {
		return r.err
	}
	return r.bw.Flush()
}

// ResponseRecorder is a ResponseWriter that records the response, for
// testing handlers without a socket.
type ResponseRecorder struct {
	// Status and Meta are the header written (0 and "" until then).
	Status int
	Meta   string
	// Body is the body written.
	Body bytes.Buffer
}

// NewRecorder returns an empty ResponseRecorder.
func NewRecorder() *ResponseRecorder { return &ResponseRecorder{} }

// WriteHeader records the first header, normalized as the Server sends it.
func (r *ResponseRecorder) WriteHeader(status int, meta string) {
	if r.Status != 0 {
		return
	}
	r.Status, r.Meta = header(status, meta)
}

// Write records body bytes like the Server's ResponseWriter.
func (r *ResponseRecorder) Write(p []byte) (int, error) {
	if r.Status == 0 {
		r.WriteHeader(StatusSuccess, DefaultMIME)
	}
	if r.Status/10 != 2 {
		return 0, ErrBodyNotAllowed
	}
	return r.Body.Write(p)
}

// Header returns the recorded header line as sent on the wire, with CRLF.
func (r *ResponseRecorder) Header() string {
	return strconv.Itoa(r.Status) + " " + r.Meta + "\r\n"
}

// ParseHeader checks a response header line (without CRLF): two digits
// 10-69, then nothing or a space and a meta of at most MaxMetaLength bytes
// of valid UTF-8 without control characters. It returns the status and
// meta, or ok=false.
func ParseHeader(line string) (status int, meta string, ok bool) {
	if len(line) < 2 || line[0] < '1' || line[0] > '6' || line[1] < '0' || line[1] > '9' {
		return 0, "", false
	}
	status = int(line[0]-'0')*10 + int(line[1]-'0')
	rest := line[2:]
	if rest != "" {
		if rest[0] != ' ' {
			return 0, "", false
		}
		meta = rest[1:]
	}
	if len(meta) > MaxMetaLength || !utf8.ValidString(meta) {
		return 0, "", false
	}
	for _, c := range []byte(meta) {
		if c < ' ' && c != '\t' || c == 0x7f {
			return 0, "", false
		}
	}
	return status, meta, true
}
