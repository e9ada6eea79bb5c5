package gemini

import "bytes"

// Tidy applies the output rules to a templated gemtext page: LF line
// endings, no trailing spaces, no runs of blank lines outside preformatted
// blocks, no blank lines at the start, exactly one final newline.
func Tidy(b []byte) []byte {
	out := make([]byte, 0, len(b))
	pre := false
	blank := 0
	for len(b) > 0 {
		var line []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			line, b = b, nil
		}
		n := len(line)
		for n > 0 && (line[n-1] == ' ' || line[n-1] == '\t' || line[n-1] == '\r') {
			n--
		}
		line = line[:n]
		if n >= 3 && line[0] == '`' && line[1] == '`' && line[2] == '`' {
			pre = !pre
		}
		if len(line) == 0 && !pre {
			blank++
			continue
		}
		if blank > 0 && len(out) > 0 {
			out = append(out, '\n')
		}
		blank = 0
		out = append(out, line...)
		out = append(out, '\n')
	}
	if pre {
		out = append(out, "```\n"...)
	}
	return out
}

// EscapePath percent-encodes what a URL path cannot carry as it is: spaces
// and control characters (which would end or break a gemtext link line),
// "?", "#" and "%". Other characters, UTF-8 included, stay as they are.
func EscapePath(p string) string {
	const hex = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c > ' ' && c != 0x7f && c != '?' && c != '#' && c != '%' {
			if b != nil {
				b = append(b, c)
			}
			continue
		}
		if b == nil {
			b = append(make([]byte, 0, len(p)+8), p[:i]...)
		}
		b = append(b, '%', hex[c>>4], hex[c&0xf])
	}
	if b == nil {
		return p
	}
	return string(b)
}
