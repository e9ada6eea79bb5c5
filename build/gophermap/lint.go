package gophermap

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode"
	"unicode/utf8"
)

// Problem is one finding of Lint: a 1-based line number and what is wrong.
type Problem struct {
	Line int
	Msg  string
}

// String returns "line N: msg".
func (p Problem) String() string { return fmt.Sprintf("line %d: %s", p.Line, p.Msg) }

// Lint checks a gophermap read from r and returns its problems in line order
// (nil when there are none). A read error ends the check with a problem on
// the line where it happened. Lint reads the whole map and reports what
// LintBytes reports for it; callers that hold the map in memory should call
// LintBytes.
//
// strict is for menus gmkit generates (the stored form: complete lines, each
// ending in LF): every line must have a known item type, exactly four
// TAB-separated fields, a numeric port in 0..65535, a host for any item that
// points somewhere, a display string without CR or other control characters,
// valid UTF-8, and a selector of at most MaxSelector bytes. A final line
// without its LF is a problem too.
//
// Lenient mode is for hand-written gophermaps in the gophernicus style: CRLF
// or LF endings, a line without TAB is an info line, a line starting with
// '#' is a comment, "." on its own ends the map, and selector, host and port
// may be left out (the server fills them in). It reports lines with TABs that
// are still malformed (unknown type, too many fields, port not a number, long
// selector), and info lines that look like links whose TABs were lost, such
// as "1Phlog    /phlog" or "hMy site URL:https://example.org/".
func Lint(r io.Reader, strict bool) []Problem {
	b, err := readAll(r)
	probs, stopped := lint(b, strict)
	if err != nil && !stopped {
		probs = append(probs, Problem{Line: bytes.Count(b, nl) + 1, Msg: fmt.Sprintf("read error: %v", err)})
	}
	return probs
}

var nl = []byte{'\n'}

// readAll reads r to its end; the error is nil at EOF. A reader that knows
// how much is left (bytes.Reader, strings.Reader, bytes.Buffer) is read
// into a buffer of that size.
func readAll(r io.Reader) ([]byte, error) {
	size := 512
	if l, ok := r.(interface{ Len() int }); ok {
		size = l.Len() + 1 // +1: EOF without growing
	}
	b := make([]byte, 0, size)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// LintBytes checks the gophermap b as Lint does and returns the same
// problems. It does not allocate for a map without problems and does not
// keep b.
func LintBytes(b []byte, strict bool) []Problem {
	probs, _ := lint(b, strict)
	return probs
}

// lint is LintBytes; stopped reports whether a "." line ended a lenient
// check before the end of b.
func lint(b []byte, strict bool) (probs []Problem, stopped bool) {
	l := linter{}
	for n, pos := 1, 0; pos < len(b); n++ {
		line, terminated := b[pos:], false
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line, terminated = line[:i], true
		}
		pos += len(line) + 1
		l.n = n
		if strict {
			if !terminated {
				l.add("last line does not end in LF")
			}
			l.strict(line)
			continue
		}
		if k := len(line); k > 0 && line[k-1] == '\r' {
			line = line[:k-1]
		}
		if len(line) == 1 && line[0] == '.' {
			return l.probs, true
		}
		l.lenient(line)
	}
	return l.probs, false
}

// linter collects the problems of one map; n is the current line.
type linter struct {
	n     int
	probs []Problem
}

func (l *linter) add(format string, args ...any) {
	l.probs = append(l.probs, Problem{Line: l.n, Msg: fmt.Sprintf(format, args...)})
}

// fields are the TAB-separated fields of a line: the first four (f[3] runs
// to the fourth TAB, if any), the fifth when there are exactly five, and
// how many there are.
type fields struct {
	f     [5][]byte
	count int
}

func splitFields(line []byte) fields {
	var fs fields
	start := 0
	for {
		i := bytes.IndexByte(line[start:], '\t')
		if i < 0 {
			break
		}
		if fs.count < 4 {
			fs.f[fs.count] = line[start : start+i]
		}
		fs.count++
		start += i + 1
	}
	if fs.count < 4 {
		fs.f[fs.count] = line[start:]
	} else if fs.count == 4 {
		fs.f[4] = line[start:]
	}
	fs.count++
	return fs
}

func (l *linter) strict(line []byte) {
	if len(line) == 0 {
		l.add("empty line (an empty info line is \"i\\t\\thost\\tport\")")
		return
	}
	if !KnownType(Type(line[0])) {
		l.add("unknown item type %q", line[0])
	}
	fs := splitFields(line)
	if fs.count != 4 {
		l.add("%d TAB-separated fields, want 4 (type+display, selector, host, port)", fs.count)
		return
	}
	l.fields(&fs.f, 4)
	if !utf8.Valid(line) {
		l.add("invalid UTF-8")
	}
	if line[0] != 'i' && line[0] != '3' && len(fs.f[2]) == 0 {
		l.add("empty host in a %q item", line[0])
	}
}

// fields checks what is common to both modes for the first k fields of a
// line with TABs.
func (l *linter) fields(f *[5][]byte, k int) {
	if len(f[0]) > 0 {
		for _, c := range f[0][1:] {
			if c < 0x20 || c == 0x7f {
				l.add("control character %q in the display string", c)
				break
			}
		}
	}
	if k > 1 && len(f[1]) > MaxSelector {
		l.add("selector is %d bytes, more than %d", len(f[1]), MaxSelector)
	}
	if k > 3 && !validPort(f[3]) {
		l.add("port %q is not a number in 0..65535", f[3])
	}
}

// validPort reports whether p is a decimal port number in 0..65535, as
// parsePort accepts.
func validPort(p []byte) bool {
	if len(p) == 0 || len(p) > 5 {
		return false
	}
	n := 0
	for _, c := range p {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	return n <= 65535
}

func (l *linter) lenient(line []byte) {
	if len(line) == 0 || line[0] == '#' {
		return
	}
	if bytes.IndexByte(line, '\t') < 0 {
		if looksLikeLostTabs(line) {
			l.add("no TAB: shown as an info line, but it looks like a %q link whose TABs became spaces", line[0])
		}
		return
	}
	switch {
	case line[0] == '\t':
		l.add("no item type before the first TAB")
	case !KnownType(Type(line[0])):
		l.add("unknown item type %q", line[0])
	}
	fs := splitFields(line)
	k := fs.count
	switch {
	case k == 5 && len(fs.f[4]) == 1 && (fs.f[4][0] == '+' || fs.f[4][0] == '?' || fs.f[4][0] == '$'):
		k = 4 // Gopher+ marker
	case k > 4:
		l.add("%d TAB-separated fields, want at most 4 (a TAB in the display string?)", k)
		k = 4
	}
	if k > 3 && len(fs.f[3]) == 0 {
		k = 3 // an empty port means the server's own
	}
	l.fields(&fs.f, k)
}

// looksLikeLostTabs reports whether a line without TAB reads as a link line
// typed with spaces: a link type, display text, then a selector-looking word
// (a path, a URL: selector or a URL), optionally followed by a host and a
// port and nothing else.
func looksLikeLostTabs(line []byte) bool {
	if !linkType(line[0]) {
		return false
	}
	// The last four words after the type (words[0] is the oldest) and how
	// many words there are.
	var words [4][]byte
	count := 0
	for rest := line[1:]; ; {
		w, r, ok := nextWord(rest)
		if !ok {
			break
		}
		copy(words[:], words[1:])
		words[3] = w
		count++
		rest = r
	}
	// Word j of the line (0-based) is words[3-(count-1-j)].
	word := func(j int) []byte { return words[3-(count-1-j)] }
	for j := count - 1; j >= 1 && j >= count-3; j-- {
		w := word(j)
		if !bytes.HasPrefix(w, []byte("/")) && !bytes.HasPrefix(w, []byte("URL:")) && !bytes.Contains(w, []byte("://")) {
			continue
		}
		after := count - 1 - j
		if after >= 1 {
			if h := word(j + 1); bytes.IndexByte(h, '.') < 0 && string(h) != "localhost" {
				return false
			}
		}
		if after == 2 && !validPort(word(j+2)) {
			return false
		}
		return true
	}
	return false
}

// nextWord returns the first run of non-space characters in s (spaces as
// unicode.IsSpace says, as strings.Fields splits) and what follows it.
func nextWord(s []byte) (word, rest []byte, ok bool) {
	i := 0
	for i < len(s) {
		r, n := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRune(s[i:])
		}
		if !unicode.IsSpace(r) {
			break
		}
		i += n
	}
	if i == len(s) {
		return nil, nil, false
	}
	j := i
	for j < len(s) {
		r, n := rune(s[j]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRune(s[j:])
		}
		if unicode.IsSpace(r) {
			break
		}
		j += n
	}
	return s[i:j], s[j:], true
}
