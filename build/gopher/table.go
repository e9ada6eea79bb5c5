package gopher

import (
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// table draws a GFM table with box-drawing characters, columns sized and
// aligned by display width, never wrapped. Its links follow it as items
// (menu mode) or are numbered in the cells (text mode).
func (s *state) table(n ast.Node) {
	var links inlineBuf
	var rows [][]string
	header := -1
	for r := n.FirstChild(); r != nil; r = r.NextSibling() {
		if r.Kind() == east.KindTableHeader {
			header = len(rows)
		}
		var cells []string
		for c := r.FirstChild(); c != nil; c = c.NextSibling() {
			var b inlineBuf
			s.children(&b, c)
			links.links = append(links.links, b.links...)
			cells = append(cells, cellText(b.sb.String()))
		}
		rows = append(rows, cells)
	}
	var aligns []east.Alignment
	if t, ok := n.(*east.Table); ok {
		aligns = t.Alignments
	}
	cols := len(aligns)
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	if cols == 0 {
		return
	}
	widths := make([]int, cols)
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], textWidth(s.r.cw, c))
		}
	}
	rule := func(left, mid, right string) string {
		var b strings.Builder
		b.WriteString(left)
		for i, w := range widths {
			if i > 0 {
				b.WriteString(mid)
			}
			b.WriteString(strings.Repeat("─", w+2))
		}
		b.WriteString(right)
		return b.String()
	}
	s.emitPre(rule("┌", "┬", "┐"))
	for ri, r := range rows {
		var b strings.Builder
		b.WriteString("│")
		for i, w := range widths {
			c := ""
			if i < len(r) {
				c = r[i]
			}
			a := east.AlignNone
			if i < len(aligns) {
				a = aligns[i]
			}
			pad := w - textWidth(s.r.cw, c)
			left := 0
			switch a {
			case east.AlignRight:
				left = pad
			case east.AlignCenter:
				left = pad / 2
			}
			b.WriteString(" " + strings.Repeat(" ", left) + c + strings.Repeat(" ", pad-left) + " │")
		}
		s.emitPre(b.String())
		if ri == header && ri < len(rows)-1 {
			s.emitPre(rule("├", "┼", "┤"))
		}
	}
	s.emitPre(rule("└", "┴", "┘"))
	if s.r.cfg.mode == ModeMenu {
		items, _ := s.linkItems(links.links)
		s.emitItems(items)
	}
}

// cellText makes a cell's text one line with single spaces.
func cellText(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == hardBreak || r == glue || isBreakSpace(r)
	}), " ")
}

// tableRow renders a row met outside its table as one line of text.
func (s *state) tableRow(n ast.Node) {
	var b inlineBuf
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if c != n.FirstChild() {
			b.write(" | ")
		}
		s.children(&b, c)
	}
	s.flushInlines(&b, false)
}
