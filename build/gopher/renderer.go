package gopher

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
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
// The renderer is safe for concurrent Render calls.
func New(opts ...Option) renderer.Renderer {
	return renderer.NewRenderer(renderer.WithNodeRenderers(util.Prioritized(NewNodeRenderer(opts...), priority)))
}

// NodeRenderer renders a goldmark AST as a gophermap (ModeMenu) or as plain
// text (ModeText). It holds only its configuration, so one NodeRenderer may
// render many documents at once; every call keeps its own state.
//
// Registered with a goldmark renderer, it takes over the whole subtree of
// the node it is called for (normally the Document) and renders it in one
// go, which is what wrapping and per-block link items need.
type NodeRenderer struct {
	cfg      config
	cw       *runewidth.Condition
	infoTail string // "\t\t<host>\t<port>", the end of every info line
	blocks   map[ast.NodeKind]blockFunc
	inlines  map[ast.NodeKind]inlineFunc
}

type (
	blockFunc  func(s *state, n ast.Node)
	inlineFunc func(s *state, b *inlineBuf, n ast.Node)
)

// NewNodeRenderer returns a NodeRenderer configured by opts.
func NewNodeRenderer(opts ...Option) *NodeRenderer {
	r := &NodeRenderer{cfg: newConfig(opts), cw: newWidth()}
	r.infoTail = "\t\t" + r.cfg.host + "\t" + strconv.Itoa(r.cfg.port)
	r.blocks = map[ast.NodeKind]blockFunc{
		ast.KindDocument:                (*state).document,
		ast.KindParagraph:               (*state).paragraph,
		ast.KindTextBlock:               (*state).paragraph,
		ast.KindHeading:                 (*state).heading,
		ast.KindThematicBreak:           (*state).thematicBreak,
		ast.KindCodeBlock:               (*state).codeBlock,
		ast.KindFencedCodeBlock:         (*state).codeBlock,
		ast.KindBlockquote:              (*state).blockquote,
		ast.KindList:                    (*state).list,
		ast.KindListItem:                (*state).looseChildren,
		ast.KindHTMLBlock:               (*state).skip,
		ast.KindLinkReferenceDefinition: (*state).skip,
		east.KindTable:                  (*state).table,
		east.KindTableHeader:            (*state).tableRow,
		east.KindTableRow:               (*state).tableRow,
		east.KindTableCell:              (*state).paragraph,
		east.KindFootnoteList:           (*state).looseChildren,
		east.KindFootnote:               (*state).footnote,
	}
	r.inlines = map[ast.NodeKind]inlineFunc{
		ast.KindText:              (*state).text,
		ast.KindString:            (*state).str,
		ast.KindCodeSpan:          (*state).codeSpan,
		ast.KindEmphasis:          (*state).children,
		ast.KindLink:              (*state).link,
		ast.KindImage:             (*state).image,
		ast.KindAutoLink:          (*state).autoLink,
		ast.KindRawHTML:           (*state).rawHTML,
		east.KindStrikethrough:    (*state).children,
		east.KindTaskCheckBox:     (*state).taskCheckBox,
		east.KindFootnoteLink:     (*state).footnoteLink,
		east.KindFootnoteBacklink: (*state).skipInline,
	}
	return r
}

// RegisterFuncs implements renderer.NodeRenderer: every node kind this
// renderer knows is registered with one function that renders the node's
// whole subtree and skips its children.
func (r *NodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	for k := range r.blocks {
		reg.Register(k, r.renderSubtree)
	}
	for k := range r.inlines {
		reg.Register(k, r.renderSubtree)
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
	s := r.newRenderState(source)
	s.render(n)
	if _, err := w.Write(s.out); err != nil {
		return fmt.Errorf("gopher: writing output: %w", err)
	}
	return nil
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
