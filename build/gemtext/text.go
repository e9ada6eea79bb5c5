package gemtext

import (
	"strconv"
	"unicode/utf8"

	"github.com/yuin/goldmark/util"
)

// appendDecoded appends src to dst with Markdown backslash escapes and HTML
// entity and character references resolved, in one pass (so that "\&amp;"
// stays "&amp;"). NUL and invalid character references become U+FFFD.
func appendDecoded(dst, src []byte) []byte {
	i := 0
	for i < len(src) {
		// Copy the run up to the next byte that may start something.
		j := i
		for j < len(src) && src[j] != '\\' && src[j] != '&' && src[j] != 0 {
			j++
		}
		dst = append(dst, src[i:j]...)
		i = j
		if i >= len(src) {
			break
		}
		switch src[i] {
		case '\\':
			if i+1 < len(src) && util.IsPunct(src[i+1]) {
				dst = append(dst, src[i+1])
				i += 2
				continue
			}
		case '&':
			if out, n := appendReference(dst, src[i:]); n > 0 {
				dst = out
				i += n
				continue
			}
		case 0:
			dst = append(dst, "\uFFFD"...)
			i++
			continue
		}
		dst = append(dst, src[i])
		i++
	}
	return dst
}

// appendReference decodes the entity or character reference at the start
// of b (which starts with '&') and reports how many bytes it used; 0 means
// b does not start with a reference.
func appendReference(dst, b []byte) ([]byte, int) {
	if len(b) < 3 {
		return dst, 0
	}
	if b[1] == '#' {
		hex := len(b) > 2 && (b[2] == 'x' || b[2] == 'X')
		start := 2
		maxDigits := 7
		base := 10
		if hex {
			start, maxDigits, base = 3, 6, 16
		}
		end := start
		for end < len(b) && end-start <= maxDigits && isDigit(b[end], hex) {
			end++
		}
		if end == start || end-start > maxDigits || end >= len(b) || b[end] != ';' {
			return dst, 0
		}
		v, err := strconv.ParseUint(string(b[start:end]), base, 32)
		r := rune(v)
		if err != nil || v == 0 || v > utf8.MaxRune || !utf8.ValidRune(r) {
			r = utf8.RuneError
		}
		return utf8.AppendRune(dst, r), end + 1
	}
	end := 1
	for end < len(b) && end < 64 && util.IsAlphaNumeric(b[end]) {
		end++
	}
	if end == 1 || end >= len(b) || b[end] != ';' {
		return dst, 0
	}
	e, ok := util.LookUpHTML5EntityByName(string(b[1:end]))
	if !ok {
		return dst, 0
	}
	return append(dst, e.Characters...), end + 1
}

func isDigit(c byte, hex bool) bool {
	if hex {
		return util.IsHexDecimal(c)
	}
	return c >= '0' && c <= '9'
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// collapseSpace appends src to dst with every run of white space (line
// breaks and tabs included) turned into one space and no space at either
// end. dst may be src[:0].
func collapseSpace(dst, src []byte) []byte {
	pending := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if isSpace(c) {
			pending = true
			continue
		}
		if pending && len(dst) > 0 {
			dst = append(dst, ' ')
		}
		pending = false
		dst = append(dst, c)
	}
	return dst
}

// trimRight drops trailing spaces and tabs.
func trimRight(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// trimSpace drops leading and trailing spaces and tabs.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return trimRight(b)
}

// encodeURL makes u fit on a link line: white space, control characters
// and bytes that are not UTF-8 are percent-encoded.
func encodeURL(u string) string {
	clean := true
	for i := 0; i < len(u); i++ {
		if c := u[i]; c <= ' ' || c == 0x7f || c >= utf8.RuneSelf {
			clean = false
			break
		}
	}
	if clean {
		return u
	}
	const hex = "0123456789ABCDEF"
	out := make([]byte, 0, len(u)+8)
	for i := 0; i < len(u); {
		c := u[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(u[i:])
			if r != utf8.RuneError || size > 1 {
				if isUnicodeSpace(r) {
					for k := 0; k < size; k++ {
						out = append(out, '%', hex[u[i+k]>>4], hex[u[i+k]&15])
					}
				} else {
					out = append(out, u[i:i+size]...)
				}
				i += size
				continue
			}
		}
		if c <= ' ' || c == 0x7f || c >= utf8.RuneSelf {
			out = append(out, '%', hex[c>>4], hex[c&15])
		} else {
			out = append(out, c)
		}
		i++
	}
	return string(out)
}

// isUnicodeSpace reports the non-ASCII characters that separate a link
// line's address from its label in some clients.
func isUnicodeSpace(r rune) bool {
	switch r {
	case 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200A || r >= 0x80 && r < 0xA0
}
