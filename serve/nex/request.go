package nex

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// MaxPath is the longest path accepted, in bytes, without the line ending.
// A longer request is answered with an error without reading the rest.
const MaxPath = 1024

// Errors reported by ParseRequest and the server's request reader; the
// server answers each with a one-line message.
var (
	// ErrPathTooLong: no line end within MaxPath bytes.
	ErrPathTooLong = errors.New("nex: path too long")
	// ErrBadRequest: the path is not UTF-8, or holds a NUL, a TAB, a stray
	// CR or another control character.
	ErrBadRequest = errors.New("nex: malformed request")
)

// ParseRequest parses one request, with or without its LF or CRLF ending,
// into a Request holding Path. The path must be valid UTF-8 without control
// characters and at most MaxPath bytes.
func ParseRequest(line string) (*Request, error) {
	line = strings.TrimSuffix(line, "\n")
	line = strings.TrimSuffix(line, "\r")
	if len(line) > MaxPath {
		return nil, ErrPathTooLong
	}
	if !utf8.ValidString(line) {
		return nil, ErrBadRequest
	}
	for _, r := range line {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return nil, ErrBadRequest
		}
	}
	return &Request{Path: line}, nil
}

// readRequestLine reads one line of at most MaxPath bytes (plus its ending)
// from br. A line cut short by EOF is accepted when it holds at least one
// byte, as simple clients may close their sending side without a line end.
// io.EOF is returned for a connection closed before any byte arrived.
func readRequestLine(br *bufio.Reader) (string, error) {
	var b []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(b)+len(chunk) > MaxPath+2 {
			return "", ErrPathTooLong
		}
		b = append(b, chunk...)
		switch {
		case err == nil:
			return string(b), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(b) > 0:
			return string(b), nil
		default:
			return "", err
		}
	}
}
