package shortcode

import (
	"bytes"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"github.com/gmkit/gmkit/build/mdnode"
)

// KindBlock is the NodeKind of Block.
var KindBlock = ast.NewNodeKind("ShortcodeBlock")

// Block is a tag on lines of its own, with the body of a code, math or
// HTML tag when it has one. The Transformer replaces every Block.
type Block struct {
	ast.BaseBlock
	Tag Tag
	// Body is the text between the tag and its closing tag for tags whose
	// body is not Markdown (see BodyInfo); HasBody says whether there is one.
	Body    string
	HasBody bool
	// Offset is where the tag starts in the source.
	Offset int
	end    int // where the construct ends in the source
}

// Kind implements ast.Node.
func (b *Block) Kind() ast.NodeKind { return KindBlock }

// IsRaw implements ast.Node.
func (b *Block) IsRaw() bool { return true }

// Dump implements ast.Node.
func (b *Block) Dump(src []byte, level int) {
	ast.DumpHelper(b, src, level, map[string]string{"Tag": b.Tag.Raw, "Body": b.Body}, nil)
}

// KindInline is the NodeKind of Inline.
var KindInline = ast.NewNodeKind("Shortcode")

// Inline is a tag in running text. The Transformer replaces every Inline.
type Inline struct {
	ast.BaseInline
	Tag Tag
	// Offset is where the tag starts in the source.
	Offset int
}

// Kind implements ast.Node.
func (n *Inline) Kind() ast.NodeKind { return KindInline }

// Dump implements ast.Node.
func (n *Inline) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"Tag": n.Tag.Raw}, nil)
}

// blockParser reads tags that stand on lines of their own.
type blockParser struct{}

// NewBlockParser returns the parser of tags on lines of their own, and of
// the bodies of code, math and HTML tags.
func NewBlockParser() parser.BlockParser { return blockParser{} }

func (blockParser) Trigger() []byte { return []byte{'{'} }

// lineEnd returns the end of the line holding src[i] (after its newline).
func lineEnd(src []byte, i int) int {
	if j := bytes.IndexByte(src[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(src)
}

func isBlankBytes(b []byte) bool { return len(bytes.TrimSpace(b)) == 0 }

func (blockParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	line, seg := reader.PeekLine()
	pos := pc.BlockOffset()
	if pos < 0 || pos >= len(line) || !Starts(line[pos:]) {
		return nil, parser.NoChildren
	}
	src := reader.Source()
	start := seg.Start + pos
	t, n, ok := Parse(src[start:])
	if !ok || t.Escaped {
		return nil, parser.NoChildren
	}
	end := lineEnd(src, start+n-1)
	if !isBlankBytes(src[start+n : end]) {
		return nil, parser.NoChildren // text follows: an inline tag
	}
	b := &Block{Tag: t, Offset: start, end: end}
	if _, _, raw := BodyInfo(&t); raw && !t.Close && !t.SelfClose {
		// Find the closing tag on a line of its own: lines that hold
		// the closing name, found fast, then read.
		needle := []byte(closingName(&t))
		for from := end; from < len(src); {
			i := bytes.Index(src[from:], needle)
			if i < 0 {
				break
			}
			ls := bytes.LastIndexByte(src[:from+i], '\n') + 1
			le := lineEnd(src, from+i)
			l := bytes.TrimSpace(src[ls:le])
			if ct, cn, ok := Parse(l); ok && cn == len(l) && closes(&ct, &t) && ls >= end {
				b.Body, b.HasBody, b.end = string(src[end:ls]), true, le
				break
			}
			from = le
		}
	}
	reader.AdvanceToEOL()
	return b, parser.NoChildren
}

// closingName is text every closing tag of t holds.
func closingName(t *Tag) string {
	switch {
	case t.Syntax == LiquidTag && t.Call:
		return "end"
	case t.Syntax == LiquidTag:
		return "end" + t.Name
	}
	return "/" + t.Name
}

func (blockParser) Continue(node ast.Node, reader text.Reader, _ parser.Context) parser.State {
	b := node.(*Block)
	_, seg := reader.PeekLine()
	if seg.Start >= b.end {
		return parser.Close
	}
	reader.AdvanceToEOL()
	return parser.Continue | parser.NoChildren
}

func (blockParser) Close(ast.Node, text.Reader, parser.Context) {}

func (blockParser) CanInterruptParagraph() bool { return true }

func (blockParser) CanAcceptIndentedLine() bool { return false }

// inlineParser reads tags in running text.
type inlineParser struct{}

// NewInlineParser returns the parser of tags in running text.
func NewInlineParser() parser.InlineParser { return inlineParser{} }

func (inlineParser) Trigger() []byte { return []byte{'{'} }

// maxTagLines is how many lines a tag in running text may span, and
// maxFirstLine how much of it may be on its first line.
const (
	maxTagLines  = 16
	maxFirstLine = 512
)

func (inlineParser) Parse(_ ast.Node, block text.Reader, _ parser.Context) ast.Node {
	line, seg := block.PeekLine()
	if !Starts(line) {
		return nil
	}
	t, n, ok := Parse(line)
	if !ok {
		if len(line) >= maxFirstLine {
			return nil
		}
		// A tag over several lines: read it from the source, then move
		// the reader to its end line by line (continuation lines may
		// have lost their indentation to the paragraph).
		src := block.Source()
		t, n, ok = Parse(src[seg.Start:])
		if !ok || bytes.Count(src[seg.Start:seg.Start+n], []byte{'\n'}) > maxTagLines {
			return nil
		}
		target := seg.Start + n
		for range n {
			l, p := block.PeekLine()
			if l == nil || p.Start >= target {
				break
			}
			block.Advance(1)
		}
		return newInline(t, seg.Start)
	}
	block.Advance(n)
	return newInline(t, seg.Start)
}

func newInline(t Tag, offset int) ast.Node {
	if t.Escaped {
		return mdnode.Text(t.Literal)
	}
	return &Inline{Tag: t, Offset: offset}
}
