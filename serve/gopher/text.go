package gopher

import "io"

// textWriter converts LF line endings to CRLF on the way to w; a CRLF
// already present is kept as it is. It does not add a terminating "." line
// (see the package documentation for why).
type textWriter struct {
	w      io.Writer
	lastCR bool
	buf    []byte
}

// Write converts p and writes it to the underlying writer. It reports
// len(p) on success.
func (t *textWriter) Write(p []byte) (int, error) {
	b := t.buf[:0]
	for _, c := range p {
		if c == '\n' && !t.lastCR {
			b = append(b, '\r')
		}
		b = append(b, c)
		t.lastCR = c == '\r'
	}
	t.buf = b
	if _, err := t.w.Write(b); err != nil {
		return 0, err
	}
	return len(p), nil
}
