package markdown

import (
	"bytes"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"github.com/gmkit/gmkit/build/mdnode"
)

// mathBlockParser reads display math, $$ … $$ and \[ … \], starting a line
// and ending one, into a preformatted block with alt text "math". The
// delimiters may share a line with the formula. A blank line before the
// closing delimiter means there is none: the text is read as Markdown.
type mathBlockParser struct{}

var mathEndKey = parser.NewContextKey()

func (mathBlockParser) Trigger() []byte { return []byte{'$', '\\'} }

// mathDelims returns the closing delimiter for the opening one at the start
// of b, or nil.
func mathDelims(b []byte) (open, close []byte) {
	switch {
	case bytes.HasPrefix(b, []byte("$$")):
		return []byte("$$"), []byte("$$")
	case bytes.HasPrefix(b, []byte(`\[`)):
		return []byte(`\[`), []byte(`\]`)
	}
	return nil, nil
}

func (mathBlockParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	line, seg := reader.PeekLine()
	pos := pc.BlockOffset()
	if pos < 0 || pos >= len(line) {
		return nil, parser.NoChildren
	}
	open, close := mathDelims(line[pos:])
	if open == nil {
		return nil, parser.NoChildren
	}
	src := reader.Source()
	start := seg.Start + pos + len(open)
	// The closing delimiter ends a line: this one or a later one.
	for ls := start; ls <= len(src); {
		le := bytes.IndexByte(src[ls:], '\n')
		if le < 0 {
			le = len(src)
		} else {
			le += ls
		}
		l := bytes.TrimRight(src[ls:le], " \t\r")
		if ls > start && len(bytes.TrimSpace(l)) == 0 {
			return nil, parser.NoChildren // a blank line: no display math here
		}
		if bytes.HasSuffix(l, close) && (ls > start || len(l) >= len(close)) {
			body := src[start : ls+len(l)-len(close)]
			pc.Set(mathEndKey, le)
			reader.AdvanceToEOL()
			return mdnode.NewPre("math", string(trimBlankLines(body))), parser.NoChildren
		}
		if le >= len(src) {
			break
		}
		ls = le + 1
	}
	return nil, parser.NoChildren
}

// trimBlankLines drops white space lines at both ends of b and the
// spaces around a formula written on the delimiters' lines.
func trimBlankLines(b []byte) []byte {
	b = bytes.TrimLeft(b, " \t")
	if i := bytes.IndexByte(b, '\n'); i >= 0 && len(bytes.TrimSpace(b[:i])) == 0 {
		b = b[i+1:]
	}
	return bytes.TrimRight(b, " \t\r\n")
}

func (mathBlockParser) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	_, seg := reader.PeekLine()
	end, _ := pc.Get(mathEndKey).(int)
	if seg.Start > end {
		return parser.Close
	}
	reader.AdvanceToEOL()
	return parser.Continue | parser.NoChildren
}

func (mathBlockParser) Close(ast.Node, text.Reader, parser.Context) {}

func (mathBlockParser) CanInterruptParagraph() bool { return true }

func (mathBlockParser) CanAcceptIndentedLine() bool { return false }

// mathInlineParser reads inline math, $…$ and $$…$$ on one line, as code
// kept verbatim with its dollars. As in Pandoc, the opening $ has a
// non-space right after it, the closing $ a non-space right before it and
// no digit right after it, so "$5 and $10" is not math.
type mathInlineParser struct{}

func (mathInlineParser) Trigger() []byte { return []byte{'$'} }

func (mathInlineParser) Parse(_ ast.Node, block text.Reader, _ parser.Context) ast.Node {
	line, _ := block.PeekLine()
	delim := 1
	if len(line) > 1 && line[1] == '$' {
		delim = 2
	}
	if len(line) <= delim || isMathSpace(line[delim]) || line[delim] == '$' {
		return nil
	}
	// The first $ (or $$) after the opening one closes, or nothing does:
	// each $ is looked at once, however many a line holds.
	for i := delim + 1; i+delim <= len(line); i++ {
		switch line[i] {
		case '\\':
			i++ // an escaped character never closes
			continue
		case '$':
		default:
			continue
		}
		if delim == 2 && (i+1 >= len(line) || line[i+1] != '$') {
			return nil
		}
		if isMathSpace(line[i-1]) || i+delim < len(line) && line[i+delim] >= '0' && line[i+delim] <= '9' {
			return nil
		}
		n := i + delim
		block.Advance(n)
		return mdnode.Code(string(line[:n]))
	}
	return nil
}

func isMathSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
