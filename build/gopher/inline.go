package gopher

import (
	"bytes"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// inlineBuf collects the flattened text of one block and its links.
type inlineBuf struct {
	sb        strings.Builder
	links     []link
	inLink    int  // depth inside a link label or image alt text
	onlyLinks bool // false once text outside a link was written
	started   bool
}

// link is a link found in a block: its label as text and its destination.
type link struct {
	label, dest string
}

func (b *inlineBuf) init() {
	if !b.started {
		b.started = true
		b.onlyLinks = true
	}
}

// write adds clean text; outside a link, non-space text ends "only links".
func (b *inlineBuf) write(s string) {
	b.init()
	if b.inLink == 0 && strings.TrimFunc(s, isBreakSpace) != "" {
		b.onlyLinks = false
	}
	b.sb.WriteString(s)
}

// writeBytes adds clean text, as write does.
func (b *inlineBuf) writeBytes(v []byte) {
	b.init()
	if b.inLink == 0 && b.onlyLinks && hasNonSpace(v) {
		b.onlyLinks = false
	}
	b.sb.Write(v)
}

// hasNonSpace reports whether v holds anything but break spaces.
func hasNonSpace(v []byte) bool {
	for i := 0; i < len(v); {
		if c := v[i]; c < utf8.RuneSelf {
			if c != ' ' && (c < '\t' || c > '\r') {
				return true
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(v[i:])
		if !isBreakSpace(r) {
			return true
		}
		i += n
	}
	return false
}

// isClean reports whether clean would leave v as it is.
func isClean(v []byte) bool {
	ascii := true
	for _, c := range v {
		if c < 0x20 || c == 0x7f || c == 0xc2 {
			return false
		}
		if c >= 0x80 {
			ascii = false
		}
	}
	return ascii || utf8.Valid(v)
}

func (b *inlineBuf) writeMarker(c byte) {
	b.init()
	b.sb.WriteByte(c)
}

func (s *state) inline(b *inlineBuf, n ast.Node) {
	if f := inlineFor(n.Kind()); f != nil {
		f(s, b, n)
		return
	}
	s.children(b, n)
}

// children renders the inline children of n into b.
func (s *state) children(b *inlineBuf, n ast.Node) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if c.Type() == ast.TypeInline {
			s.inline(b, c)
		} else {
			// A block inside an inline context (table cells, odd trees):
			// take its text.
			s.children(b, c)
		}
	}
}

func (s *state) skipInline(*inlineBuf, ast.Node) {}

func (s *state) text(b *inlineBuf, n ast.Node) {
	t, ok := n.(*ast.Text)
	if !ok {
		return
	}
	v := t.Segment.Value(s.src)
	if isClean(v) && (t.IsRaw() || bytes.IndexByte(v, '\\') < 0 && bytes.IndexByte(v, '&') < 0) {
		b.writeBytes(v) // nothing to unescape or clean
	} else if t.IsRaw() {
		b.write(clean(string(v), false))
	} else {
		b.write(clean(unescape(v), false))
	}
	switch {
	case t.HardLineBreak():
		b.writeMarker(hardBreak)
	case t.SoftLineBreak():
		b.write(" ")
	}
}

func (s *state) str(b *inlineBuf, n ast.Node) {
	t, ok := n.(*ast.String)
	if !ok {
		return
	}
	if t.IsRaw() || t.IsCode() {
		b.write(clean(string(t.Value), false))
	} else {
		b.write(clean(unescape(t.Value), false))
	}
}

func (s *state) codeSpan(b *inlineBuf, n ast.Node) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch t := c.(type) {
		case *ast.Text:
			b.write(clean(string(t.Segment.Value(s.src)), false))
		case *ast.String:
			b.write(clean(string(t.Value), false))
		}
	}
}

func (s *state) link(b *inlineBuf, n ast.Node) {
	l, ok := n.(*ast.Link)
	if !ok {
		s.children(b, n)
		return
	}
	b.init()
	start := b.sb.Len()
	b.inLink++
	s.children(b, n)
	b.inLink--
	label := b.sb.String()[start:]
	s.addLink(b, label, unescape(l.Destination), false)
}

func (s *state) image(b *inlineBuf, n ast.Node) {
	img, ok := n.(*ast.Image)
	if !ok {
		s.children(b, n)
		return
	}
	b.init()
	start := b.sb.Len()
	b.inLink++
	s.children(b, n)
	b.inLink--
	if b.inLink > 0 {
		return // an image inside a link: its alt text is the link's label
	}
	dest := unescape(img.Destination)
	alt := b.sb.String()[start:]
	if strings.TrimFunc(alt, isBreakSpace) == "" {
		alt = clean(path.Base(strings.TrimRight(dest, "/")), false)
		b.inLink++
		b.write(alt)
		b.inLink--
	}
	s.addLink(b, alt, dest, false)
}

func (s *state) autoLink(b *inlineBuf, n ast.Node) {
	a, ok := n.(*ast.AutoLink)
	if !ok {
		return
	}
	label := clean(string(a.Label(s.src)), false)
	b.inLink++
	b.write(label)
	b.inLink--
	u := string(a.URL(s.src))
	if a.AutoLinkType == ast.AutoLinkEmail && urlScheme(u) == "" {
		u = "mailto:" + u
	}
	s.addLink(b, label, u, true)
}

// addLink records a link of the block. In text mode it also numbers the
// link's address and writes the number after the label, unless the label
// already shows the address.
func (s *state) addLink(b *inlineBuf, label, dest string, auto bool) {
	if b.inLink > 0 {
		return // nested (an autolink in a label cannot happen, but be safe)
	}
	b.links = append(b.links, link{label: label, dest: dest})
	if s.r.cfg.mode != ModeText || auto {
		return
	}
	t, st := s.r.cfg.resolve(dest)
	if st == linkNone {
		return
	}
	u := t.url
	if st == linkUnfit {
		u = dest
	}
	if strings.TrimSpace(label) == u {
		return
	}
	if s.refIndex == nil {
		s.refIndex = map[string]int{}
	}
	num, ok := s.refIndex[u]
	if !ok {
		s.refs = append(s.refs, u)
		num = len(s.refs)
		s.refIndex[u] = num
	}
	b.writeMarker(glue)
	b.sb.WriteString("[" + strconv.Itoa(num) + "]")
}

func (s *state) rawHTML(b *inlineBuf, n ast.Node) {
	r, ok := n.(*ast.RawHTML)
	if !ok {
		return
	}
	var v []byte
	for i := 0; i < r.Segments.Len(); i++ {
		seg := r.Segments.At(i)
		v = append(v, seg.Value(s.src)...)
	}
	tag := strings.ToLower(strings.Join(strings.Fields(string(v)), ""))
	if tag == "<br>" || tag == "<br/>" {
		b.writeMarker(hardBreak)
	}
}

func (s *state) taskCheckBox(b *inlineBuf, n ast.Node) {
	if c, ok := n.(*east.TaskCheckBox); ok && c.IsChecked {
		b.write("[x] ")
	} else {
		b.write("[ ] ")
	}
}

func (s *state) footnoteLink(b *inlineBuf, n ast.Node) {
	if f, ok := n.(*east.FootnoteLink); ok {
		b.write("[^" + strconv.Itoa(f.Index) + "]")
	}
}
