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
const maxSpan = 128

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
	cache := map[*ast.HTMLBlock]*blockInfo{}
	for _, b := range blocks {
		if b.Parent() != nil {
			t.block(cache, b, src)
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

// tagEvent is a start (open) or end tag of an element that can be left
// open.
type tagEvent struct {
	name string
	open bool
}

// blockInfo is what block needs of an HTML block, read once.
type blockInfo struct {
	html   string
	events []tagEvent
}

// info returns the text and tag events of h, from the cache if read
// before.
func (t *Transformer) info(cache map[*ast.HTMLBlock]*blockInfo, h *ast.HTMLBlock, src []byte) *blockInfo {
	if bi, ok := cache[h]; ok {
		return bi
	}
	bi := &blockInfo{html: blockHTML(h, src)}
	z := html.NewTokenizer(strings.NewReader(bi.html))
	for done := false; !done; {
		switch z.Next() {
		case html.ErrorToken:
			done = true
		case html.StartTagToken:
			name, _ := z.TagName()
			if n := string(name); !voidElements[n] && !optionalEnd[n] {
				bi.events = append(bi.events, tagEvent{name: n, open: true})
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			bi.events = append(bi.events, tagEvent{name: string(name)})
		}
	}
	cache[h] = bi
	return bi
}

// openElements applies tag events to the stack of open elements and
// returns it: an end tag closes its element and any opened after it.
func openElements(stack []string, events []tagEvent) []string {
	for _, e := range events {
		if e.open {
			stack = append(stack, e.name)
			continue
		}
		for i := len(stack) - 1; i >= 0; i-- {
			if stack[i] == e.name {
				stack = stack[:i]
				break
			}
		}
	}
	return stack
}

// block converts HTML block b, with the siblings up to the block that
// closes what b leaves open.
func (t *Transformer) block(cache map[*ast.HTMLBlock]*blockInfo, b *ast.HTMLBlock, src []byte) {
	parent := b.Parent()
	bi := t.info(cache, b, src)
	first := bi.html
	last := ast.Node(b)
	if st := openElements(nil, bi.events); len(st) > 0 {
		n := 0
		for s := b.NextSibling(); s != nil && n < maxSpan; s = s.NextSibling() {
			n++
			if h, ok := s.(*ast.HTMLBlock); ok {
				st = openElements(st, t.info(cache, h, src).events)
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
			sb.WriteString(t.info(cache, h, src).html)
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

// inlineTags is the inline HTML of one parent, read once: each tag, and
// for each start tag its end tag, found as a browser pairs them.
type inlineTags struct {
	tags  map[ast.Node]tag
	match map[ast.Node]ast.Node // start tag -> end tag
	toEnd map[ast.Node]bool     // a start tag never closed that takes the rest
}

// pairedTags are the elements whose start tag takes the content up to its
// end tag: containers, and elements whose content is never shown.
var pairedTags = map[string]bool{
	"a": true, "em": true, "i": true, "cite": true, "dfn": true, "var": true, "strong": true,
	"b": true, "del": true, "s": true, "strike": true, "script": true, "style": true,
	"template": true, "svg": true, "textarea": true, "select": true, "iframe": true,
	"video": true, "audio": true, "object": true,
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
			case "script", "style", "template", "svg", "textarea", "select", "iframe", "video", "audio", "object":
				// Content a reader never sees; media become their links.
				holder := ast.NewParagraph()
				t.media(c, holder, tg)
				if end, takes := it.end(n); takes && !self {
					for s := n.NextSibling(); s != nil && s != end; {
						sn := s.NextSibling()
						if st, ok := it.tags[s]; ok && st.name == "source" && st.attrs["src"] != "" && (tg.name == "video" || tg.name == "audio") {
							c.mediaLink(holder, st.attrs["src"], tg.attrs["title"])
						}
						parent.RemoveChild(parent, s)
						s = sn
					}
					next = nil
					if end != nil {
						next = end.NextSibling()
						parent.RemoveChild(parent, end)
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
			if repl != nil && repl.Kind() != ast.KindImage && repl.Kind() != ast.KindText {
				// A container: it takes the siblings up to its end tag.
				end, takes := it.end(n)
				if !takes || self {
					mdnode.Remove(n, src)
					n = next
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
		} else {
			mdnode.Remove(n, src)
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
	case "video", "audio":
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
