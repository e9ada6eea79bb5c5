package cgi

import (
	"bytes"
	"mime"
	"unicode/utf8"
)

// MaxMetaLength is the longest meta a header line may carry, in bytes.
const MaxMetaLength = 1024

// ParseHeaderLine checks a Gemini header line (without its line ending):
// two digits from 10 to 69, then optionally a space and at most
// MaxMetaLength bytes of UTF-8 meta without control characters (TAB
// allowed). It is the grammar of Gemini responses, and so of what a script
// writes first for Gemini and Guppy.
func ParseHeaderLine(line string) (status int, meta string, ok bool) {
	if len(line) < 2 || line[0] < '1' || line[0] > '6' || line[1] < '0' || line[1] > '9' {
		return 0, "", false
	}
	status = int(line[0]-'0')*10 + int(line[1]-'0')
	if rest := line[2:]; rest != "" {
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

// SplitHeader splits the output of a script run for Gemini or Guppy into its
// header and body. The first line (ending in LF or CRLF) must be a valid
// header (see ParseHeaderLine); a success (2x) header's meta must be empty
// or a MIME type, and a redirect (3x) must name where to. ok is false
// otherwise: the server answers with an error instead of passing on what
// the script wrote.
func SplitHeader(out []byte) (status int, meta string, body []byte, ok bool) {
	line, body, found := bytes.Cut(out, []byte("\n"))
	if !found {
		return 0, "", nil, false
	}
	status, meta, ok = ParseHeaderLine(string(bytes.TrimSuffix(line, []byte("\r"))))
	if !ok {
		return 0, "", nil, false
	}
	switch status / 10 {
	case 2:
		if meta != "" {
			if _, _, err := mime.ParseMediaType(meta); err != nil {
				return 0, "", nil, false
			}
		}
	case 3:
		if meta == "" {
			return 0, "", nil, false
		}
	}
	return status, meta, body, true
}
