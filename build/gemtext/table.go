package gemtext

import (
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// tableStyle holds the characters a table is drawn with.
type tableStyle struct {
	h, v           string // horizontal and vertical rules
	tl, tm, tr     string // top corners and tee
	ml, mm, mr, hh string // rule under the header (hh: its horizontal)
	bl, bm, br     string // bottom corners and tee
}

// styleFor returns the box-drawing style, or the ASCII one.
func styleFor(ascii bool) tableStyle {
	if ascii {
		return tableStyle{
			h: "-", v: "|",
			tl: "+", tm: "+", tr: "+",
			ml: "+", mm: "+", mr: "+", hh: "=",
			bl: "+", bm: "+", br: "+",
		}
	}
	return tableStyle{
		h: "─", v: "│",
		tl: "┌", tm: "┬", tr: "┐",
		ml: "├", mm: "┼", mr: "┤", hh: "─",
		bl: "└", bm: "┴", br: "┘",
	}
}

// table draws a GFM table in a preformatted block with alt text "table";
// the links in its cells follow the block.
func (s *state) table(n ast.Node) {
	var rows [][]string
	var aligns []east.Alignment
	header := false
	if t, ok := n.(*east.Table); ok {
		aligns = t.Alignments
	}
	addRow := func(row ast.Node) {
		var cells []string
		for c := row.FirstChild(); c != nil; c = c.NextSibling() {
			s.buf = s.buf[:0]
			s.inlines(c)
			cells = append(cells, string(collapseSpace(s.buf[:0], s.buf)))
			if tc, ok := c.(*east.TableCell); ok && len(rows) == 0 && len(aligns) < len(cells) {
				aligns = append(aligns, tc.Alignment)
			}
		}
		rows = append(rows, cells)
	}
	switch n.Kind() {
	case east.KindTable:
		for r := n.FirstChild(); r != nil; r = r.NextSibling() {
			if r.Kind() == east.KindTableHeader && len(rows) == 0 {
				header = true
			}
			addRow(r)
		}
	case east.KindTableCell:
		s.buf = s.buf[:0]
		s.inlines(n)
		s.emitBuf()
		return
	default:
		addRow(n)
	}
	s.drawTable(rows, aligns, header)
	if s.cfg.linkMode == LinkCopy {
		s.flushLinks()
	}
}

// tableAlone renders a table row or cell given as the root of a Render call.
func (s *state) tableAlone(n ast.Node) {
	s.table(n)
}

func (s *state) drawTable(rows [][]string, aligns []east.Alignment, header bool) {
	st := styleFor(s.cfg.asciiTables)
	cols := 0
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	if cols == 0 {
		return
	}
	widths := make([]int, cols)
	cellWidths := make([][]int, len(rows))
	for i, r := range rows {
		cellWidths[i] = make([]int, len(r))
		for j, c := range r {
			w := s.r.width.StringWidth(c)
			cellWidths[i][j] = w
			widths[j] = max(widths[j], w)
		}
	}
	var b strings.Builder
	rule := func(left, mid, right, h string) {
		b.Reset()
		b.WriteString(left)
		for j, w := range widths {
			if j > 0 {
				b.WriteString(mid)
			}
			b.WriteString(strings.Repeat(h, w+2))
		}
		b.WriteString(right)
		s.preLine([]byte(b.String()))
	}
	s.preOpen("table")
	rule(st.tl, st.tm, st.tr, st.h)
	for i, r := range rows {
		b.Reset()
		b.WriteString(st.v)
		for j := range cols {
			cell, w := "", 0
			if j < len(r) {
				cell, w = r[j], cellWidths[i][j]
			}
			align := east.AlignNone
			if j < len(aligns) {
				align = aligns[j]
			}
			gap := widths[j] - w
			left := 0
			switch align {
			case east.AlignRight:
				left = gap
			case east.AlignCenter:
				left = gap / 2
			}
			b.WriteByte(' ')
			b.WriteString(strings.Repeat(" ", left))
			b.WriteString(cell)
			b.WriteString(strings.Repeat(" ", gap-left))
			b.WriteByte(' ')
			b.WriteString(st.v)
		}
		s.preLine([]byte(b.String()))
		if i == 0 && header && len(rows) > 1 {
			rule(st.ml, st.mm, st.mr, st.hh)
		}
	}
	rule(st.bl, st.bm, st.br, st.h)
	s.preClose()
}
