package shortcode

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"github.com/gmkit/gmkit/build/mdnode"
)

// Warning is a tag that was removed because its meaning is unknown.
type Warning struct {
	// Line is the line of the Markdown source (counted from 1) where the
	// tag was first seen.
	Line int
	// Name is the shortcode or tag name, or the expression of an output
	// tag.
	Name string
	// Msg says what happened, naming the tag.
	Msg string
}

var warnKey = parser.NewContextKey()

// WithWarnings makes the Transformer report unknown tags met while parsing
// with pc to f, once per name.
func WithWarnings(pc parser.Context, f func(Warning)) {
	pc.Set(warnKey, f)
}

// Options configure the Transformer.
type Options struct {
	// HTML converts the HTML body of a rawhtml tag into blocks appended
	// to parent; nil drops such bodies.
	HTML func(parent ast.Node, html string)
}

// Transformer replaces every Block and Inline with what it means, removes
// escapes in code and warns about tags it does not know.
type Transformer struct {
	opts Options
}

// NewTransformer returns a Transformer configured by opts.
func NewTransformer(opts Options) *Transformer { return &Transformer{opts: opts} }

// run is one Transform call.
type run struct {
	t        *Transformer
	src      []byte
	warn     func(Warning)
	warned   map[string]bool
	warnings []Warning
}

func (r *run) unknown(t *Tag, offset int, what string) {
	if r.warn == nil {
		return
	}
	name, kind := t.Name, "shortcode"
	switch {
	case t.Syntax == LiquidOutput && !t.Call:
		name, kind = t.Expr, "Liquid output"
	case t.Syntax == LiquidTag && !t.Call:
		kind = "Liquid tag"
		if (name == "include" || name == "include_relative") && len(t.Pos) > 0 {
			name += " " + t.Pos[0]
		}
	}
	if r.warned[name] {
		return
	}
	if r.warned == nil {
		r.warned = map[string]bool{}
	}
	r.warned[name] = true
	line := 0
	if offset >= 0 && offset <= len(r.src) {
		line = bytes.Count(r.src[:offset], []byte{'\n'}) + 1
	}
	r.warnings = append(r.warnings, Warning{Line: line, Name: name, Msg: fmt.Sprintf("unknown %s %q: %s", kind, name, what)})
}

// Transform implements parser.ASTTransformer.
func (t *Transformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	if !bytes.Contains(src, []byte("{{")) && !bytes.Contains(src, []byte("{%")) {
		return // no tag, escaped or not
	}
	r := &run{t: t, src: src}
	if f, ok := pc.Get(warnKey).(func(Warning)); ok {
		r.warn = f
	}
	var code []ast.Node
	var blockParents, inlineParents []ast.Node
	seenB, seenI := map[ast.Node]bool{}, map[ast.Node]bool{}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindFencedCodeBlock, ast.KindCodeBlock, ast.KindCodeSpan:
			code = append(code, n)
			return ast.WalkSkipChildren, nil
		case KindBlock:
			if p := n.Parent(); !seenB[p] {
				seenB[p] = true
				blockParents = append(blockParents, p)
			}
		case KindInline:
			if p := n.Parent(); !seenI[p] {
				seenI[p] = true
				inlineParents = append(inlineParents, p)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, c := range code {
		r.code(c)
	}
	for _, p := range blockParents {
		r.blocks(p)
	}
	// Block bodies may have moved inline tags or turned them literal;
	// look again.
	inlineParents = inlineParents[:0]
	clear(seenI)
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering && n.Kind() == KindInline {
			if p := n.Parent(); !seenI[p] {
				seenI[p] = true
				inlineParents = append(inlineParents, p)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, p := range inlineParents {
		r.inlines(p)
	}
	slices.SortStableFunc(r.warnings, func(a, b Warning) int { return cmp.Compare(a.Line, b.Line) })
	for _, w := range r.warnings {
		r.warn(w)
	}
	if r.warned != nil {
		pc.Set(warnedKey, r.warned) // for InText
	}
}

// code removes escapes from code blocks and spans (see Unescape).
func (r *run) code(n ast.Node) {
	if n.Kind() == ast.KindCodeSpan {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			if t, ok := c.(*ast.Text); ok {
				v := string(t.Segment.Value(r.src))
				if u := Unescape(v); u != v {
					n.ReplaceChild(n, c, mdnode.Code(u))
				}
			}
		}
		return
	}
	var sb strings.Builder
	lines := n.Lines()
	for i := range lines.Len() {
		seg := lines.At(i)
		sb.Write(seg.Value(r.src))
	}
	v := sb.String()
	u := Unescape(v)
	if u == v {
		return
	}
	info := ""
	if f, ok := n.(*ast.FencedCodeBlock); ok && f.Info != nil {
		info = string(f.Info.Segment.Value(r.src))
	}
	n.Parent().ReplaceChild(n.Parent(), n, mdnode.NewPre(info, u))
}

// blocks replaces the Block children of parent.
func (r *run) blocks(parent ast.Node) {
	pairs := hasClosing(parent)
	for n := parent.FirstChild(); n != nil; {
		b, ok := n.(*Block)
		if !ok {
			n = n.NextSibling()
			continue
		}
		next := n.NextSibling()
		t := &b.Tag
		if b.HasBody {
			r.body(parent, b)
			n = next
			continue
		}
		if _, isEnd := endName(t); isEnd {
			parent.RemoveChild(parent, b) // a closing tag left over
			n = next
			continue
		}
		if end := r.closer(b, pairs); end != nil {
			next = r.pair(parent, b, end)
			n = next
			continue
		}
		nodes, known := Render(t)
		if !known {
			r.unknown(t, b.Offset, "removed")
		}
		if len(nodes) > 0 {
			p := ast.NewParagraph()
			for _, c := range nodes {
				p.AppendChild(p, c)
			}
			if quoteLike[lower(t)] {
				// A quote-like tag with its text in an argument: a
				// quote headed by its kind, as with a body.
				q := ast.NewBlockquote()
				if title := Title(t); title != "" {
					q.AppendChild(q, strongPara(title))
				}
				q.AppendChild(q, p)
				parent.ReplaceChild(parent, b, q)
			} else {
				parent.ReplaceChild(parent, b, p)
			}
		} else {
			parent.RemoveChild(parent, b)
		}
		n = next
	}
}

// closer finds the sibling Block that closes b, or nil; has says whether
// b has a closing sibling at all.
func (r *run) closer(b *Block, has bool) *Block {
	t := &b.Tag
	if !has || t.SelfClose || t.Syntax == LiquidOutput {
		return nil
	}
	depth := 0
	for s := b.NextSibling(); s != nil; s = s.NextSibling() {
		sb, ok := s.(*Block)
		if !ok {
			continue
		}
		if closes(&sb.Tag, t) {
			if depth == 0 {
				return sb
			}
			depth--
		} else if sb.Tag.Syntax == t.Syntax && strings.EqualFold(sb.Tag.Name, t.Name) && !sb.Tag.Close && !sb.Tag.SelfClose {
			depth++
		}
	}
	return nil
}

// pair renders a tag with a Markdown body: the blocks from open to end.
// It returns the node after end.
func (r *run) pair(parent ast.Node, open, end *Block) ast.Node {
	t := &open.Tag
	name := lower(t)
	body, after := detachBody(parent, open, end, dropBody[name])
	switch {
	case dropBody[name]:
		parent.RemoveChild(parent, open)
		return after
	case name == "raw":
		for _, s := range body {
			r.literal(s)
		}
		parent.RemoveChild(parent, open)
		return after
	case quoteLike[name]:
		q := ast.NewBlockquote()
		if title := Title(t); title != "" {
			q.AppendChild(q, strongPara(title))
		}
		for _, s := range body {
			q.AppendChild(q, s)
		}
		if a := Attribution(t); a != "" {
			p := ast.NewParagraph()
			p.AppendChild(p, mdnode.Text(a))
			q.AppendChild(q, p)
		}
		parent.ReplaceChild(parent, open, q)
		// Tags inside the quote are handled there.
		r.blocks(q)
		return after
	}
	if !keepBody[name] {
		r.unknown(t, open.Offset, "tags removed, content kept")
	}
	if title := Title(t); title != "" {
		parent.ReplaceChild(parent, open, strongPara(title))
	} else if nodes, _ := Render(t); len(nodes) > 0 {
		p := ast.NewParagraph()
		for _, c := range nodes {
			p.AppendChild(p, c)
		}
		parent.ReplaceChild(parent, open, p)
	} else {
		parent.RemoveChild(parent, open)
	}
	if len(body) > 0 {
		return body[0]
	}
	return after
}

// detachBody returns the siblings between open and end (removed from
// parent when drop is set) and the node after end, and removes end.
func detachBody(parent, open, end ast.Node, drop bool) (body []ast.Node, after ast.Node) {
	after = end.NextSibling()
	for s := open.NextSibling(); s != nil && s != end; s = s.NextSibling() {
		body = append(body, s)
	}
	parent.RemoveChild(parent, end)
	if drop {
		for _, s := range body {
			parent.RemoveChild(parent, s)
		}
	}
	return body, after
}

// strongPara is a paragraph of strong text.
func strongPara(s string) ast.Node {
	p := ast.NewParagraph()
	e := ast.NewEmphasis(2)
	e.AppendChild(e, mdnode.Text(s))
	p.AppendChild(p, e)
	return p
}

// literal turns every tag in n into its text as written (Liquid's raw).
func (r *run) literal(n ast.Node) {
	var tags []ast.Node
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering && (c.Kind() == KindInline || c.Kind() == KindBlock) {
			tags = append(tags, c)
		}
		return ast.WalkContinue, nil
	})
	for _, c := range tags {
		p := c.Parent()
		switch c := c.(type) {
		case *Inline:
			p.ReplaceChild(p, c, mdnode.Text(c.Tag.Raw))
		case *Block:
			para := ast.NewParagraph()
			para.AppendChild(para, mdnode.Text(c.Tag.Raw))
			p.ReplaceChild(p, c, para)
		}
	}
}

// body renders a tag whose body is code, math or HTML.
func (r *run) body(parent ast.Node, b *Block) {
	info, isHTML, _ := BodyInfo(&b.Tag)
	if !isHTML {
		parent.ReplaceChild(parent, b, mdnode.NewPre(info, Unescape(strings.TrimRight(b.Body, "\r\n"))))
		return
	}
	holder := ast.NewDocument()
	if r.t.opts.HTML != nil {
		r.t.opts.HTML(holder, b.Body)
	}
	for c := holder.FirstChild(); c != nil; {
		next := c.NextSibling()
		parent.InsertBefore(parent, b, c)
		c = next
	}
	parent.RemoveChild(parent, b)
}

// hasClosing reports whether any child of parent is a closing tag: only
// then is a tag's end worth looking for.
func hasClosing(parent ast.Node) bool {
	for n := parent.FirstChild(); n != nil; n = n.NextSibling() {
		var t *Tag
		switch n := n.(type) {
		case *Inline:
			t = &n.Tag
		case *Block:
			t = &n.Tag
		default:
			continue
		}
		if _, ok := endName(t); ok {
			return true
		}
	}
	return false
}

// inlines replaces the Inline children of parent.
func (r *run) inlines(parent ast.Node) {
	pairs := hasClosing(parent)
	for n := parent.FirstChild(); n != nil; {
		in, ok := n.(*Inline)
		if !ok {
			n = n.NextSibling()
			continue
		}
		next := n.NextSibling()
		t := &in.Tag
		if _, isEnd := endName(t); isEnd {
			parent.RemoveChild(parent, in)
			n = next
			continue
		}
		if end := inlineCloser(in, pairs); end != nil {
			n = r.inlinePair(parent, in, end)
			continue
		}
		nodes, known := Render(t)
		if !known {
			r.unknown(t, in.Offset, "removed")
		}
		for _, c := range nodes {
			parent.InsertBefore(parent, in, c)
		}
		mdnode.Remove(in, r.src)
		n = next
	}
}

func inlineCloser(in *Inline, has bool) *Inline {
	t := &in.Tag
	if !has || t.SelfClose || t.Syntax == LiquidOutput {
		return nil
	}
	for s := in.NextSibling(); s != nil; s = s.NextSibling() {
		if si, ok := s.(*Inline); ok && closes(&si.Tag, t) {
			return si
		}
	}
	return nil
}

// inlinePair renders a tag with a body in running text; it returns the
// node to go on with.
func (r *run) inlinePair(parent ast.Node, open, end *Inline) ast.Node {
	t := &open.Tag
	name := lower(t)
	body, after := detachBody(parent, open, end, dropBody[name])
	switch {
	case dropBody[name]:
	case name == "raw":
		for _, s := range body {
			if in, ok := s.(*Inline); ok {
				parent.ReplaceChild(parent, in, mdnode.Text(in.Tag.Raw))
			}
		}
		after = open.NextSibling()
	default:
		if _, _, raw := BodyInfo(t); raw {
			// Code in running text: the source between the tags.
			start := open.Offset + len(t.Raw)
			if start <= end.Offset && end.Offset <= len(r.src) {
				cs := ast.NewCodeSpan()
				cs.AppendChild(cs, mdnode.Code(strings.TrimSpace(string(r.src[start:end.Offset]))))
				for _, s := range body {
					parent.RemoveChild(parent, s)
				}
				parent.InsertBefore(parent, open, cs)
			}
		} else if !keepBody[name] && !quoteLike[name] {
			r.unknown(t, open.Offset, "tags removed, content kept")
		}
		if len(body) > 0 && body[0].Parent() == parent {
			after = body[0]
		}
	}
	parent.RemoveChild(parent, open)
	return after
}
