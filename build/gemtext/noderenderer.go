package gemtext

import (
	"github.com/mattn/go-runewidth"
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"

	"github.com/gmkit/gmkit/build/mdnode"
)

type blockFunc func(s *state, n ast.Node)

type inlineFunc func(s *state, n ast.Node)

// NodeRenderer is the goldmark renderer.NodeRenderer behind New, for use
// with renderer.NewRenderer next to other node renderers.
//
// Gemtext is line-oriented and needs state across a whole document (pending
// link lines, footnotes), so every registered function renders the complete
// subtree of the node it is given, with state of its own, and returns
// ast.WalkSkipChildren. When a document is rendered, the function for the
// Document node does all the work. A NodeRenderer is immutable and safe for
// concurrent use.
type NodeRenderer struct {
	cfg    *config
	width  *runewidth.Condition
	blocks []blockFunc
	inline []inlineFunc
}

// NewNodeRenderer returns a NodeRenderer configured by opts.
func NewNodeRenderer(opts ...Option) *NodeRenderer {
	r := &NodeRenderer{
		cfg: newConfig(opts),
		// Fixed widths, whatever the locale: output must not depend on the
		// environment of the machine that builds the site.
		width: &runewidth.Condition{EastAsianWidth: false, StrictEmojiNeutral: true},
	}
	blocks := map[ast.NodeKind]blockFunc{
		ast.KindDocument:                (*state).document,
		ast.KindParagraph:               (*state).paragraph,
		ast.KindTextBlock:               (*state).paragraph,
		ast.KindHeading:                 (*state).heading,
		ast.KindThematicBreak:           (*state).thematicBreak,
		ast.KindCodeBlock:               (*state).codeBlock,
		ast.KindFencedCodeBlock:         (*state).codeBlock,
		ast.KindBlockquote:              (*state).blockquote,
		ast.KindList:                    (*state).list,
		ast.KindListItem:                (*state).listItemAlone,
		ast.KindHTMLBlock:               (*state).htmlBlock,
		ast.KindLinkReferenceDefinition: (*state).skipBlock,
		east.KindTable:                  (*state).table,
		east.KindTableHeader:            (*state).tableAlone,
		east.KindTableRow:               (*state).tableAlone,
		east.KindTableCell:              (*state).tableAlone,
		east.KindFootnoteList:           (*state).footnoteList,
		east.KindFootnote:               (*state).footnote,
		mdnode.KindPre:                  (*state).pre,
		mdnode.KindTextOnly:             (*state).textOnly,
	}
	inlines := map[ast.NodeKind]inlineFunc{
		ast.KindText:              (*state).text,
		ast.KindString:            (*state).str,
		ast.KindCodeSpan:          (*state).codeSpan,
		ast.KindEmphasis:          (*state).emphasis,
		ast.KindLink:              (*state).link,
		ast.KindImage:             (*state).image,
		ast.KindAutoLink:          (*state).autoLink,
		ast.KindRawHTML:           (*state).rawHTML,
		east.KindStrikethrough:    (*state).strikethrough,
		east.KindTaskCheckBox:     (*state).taskCheckBox,
		east.KindFootnoteLink:     (*state).footnoteLink,
		east.KindFootnoteBacklink: (*state).skipInline,
		mdnode.KindTextOnlySpan:   (*state).inlines,
	}
	size := 0
	for k := range blocks {
		size = max(size, int(k)+1)
	}
	for k := range inlines {
		size = max(size, int(k)+1)
	}
	r.blocks = make([]blockFunc, size)
	r.inline = make([]inlineFunc, size)
	for k, f := range blocks {
		r.blocks[k] = f
	}
	for k, f := range inlines {
		r.inline[k] = f
	}
	return r
}

// RegisterFuncs implements renderer.NodeRenderer: it registers a function
// for every node kind the renderer knows.
func (r *NodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	for k := range r.blocks {
		if r.handles(ast.NodeKind(k)) {
			reg.Register(ast.NodeKind(k), r.renderRoot)
		}
	}
}

// handles reports whether the renderer has a function for kind.
func (r *NodeRenderer) handles(k ast.NodeKind) bool {
	i := int(k)
	return (i < len(r.blocks) && r.blocks[i] != nil) || (i < len(r.inline) && r.inline[i] != nil)
}

func (r *NodeRenderer) renderRoot(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	s := newState(r, w, source)
	s.root(n)
	return ast.WalkSkipChildren, nil
}
