package gopher

import (
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// span is a range of bytes in a buffer.
type span struct{ start, end int }

// tableScratch is what table reuses from table to table.
type tableScratch struct {
	text    []byte // the cells' text, one line each, single spaces
	cells   []span // each cell's text, row after row
	rowEnds []int  // the end of each row in cells
	widths  []int  // each column's width
}

// table draws a GFM table with box-drawing characters, columns sized and
// aligned by display width, never wrapped. Its links follow it as items
// (menu mode) or are numbered in the cells (text mode).
func (s *state) table(n ast.Node) {
	b := s.inlines() // every cell's inlines, so that link labels stay valid
	ts := &s.ts
	ts.text, ts.cells, ts.rowEnds = ts.text[:0], ts.cells[:0], ts.rowEnds[:0]
	header := -1
	for r := n.FirstChild(); r != nil; r = r.NextSibling() {
		if r.Kind() == east.KindTableHeader {
			header = len(ts.rowEnds)
		}
		for c := r.FirstChild(); c != nil; c = c.NextSibling() {
			st := len(b.text)
			s.children(b, c)
			cst := len(ts.text)
			ts.text = appendWords(ts.text, b.text[st:])
			ts.cells = append(ts.cells, span{cst, len(ts.text)})
		}
		ts.rowEnds = append(ts.rowEnds, len(ts.cells))
	}
	var aligns []east.Alignment
	if t, ok := n.(*east.Table); ok {
		aligns = t.Alignments
	}
	cols := len(aligns)
	prev := 0
	for _, end := range ts.rowEnds {
		cols = max(cols, end-prev)
		prev = end
	}
	if cols == 0 {
		return
	}
	ts.widths = append(ts.widths[:0], make([]int, cols)...)
	prev = 0
	for _, end := range ts.rowEnds {
		for i, c := range ts.cells[prev:end] {
			ts.widths[i] = max(ts.widths[i], textWidthBytes(s.r.cw, ts.text[c.start:c.end]))
		}
		prev = end
	}
	s.tableRule("┌", "┬", "┐")
	prev = 0
	for ri, end := range ts.rowEnds {
		row := ts.cells[prev:end]
		prev = end
		p := append(s.pbuf[:0], "│"...)
		for i, w := range ts.widths {
			var c []byte
			if i < len(row) {
				c = ts.text[row[i].start:row[i].end]
			}
			a := east.AlignNone
			if i < len(aligns) {
				a = aligns[i]
			}
			pad := w - textWidthBytes(s.r.cw, c)
			left := 0
			switch a {
			case east.AlignRight:
				left = pad
			case east.AlignCenter:
				left = pad / 2
			}
			p = appendSpaces(p, 1+left)
			p = append(p, c...)
			p = appendSpaces(p, pad-left+1)
			p = append(p, "│"...)
		}
		s.pbuf = p
		s.emitPre(p)
		if ri == header && ri < len(ts.rowEnds)-1 {
			s.tableRule("├", "┼", "┤")
		}
	}
	s.tableRule("└", "┴", "┘")
	if s.r.cfg.mode == ModeMenu {
		items, _ := s.linkItems(b)
		s.emitItems(items)
	}
}

// tableRule adds a horizontal rule of the table whose column widths are in
// s.ts.widths.
func (s *state) tableRule(left, mid, right string) {
	p := append(s.pbuf[:0], left...)
	for i, w := range s.ts.widths {
		if i > 0 {
			p = append(p, mid...)
		}
		for range w + 2 {
			p = append(p, "─"...)
		}
	}
	p = append(p, right...)
	s.pbuf = p
	s.emitPre(p)
}

func appendSpaces(b []byte, n int) []byte {
	for range n {
		b = append(b, ' ')
	}
	return b
}

// tableRow renders a row met outside its table as one line of text.
func (s *state) tableRow(n ast.Node) {
	b := s.inlines()
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if c != n.FirstChild() {
			b.write(" | ")
		}
		s.children(b, c)
	}
	s.flushInlines(b, false)
}
