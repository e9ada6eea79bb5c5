package gopher

import (
	"bufio"
	"errors"
	"io"
	"strings"
)

// MaxSelector is the longest selector accepted, in bytes (RFC 1436 and the
// established servers agree on 255).
const MaxSelector = 255

// MaxRequestLine is the most bytes read for one request line (selector, TAB,
// search text and Gopher+ suffix, without the line ending). A line longer
// than this is answered with an error item without reading the rest.
const MaxRequestLine = 2048

// Errors reported by ParseRequest and the server's request reader. Servers
// answer each with a type-3 error item.
var (
	// ErrSelectorTooLong: the selector is longer than MaxSelector bytes.
	ErrSelectorTooLong = errors.New("gopher: selector too long")
	// ErrRequestTooLong: no line end within MaxRequestLine bytes.
	ErrRequestTooLong = errors.New("gopher: request line too long")
	// ErrBadRequest: the line holds a NUL, a stray CR or LF, or another
	// control character in the selector.
	ErrBadRequest = errors.New("gopher: malformed request line")
)

// ParseRequest parses one request line, with or without its CRLF (or bare LF)
// ending, into a Request holding Selector, Search and Plus. The line is
// "selector", "selector TAB search", either followed by a Gopher+ suffix
// ("TAB +", "TAB $", "TAB !" and their longer forms), which is moved to Plus.
// Any other control byte in the selector, a NUL anywhere, or a CR or LF before
// the end is refused with ErrBadRequest; a selector over MaxSelector bytes
// with ErrSelectorTooLong; a line over MaxRequestLine bytes with
// ErrRequestTooLong.
func ParseRequest(line string) (*Request, error) {
	line = strings.TrimSuffix(line, "\n")
	line = strings.TrimSuffix(line, "\r")
	if len(line) > MaxRequestLine {
		return nil, ErrRequestTooLong
	}
	if strings.ContainsAny(line, "\x00\r\n") {
		return nil, ErrBadRequest
	}
	sel, rest, hasTab := strings.Cut(line, "\t")
	if len(sel) > MaxSelector {
		return nil, ErrSelectorTooLong
	}
	for i := 0; i < len(sel); i++ {
		if c := sel[i]; c < 0x20 || c == 0x7f {
			return nil, ErrBadRequest
		}
	}
	req := &Request{Selector: sel}
	if !hasTab {
		return req, nil
	}
	first, more, hasMore := strings.Cut(rest, "\t")
	if isPlusMarker(first, hasMore) {
		// "selector TAB +[...]": a Gopher+ request for a plain item; a data
		// block flag and anything after it are ignored.
		req.Plus = first
		return req, nil
	}
	req.Search = first
	if hasMore {
		// "selector TAB search TAB +": a Gopher+ search.
		plus, _, _ := strings.Cut(more, "\t")
		req.Plus = plus
	}
	return req, nil
}

// isPlusMarker reports whether field, the text after the first TAB, is a
// Gopher+ marker rather than search text. The bare markers "+", "$" and "!"
// always are; the longer forms ("+text/plain", "!+ABSTRACT") only when they
// look like one, so that a search for "+1" or "!important" stays a search.
// When more TAB-separated fields follow, a field starting with '+' is a
// marker followed by the data block flag.
func isPlusMarker(field string, more bool) bool {
	switch field {
	case "+", "$", "!":
		return true
	case "":
		return false
	}
	if strings.ContainsAny(field, " ") {
		return false
	}
	switch {
	case strings.HasPrefix(field, "!+"), strings.HasPrefix(field, "$+"):
		return true
	case strings.HasPrefix(field, "+"):
		return more || strings.Contains(field, "/")
	}
	return false
}

// readRequestLine reads one request line of at most MaxRequestLine bytes
// (plus its CRLF) from br. A line cut short by EOF is accepted when it holds
// at least one byte, as several simple clients close their sending side
// without a line end. io.EOF is returned for a connection closed before any
// byte arrived.
func readRequestLine(br *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		chunk, err := br.ReadSlice('\n')
		if b.Len()+len(chunk) > MaxRequestLine+2 {
			return "", ErrRequestTooLong
		}
		b.Write(chunk)
		switch {
		case err == nil:
			return b.String(), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && b.Len() > 0:
			return b.String(), nil
		default:
			return "", err
		}
	}
}
