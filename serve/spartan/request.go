package spartan

import (
	"bufio"
	"errors"
	"io"
	"net/netip"
	"net/url"
	"strings"

	"github.com/gmkit/gmkit/serve/policy"
)

// Limits on a request line.
const (
	// MaxRequestLine is the most bytes read for the request line, CRLF not
	// counted. A longer line is answered "4" without reading the rest.
	MaxRequestLine = 2048
	// MaxPath is the longest path (query included) accepted, in bytes, as
	// sent: the same bound Gemini puts on a whole URL.
	MaxPath = 1024
	// maxHost is the longest host name (RFC 1035).
	maxHost = 253
	// maxLengthDigits bounds the content-length field, far above any cap.
	maxLengthDigits = 15
)

// A RequestError is a request the server refuses before any handler runs;
// it is answered "4 " + Message.
type RequestError struct {
	// Message is the text sent in the status line.
	Message string
}

func (e *RequestError) Error() string { return "spartan: " + e.Message }

func requestError(msg string) error { return &RequestError{Message: msg} }

// Errors of the request reader.
var (
	// ErrLineTooLong: no CRLF within MaxRequestLine bytes.
	ErrLineTooLong = requestError("Request line too long")
	// ErrBareLF: the line ends in LF without CR, or the connection ended
	// before the line did.
	ErrBareLF = requestError("Request line must end with CRLF")
)

// ParseRequest parses a request line without its CRLF into a Request
// holding Host, Path, RawPath, RawQuery and ContentLength. It is strict: the
// line is printable ASCII, three fields with one space between them; the
// host is a DNS name or an IP address, without a port; the path is absolute,
// made of RFC 3986 path characters and percent escapes (a "?" starts the
// query), at most MaxPath bytes, and passes serve/policy's path rules (no
// "." or ".." segment or empty one inside the path, nor an encoded "/", a
// "\" or a NUL, in any encoding);
// the content length is a decimal number without sign or leading zeros.
// Errors are *RequestError.
func ParseRequest(line string) (*Request, error) {
	if len(line) > MaxRequestLine {
		return nil, ErrLineTooLong
	}
	for i := 0; i < len(line); i++ {
		if c := line[i]; c < 0x20 || c >= 0x7f {
			return nil, requestError("Request must be printable ASCII")
		}
	}
	host, rest, ok1 := strings.Cut(line, " ")
	rawPath, length, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 || strings.Contains(length, " ") {
		return nil, requestError("Request must be: host path content-length")
	}
	h, err := parseHost(host)
	if err != nil {
		return nil, err
	}
	n, err := parseLength(length)
	if err != nil {
		return nil, err
	}
	req := &Request{Host: h, ContentLength: n}
	if err := req.setPath(rawPath); err != nil {
		return nil, err
	}
	return req, nil
}

// parseHost checks host and returns it lower-cased, without brackets and a
// final dot.
func parseHost(host string) (string, error) {
	if host == "" {
		return "", requestError("Request must be: host path content-length")
	}
	if strings.HasPrefix(host, "[") {
		inner, ok := strings.CutSuffix(host[1:], "]")
		if a, err := netip.ParseAddr(inner); ok && err == nil && a.Is6() && a.Zone() == "" {
			return strings.ToLower(inner), nil
		}
		return "", requestError("Invalid host")
	}
	if strings.Contains(host, ":") {
		if a, err := netip.ParseAddr(host); err == nil && a.Is6() && a.Zone() == "" {
			return strings.ToLower(host), nil
		}
		return "", requestError("Host must not name a port")
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "" || len(host) > maxHost {
		return "", requestError("Invalid host")
	}
	for label := range strings.SplitSeq(host, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "", requestError("Invalid host")
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", requestError("Invalid host")
			}
		}
	}
	return host, nil
}

// parseLength reads the content-length field.
func parseLength(s string) (int64, error) {
	if s == "" || len(s) > maxLengthDigits || (len(s) > 1 && s[0] == '0') {
		return 0, requestError("Invalid content length")
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, requestError("Invalid content length")
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
}

// setPath checks the path field and fills Path, RawPath and RawQuery.
func (r *Request) setPath(raw string) error {
	if len(raw) > MaxPath {
		return requestError("Path too long")
	}
	if !strings.HasPrefix(raw, "/") {
		return requestError("Path must be absolute")
	}
	p, q, _ := strings.Cut(raw, "?")
	for i := 0; i < len(raw); i++ {
		if !pathChar(raw[i]) {
			return requestError("Invalid character in path")
		}
	}
	if _, err := url.PathUnescape(q); err != nil {
		return requestError("Invalid percent escape in query")
	}
	pp, ok := policy.ParseURLPath(p)
	if !ok {
		return requestError("Invalid path")
	}
	r.Path, r.RawPath, r.RawQuery = pp.String(), p, q
	return nil
}

// pathChar reports whether c may appear in the path field: RFC 3986
// unreserved, sub-delims, ":", "@", "/", "?" and "%" (escapes are checked
// when decoding).
func pathChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@/?%", c) >= 0
}

// readRequestLine reads one line ending in CRLF, of at most MaxRequestLine
// bytes before the CRLF, and returns it without the CRLF. io.EOF means the
// connection closed before any byte arrived.
func readRequestLine(br *bufio.Reader) (string, error) {
	var b []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(b)+len(chunk) > MaxRequestLine+2 {
			return "", ErrLineTooLong
		}
		b = append(b, chunk...)
		switch {
		case err == nil:
			if len(b) < 2 || b[len(b)-2] != '\r' {
				return "", ErrBareLF
			}
			return string(b[:len(b)-2]), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(b) > 0:
			return "", ErrBareLF
		default:
			return "", err
		}
	}
}

// body reads exactly n bytes of the data block from r.
type body struct {
	r io.Reader
	n int64
}

func (b *body) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.n {
		p = p[:b.n]
	}
	n, err := b.r.Read(p)
	b.n -= int64(n)
	if errors.Is(err, io.EOF) && b.n > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}
