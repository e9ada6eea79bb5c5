// Package htmlconv turns the raw HTML in Markdown into Markdown nodes, so
// that text outputs keep what a reader of the web page would see: text,
// links, images, media, preformatted text, lists and tables. HTML is parsed
// with golang.org/x/net/html, the parser browsers' rules are written for,
// so unclosed and misnested tags end up where a browser puts them.
//
// What becomes of an element:
//   - text is kept, white space collapsed as a browser does;
//   - <a href> is a link, <img src alt> an image, <br> a line break;
//   - <video>, <audio>, <iframe>, <embed>, <object> and the <source>s of
//     media are links to the media (YouTube and Vimeo players to the page
//     of the video); the fallback text inside media is dropped, its links
//     kept;
//   - <pre> is a preformatted block, its language taken from a
//     "language-x" class or data-lang;
//   - <h1>-<h6> are headings, <blockquote> a quote, <hr> a thematic break,
//     <ul>/<ol> lists, <table> a table (caption before it);
//   - <em>/<i>, <strong>/<b>, <del>/<s> are emphasis, strong emphasis and
//     strikethrough, <code>/<kbd> code;
//   - <script>, <style>, <template>, <svg>, <head> parts, form controls and
//     comments are dropped;
//   - every other element (<div>, <p>, <details>, <summary>, <figure>,
//     <figcaption>, <small>, <span>, custom elements ...) keeps its content.
//
// Goldmark splits HTML into HTML blocks and inline tags. The Transformer
// puts what an HTML block means before it, in an mdnode.TextOnly node that
// the text outputs render and HTML outputs skip, so the HTML itself stays
// for the web; an element left open is closed at the end of its block,
// and Markdown between that block and the one closing the element is
// rendered in place. Inline, start and end tags are paired within their
// paragraph: <a>, <img>, <br>, emphasis and strikethrough become Markdown
// nodes (which every output renders alike), media tags are followed by
// their links in an mdnode.TextOnlySpan, and other tags are left to HTML
// outputs (text outputs print nothing for them).
package htmlconv

import (
	"path"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"

	"github.com/gmkit/gmkit/build/mdnode"
)

// Options configure a conversion.
type Options struct {
	// URL maps an address found in an href or src attribute before it
	// becomes a link (to resolve template syntax in it); nil keeps it.
	URL func(string) string
	// Tags, when set, gives what a text of the HTML that holds template
	// tags means, as inline nodes (a shortcode inside a <center> block,
	// which the Markdown parser never saw; see shortcode.InText), given
	// the parse's context and the document's source; nil keeps the text
	// as it is.
	Tags func(pc parser.Context, src []byte, text string) []ast.Node
}

type conv struct {
	opts Options
	pc   parser.Context // the parse the HTML is from, or nil
	src  []byte         // its source, or nil
}

// text appends a text of the HTML to parent: its template tags, if it
// has any, turned into what they mean (see Options.Tags).
func (c *conv) text(parent ast.Node, s string) {
	if c.opts.Tags == nil || !strings.Contains(s, "{{") && !strings.Contains(s, "{%") {
		appendText(parent, s)
		return
	}
	for _, n := range c.opts.Tags(c.pc, c.src, s) {
		if t, ok := n.(*ast.String); ok && !t.IsCode() {
			appendText(parent, string(t.Value))
			continue
		}
		parent.AppendChild(parent, n)
	}
}

func (c *conv) url(u string) string {
	u = strings.TrimSpace(u)
	if c.opts.URL != nil {
		u = c.opts.URL(u)
	}
	return u
}

// Blocks parses fragment as the content of an HTML body and appends what it
// holds to parent as Markdown block nodes.
func Blocks(parent ast.Node, fragment string, opts Options) {
	c := &conv{opts: opts}
	c.convert(parent, fragment)
}

// convert parses fragment and appends its blocks to parent.
func (c *conv) convert(parent ast.Node, fragment string) {
	body := &html.Node{Type: html.ElementNode, DataAtom: atom.Body, Data: "body"}
	nodes, err := html.ParseFragmentWithOptions(strings.NewReader(fragment), body, html.ParseOptionEnableScripting(false))
	if err != nil {
		// The parser reads from a string: it has no error of its own to
		// report. Keep the text rather than nothing.
		p := ast.NewParagraph()
		p.AppendChild(p, mdnode.Text(fragment))
		parent.AppendChild(parent, p)
		return
	}
	b := &blockCtx{c: c, parent: parent}
	for _, n := range nodes {
		c.block(b, n)
	}
	b.end()
}

// blockCtx collects block nodes into parent, with an open paragraph for
// inline content met at block level.
type blockCtx struct {
	c      *conv
	parent ast.Node
	para   ast.Node
}

func (b *blockCtx) inline() ast.Node {
	if b.para == nil {
		b.para = ast.NewParagraph()
		b.parent.AppendChild(b.parent, b.para)
	}
	return b.para
}

func (b *blockCtx) end() {
	if b.para != nil {
		finishInline(b.para)
		if b.para.ChildCount() == 0 {
			b.parent.RemoveChild(b.parent, b.para)
		}
		b.para = nil
	}
}

func (b *blockCtx) add(n ast.Node) {
	b.end()
	if n != nil {
		b.parent.AppendChild(b.parent, n)
	}
}

func (c *conv) blocks(b *blockCtx, n *html.Node) {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		c.block(b, ch)
	}
}

// subBlocks converts the children of n into the container node parent.
func (c *conv) subBlocks(parent ast.Node, n *html.Node) {
	sb := &blockCtx{c: c, parent: parent}
	c.blocks(sb, n)
	sb.end()
}

func (c *conv) block(b *blockCtx, n *html.Node) {
	switch n.Type {
	case html.TextNode:
		if b.para == nil && isBlank(n.Data) {
			return
		}
		c.inline(b.inline(), n)
		return
	case html.ElementNode:
	default:
		return
	}
	if dropped(n) {
		return
	}
	switch n.DataAtom {
	case atom.Blockquote:
		bq := ast.NewBlockquote()
		c.subBlocks(bq, n)
		if bq.HasChildren() {
			b.add(bq)
		}
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		h := ast.NewHeading(int(n.Data[1] - '0'))
		c.inlines(h, n)
		finishInline(h)
		if h.HasChildren() {
			b.add(h)
		}
	case atom.Summary, atom.Figcaption, atom.Caption, atom.Dt, atom.Legend:
		b.end()
		p := ast.NewParagraph()
		c.inlines(p, n)
		finishInline(p)
		if p.HasChildren() {
			b.add(p)
		}
	case atom.Ul, atom.Ol, atom.Menu:
		b.add(c.list(n))
	case atom.Table:
		c.table(b, n)
	case atom.Pre, atom.Xmp, atom.Listing, atom.Plaintext:
		b.add(c.pre(n))
	case atom.Hr:
		b.add(ast.NewThematicBreak())
	case atom.Br:
		if b.para != nil {
			b.para.AppendChild(b.para, mdnode.LineBreak())
		}
	default:
		if isInline(n) {
			c.inline(b.inline(), n)
			return
		}
		b.end()
		c.blocks(b, n)
		b.end()
	}
}

// dropped reports elements whose content a reader never sees.
func dropped(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Template, atom.Head, atom.Title, atom.Meta,
		atom.Link, atom.Base, atom.Svg, atom.Canvas, atom.Map, atom.Input, atom.Select,
		atom.Textarea, atom.Datalist, atom.Track, atom.Param, atom.Noembed, atom.Noframes,
		atom.Dialog:
		return true
	}
	return false
}

// blockAtoms are the elements that start a block of their own.
var blockAtoms = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true,
	atom.Center: true, atom.Details: true, atom.Dialog: true, atom.Dd: true, atom.Div: true,
	atom.Dl: true, atom.Dt: true, atom.Fieldset: true, atom.Figcaption: true, atom.Figure: true,
	atom.Footer: true, atom.Form: true, atom.H1: true, atom.H2: true, atom.H3: true,
	atom.H4: true, atom.H5: true, atom.H6: true, atom.Header: true, atom.Hgroup: true,
	atom.Hr: true, atom.Li: true, atom.Main: true, atom.Nav: true, atom.Ol: true, atom.P: true,
	atom.Pre: true, atom.Section: true, atom.Summary: true, atom.Table: true, atom.Ul: true,
	atom.Menu: true, atom.Caption: true, atom.Legend: true, atom.Body: true, atom.Html: true,
	atom.Tr: true, atom.Td: true, atom.Th: true, atom.Tbody: true, atom.Thead: true,
	atom.Tfoot: true, atom.Noscript: true, atom.Xmp: true, atom.Listing: true, atom.Plaintext: true,
}

// isInline reports whether n sits in running text: an element that is not
// a block and holds no block.
func isInline(n *html.Node) bool {
	if blockAtoms[n.DataAtom] {
		return false
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type == html.ElementNode && !isInline(ch) {
			return false
		}
	}
	return true
}

func (c *conv) inlines(parent ast.Node, n *html.Node) {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		c.inline(parent, ch)
	}
}

func (c *conv) inline(parent ast.Node, n *html.Node) {
	switch n.Type {
	case html.TextNode:
		c.text(parent, n.Data)
		return
	case html.ElementNode:
	default:
		return
	}
	if dropped(n) {
		return
	}
	switch n.DataAtom {
	case atom.Br:
		parent.AppendChild(parent, mdnode.LineBreak())
	case atom.A:
		href := attr(n, "href")
		if href == "" || hasPrefixFold(strings.TrimSpace(href), "javascript:") {
			c.inlines(parent, n)
			return
		}
		l := mdnode.Link(c.url(href))
		c.inlines(l, n)
		finishInline(l)
		parent.AppendChild(parent, l)
	case atom.Img:
		src := attr(n, "src")
		if src == "" {
			src = attr(n, "data-src")
		}
		if src == "" {
			return
		}
		alt := strings.Join(strings.Fields(attr(n, "alt")), " ")
		if alt == "" {
			alt = strings.Join(strings.Fields(attr(n, "title")), " ")
		}
		parent.AppendChild(parent, mdnode.Image(c.url(src), alt))
	case atom.Video, atom.Audio:
		c.media(parent, n)
	case atom.Source:
		if src := attr(n, "src"); src != "" {
			c.mediaLink(parent, src, attr(n, "title"))
		}
	case atom.Iframe, atom.Embed, atom.Frame:
		if src := attr(n, "src"); src != "" {
			page, label := playerPage(src)
			c.mediaLink(parent, page, or(attr(n, "title"), label))
		}
	case atom.Object:
		if data := attr(n, "data"); data != "" {
			c.mediaLink(parent, data, attr(n, "title"))
			return
		}
		c.inlines(parent, n)
	case atom.Em, atom.I, atom.Cite, atom.Dfn, atom.Var:
		c.wrap(parent, n, ast.NewEmphasis(1))
	case atom.Strong, atom.B:
		c.wrap(parent, n, ast.NewEmphasis(2))
	case atom.Del, atom.S, atom.Strike:
		c.wrap(parent, n, east.NewStrikethrough())
	case atom.Code, atom.Kbd, atom.Samp, atom.Tt:
		if onlyText(n) {
			if t := collapse(textContent(n)); strings.TrimSpace(t) != "" {
				cs := ast.NewCodeSpan()
				cs.AppendChild(cs, mdnode.Code(strings.TrimSpace(t)))
				parent.AppendChild(parent, cs)
			}
			return
		}
		c.inlines(parent, n)
	case atom.Picture:
		// The <img> inside is the picture; its <source>s are other
		// sizes of it.
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			if ch.DataAtom != atom.Source {
				c.inline(parent, ch)
			}
		}
	default:
		if blockAtoms[n.DataAtom] {
			// A block inside running text (a paragraph in a table
			// cell): its text, set off by spaces.
			appendText(parent, " ")
			c.inlines(parent, n)
			appendText(parent, " ")
			return
		}
		c.inlines(parent, n)
	}
}

// wrap converts the content of n into w and appends w to parent, or the
// content alone when w would be empty.
func (c *conv) wrap(parent ast.Node, n *html.Node, w ast.Node) {
	c.inlines(w, n)
	if w.HasChildren() {
		parent.AppendChild(parent, w)
	}
}

// media converts <video> and <audio>: a link to the src, one to each
// source, and the links of the fallback content (its text is meant for
// browsers that cannot play media, not for readers).
func (c *conv) media(parent ast.Node, n *html.Node) {
	title := attr(n, "title")
	if src := attr(n, "src"); src != "" {
		c.mediaLink(parent, src, title)
	}
	var walk func(*html.Node)
	walk = func(m *html.Node) {
		for ch := m.FirstChild; ch != nil; ch = ch.NextSibling {
			if ch.Type != html.ElementNode {
				continue
			}
			switch ch.DataAtom {
			case atom.Source:
				if src := attr(ch, "src"); src != "" {
					c.mediaLink(parent, src, title)
				}
			case atom.A, atom.Img:
				appendText(parent, " ")
				c.inline(parent, ch)
			default:
				walk(ch)
			}
		}
	}
	walk(n)
}

// mediaLink appends a link to media at src, labelled with title or the
// file name, set off from what comes before it.
func (c *conv) mediaLink(parent ast.Node, src, title string) {
	src = c.url(src)
	label := strings.Join(strings.Fields(title), " ")
	if label == "" {
		label = fileName(src)
	}
	if last := parent.LastChild(); last != nil {
		appendText(parent, " ")
	}
	l := mdnode.Link(src)
	if label != "" {
		l.AppendChild(l, mdnode.Text(label))
	}
	parent.AppendChild(parent, l)
}

// fileName is the last path element of a URL, without query or fragment.
func fileName(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	u = strings.TrimRight(u, "/")
	if u == "" || strings.HasSuffix(u, ":") {
		return ""
	}
	b := path.Base(u)
	if strings.Contains(b, ":") {
		return ""
	}
	return b
}

// playerPage maps the address of an embedded video player to the page of
// the video, which every client can open, and a label for it.
func playerPage(src string) (page, label string) {
	s := strings.TrimSpace(src)
	rest := s
	for _, p := range []string{"https:", "http:"} {
		if hasPrefixFold(rest, p) {
			rest = rest[len(p):]
			break
		}
	}
	rest = strings.TrimPrefix(rest, "//")
	host, p, _ := strings.Cut(rest, "/")
	host = strings.TrimPrefix(strings.ToLower(host), "www.")
	id := p
	if i := strings.IndexAny(id, "?#"); i >= 0 {
		id = id[:i]
	}
	switch host {
	case "youtube.com", "youtube-nocookie.com":
		if v, ok := strings.CutPrefix(id, "embed/"); ok && v != "" && !strings.Contains(v, "/") {
			return "https://www.youtube.com/watch?v=" + v, "Video on YouTube"
		}
	case "player.vimeo.com":
		if v, ok := strings.CutPrefix(id, "video/"); ok && v != "" && !strings.Contains(v, "/") {
			return "https://vimeo.com/" + v, "Video on Vimeo"
		}
	}
	return s, ""
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// list converts <ul>, <ol> and <menu> to a tight list.
func (c *conv) list(n *html.Node) ast.Node {
	var l *ast.List
	if n.DataAtom == atom.Ol {
		l = ast.NewList('.')
		l.Start = 1
		if s, err := strconv.Atoi(strings.TrimSpace(attr(n, "start"))); err == nil && s >= 0 && s < 1e9 {
			l.Start = s
		}
	} else {
		l = ast.NewList('-')
	}
	l.IsTight = true
	var last ast.Node
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		switch {
		case ch.Type == html.ElementNode && ch.DataAtom == atom.Li:
			item := ast.NewListItem(2)
			c.subBlocks(item, ch)
			l.AppendChild(l, item)
			last = item
		case ch.Type == html.TextNode && isBlank(ch.Data):
		case ch.Type == html.ElementNode || ch.Type == html.TextNode:
			// Not an item (a list nested straight in a list): it
			// belongs to the item before, or to one of its own.
			if last == nil {
				last = ast.NewListItem(2)
				l.AppendChild(l, last)
			}
			sb := &blockCtx{c: c, parent: last}
			c.block(sb, ch)
			sb.end()
		}
	}
	if !l.HasChildren() {
		return nil
	}
	return l
}

// table converts a <table>: its caption as a paragraph, then its rows.
func (c *conv) table(b *blockCtx, n *html.Node) {
	type row struct {
		cells  []*html.Node
		header bool
	}
	var rows []row
	var addRows func(m *html.Node, head bool)
	addRows = func(m *html.Node, head bool) {
		for ch := m.FirstChild; ch != nil; ch = ch.NextSibling {
			if ch.Type != html.ElementNode {
				continue
			}
			switch ch.DataAtom {
			case atom.Caption:
				c.block(b, ch)
			case atom.Thead:
				addRows(ch, true)
			case atom.Tbody, atom.Tfoot:
				addRows(ch, false)
			case atom.Tr:
				r := row{header: head}
				allTH := true
				for cell := ch.FirstChild; cell != nil; cell = cell.NextSibling {
					if cell.Type == html.ElementNode && (cell.DataAtom == atom.Td || cell.DataAtom == atom.Th) {
						r.cells = append(r.cells, cell)
						allTH = allTH && cell.DataAtom == atom.Th
					}
				}
				if len(r.cells) > 0 {
					r.header = r.header || allTH
					rows = append(rows, r)
				}
			}
		}
	}
	addRows(n, false)
	cols := 0
	for _, r := range rows {
		cols = max(cols, len(r.cells))
	}
	if cols == 0 {
		return
	}
	aligns := make([]east.Alignment, cols)
	for j, cell := range rows[0].cells {
		aligns[j] = alignment(cell)
	}
	t := east.NewTable()
	t.Alignments = aligns
	for i, r := range rows {
		tr := east.NewTableRow(aligns)
		for j := range cols {
			tc := east.NewTableCell()
			tc.Alignment = aligns[j]
			if j < len(r.cells) {
				c.inlines(tc, r.cells[j])
				finishInline(tc)
			}
			tr.AppendChild(tr, tc)
		}
		if i == 0 && r.header && len(rows) > 1 {
			t.AppendChild(t, east.NewTableHeader(tr))
		} else {
			t.AppendChild(t, tr)
		}
	}
	b.add(t)
}

// alignment reads a cell's align attribute or text-align style.
func alignment(cell *html.Node) east.Alignment {
	a := strings.ToLower(strings.TrimSpace(attr(cell, "align")))
	if a == "" {
		style := strings.ToLower(attr(cell, "style"))
		if _, v, ok := strings.Cut(style, "text-align"); ok {
			v = strings.TrimLeft(v, " :")
			a, _, _ = strings.Cut(v, ";")
			a = strings.TrimSpace(a)
		}
	}
	switch a {
	case "left":
		return east.AlignLeft
	case "right":
		return east.AlignRight
	case "center":
		return east.AlignCenter
	}
	return east.AlignNone
}

// pre converts a preformatted element: its text as it is, <br> a line
// end, tags dropped.
func (c *conv) pre(n *html.Node) ast.Node {
	var sb strings.Builder
	var walk func(*html.Node)
	walk = func(m *html.Node) {
		for ch := m.FirstChild; ch != nil; ch = ch.NextSibling {
			switch {
			case ch.Type == html.TextNode:
				sb.WriteString(ch.Data)
			case ch.Type != html.ElementNode || dropped(ch):
			case ch.DataAtom == atom.Br:
				sb.WriteByte('\n')
			default:
				walk(ch)
			}
		}
	}
	walk(n)
	body := strings.TrimPrefix(sb.String(), "\n")
	if strings.TrimSpace(body) == "" {
		return nil
	}
	return mdnode.NewPre(language(n), strings.TrimRight(body, " \t\r\n"))
}

// language finds the language of a <pre> in its attributes or those of
// the <code> inside it.
func language(n *html.Node) string {
	for m := n; m != nil; m = m.FirstChild {
		if m.Type != html.ElementNode {
			break
		}
		if l := attr(m, "data-lang"); l != "" {
			return l
		}
		for _, cl := range strings.Fields(attr(m, "class")) {
			for _, p := range []string{"language-", "lang-"} {
				if l, ok := strings.CutPrefix(cl, p); ok && l != "" {
					return l
				}
			}
		}
	}
	return ""
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return a.Val
		}
	}
	return ""
}

func onlyText(n *html.Node) bool {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type != html.TextNode {
			return false
		}
	}
	return true
}

func textContent(n *html.Node) string {
	var sb strings.Builder
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type == html.TextNode {
			sb.WriteString(ch.Data)
		}
	}
	return sb.String()
}

func isBlank(s string) bool { return strings.TrimLeft(s, " \t\r\n\f") == "" }

// collapse turns every run of HTML white space in s into one space.
func collapse(s string) string {
	if !strings.ContainsAny(s, "\t\r\n\f") && !strings.Contains(s, "  ") {
		return s
	}
	var sb strings.Builder
	space := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '\t', '\r', '\n', '\f':
			if !space {
				sb.WriteByte(' ')
			}
			space = true
		default:
			sb.WriteByte(c)
			space = false
		}
	}
	return sb.String()
}

// appendText appends text to parent with white space collapsed, never
// starting with a space where the text before ends with one or a line.
func appendText(parent ast.Node, s string) {
	s = collapse(s)
	if s == "" {
		return
	}
	if s[0] == ' ' && endsInSpace(parent) {
		s = s[1:]
		if s == "" {
			return
		}
	}
	parent.AppendChild(parent, mdnode.Text(s))
}

// endsInSpace reports whether the inline content of parent so far ends in
// white space or a line break, or is empty.
func endsInSpace(parent ast.Node) bool {
	last := parent.LastChild()
	if last == nil {
		return true
	}
	switch t := last.(type) {
	case *ast.String:
		return len(t.Value) == 0 || t.Value[len(t.Value)-1] == ' '
	case *ast.Text:
		return t.HardLineBreak() && t.Segment.Len() == 0
	}
	return false
}

// finishInline trims white space at the ends of the inline content of n,
// and line breaks at its end.
func finishInline(n ast.Node) {
	for {
		f, ok := n.FirstChild().(*ast.String)
		if !ok {
			break
		}
		f.Value = []byte(strings.TrimLeft(string(f.Value), " "))
		if len(f.Value) > 0 {
			break
		}
		n.RemoveChild(n, f)
	}
	for {
		switch l := n.LastChild().(type) {
		case *ast.String:
			l.Value = []byte(strings.TrimRight(string(l.Value), " "))
			if len(l.Value) > 0 {
				return
			}
			n.RemoveChild(n, l)
		case *ast.Text:
			if l.HardLineBreak() && l.Segment.Len() == 0 {
				n.RemoveChild(n, l)
				continue
			}
			return
		default:
			return
		}
	}
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
