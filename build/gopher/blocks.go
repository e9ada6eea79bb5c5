package gopher

import (
	"slices"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
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
}

// render renders n and, in text mode, the references collected from it.
func (s *state) render(n ast.Node) {
	if n.Type() == ast.TypeInline {
		var b inlineBuf
		s.inline(&b, n)
		s.flushInlines(&b, true)
	} else {
		s.block(n)
	}
	if len(s.refs) > 0 {
		s.setBlank()
		s.headingText(2, "References")
		s.setBlank()
		for i, u := range s.refs {
			marker := "[" + strconv.Itoa(i+1) + "] "
			s.push(marker, strings.Repeat(" ", len(marker)))
			s.emitText(clean(u, false))
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

// emitText wraps text (with hardBreak and glue markers) at the width.
func (s *state) emitText(text string) {
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
func (s *state) addText(kind lineKind, indent int, a, b string) {
	s.blank()
	if s.record {
		s.lines = append(s.lines, outLine{kind: kind, text: strings.TrimRight(a+b, " "), indent: indent})
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
func (s *state) emitPre(text string) {
	first, _ := s.prefixes()
	s.addText(linePre, 0, first, text)
}

// emitItems adds menu items; info items (addresses that cannot be a
// selector) are written as wrapped text.
func (s *state) emitItems(items []Item) {
	for _, it := range items {
		if it.Type == 'i' {
			s.emitText(it.Display)
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
	var b inlineBuf
	if ls := n.Lines(); ls.Len() > 0 {
		b.sb.Grow(ls.At(ls.Len()-1).Stop - ls.At(0).Start + 16)
	}
	s.children(&b, n)
	s.flushInlines(&b, true)
}

// flushInlines writes what a block's inlines produced: its text, then (in
// menu mode) its links as items. A block made of links only becomes just
// its items when allowOnly is set.
func (s *state) flushInlines(b *inlineBuf, allowOnly bool) {
	if s.r.cfg.mode == ModeMenu && allowOnly && b.onlyLinks && len(b.links) > 0 {
		items, ok := s.linkItems(b.links)
		if ok {
			s.emitItems(items)
			return
		}
	}
	if strings.TrimFunc(b.sb.String(), isBreakSpace) != "" {
		s.emitText(b.sb.String())
	}
	if s.r.cfg.mode == ModeMenu {
		items, _ := s.linkItems(b.links)
		s.emitItems(items)
	}
}

// linkItems maps links to menu items, dropping duplicates and links with
// nowhere to go. A link whose selector would be too long is shown as an info
// line with its address instead (as is one whose selector would hold TAB,
// CR or LF); ok is false if any link was not an item.
func (s *state) linkItems(links []link) (items []Item, ok bool) {
	ok = true
	if len(links) == 0 {
		return nil, true
	}
	for _, l := range links {
		t, st := s.r.cfg.resolveTarget(l.dest, false)
		switch st {
		case linkNone:
			ok = false
			continue
		case linkUnfit:
			ok = false
			items = append(items, Info(clean(l.dest, false)))
			continue
		}
		it := t.item
		it.Display = s.display(l.label, l.dest)
		if !slices.Contains(items, it) {
			items = append(items, it)
		}
	}
	return items, ok
}

// display makes a link label fit for a menu item: one line, clean, no wider
// than the width (cut with an ellipsis).
func (s *state) display(label, dest string) string {
	if plainLabel(label) && len(label) <= s.r.cfg.width {
		return label // printable ASCII, single spaces, none at the ends
	}
	d := strings.Join(strings.FieldsFunc(strings.ReplaceAll(label, string(glue), " "), isBreakSpace), " ")
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
func plainLabel(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
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
	var b inlineBuf
	s.children(&b, n)
	level := 1
	if h, ok := n.(*ast.Heading); ok {
		level = h.Level
	}
	s.headingText(level, b.sb.String())
	if s.r.cfg.mode == ModeMenu {
		items, _ := s.linkItems(b.links)
		s.emitItems(items)
	}
}

// headingText writes a heading in the configured style.
func (s *state) headingText(level int, text string) {
	text = strings.ReplaceAll(text, string(hardBreak), " ")
	if strings.TrimFunc(text, isBreakSpace) == "" {
		return
	}
	if s.r.cfg.headings == HeadingUpper {
		s.emitText(strings.ToUpper(text))
		return
	}
	first, rest := s.prefixes()
	ls := wrap(s.r.cw, text, first, rest, s.r.cfg.width)
	w := 0
	for _, l := range ls {
		w = max(w, textWidth(s.r.cw, l.text[l.indent:]))
		s.addText(lineText, l.indent, l.text, "")
	}
	w = min(w, s.avail())
	ch := "-"
	if level <= 1 {
		ch = "="
	}
	s.emitPre(strings.Repeat(ch, w))
}

func (s *state) thematicBreak(ast.Node) {
	s.emitPre(strings.Repeat("-", s.avail()))
}

// tabStop is the tab width used when expanding tabs in code blocks.
const tabStop = 4

func (s *state) codeBlock(n ast.Node) {
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		l := strings.TrimRight(string(seg.Value(s.src)), "\r\n")
		s.emitPre("    " + s.expandTabs(l))
	}
}

// expandTabs replaces tabs with spaces up to the next tab stop, counting
// display columns, and cleans control characters.
func (s *state) expandTabs(l string) string {
	if !strings.Contains(l, "\t") {
		return clean(l, false)
	}
	var b strings.Builder
	col := 0
	for _, part := range strings.SplitAfter(l, "\t") {
		text, tab := strings.CutSuffix(part, "\t")
		text = clean(text, false)
		b.WriteString(text)
		col += textWidth(s.r.cw, text)
		if tab {
			n := tabStop - col%tabStop
			b.WriteString(strings.Repeat(" ", n))
			col += n
		}
	}
	return b.String()
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
