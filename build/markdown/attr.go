package markdown

import (
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// kindAttr is the NodeKind of attr.
var kindAttr = ast.NewNodeKind("Attributes")

// attr is an attribute list the tidy transformer removes: kramdown's
// {: .class}, {:toc} and {::options /}, or {#id .class} ending a heading
// or line.
type attr struct {
	ast.BaseInline
	toc bool
}

func (a *attr) Kind() ast.NodeKind { return kindAttr }

func (a *attr) Dump(src []byte, level int) { ast.DumpHelper(a, src, level, nil, nil) }

// attrParser reads attribute lists.
type attrParser struct{}

func (attrParser) Trigger() []byte { return []byte{'{'} }

func (attrParser) Parse(parent ast.Node, block text.Reader, _ parser.Context) ast.Node {
	line, seg := block.PeekLine()
	if len(line) < 3 {
		return nil
	}
	end := -1
	for i := 1; i < len(line); i++ {
		if line[i] == '}' {
			end = i
			break
		}
		if line[i] == '{' || line[i] == '\n' {
			return nil
		}
	}
	if end < 0 {
		return nil
	}
	body := line[1:end]
	if len(body) == 0 {
		return nil
	}
	rest := line[end+1:]
	switch {
	case body[0] == ':':
		// kramdown: anywhere.
	case body[0] == '#' || body[0] == '.' || isAttrKey(body):
		// {#id}, {.class}, {key=value}: at the end of a line, or right
		// after a link or image.
		src := block.Source()
		afterLink := seg.Start > 0 && src[seg.Start-1] == ')'
		if !isBlankLine(rest) && !afterLink {
			return nil
		}
		if !afterLink && parent.Kind() != ast.KindHeading && !lineStart(src, seg.Start) {
			return nil
		}
	default:
		return nil
	}
	if !attrChars(body) {
		return nil
	}
	block.Advance(end + 1)
	return &attr{toc: trimmed(body) == ":toc" || trimmed(body) == ": toc"}
}

func trimmed(b []byte) string {
	s := string(b)
	for len(s) > 0 && (s[len(s)-1] == ' ') {
		s = s[:len(s)-1]
	}
	return s
}

// lineStart reports whether src[i] is the first non-blank byte of its
// line.
func lineStart(src []byte, i int) bool {
	for j := i - 1; j >= 0; j-- {
		switch src[j] {
		case '\n':
			return true
		case ' ', '\t':
		default:
			return false
		}
	}
	return true
}

func isBlankLine(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// isAttrKey reports whether b starts with name=.
func isAttrKey(b []byte) bool {
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == '-' && i > 0, c >= '0' && c <= '9' && i > 0:
		case c == '=' && i > 0:
			return true
		default:
			return false
		}
	}
	return false
}

// attrChars reports whether b can be the inside of an attribute list.
func attrChars(b []byte) bool {
	var quote byte
	for _, c := range b {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '<' || c == '>' || c == '[' || c == ']' || c == '(' || c == ')' || c == '`' || c == '{' || c == '$':
			return false
		}
	}
	return quote == 0
}
