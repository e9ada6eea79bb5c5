package htmlconv

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"github.com/gmkit/gmkit/build/mdnode"
)

// Transformer gives the HTMLBlock and RawHTML nodes of a parsed document
// their meaning in Markdown nodes (see the package comment).
type Transformer struct {
	opts Options
}

// NewTransformer returns a Transformer that converts with opts.
func NewTransformer(opts Options) *Transformer { return &Transformer{opts: opts} }

// Transform implements parser.ASTTransformer.
func (t *Transformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	if bytes.IndexByte(src, '<') < 0 {
		return // no HTML
	}
	var blocks []*ast.HTMLBlock
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if b, ok := n.(*ast.HTMLBlock); ok && entering {
			blocks = append(blocks, b)
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	for _, b := range blocks {
		t.block(b, src, pc)
	}
	var parents []ast.Node
	seen := map[ast.Node]bool{}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if r, ok := n.(*ast.RawHTML); ok && entering {
			if p := r.Parent(); !seen[p] {
				seen[p] = true
				parents = append(parents, p)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, p := range parents {
		t.inlines(p, src)
	}
}

// blockHTML is the text of an HTML block.
func blockHTML(b *ast.HTMLBlock, src []byte) string {
	var sb strings.Builder
	lines := b.Lines()
	for i := range lines.Len() {
		seg := lines.At(i)
		sb.Write(seg.Value(src))
	}
	if b.HasClosure() {
		sb.Write(b.ClosureLine.Value(src))
	}
	return sb.String()
}

// block puts before HTML block b what it means for the text outputs, in
// a TextOnly node; b stays for outputs that print HTML. Elements that b
// leaves open are closed at its end, as a browser closes them at the end
// of a document: Markdown between an HTML block and the one that closes
// it (a <details> around paragraphs) stays where it is, in every output.
func (t *Transformer) block(b *ast.HTMLBlock, src []byte, pc parser.Context) {
	parent := b.Parent()
	c := &conv{opts: t.opts, pc: pc, src: src}
	out := &mdnode.TextOnly{}
	c.convert(out, blockHTML(b, src))
	if out.HasChildren() {
		parent.InsertBefore(parent, b, out)
	}
}

// tag is one inline HTML tag as the tokenizer reads it.
type tag struct {
	typ   html.TokenType
	name  string
	attrs map[string]string
}

func readTag(r *ast.RawHTML, src []byte) tag {
	var b bytes.Buffer
	for i := range r.Segments.Len() {
		seg := r.Segments.At(i)
		b.Write(seg.Value(src))
	}
	z := html.NewTokenizer(&b)
	tt := z.Next()
	tg := tag{typ: tt}
	if tt == html.StartTagToken || tt == html.EndTagToken || tt == html.SelfClosingTagToken {
		name, more := z.TagName()
		tg.name = string(name)
		for more {
			var k, v []byte
			k, v, more = z.TagAttr()
			if tg.attrs == nil {
				tg.attrs = map[string]string{}
			}
			if _, dup := tg.attrs[string(k)]; !dup {
				tg.attrs[string(k)] = string(v)
			}
		}
	}
	return tg
}

// inlineTags is the inline HTML of one parent, read once: each tag, and
// for each start tag its end tag, found as a browser pairs them.
type inlineTags struct {
	tags  map[ast.Node]tag
	match map[ast.Node]ast.Node // start tag -> end tag
	toEnd map[ast.Node]bool     // a start tag never closed that takes the rest
}

// pairedTags are the elements that become Markdown containers: their
// start tag takes the content up to their end tag.
var pairedTags = map[string]bool{
	"a": true, "em": true, "i": true, "cite": true, "dfn": true, "var": true, "strong": true,
	"b": true, "del": true, "s": true, "strike": true,
}

// readInlineTags reads the RawHTML children of parent and pairs their
// start and end tags. Of the start tags left open, the last of each name
// takes the rest of the parent; the others are dropped.
func readInlineTags(parent ast.Node, src []byte) *inlineTags {
	it := &inlineTags{tags: map[ast.Node]tag{}, match: map[ast.Node]ast.Node{}, toEnd: map[ast.Node]bool{}}
	open := map[string][]ast.Node{}
	for n := parent.FirstChild(); n != nil; n = n.NextSibling() {
		r, ok := n.(*ast.RawHTML)
		if !ok {
			continue
		}
		tg := readTag(r, src)
		it.tags[n] = tg
		if !pairedTags[tg.name] {
			continue
		}
		switch tg.typ {
		case html.StartTagToken:
			open[tg.name] = append(open[tg.name], n)
		case html.EndTagToken:
			if st := open[tg.name]; len(st) > 0 {
				it.match[st[len(st)-1]] = n
				open[tg.name] = st[:len(st)-1]
			}
		}
	}
	for _, st := range open {
		if len(st) > 0 {
			it.toEnd[st[len(st)-1]] = true
		}
	}
	return it
}

// inlines converts the inline HTML among the children of parent.
func (t *Transformer) inlines(parent ast.Node, src []byte) {
	t.convertInlines(parent, src, readInlineTags(parent, src))
}

// end returns the end tag of start tag n (nil for the end of the parent)
// and whether n takes content at all.
func (it *inlineTags) end(n ast.Node) (ast.Node, bool) {
	if e, ok := it.match[n]; ok {
		return e, true
	}
	return nil, it.toEnd[n]
}

func (t *Transformer) convertInlines(parent ast.Node, src []byte, it *inlineTags) {
	c := &conv{opts: t.opts}
	for n := parent.FirstChild(); n != nil; {
		next := n.NextSibling()
		tg, ok := it.tags[n]
		if !ok {
			n = next
			continue
		}
		var repl ast.Node
		if tg.typ == html.StartTagToken || tg.typ == html.SelfClosingTagToken {
			self := tg.typ == html.SelfClosingTagToken
			switch tg.name {
			case "br":
				repl = mdnode.LineBreak()
			case "img":
				src := tg.attrs["src"]
				if src == "" {
					src = tg.attrs["data-src"]
				}
				if src != "" {
					alt := strings.Join(strings.Fields(tg.attrs["alt"]), " ")
					if alt == "" {
						alt = strings.Join(strings.Fields(tg.attrs["title"]), " ")
					}
					repl = mdnode.Image(c.url(src), alt)
				}
			case "a":
				if href := strings.TrimSpace(tg.attrs["href"]); href != "" && !hasPrefixFold(href, "javascript:") {
					repl = mdnode.Link(c.url(href))
				}
			case "em", "i", "cite", "dfn", "var":
				repl = ast.NewEmphasis(1)
			case "strong", "b":
				repl = ast.NewEmphasis(2)
			case "del", "s", "strike":
				repl = east.NewStrikethrough()
			case "iframe", "video", "audio", "object", "source", "embed":
				// The media a reader of text cannot play: links to it,
				// for the text outputs only, after the tag.
				span := &mdnode.TextOnlySpan{}
				t.media(c, span, tg)
				if span.HasChildren() {
					parent.InsertAfter(parent, n, span)
				}
				n = next
				continue
			default:
				n = next // meaningless in text: left for HTML outputs
				continue
			}
			if repl != nil && repl.Kind() != ast.KindImage && repl.Kind() != ast.KindText {
				// A container: it takes the siblings up to its end tag.
				end, takes := it.end(n)
				if !takes || self {
					n = next // nothing to hold: left for HTML outputs
					continue
				}
				for s := n.NextSibling(); s != nil && s != end; {
					sn := s.NextSibling()
					repl.AppendChild(repl, s)
					s = sn
				}
				next = nil
				if end != nil {
					next = end.NextSibling()
					parent.RemoveChild(parent, end)
				}
				parent.ReplaceChild(parent, n, repl)
				t.convertInlines(repl, src, it)
				if !repl.HasChildren() && repl.Kind() != ast.KindLink {
					parent.RemoveChild(parent, repl)
				}
				n = next
				continue
			}
		}
		if repl != nil {
			parent.ReplaceChild(parent, n, repl)
		}
		n = next
	}
}

// media adds the link an inline media start tag stands for to holder.
func (t *Transformer) media(c *conv, holder ast.Node, tg tag) {
	src, label := tg.attrs["src"], tg.attrs["title"]
	switch tg.name {
	case "iframe":
		var player string
		src, player = playerPage(src)
		label = or(label, player)
	case "object":
		src = tg.attrs["data"]
	case "video", "audio", "source", "embed":
	default:
		return
	}
	if src != "" {
		c.mediaLink(holder, src, label)
	}
}

// replaceWith puts the children of holder where n is.
func replaceWith(parent, n, holder ast.Node, src []byte) {
	for ch := holder.FirstChild(); ch != nil; {
		next := ch.NextSibling()
		parent.InsertBefore(parent, n, ch)
		ch = next
	}
	mdnode.Remove(n, src)
}
