package gemtext

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/util"

	"github.com/gmkit/gmkit/build/mdnode"
)

// link is one "=>" line waiting to be written.
type link struct {
	url, label string
}

// bullet is the prefix the next text line of a list item or footnote starts
// with: prefix is "* " plus nesting markers for list items ("" for
// footnotes), tag is the item number ("1.") or footnote mark ("[1]").
type bullet struct {
	prefix string
	tag    string
}

// state is everything one Render call needs; it is never shared.
type state struct {
	r   *NodeRenderer
	cfg *config
	w   util.BufWriter
	src []byte

	started bool // a line has been written
	blank   bool // a blank line is due before the next line
	blankQ  int  // quote depth the due blank line sits in
	lastQ   int  // quote depth of the last line written

	quote     int  // blockquote depth
	listDepth int  // list depth
	quoteList int  // list depth where the innermost quote started
	nest      int  // container depth (quotes, list items, footnotes)
	tight     bool // inside a tight list item: no blank lines between blocks

	bul       bullet
	hasBullet bool

	links    []link // pending link lines (paragraph and copy modes)
	endLinks []link // link lines for the end of the page (at-end mode)
	endSeen  map[link]struct{}

	buf       []byte // inline text of the block being rendered
	lbuf      []byte // inline text of a label
	line      []byte // the output line being built
	labelMode bool   // rendering a label: no markers, no link collection
	trimNext  bool   // dropped HTML left a space: drop the next text's leading spaces
	inLink    int    // inside a link's label

	prefixes []string // list item prefixes by depth
}

func newState(r *NodeRenderer, w util.BufWriter, src []byte) *state {
	return &state{r: r, cfg: r.cfg, w: w, src: src}
}

// root renders n and everything below it as a complete piece of gemtext.
func (s *state) root(n ast.Node) {
	if n.Type() == ast.TypeInline {
		s.buf = s.buf[:0]
		s.inline(n)
		s.emitBuf()
	} else {
		s.block(n)
	}
	s.flushLinks()
	s.flushEndLinks()
}

// ---- output lines ----

// sep asks for a blank line before the next line. Blank lines are never
// written twice in a row, nor first or last.
func (s *state) sep() {
	if s.tight {
		return
	}
	if !s.blank {
		s.blank = true
		s.blankQ = s.quote
	} else if s.quote < s.blankQ {
		s.blankQ = s.quote
	}
}

// writeLine writes l as a line that sits in q levels of quotes (q is 0 for
// link lines and preformatted blocks, which cannot be quoted). A due blank
// line is written first, as ">" when both neighbours are quoted, so that a
// quote with several paragraphs stays one quote.
func (s *state) writeLine(l []byte, q int) {
	if s.blank {
		if s.started {
			for i := range min(s.blankQ, q, s.lastQ) {
				if i > 0 {
					_ = s.w.WriteByte(' ')
				}
				_ = s.w.WriteByte('>')
			}
			_ = s.w.WriteByte('\n')
		}
		s.blank = false
	}
	s.writeRaw(l)
	s.lastQ = q
}

// writeRaw writes l and a newline, making sure the line is valid UTF-8 and
// holds no line break of its own.
func (s *state) writeRaw(l []byte) {
	if bytes.IndexByte(l, '\r') >= 0 || bytes.IndexByte(l, '\n') >= 0 {
		l = bytes.Map(func(r rune) rune {
			if r == '\r' || r == '\n' {
				return ' '
			}
			return r
		}, l)
		l = trimRight(l)
	}
	if !utf8.Valid(l) {
		l = bytes.ToValidUTF8(l, []byte("\uFFFD"))
	}
	_, _ = s.w.Write(l)
	_ = s.w.WriteByte('\n')
	s.started = true
}

// textLine writes a text line with the prefixes of the containers it is in:
// quotes, then either the pending list bullet or the indentation of a list
// item's continuation lines. A line that would read as another gemtext line
// type gets a leading space.
func (s *state) textLine(content []byte) {
	l := s.line[:0]
	for range s.quote {
		l = append(l, '>', ' ')
	}
	if s.hasBullet {
		l = append(l, s.bul.prefix...)
		if s.bul.tag != "" {
			l = append(l, s.bul.tag...)
			l = append(l, ' ')
		}
		s.hasBullet = false
	} else {
		// Continuation lines of list items are indented, by the lists
		// inside the innermost quote only: the quote marks come first.
		for range s.listDepth - s.quoteList {
			l = append(l, ' ', ' ')
		}
	}
	if len(l) == 0 && needsEscape(content) {
		l = append(l, ' ')
	}
	l = append(l, content...)
	l = trimRight(l)
	s.line = l
	if len(l) == 0 {
		return
	}
	s.writeLine(l, s.quote)
}

// needsEscape reports whether a text line starting with b would be read as
// a link, heading, list item, quote or preformatting toggle.
func needsEscape(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	switch b[0] {
	case '#', '>':
		return true
	case '=':
		return len(b) > 1 && b[1] == '>'
	case '*':
		return len(b) > 1 && (b[1] == ' ' || b[1] == '\t')
	case '`':
		return bytes.HasPrefix(b, []byte("```"))
	}
	return false
}

// emitBuf writes the inline text in s.buf as text lines, one per hard line
// break.
func (s *state) emitBuf() {
	b := s.buf
	for len(b) > 0 {
		var l []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			l, b = b[:i], b[i+1:]
		} else {
			l, b = b, nil
		}
		l = trimSpace(l)
		if len(l) == 0 {
			continue
		}
		if bytes.IndexByte(l, '\r') >= 0 {
			l = bytes.ReplaceAll(l, []byte{'\r'}, []byte{' '})
		}
		s.textLine(l)
	}
}

// setBullet makes b the prefix of the next text line.
func (s *state) setBullet(b bullet) {
	s.bul = b
	s.hasBullet = true
}

// consumeBullet is called before lines that cannot carry a bullet (link
// lines, preformatted blocks) and at the end of an item: a numbered or
// footnote bullet gets a line of its own, a plain one is dropped.
func (s *state) consumeBullet() {
	if !s.hasBullet {
		return
	}
	if s.bul.tag != "" {
		s.textLine(nil)
	}
	s.hasBullet = false
}

// ---- links ----

// dest turns a link destination as parsed into the address to print, or ""
// when there is none.
func (s *state) dest(raw []byte) string {
	d := string(appendDecoded(nil, raw))
	return s.address(d)
}

// address applies the rewriter to d and makes the result fit a link line.
// A fragment of this page ("#part") has no address: its label stays in the
// text and no link line is written.
func (s *state) address(d string) string {
	if strings.HasPrefix(d, "#") {
		return ""
	}
	if s.cfg.rewrite != nil {
		d = s.cfg.rewrite(d)
	}
	return encodeURL(d)
}

// addLink records a link line for where the link mode puts it.
func (s *state) addLink(url, label string) {
	if url == "" || s.cfg.linkMode == LinkOff {
		return
	}
	l := link{url: url, label: label}
	if s.cfg.linkMode == LinkAtEnd {
		if s.endSeen == nil {
			s.endSeen = map[link]struct{}{}
		}
		if _, ok := s.endSeen[l]; ok {
			return
		}
		s.endSeen[l] = struct{}{}
		s.endLinks = append(s.endLinks, l)
		return
	}
	s.links = append(s.links, l)
}

// writeLink writes one link line now.
func (s *state) writeLink(url, label string) {
	l := append(s.line[:0], '=', '>', ' ')
	l = append(l, url...)
	if label != "" && label != url {
		l = append(l, ' ')
		l = append(l, label...)
	}
	s.line = l
	s.writeLine(l, 0)
}

// flushLinks writes the pending link lines, each distinct one once.
func (s *state) flushLinks() {
	if len(s.links) == 0 {
		return
	}
	var seen map[link]struct{}
	if len(s.links) > 8 {
		seen = make(map[link]struct{}, len(s.links))
	}
outer:
	for i, l := range s.links {
		if seen != nil {
			if _, ok := seen[l]; ok {
				continue
			}
			seen[l] = struct{}{}
		} else {
			for _, p := range s.links[:i] {
				if p == l {
					continue outer
				}
			}
		}
		s.writeLink(l.url, l.label)
	}
	s.links = s.links[:0]
}

// flushEndLinks writes the links collected for the end of the page.
func (s *state) flushEndLinks() {
	if len(s.endLinks) == 0 {
		return
	}
	s.tight = false
	s.sep()
	for _, l := range s.endLinks {
		s.writeLink(l.url, l.label)
	}
	s.endLinks = s.endLinks[:0]
}

// ---- blocks ----

func (s *state) block(n ast.Node) {
	k := int(n.Kind())
	if k < len(s.r.blocks) && s.r.blocks[k] != nil {
		s.r.blocks[k](s, n)
		return
	}
	if n.Type() == ast.TypeInline {
		// Inline content at block level (a footnote's back link when the
		// note does not end in a paragraph).
		s.buf = s.buf[:0]
		s.inline(n)
		s.emitBuf()
		return
	}
	if fc := n.FirstChild(); fc != nil && fc.Type() == ast.TypeInline {
		s.paragraph(n)
		return
	}
	s.children(n)
}

// children renders the blocks below n, separated by blank lines; at the top
// level, link lines of paragraph mode follow each block.
func (s *state) children(n ast.Node) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		s.sep()
		s.block(c)
		if s.nest == 0 && s.cfg.linkMode == LinkParagraph {
			s.flushLinks()
		}
	}
}

func (s *state) skipBlock(ast.Node) {}

func (s *state) document(n ast.Node) {
	s.children(n)
}

func (s *state) paragraph(n ast.Node) {
	if s.cfg.linkMode != LinkOff && s.linkOnly(n) {
		return
	}
	s.buf = s.buf[:0]
	s.inlines(n)
	s.emitBuf()
	if s.cfg.linkMode == LinkCopy {
		s.flushLinks()
	}
}

// linkOnly writes a paragraph made only of links and images (and white
// space, raw HTML tags and the links media tags stand for) as bare link
// lines and reports whether it did.
func (s *state) linkOnly(n ast.Node) bool {
	count := 0
	ok := true
	eachLinkPart(n, func(c ast.Node) {
		switch c := c.(type) {
		case *ast.Text:
			if !util.IsBlank(c.Value(s.src)) {
				ok = false
			}
		case *ast.Link, *ast.Image, *ast.AutoLink:
			count++
		default:
			ok = false
		}
	})
	if !ok || count == 0 {
		return false
	}
	// Link lines still waiting (from earlier items of a list, earlier
	// paragraphs of a quote) come first: link lines keep the order of
	// the text they come from.
	s.flushLinks()
	eachLinkPart(n, func(c ast.Node) {
		var url, label string
		switch c := c.(type) {
		case *ast.Link:
			label = s.label(c)
			url = s.dest(c.Destination)
		case *ast.Image:
			label = s.label(c)
			url = s.dest(c.Destination)
		case *ast.AutoLink:
			label = string(c.Label(s.src))
			url = s.autoLinkURL(c)
		default:
			return
		}
		if url == "" {
			// The rewriter dropped this link: keep its label as text.
			s.textLine(collapseSpace(nil, []byte(label)))
			return
		}
		if s.hasBullet {
			if s.bul.tag != "" {
				label = strings.TrimSpace(s.bul.tag + " " + label)
			}
			s.hasBullet = false
		}
		s.writeLink(url, label)
	})
	return true
}

// eachLinkPart calls f for the inline children of n that count for a
// paragraph of links: those of media tags' links in their place, raw HTML
// tags left out.
func eachLinkPart(n ast.Node, f func(ast.Node)) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c.Kind() {
		case ast.KindRawHTML:
		case mdnode.KindTextOnlySpan:
			eachLinkPart(c, f)
		default:
			f(c)
		}
	}
}

// label renders the inline children of n as a plain one-line label.
func (s *state) label(n ast.Node) string {
	saved, savedMode := s.buf, s.labelMode
	s.buf, s.labelMode = s.lbuf[:0], true
	s.inlines(n)
	out := string(collapseSpace(s.buf[:0], s.buf))
	s.lbuf = s.buf
	s.buf, s.labelMode = saved, savedMode
	return out
}

func (s *state) heading(n ast.Node) {
	s.buf = s.buf[:0]
	s.inlines(n)
	text := collapseSpace(s.buf[:0], s.buf)
	if len(text) > 0 {
		if s.nest > 0 || s.hasBullet {
			s.textLine(text)
		} else {
			level := min(max(n.(*ast.Heading).Level, 1), 3)
			l := append(s.line[:0], "###"[:level]...)
			l = append(l, ' ')
			l = append(l, text...)
			s.line = l
			s.writeLine(l, 0)
		}
	}
	if s.cfg.linkMode == LinkCopy {
		s.flushLinks()
	}
}

func (s *state) thematicBreak(ast.Node) {
	if s.cfg.thematicBreak == "" {
		s.sep()
		return
	}
	s.textLine([]byte(s.cfg.thematicBreak))
}

func (s *state) codeBlock(n ast.Node) {
	alt := ""
	if f, ok := n.(*ast.FencedCodeBlock); ok && f.Info != nil {
		alt = string(collapseSpace(nil, appendDecoded(nil, f.Info.Value(s.src))))
	}
	s.preOpen(alt)
	lines := n.Lines()
	for i := range lines.Len() {
		seg := lines.At(i)
		s.preText(seg.Value(s.src))
	}
	s.preClose()
}

// pre writes a preformatted block that holds its own text.
func (s *state) pre(n ast.Node) {
	p := n.(*mdnode.Pre)
	s.preOpen(p.Info)
	p.EachLine(func(l string) { s.preLine([]byte(l)) })
	s.preClose()
}

// textOnly renders what a raw HTML block means, unless the HTML itself
// is kept (WithKeepHTML).
func (s *state) textOnly(n ast.Node) {
	if !s.cfg.keepHTML {
		s.children(n)
	}
}

func (s *state) htmlBlock(n ast.Node) {
	if !s.cfg.keepHTML {
		return
	}
	h := n.(*ast.HTMLBlock)
	s.preOpen("html")
	lines := h.Lines()
	for i := range lines.Len() {
		seg := lines.At(i)
		s.preText(seg.Value(s.src))
	}
	if h.HasClosure() {
		s.preText(h.ClosureLine.Value(s.src))
	}
	s.preClose()
}

// preOpen starts a preformatted block with alt text alt.
func (s *state) preOpen(alt string) {
	s.consumeBullet()
	l := append(s.line[:0], "```"...)
	l = append(l, alt...)
	s.line = l
	s.writeLine(l, 0)
}

// preText writes source text (one line, or lines split by CR) inside a
// preformatted block.
func (s *state) preText(v []byte) {
	v = bytes.TrimSuffix(v, []byte{'\n'})
	v = bytes.TrimSuffix(v, []byte{'\r'})
	for {
		i := bytes.IndexAny(v, "\r\n")
		if i < 0 {
			s.preLine(v)
			return
		}
		s.preLine(v[:i])
		v = v[i+1:]
	}
}

// preLine writes one line inside a preformatted block: verbatim but for
// trailing white space, with a space before a line that would close the
// block.
func (s *state) preLine(v []byte) {
	v = trimRight(v)
	if bytes.HasPrefix(v, []byte("```")) {
		l := append(s.line[:0], ' ')
		l = append(l, v...)
		s.line = l
		v = l
	}
	s.writeRaw(v)
}

func (s *state) preClose() {
	s.writeRaw([]byte("```"))
	s.lastQ = 0
}

func (s *state) blockquote(n ast.Node) {
	savedList := s.quoteList
	s.quoteList = s.listDepth
	s.quote++
	s.nest++
	s.children(n)
	s.nest--
	s.quote--
	s.quoteList = savedList
}

func (s *state) list(n ast.Node) {
	l := n.(*ast.List)
	savedTight := s.tight
	s.tight = l.IsTight
	num := l.Start
	for item := n.FirstChild(); item != nil; item = item.NextSibling() {
		s.sep()
		s.listItem(item, l, num)
		num++
	}
	s.tight = savedTight
}

// listItemAlone renders a list item given as the root of a Render call.
func (s *state) listItemAlone(n ast.Node) {
	l, ok := n.Parent().(*ast.List)
	if !ok {
		l = ast.NewList('-')
	}
	num := l.Start
	for c := n.PreviousSibling(); c != nil; c = c.PreviousSibling() {
		num++
	}
	s.listItem(n, l, num)
}

func (s *state) listItem(item ast.Node, l *ast.List, num int) {
	s.listDepth++
	b := bullet{prefix: s.listPrefix(s.listDepth)}
	if l.IsOrdered() && s.cfg.orderedNumbers {
		b.tag = strconv.Itoa(num) + "."
	}
	s.setBullet(b)
	s.nest++
	s.children(item)
	s.nest--
	s.consumeBullet()
	s.listDepth--
}

// listPrefix is the start of a list item line at the given depth.
func (s *state) listPrefix(depth int) string {
	for len(s.prefixes) <= depth {
		d := len(s.prefixes)
		p := "* "
		if d > 1 && s.cfg.nestedMarker != "" {
			p += strings.Repeat(s.cfg.nestedMarker+" ", d-1)
		}
		s.prefixes = append(s.prefixes, p)
	}
	return s.prefixes[depth]
}

func (s *state) footnoteList(n ast.Node) {
	compact := true
	for fn := n.FirstChild(); fn != nil; fn = fn.NextSibling() {
		blocks := 0
		for c := fn.FirstChild(); c != nil; c = c.NextSibling() {
			if c.Type() == ast.TypeBlock {
				blocks++
			}
		}
		if blocks > 1 {
			compact = false
		}
	}
	if s.cfg.thematicBreak != "" {
		s.textLine([]byte(s.cfg.thematicBreak))
	}
	s.sep()
	for fn := n.FirstChild(); fn != nil; fn = fn.NextSibling() {
		if !compact {
			s.sep()
		}
		s.block(fn)
		if s.cfg.linkMode == LinkParagraph {
			s.flushLinks()
		}
	}
}

func (s *state) footnote(n ast.Node) {
	f := n.(*east.Footnote)
	s.setBullet(bullet{tag: "[" + strconv.Itoa(f.Index) + "]"})
	s.nest++
	s.children(n)
	s.nest--
	s.consumeBullet()
}
