package gemtext

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// CheckError is the error Check returns: the 1-based line of the first
// problem and what is wrong with it.
type CheckError struct {
	Line   int
	Reason string
}

// Error implements error.
func (e *CheckError) Error() string {
	return fmt.Sprintf("gemtext: line %d: %s", e.Line, e.Reason)
}

// Check reports the first way b breaks gmkit's output hygiene rules for
// gemtext, as a *CheckError, or nil:
//
//   - b is UTF-8 and has LF line endings only (no CR anywhere);
//   - no line ends in a space or a tab;
//   - outside preformatted blocks there is never more than one blank line
//     in a row (blank lines inside a preformatted block are content, kept
//     as they are);
//   - b is empty or ends in exactly one newline (so no blank last line);
//   - every preformatted block is closed;
//   - heading lines and link labels contain no TAB, and every link line
//     has an address.
func Check(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	if !utf8.Valid(b) {
		line := 1 + bytes.Count(b[:validPrefix(b)], []byte{'\n'})
		return &CheckError{line, "invalid UTF-8"}
	}
	if b[len(b)-1] != '\n' {
		return &CheckError{1 + bytes.Count(b, []byte{'\n'}), "no newline at the end"}
	}
	pre := false
	blanks := 0
	n := 0
	for rest := b; len(rest) > 0; {
		n++
		i := bytes.IndexByte(rest, '\n')
		line := rest[:i]
		rest = rest[i+1:]
		if bytes.IndexByte(line, '\r') >= 0 {
			return &CheckError{n, "carriage return"}
		}
		if len(line) > 0 && (line[len(line)-1] == ' ' || line[len(line)-1] == '\t') {
			return &CheckError{n, "trailing white space"}
		}
		if bytes.HasPrefix(line, []byte("```")) {
			pre = !pre
			blanks = 0
			continue
		}
		if pre {
			continue
		}
		if len(line) == 0 {
			blanks++
			switch {
			case blanks > 1:
				return &CheckError{n, "more than one blank line in a row"}
			case len(rest) == 0:
				return &CheckError{n, "blank last line"}
			}
			continue
		}
		blanks = 0
		switch {
		case line[0] == '#':
			if bytes.IndexByte(line, '\t') >= 0 {
				return &CheckError{n, "tab in a heading"}
			}
		case bytes.HasPrefix(line, []byte("=>")):
			url, label := splitLink(line[2:])
			if len(url) == 0 {
				return &CheckError{n, "link line without an address"}
			}
			if bytes.IndexByte(label, '\t') >= 0 {
				return &CheckError{n, "tab in a link label"}
			}
		}
	}
	if pre {
		return &CheckError{n, "preformatted block not closed"}
	}
	return nil
}

// splitLink splits what follows "=>" on a link line into address and label.
func splitLink(b []byte) (url, label []byte) {
	b = bytes.TrimLeft(b, " \t")
	i := bytes.IndexAny(b, " \t")
	if i < 0 {
		return b, nil
	}
	return b[:i], bytes.TrimLeft(b[i:], " \t")
}

// validPrefix is the length of the longest valid UTF-8 prefix of b.
func validPrefix(b []byte) int {
	n := 0
	for n < len(b) {
		r, size := utf8.DecodeRune(b[n:])
		if r == utf8.RuneError && size <= 1 {
			return n
		}
		n += size
	}
	return n
}
