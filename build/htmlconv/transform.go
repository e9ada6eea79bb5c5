package htmlconv

import (
	"bytes"
	"strconv"
	"strings"

	"golang.org/x/net/html"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"github.com/gmkit/gmkit/build/mdnode"
)

// maxSpan is how many sibling blocks an HTML element left open may span
// before its end tag; past it the block is converted on its own.
const maxSpan = 256

// Transformer converts the HTMLBlock and RawHTML nodes of a parsed
// document into Markdown nodes (see the package comment).
type Transformer struct {
	opts Options
}

// NewTransformer returns a Transformer that converts with opts.
func NewTransformer(opts Options) *Transformer { return &Transformer{opts: opts} }

// Transform implements parser.ASTTransformer.
func (t *Transformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
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
		if b.Parent() != nil {
			t.block(b, src)
		}
	}
	// Converting blocks moves Markdown around (into table cells, links):
	// find inline HTML where it is now.
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

// optionalEnd are elements whose end tag may be left out: leaving one open
// does not make an element span Markdown.
var optionalEnd = map[string]bool{
	"p": true, "li": true, "dt": true, "dd": true, "tr": true, "td": true, "th": true,
	"thead": true, "tbody": true, "tfoot": true, "option": true, "optgroup": true,
	"colgroup": true, "caption": true, "rb": true, "rt": true, "rp": true, "rtc": true,
	"html": true, "head": true, "body": true,
}

// voidElements never have content or an end tag.
var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true,
	"img": true, "input": true, "link": true, "meta": true, "source": true, "track": true,
	"wbr": true, "param": true, "keygen": true, "frame": true,
}

// openElements applies the start and end tags of s to the stack of open
// elements and returns it.
func openElements(stack []string, s string) []string {
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return stack
		case html.StartTagToken:
			name, _ := z.TagName()
			if n := string(name); !voidElements[n] && !optionalEnd[n] {
				stack = append(stack, n)
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i] == string(name) {
					stack = stack[:i]
					break
				}
			}
		}
	}
}

// block converts HTML block b, with the siblings up to the block that
// closes what b leaves open.
func (t *Transformer) block(b *ast.HTMLBlock, src []byte) {
	parent := b.Parent()
	first := blockHTML(b, src)
	last := ast.Node(b)
	stack := openElements(nil, first)
	if len(stack) > 0 {
		st := stack
		n := 0
		for s := b.NextSibling(); s != nil && n < maxSpan; s = s.NextSibling() {
			n++
			if h, ok := s.(*ast.HTMLBlock); ok {
				st = openElements(st, blockHTML(h, src))
				if len(st) == 0 {
					last = s
					break
				}
			}
		}
	}
	c := &conv{opts: t.opts}
	var sb strings.Builder
	sb.WriteString(first)
	for s := b.NextSibling(); last != ast.Node(b) && s != nil; s = s.NextSibling() {
		if h, ok := s.(*ast.HTMLBlock); ok {
			sb.WriteString(blockHTML(h, src))
		} else {
			sb.WriteString("<" + islandTag + " i=\"" + strconv.Itoa(len(c.islands)) + "\"></" + islandTag + ">\n")
			c.islands = append(c.islands, s)
		}
		if s == last {
			break
		}
	}
	c.placed = make([]bool, len(c.islands))
	// Detach what the conversion replaces, islands included, so that they
	// can be moved into place.
	var replaced []ast.Node
	for s := ast.Node(b); s != nil; s = s.NextSibling() {
		replaced = append(replaced, s)
		if s == last {
			break
		}
	}
	anchor := last.NextSibling()
	for _, s := range replaced {
		parent.RemoveChild(parent, s)
	}
	out := ast.NewDocument()
	c.convert(out, sb.String())
	for i, md := range c.islands {
		if !c.placed[i] {
			out.AppendChild(out, md)
		}
	}
	if len(c.islands) == 0 {
		out.InsertBefore(out, out.FirstChild(), &mdnode.HTMLSource{Source: first, Blocks: out.ChildCount()})
	}
	for n := out.FirstChild(); n != nil; {
		next := n.NextSibling()
		if anchor != nil {
			parent.InsertBefore(parent, anchor, n)
		} else {
			parent.AppendChild(parent, n)
		}
		n = next
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

// inlines converts the inline HTML among the children of parent.
func (t *Transformer) inlines(parent ast.Node, src []byte) {
	c := &conv{opts: t.opts}
	for n := parent.FirstChild(); n != nil; {
		r, ok := n.(*ast.RawHTML)
		if !ok {
			n = n.NextSibling()
			continue
		}
		tg := readTag(r, src)
		next := n.NextSibling()
		var repl ast.Node
		switch tg.typ {
		case html.StartTagToken, html.SelfClosingTagToken:
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
				if href := strings.TrimSpace(tg.attrs["href"]); href != "" && !hasPrefixFold(href, "javascript:") && !self {
					repl = mdnode.Link(c.url(href))
				}
			case "em", "i", "cite", "dfn", "var":
				repl = ast.NewEmphasis(1)
			case "strong", "b":
				repl = ast.NewEmphasis(2)
			case "del", "s", "strike":
				repl = east.NewStrikethrough()
			case "script", "style", "template", "svg", "textarea", "select", "iframe", "video", "audio", "object":
				// Content a reader never sees; media become their links.
				holder := ast.NewParagraph()
				if tg.name == "iframe" || tg.name == "video" || tg.name == "audio" || tg.name == "object" {
					src, label := tg.attrs["src"], tg.attrs["title"]
					if tg.name == "iframe" {
						var player string
						src, player = playerPage(src)
						label = or(label, player)
					} else if tg.name == "object" {
						src = tg.attrs["data"]
					}
					if src != "" {
						c.mediaLink(holder, src, label)
					}
				}
				if !self {
					end := closing(n, tg.name, src)
					for s := n.NextSibling(); s != nil && s != end; {
						sn := s.NextSibling()
						if sr, ok := s.(*ast.RawHTML); ok && (tg.name == "video" || tg.name == "audio") {
							if st := readTag(sr, src); st.name == "source" && st.attrs["src"] != "" {
								c.mediaLink(holder, st.attrs["src"], tg.attrs["title"])
							}
						}
						parent.RemoveChild(parent, s)
						s = sn
					}
					if end != nil {
						next = end.NextSibling()
						parent.RemoveChild(parent, end)
					} else {
						next = nil
					}
				}
				replaceWith(parent, n, holder, src)
				n = next
				continue
			case "source", "embed":
				if s := tg.attrs["src"]; s != "" {
					holder := ast.NewParagraph()
					c.mediaLink(holder, s, tg.attrs["title"])
					replaceWith(parent, n, holder, src)
					n = next
					continue
				}
			}
			if repl != nil && repl.Kind() != ast.KindImage && repl.Kind() != ast.KindText && !self {
				// A container: it takes the siblings up to its end tag.
				end := closing(n, tg.name, src)
				for s := n.NextSibling(); s != nil && s != end; {
					sn := s.NextSibling()
					repl.AppendChild(repl, s)
					s = sn
				}
				if end != nil {
					next = end.NextSibling()
					parent.RemoveChild(parent, end)
				} else {
					next = nil
				}
				parent.ReplaceChild(parent, n, repl)
				t.inlines(repl, src)
				if !repl.HasChildren() && repl.Kind() != ast.KindLink {
					parent.RemoveChild(parent, repl)
				}
				n = next
				continue
			}
		}
		if repl != nil {
			parent.ReplaceChild(parent, n, repl)
		} else {
			mdnode.Remove(n, src)
		}
		n = next
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

// closing finds the end tag that closes the start tag open among the
// siblings after it, or nil.
func closing(open ast.Node, name string, src []byte) ast.Node {
	depth := 0
	for s := open.NextSibling(); s != nil; s = s.NextSibling() {
		r, ok := s.(*ast.RawHTML)
		if !ok {
			continue
		}
		tg := readTag(r, src)
		if tg.name != name {
			continue
		}
		switch tg.typ {
		case html.StartTagToken:
			depth++
		case html.EndTagToken:
			if depth == 0 {
				return s
			}
			depth--
		}
	}
	return nil
}
