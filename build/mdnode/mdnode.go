// Package mdnode holds the Markdown AST nodes that gmkit's converters (raw
// HTML, template tags, math) build instead of what the source says: a
// preformatted block that carries its own text, containers of what raw
// HTML means for the text outputs (TextOnly, TextOnlySpan), and
// constructors for text, links and images whose bytes live in the node
// rather than in the source. Every renderer handles Pre and TextOnly; the
// other nodes are goldmark's own.
package mdnode

import (
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// KindPre is the NodeKind of Pre.
var KindPre = ast.NewNodeKind("Pre")

// Pre is a preformatted block whose text the node holds itself: the body
// of a <pre> element, a highlight shortcode or a math block. Renderers
// print Text verbatim, line by line, with Info as the alt text (gemtext) or
// not at all (Gopher).
type Pre struct {
	ast.BaseBlock
	// Info is the language or kind of the text ("go", "math"), one line.
	Info string
	// Body is the content, lines separated by "\n", with no final newline.
	Body string
}

// Kind implements ast.Node.
func (n *Pre) Kind() ast.NodeKind { return KindPre }

// IsRaw implements ast.Node: a Pre has no inline content to parse.
func (n *Pre) IsRaw() bool { return true }

// Dump implements ast.Node.
func (n *Pre) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Info": n.Info, "Body": n.Body}, nil)
}

// NewPre returns a Pre with the given info and text. Line endings in text
// become "\n", a final one is dropped, and info is made one line.
func NewPre(info, body string) *Pre {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	body = strings.ReplaceAll(body, "\r", "\n")
	body = strings.TrimSuffix(body, "\n")
	return &Pre{Info: strings.Join(strings.Fields(info), " "), Body: body}
}

// EachLine calls f for each line of the body.
func (n *Pre) EachLine(f func(line string)) {
	rest := n.Body
	for {
		line, after, more := strings.Cut(rest, "\n")
		f(line)
		if !more {
			return
		}
		rest = after
	}
}

// Text returns an inline node holding s as it is: no Markdown escapes or
// character references are resolved in it.
func Text(s string) *ast.String {
	n := ast.NewString([]byte(s))
	n.SetRaw(true)
	return n
}

// Code returns an inline node holding s as code: verbatim, never restyled.
func Code(s string) *ast.String {
	n := ast.NewString([]byte(s))
	n.SetCode(true)
	return n
}

// LineBreak returns an inline node that ends the line (a hard line break).
func LineBreak() *ast.Text {
	t := ast.NewTextSegment(text.NewSegment(0, 0))
	t.SetHardLineBreak(true)
	return t
}

// Link returns a link to dest, exactly as given (renderers and link
// rewriters see dest itself), labelled by the nodes added to it.
func Link(dest string) *ast.Link {
	l := ast.NewLink()
	l.Destination = EscapeDest(dest)
	return l
}

// Image returns an image of src with alt as its text.
func Image(src, alt string) *ast.Image {
	img := ast.NewImage(Link(src))
	if alt != "" {
		img.AppendChild(img, Text(alt))
	}
	return img
}

// EscapeDest writes a destination so that resolving Markdown backslash
// escapes and character references in it, as renderers do with what the
// parser found, gives dest back.
func EscapeDest(dest string) []byte {
	if !strings.ContainsAny(dest, `\&`) {
		return []byte(dest)
	}
	b := make([]byte, 0, len(dest)+4)
	for i := 0; i < len(dest); i++ {
		if c := dest[i]; c == '\\' || c == '&' {
			b = append(b, '\\')
		}
		b = append(b, dest[i])
	}
	return b
}

// KindTextOnly is the NodeKind of TextOnly, KindTextOnlySpan that of
// TextOnlySpan.
var (
	KindTextOnly     = ast.NewNodeKind("TextOnly")
	KindTextOnlySpan = ast.NewNodeKind("TextOnlySpan")
)

// TextOnly holds blocks for text outputs only: what the raw HTML block
// right after it says in Markdown terms. An HTML renderer skips it (and
// prints the HTML); gemtext and Gopher render its children and skip the
// HTML.
type TextOnly struct {
	ast.BaseBlock
}

// Kind implements ast.Node.
func (n *TextOnly) Kind() ast.NodeKind { return KindTextOnly }

// Dump implements ast.Node.
func (n *TextOnly) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

// TextOnlySpan is TextOnly in running text: the links that the inline
// media tag before it (<iframe>, <video>) stands for.
type TextOnlySpan struct {
	ast.BaseInline
}

// Kind implements ast.Node.
func (n *TextOnlySpan) Kind() ast.NodeKind { return KindTextOnlySpan }

// Dump implements ast.Node.
func (n *TextOnlySpan) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

// Remove takes n out of its parent. Where that leaves two spaces in a row
// in running text ("a <!-- x --> b"), the second goes. src is the source
// the text nodes refer to.
func Remove(n ast.Node, src []byte) {
	parent := n.Parent()
	if parent == nil {
		return
	}
	prev, next := n.PreviousSibling(), n.NextSibling()
	parent.RemoveChild(parent, n)
	if next == nil || !(prev == nil && parent.Type() == ast.TypeBlock || endsWithSpace(prev, src)) {
		return
	}
	switch t := next.(type) {
	case *ast.Text:
		for t.Segment.Len() > 0 && t.Segment.Start < len(src) && src[t.Segment.Start] == ' ' {
			t.Segment = t.Segment.WithStart(t.Segment.Start + 1)
		}
	case *ast.String:
		t.Value = []byte(strings.TrimLeft(string(t.Value), " "))
	}
}

func endsWithSpace(n ast.Node, src []byte) bool {
	switch t := n.(type) {
	case *ast.Text:
		if t.SoftLineBreak() || t.HardLineBreak() {
			return true
		}
		v := t.Segment.Value(src)
		return len(v) > 0 && v[len(v)-1] == ' '
	case *ast.String:
		return len(t.Value) > 0 && t.Value[len(t.Value)-1] == ' '
	}
	return false
}
