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
	lines  []outLine
	frames []frame

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

func (r *NodeRenderer) newState(src []byte) *state {
	return &state{r: r, src: src, frames: make([]frame, 1, 8), lines: make([]outLine, 0, 64)}
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
	if f := s.r.blocks[n.Kind()]; f != nil {
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
	start := len(s.lines)
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if !tight && len(s.lines) > start {
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
	if f.start == len(s.lines) {
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
	s.frames = append(s.frames, frame{first: nf, rest: nr, start: len(s.lines)})
}

func (s *state) pop() { s.frames = s.frames[:len(s.frames)-1] }

// setBlank asks for a blank line before the next line, if any follows.
func (s *state) setBlank() {
	s.blankPending = true
	s.blankText = strings.TrimRight(s.top().rest, " ")
}

func (s *state) add(l outLine) {
	if s.blankPending {
		s.blankPending = false
		if len(s.lines) > 0 {
			s.lines = append(s.lines, outLine{kind: lineBlank, text: s.blankText})
		}
	}
	s.lines = append(s.lines, l)
}

// emitText wraps text (with hardBreak and glue markers) at the width.
func (s *state) emitText(text string) {
	first, rest := s.prefixes()
	for _, w := range wrap(s.r.cw, text, first, rest, s.r.cfg.width) {
		s.add(outLine{kind: lineText, text: w.text, indent: w.indent})
	}
}

// emitPre adds one preformatted line after the current prefix.
func (s *state) emitPre(text string) {
	first, _ := s.prefixes()
	s.add(outLine{kind: linePre, text: strings.TrimRight(first+text, " ")})
}

// emitItems adds menu items; info items (addresses that cannot be a
// selector) are written as wrapped text.
func (s *state) emitItems(items []Item) {
	for _, it := range items {
		if it.Type == 'i' {
			s.emitText(it.Display)
			continue
		}
		s.add(outLine{kind: lineItem, item: it})
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
		t, st := s.r.cfg.resolve(l.dest)
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
	d := strings.Join(strings.FieldsFunc(strings.ReplaceAll(label, string(glue), " "), isBreakSpace), " ")
	if d == "" {
		d = clean(dest, false)
	}
	if textWidth(s.r.cw, d) > s.r.cfg.width {
		d = s.r.cw.Truncate(d, s.r.cfg.width, "…")
	}
	return d
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
		s.add(outLine{kind: lineText, text: l.text, indent: l.indent})
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
	start := len(s.lines)
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if !tight && len(s.lines) > start {
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
