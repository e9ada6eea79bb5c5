package gopher

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"

	"github.com/gmkit/gmkit/build/mdnode"
)

// priority places NodeRenderer ahead of the HTML renderers that goldmark's
// extensions register for their own node kinds (they use 500).
const priority = 100

// New returns a goldmark renderer that writes Gopher output, configured by
// opts. It works with any goldmark.Markdown that enables the same
// extensions as build/markdown:
//
//	md := goldmark.New(goldmark.WithExtensions(markdown.Extensions()...), goldmark.WithRenderer(gopher.New()))
//
// The renderer is safe for concurrent Render calls, and meant to be reused:
// any number of documents may be rendered with it, one after another or at
// the same time, each with the same result as from a fresh renderer. Reuse
// is cheaper than a renderer per document: the working buffers of a
// finished render are kept for the next one.
func New(opts ...Option) renderer.Renderer {
	return renderer.NewRenderer(renderer.WithNodeRenderers(util.Prioritized(NewNodeRenderer(opts...), priority)))
}

// NodeRenderer renders a goldmark AST as a gophermap (ModeMenu) or as plain
// text (ModeText). Its configuration never changes, and every Render call
// works in a state of its own, so one NodeRenderer may render many
// documents, in sequence or at once, and a document gives the same bytes
// whatever was rendered before it. The states of finished calls are kept
// in a pool and reused (buffers included), so rendering many documents
// with one NodeRenderer allocates far less than a NodeRenderer each.
//
// Registered with a goldmark renderer, it takes over the whole subtree of
// the node it is called for (normally the Document) and renders it in one
// go, which is what wrapping and per-block link items need.
type NodeRenderer struct {
	cfg      config
	cw       *runewidth.Condition
	infoTail string                    // "\t\t<host>\t<port>", the end of every info line
	subtree  renderer.NodeRendererFunc // renderSubtree, bound once
	states   sync.Pool                 // *state, reset, for the next Render
}

type (
	blockFunc  func(s *state, n ast.Node)
	inlineFunc func(s *state, b *inlineBuf, n ast.Node)
)

// NewNodeRenderer returns a NodeRenderer configured by opts.
func NewNodeRenderer(opts ...Option) *NodeRenderer {
	r := &NodeRenderer{cfg: newConfig(opts), cw: newWidth()}
	r.infoTail = "\t\t" + r.cfg.host + "\t" + strconv.Itoa(r.cfg.port)
	r.subtree = r.renderSubtree
	return r
}

// renderedKinds are the node kinds with a render function (blockFor or
// inlineFor), all registered with goldmark.
func renderedKinds() []ast.NodeKind {
	return []ast.NodeKind{
		ast.KindDocument, ast.KindParagraph, ast.KindTextBlock, ast.KindHeading,
		ast.KindThematicBreak, ast.KindCodeBlock, ast.KindFencedCodeBlock, ast.KindBlockquote,
		ast.KindList, ast.KindListItem, ast.KindHTMLBlock, ast.KindLinkReferenceDefinition,
		east.KindTable, east.KindTableHeader, east.KindTableRow, east.KindTableCell,
		east.KindFootnoteList, east.KindFootnote,
		ast.KindText, ast.KindString, ast.KindCodeSpan, ast.KindEmphasis, ast.KindLink,
		ast.KindImage, ast.KindAutoLink, ast.KindRawHTML, east.KindStrikethrough,
		east.KindTaskCheckBox, east.KindFootnoteLink, east.KindFootnoteBacklink,
		mdnode.KindPre, mdnode.KindTextOnly, mdnode.KindTextOnlySpan,
	}
}

// blockFor returns the render function of a block kind, or nil.
func blockFor(k ast.NodeKind) blockFunc {
	switch k {
	case ast.KindDocument:
		return (*state).document
	case ast.KindParagraph, ast.KindTextBlock, east.KindTableCell:
		return (*state).paragraph
	case ast.KindHeading:
		return (*state).heading
	case ast.KindThematicBreak:
		return (*state).thematicBreak
	case ast.KindCodeBlock, ast.KindFencedCodeBlock:
		return (*state).codeBlock
	case ast.KindBlockquote:
		return (*state).blockquote
	case ast.KindList:
		return (*state).list
	case ast.KindListItem, east.KindFootnoteList, mdnode.KindTextOnly:
		return (*state).looseChildren
	case ast.KindHTMLBlock, ast.KindLinkReferenceDefinition:
		return (*state).skip
	case east.KindTable:
		return (*state).table
	case east.KindTableHeader, east.KindTableRow:
		return (*state).tableRow
	case east.KindFootnote:
		return (*state).footnote
	case mdnode.KindPre:
		return (*state).pre
	}
	return nil
}

// inlineFor returns the render function of an inline kind, or nil.
func inlineFor(k ast.NodeKind) inlineFunc {
	switch k {
	case ast.KindText:
		return (*state).text
	case ast.KindString:
		return (*state).str
	case ast.KindCodeSpan:
		return (*state).codeSpan
	case ast.KindEmphasis, east.KindStrikethrough, mdnode.KindTextOnlySpan:
		return (*state).children
	case ast.KindLink:
		return (*state).link
	case ast.KindImage:
		return (*state).image
	case ast.KindAutoLink:
		return (*state).autoLink
	case ast.KindRawHTML:
		return (*state).rawHTML
	case east.KindTaskCheckBox:
		return (*state).taskCheckBox
	case east.KindFootnoteLink:
		return (*state).footnoteLink
	case east.KindFootnoteBacklink:
		return (*state).skipInline
	}
	return nil
}

// RegisterFuncs implements renderer.NodeRenderer: every node kind this
// renderer knows is registered with one function that renders the node's
// whole subtree and skips its children.
func (r *NodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	for _, k := range renderedKinds() {
		reg.Register(k, r.subtree)
	}
}

func (r *NodeRenderer) renderSubtree(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	if err := r.Render(w, source, n); err != nil {
		return ast.WalkStop, err
	}
	return ast.WalkSkipChildren, nil
}

// Render writes the Gopher form of the subtree n (parsed from source) to w.
// Block kinds it does not know are rendered through their children; inline
// kinds it does not know contribute their children's text.
func (r *NodeRenderer) Render(w io.Writer, source []byte, n ast.Node) error {
	s := r.getState(source)
	s.render(n)
	_, err := w.Write(s.out)
	r.putState(s)
	if err != nil {
		return fmt.Errorf("gopher: writing output: %w", err)
	}
	return nil
}

// maxPooledOutput is the largest output buffer a finished state keeps for
// the next Render; a state that grew beyond it is left to the collector.
const maxPooledOutput = 4 << 20

// getState returns a clean state for one Render call, reused if one is
// free.
func (r *NodeRenderer) getState(src []byte) *state {
	if s, ok := r.states.Get().(*state); ok {
		s.src = src
		return s
	}
	return r.newRenderState(src)
}

// putState resets s and keeps it for a later Render call.
func (r *NodeRenderer) putState(s *state) {
	if cap(s.out) > maxPooledOutput {
		return
	}
	s.reset()
	r.states.Put(s)
}

// lineKind tells the lines of the output apart.
type lineKind uint8

const (
	lineText  lineKind = iota // wrapped text
	linePre                   // preformatted: code, tables, rules, underlines
	lineBlank                 // a blank line between blocks (may hold a quote prefix)
	lineItem                  // a menu item (ModeMenu only)
)

// outLine is one line of output as a state records it for tests.
type outLine struct {
	kind   lineKind
	text   string // lineText, linePre, lineBlank: the whole line, prefix included
	indent int    // lineText: bytes of prefix at the start of text
	item   Item   // lineItem
}

// bytes returns the encoded output.
func (s *state) bytes() []byte { return s.out }

// cleanLine makes a line safe for either encoding: no control characters,
// no glue marker, no trailing spaces.
func cleanLine(s string) string {
	return strings.TrimRight(clean(strings.ReplaceAll(s, string(glue), " "), false), " ")
}

// cleanTail applies cleanLine to b[p:] in place. Lines that are already
// clean, the usual case, only lose their trailing spaces.
func cleanTail(b []byte, p int) []byte {
	t, ascii := b[p:], true
	for _, c := range t {
		if c < 0x20 || c == 0x7f || c == 0xc2 {
			return append(b[:p], cleanLine(string(t))...)
		}
		if c >= 0x80 {
			ascii = false
		}
	}
	if !ascii && !utf8.Valid(t) {
		return append(b[:p], cleanLine(string(t))...)
	}
	for len(b) > p && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return b
}
