package gopher

import (
	"bytes"
	"slices"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"

	"github.com/gmkit/gmkit/build/gophermap"
	"github.com/gmkit/gmkit/build/mdnode"
)

// state is everything one Render call accumulates. It is never shared.
type state struct {
	r      *NodeRenderer
	src    []byte
	out    []byte    // the encoded output so far
	nlines int       // lines in out
	record bool      // keep lines as well (for tests)
	lines  []outLine // the lines of out, if record is set
	frames []frame
	wbuf   []byte // scratch line for wrapLines

	// Scratch space reused from block to block and from render to render.
	ib    inlineBuf   // the inlines of the current block (see inlines)
	items []Item      // linkItems' result
	sbuf  []byte      // emitString's copy of its text
	pbuf  []byte      // a preformatted line being built
	hs    headingSink // headingText's line sink
	ts    tableScratch

	blankPending bool
	blankText    string

	refs     []string       // ModeText: reference URLs, numbered from 1
	refIndex map[string]int // URL -> number
}

// frame is one level of nesting (quote, list item, footnote): the prefix of
// its first line and of the lines after, and how many lines existed when
// it began (its first prefix is due while that number is unchanged).
type frame struct {
	first, rest string
	start       int
}

// newState returns a state that also records its lines.
func (r *NodeRenderer) newState(src []byte) *state {
	s := r.newRenderState(src)
	s.record = true
	return s
}

// newRenderState returns the state for one Render call.
func (r *NodeRenderer) newRenderState(src []byte) *state {
	return &state{r: r, src: src, frames: make([]frame, 1, 8), out: make([]byte, 0, 2*len(src)+256)}
}

// reset makes s as newRenderState left it, keeping its buffers.
func (s *state) reset() {
	s.src = nil
	s.out = s.out[:0]
	s.nlines = 0
	s.record, s.lines = false, nil
	s.frames = s.frames[:1]
	s.frames[0] = frame{}
	s.blankPending, s.blankText = false, ""
	clear(s.refs)
	s.refs = s.refs[:0]
	clear(s.refIndex)
	s.ib.reset()
	clear(s.items)
	s.items = s.items[:0]
}

// inlines returns the state's inline buffer, emptied for a new block.
// Blocks that collect inlines (paragraphs, headings, tables, rows) never
// nest, so one buffer serves them all.
func (s *state) inlines() *inlineBuf {
	s.ib.reset()
	return &s.ib
}

// render renders n and, in text mode, the references collected from it.
func (s *state) render(n ast.Node) {
	if n.Type() == ast.TypeInline {
		b := s.inlines()
		s.inline(b, n)
		s.flushInlines(b, true)
	} else {
		s.block(n)
	}
	if len(s.refs) > 0 {
		s.setBlank()
		s.headingText(2, append(s.sbuf[:0], "References"...))
		s.setBlank()
		for i, u := range s.refs {
			marker := "[" + strconv.Itoa(i+1) + "] "
			s.push(marker, strings.Repeat(" ", len(marker)))
			s.emitString(clean(u, false))
			s.pop()
		}
	}
}

func (s *state) block(n ast.Node) {
	if f := blockFor(n.Kind()); f != nil {
		f(s, n)
		return
	}
	if n.FirstChild() != nil && n.FirstChild().Type() == ast.TypeInline {
		s.paragraph(n)
		return
	}
	s.looseChildren(n)
}

func (s *state) skip(ast.Node) {}

// blocks renders the children of n, separated by blank lines unless tight.
func (s *state) blocks(n ast.Node, tight bool) {
	start := s.nlines
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if !tight && s.nlines > start {
			s.setBlank()
		}
		s.block(c)
	}
}

func (s *state) document(n ast.Node)      { s.blocks(n, false) }
func (s *state) looseChildren(n ast.Node) { s.blocks(n, false) }

// --- frames, prefixes and lines

func (s *state) top() *frame { return &s.frames[len(s.frames)-1] }

// prefixes returns the prefix for the next line and for lines after it.
func (s *state) prefixes() (first, rest string) {
	f := s.top()
	if f.start == s.nlines {
		return f.first, f.rest
	}
	return f.rest, f.rest
}

// maxIndent is how wide prefixes may grow before deeper levels stop
// indenting further, so that text always keeps half the width.
func (s *state) maxIndent() int { return s.r.cfg.width / 2 }

// push opens a nesting level whose first line starts with the current
// prefix plus first and whose other lines start with the current rest
// prefix plus rest.
func (s *state) push(first, rest string) {
	cur, curRest := s.prefixes()
	nf, nr := cur+first, curRest+rest
	if textWidth(s.r.cw, nr) > s.maxIndent() {
		nf, nr = first, rest // too deep: start again from the left edge
	}
	s.frames = append(s.frames, frame{first: nf, rest: nr, start: s.nlines})
}

func (s *state) pop() { s.frames = s.frames[:len(s.frames)-1] }

// setBlank asks for a blank line before the next line, if any follows.
func (s *state) setBlank() {
	s.blankPending = true
	s.blankText = strings.TrimRight(s.top().rest, " ")
}

// blank writes the pending blank line, if any, before a new line.
func (s *state) blank() {
	if s.blankPending {
		s.blankPending = false
		if s.nlines > 0 {
			if s.record {
				s.lines = append(s.lines, outLine{kind: lineBlank, text: s.blankText})
			}
			p := s.beginText()
			s.out = append(s.out, s.blankText...)
			s.endTextAt(p)
		}
	}
}

// beginText starts a line of text (an info line in menu mode) and returns
// where its text begins; endTextAt ends it.
func (s *state) beginText() int {
	if s.r.cfg.mode == ModeMenu {
		s.out = append(s.out, 'i')
	}
	return len(s.out)
}

// emitString is emitText for a string.
func (s *state) emitString(text string) {
	s.sbuf = append(s.sbuf[:0], text...)
	s.emitText(s.sbuf)
}

// emitText wraps text (with hardBreak and glue markers) at the width.
func (s *state) emitText(text []byte) {
	first, rest := s.prefixes()
	s.wbuf = wrapLines(s.r.cw, s.wbuf, text, first, rest, s.r.cfg.width, s)
}

// addTextLine adds one line of text.
func (s *state) addTextLine(line []byte, indent int) {
	s.blank()
	if s.record {
		s.lines = append(s.lines, outLine{kind: lineText, text: string(line), indent: indent})
	}
	p := s.beginText()
	s.out = append(s.out, line...)
	s.endTextAt(p)
}

// addText adds one line of text made of a and b.
func (s *state) addText(kind lineKind, indent int, a string, b []byte) {
	s.blank()
	if s.record {
		s.lines = append(s.lines, outLine{kind: kind, text: strings.TrimRight(a+string(b), " "), indent: indent})
	}
	p := s.beginText()
	s.out = append(s.out, a...)
	s.out = append(s.out, b...)
	s.endTextAt(p)
}

// endTextAt cleans the text from p on as cleanLine does and ends the line.
func (s *state) endTextAt(p int) {
	s.out = cleanTail(s.out, p)
	if s.r.cfg.mode == ModeMenu {
		s.out = append(s.out, s.r.infoTail...)
	}
	s.out = append(s.out, '\n')
	s.nlines++
}

// addItem adds a menu item.
func (s *state) addItem(it Item) {
	s.blank()
	if s.record {
		s.lines = append(s.lines, outLine{kind: lineItem, item: it})
	}
	s.out = it.AppendTo(s.out)
	s.out = append(s.out, '\n')
	s.nlines++
}

// emitPre adds one preformatted line after the current prefix.
func (s *state) emitPre(text []byte) {
	first, _ := s.prefixes()
	s.addText(linePre, 0, first, text)
}

// emitItems adds menu items; info items (addresses that cannot be a
// selector) are written as wrapped text.
func (s *state) emitItems(items []Item) {
	for _, it := range items {
		if it.Type == 'i' {
			s.emitString(it.Display)
			continue
		}
		s.addItem(it)
	}
}

// avail is the width left after the current prefix.
func (s *state) avail() int {
	first, _ := s.prefixes()
	if a := s.r.cfg.width - textWidth(s.r.cw, first); a > 0 {
		return a
	}
	return 1
}

// --- block kinds

func (s *state) paragraph(n ast.Node) {
	b := s.inlines()
	s.children(b, n)
	s.flushInlines(b, true)
}

// flushInlines writes what a block's inlines produced: its text, then (in
// menu mode) its links as items. A block made of links only becomes just
// its items when allowOnly is set.
func (s *state) flushInlines(b *inlineBuf, allowOnly bool) {
	if s.r.cfg.mode == ModeMenu && allowOnly && b.onlyLinks && len(b.links) > 0 {
		items, ok := s.linkItems(b)
		if ok {
			s.emitItems(items)
			return
		}
	}
	if hasNonSpace(b.text) {
		s.emitText(b.text)
	}
	if s.r.cfg.mode == ModeMenu {
		items, _ := s.linkItems(b)
		s.emitItems(items)
	}
}

// linkItems maps the links of b to menu items, dropping duplicates and
// links with nowhere to go. A link whose selector would be too long is shown
// as an info line with its address instead (as is one whose selector would
// hold TAB, CR or LF); ok is false if any link was not an item. The items
// are valid until the next call.
func (s *state) linkItems(b *inlineBuf) (items []Item, ok bool) {
	ok = true
	if len(b.links) == 0 {
		return nil, true
	}
	clear(s.items)
	items = s.items[:0]
	defer func() { s.items = items }()
	for _, l := range b.links {
		t, st := s.r.cfg.resolveTarget(l.dest, false)
		switch st {
		case linkNone:
			ok = false
			continue
		case linkUnfit:
			ok = false
			items = append(items, gophermap.Info(clean(l.dest, false)))
			continue
		}
		it := t.item
		it.Display = s.display(b.text[l.start:l.end], l.dest)
		if !slices.Contains(items, it) {
			items = append(items, it)
		}
	}
	return items, ok
}

// display makes a link label fit for a menu item: one line, clean, no wider
// than the width (cut with an ellipsis).
func (s *state) display(label []byte, dest string) string {
	if plainLabel(label) && len(label) <= s.r.cfg.width {
		return string(label) // printable ASCII, single spaces, none at the ends
	}
	s.pbuf = appendWords(s.pbuf[:0], label)
	d := string(s.pbuf)
	if d == "" {
		d = clean(dest, false)
	}
	if textWidth(s.r.cw, d) > s.r.cfg.width {
		d = s.r.cw.Truncate(d, s.r.cfg.width, "…")
	}
	return d
}

// plainLabel reports whether s is printable ASCII with no space at either
// end and no two spaces in a row: a label display leaves as it is.
func plainLabel(s []byte) bool {
	if len(s) == 0 || s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == ' ' && s[i+1] == ' ' {
			return false
		}
	}
	return true
}

func (s *state) heading(n ast.Node) {
	b := s.inlines()
	s.children(b, n)
	level := 1
	if h, ok := n.(*ast.Heading); ok {
		level = h.Level
	}
	s.headingText(level, b.text)
	if s.r.cfg.mode == ModeMenu {
		items, _ := s.linkItems(b)
		s.emitItems(items)
	}
}

// headingText writes a heading in the configured style. It may change
// text.
func (s *state) headingText(level int, text []byte) {
	for i, c := range text {
		if c == hardBreak {
			text[i] = ' '
		}
	}
	if !hasNonSpace(text) {
		return
	}
	if s.r.cfg.headings == HeadingUpper {
		s.emitText(bytes.ToUpper(text))
		return
	}
	first, rest := s.prefixes()
	s.hs = headingSink{s: s}
	s.wbuf = wrapLines(s.r.cw, s.wbuf, text, first, rest, s.r.cfg.width, &s.hs)
	w := min(s.hs.width, s.avail())
	ch := byte('-')
	if level <= 1 {
		ch = '='
	}
	s.emitRule(ch, w)
}

// headingSink adds the lines of a heading as text and measures the widest.
type headingSink struct {
	s     *state
	width int
}

func (h *headingSink) addTextLine(line []byte, indent int) {
	h.width = max(h.width, textWidthBytes(h.s.r.cw, line[indent:]))
	h.s.addTextLine(line, indent)
}

// emitRule adds a preformatted line of n times c.
func (s *state) emitRule(c byte, n int) {
	s.pbuf = s.pbuf[:0]
	for range n {
		s.pbuf = append(s.pbuf, c)
	}
	s.emitPre(s.pbuf)
}

func (s *state) thematicBreak(ast.Node) {
	s.emitRule('-', s.avail())
}

// tabStop is the tab width used when expanding tabs in code blocks.
const tabStop = 4

func (s *state) codeBlock(n ast.Node) {
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		l := bytes.TrimRight(seg.Value(s.src), "\r\n")
		s.pbuf = s.appendExpandTabs(append(s.pbuf[:0], "    "...), l)
		s.emitPre(s.pbuf)
	}
}

// pre renders a preformatted block that holds its own text as a code
// block is rendered.
func (s *state) pre(n ast.Node) {
	p, ok := n.(*mdnode.Pre)
	if !ok {
		return
	}
	p.EachLine(func(l string) {
		s.sbuf = append(s.sbuf[:0], l...)
		s.pbuf = s.appendExpandTabs(append(s.pbuf[:0], "    "...), s.sbuf)
		s.emitPre(s.pbuf)
	})
}

// appendExpandTabs appends l to b with tabs replaced by spaces up to the
// next tab stop, counting display columns, and control characters cleaned.
func (s *state) appendExpandTabs(b, l []byte) []byte {
	col := 0
	for {
		part, rest, tab := bytes.Cut(l, []byte{'\t'})
		st := len(b)
		b = appendCleaned(b, part)
		if !tab {
			return b
		}
		col += textWidthBytes(s.r.cw, b[st:])
		n := tabStop - col%tabStop
		for range n {
			b = append(b, ' ')
		}
		col += n
		l = rest
	}
}

func (s *state) blockquote(n ast.Node) {
	s.push("> ", "> ")
	s.blocks(n, false)
	s.pop()
}

func (s *state) list(n ast.Node) {
	l, ok := n.(*ast.List)
	if !ok {
		s.blocks(n, false)
		return
	}
	tight := l.IsTight
	num, digits, delim := 0, 0, string(l.Marker)
	if l.IsOrdered() {
		num = l.Start
		last := num + l.ChildCount() - 1
		digits = len(strconv.Itoa(max(num, last)))
	}
	start := s.nlines
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if !tight && s.nlines > start {
			s.setBlank()
		}
		marker := "* "
		if l.IsOrdered() {
			ns := strconv.Itoa(num)
			marker = strings.Repeat(" ", max(0, digits-len(ns))) + ns + delim + " "
			num++
		}
		s.push(marker, strings.Repeat(" ", len(marker)))
		s.blocks(c, tight)
		s.pop()
	}
}

func (s *state) footnote(n ast.Node) {
	idx := 0
	if f, ok := n.(*east.Footnote); ok {
		idx = f.Index
	}
	marker := "[^" + strconv.Itoa(idx) + "] "
	s.push(marker, strings.Repeat(" ", len(marker)))
	s.blocks(n, false)
	s.pop()
}
