package gemtext

import (
	"bytes"
	"strconv"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// inline appends the text of inline node n to s.buf: hard line breaks as
// '\n', everything else on one line. Link lines are recorded on the way.
func (s *state) inline(n ast.Node) {
	k := int(n.Kind())
	if k < len(s.r.inline) && s.r.inline[k] != nil {
		s.r.inline[k](s, n)
		return
	}
	s.inlines(n)
}

// inlines renders the children of n.
func (s *state) inlines(n ast.Node) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		s.inline(c)
	}
}

func (s *state) skipInline(ast.Node) {}

func (s *state) text(n ast.Node) {
	t := n.(*ast.Text)
	v := t.Value(s.src)
	if s.trimNext {
		s.trimNext = false
		for len(v) > 0 && v[0] == ' ' {
			v = v[1:]
		}
	}
	if t.IsRaw() {
		s.buf = append(s.buf, v...)
	} else {
		s.buf = appendDecoded(s.buf, v)
	}
	switch {
	case t.HardLineBreak():
		s.buf = append(s.buf, '\n')
	case t.SoftLineBreak():
		s.buf = append(s.buf, ' ')
	}
}

func (s *state) str(n ast.Node) {
	t := n.(*ast.String)
	if t.IsCode() || t.IsRaw() {
		s.buf = append(s.buf, t.Value...)
	} else {
		s.buf = appendDecoded(s.buf, t.Value)
	}
}

func (s *state) codeSpan(n ast.Node) {
	start := len(s.buf)
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			s.buf = append(s.buf, c.Value(s.src)...)
		case *ast.String:
			s.buf = append(s.buf, c.Value...)
		default:
			s.inline(c)
		}
	}
	// Line endings inside a code span are spaces.
	for i := start; i < len(s.buf); i++ {
		if s.buf[i] == '\n' || s.buf[i] == '\r' {
			s.buf[i] = ' '
		}
	}
	if !s.cfg.keepMarkers || s.labelMode {
		return
	}
	content := string(s.buf[start:])
	longest, run := 0, 0
	for i := 0; i < len(content); i++ {
		if content[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := bytes.Repeat([]byte{'`'}, longest+1)
	pad := len(content) > 0 && (content[0] == '`' || content[len(content)-1] == '`')
	s.buf = append(s.buf[:start], fence...)
	if pad {
		s.buf = append(s.buf, ' ')
	}
	s.buf = append(s.buf, content...)
	if pad {
		s.buf = append(s.buf, ' ')
	}
	s.buf = append(s.buf, fence...)
}

// markers wraps the rendering of n's children in m when markers are kept.
func (s *state) markers(n ast.Node, m string) {
	keep := s.cfg.keepMarkers && !s.labelMode
	if keep {
		s.buf = append(s.buf, m...)
	}
	s.inlines(n)
	if keep {
		s.buf = append(s.buf, m...)
	}
}

func (s *state) emphasis(n ast.Node) {
	if n.(*ast.Emphasis).Level >= 2 {
		s.markers(n, "**")
	} else {
		s.markers(n, "*")
	}
}

func (s *state) strikethrough(n ast.Node) {
	s.markers(n, "~~")
}

func (s *state) link(n ast.Node) { s.linkLine(n, n.(*ast.Link).Destination) }

// image is a link line to the image, labelled with its alt text; inside a
// link the alt text is part of the link's label instead.
func (s *state) image(n ast.Node) { s.linkLine(n, n.(*ast.Image).Destination) }

// linkLine renders the label of link or image n into the text and, unless
// links are off, queues a link line to dest with that label. Inside another
// link (or while a label is being collected) only the label is rendered.
func (s *state) linkLine(n ast.Node, dest []byte) {
	if s.labelMode || s.inLink > 0 {
		s.inlines(n)
		return
	}
	start := len(s.buf)
	s.inLink++
	s.inlines(n)
	s.inLink--
	if s.cfg.linkMode == LinkOff {
		return
	}
	s.addLink(s.dest(dest), s.labelOf(n, start))
}

// labelOf is the plain label of link or image n whose text was rendered
// into s.buf from start.
func (s *state) labelOf(n ast.Node, start int) string {
	if s.cfg.keepMarkers {
		return s.label(n)
	}
	return string(collapseSpace(nil, s.buf[start:]))
}

// autoLinkURL is the address of an autolink, e-mail addresses with their
// mailto: scheme.
func (s *state) autoLinkURL(a *ast.AutoLink) string {
	u := string(a.URL(s.src))
	if a.AutoLinkType == ast.AutoLinkEmail && !hasPrefixFold(u, "mailto:") {
		u = "mailto:" + u
	}
	return s.address(u)
}

func (s *state) autoLink(n ast.Node) {
	a := n.(*ast.AutoLink)
	label := a.Label(s.src)
	s.buf = append(s.buf, label...)
	if s.labelMode || s.inLink > 0 || s.cfg.linkMode == LinkOff {
		return
	}
	s.addLink(s.autoLinkURL(a), string(collapseSpace(nil, label)))
}

func (s *state) rawHTML(n ast.Node) {
	h := n.(*ast.RawHTML)
	if h.Segments.Len() == 1 {
		seg := h.Segments.At(0)
		if isBreakTag(seg.Value(s.src)) {
			s.buf = append(s.buf, '\n')
			return
		}
	}
	// "a <!-- x --> b" reads "a b", not "a  b".
	s.trimNext = len(s.buf) > 0 && s.buf[len(s.buf)-1] == ' '
}

// isBreakTag reports whether b is <br>, <br/> or <br /> in any case.
func isBreakTag(b []byte) bool {
	if len(b) < 4 || b[0] != '<' || b[len(b)-1] != '>' {
		return false
	}
	b = b[1 : len(b)-1]
	if len(b) < 2 || (b[0] != 'b' && b[0] != 'B') || (b[1] != 'r' && b[1] != 'R') {
		return false
	}
	b = bytes.TrimSuffix(bytes.TrimRight(b[2:], " \t\n"), []byte{'/'})
	return len(bytes.TrimSpace(b)) == 0
}

func (s *state) taskCheckBox(n ast.Node) {
	if n.(*east.TaskCheckBox).IsChecked {
		s.buf = append(s.buf, "[x] "...)
	} else {
		s.buf = append(s.buf, "[ ] "...)
	}
}

func (s *state) footnoteLink(n ast.Node) {
	s.buf = append(s.buf, '[')
	s.buf = strconv.AppendInt(s.buf, int64(n.(*east.FootnoteLink).Index), 10)
	s.buf = append(s.buf, ']')
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && bytes.EqualFold([]byte(s[:len(prefix)]), []byte(prefix))
}
