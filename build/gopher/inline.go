package gopher

import (
	"bytes"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// inlineBuf collects the flattened text of one block and its links. A
// state keeps one and reuses it for every block (see state.inlines).
type inlineBuf struct {
	text      []byte
	links     []link
	inLink    int  // depth inside a link label or image alt text
	onlyLinks bool // false once text outside a link was written
	started   bool
}

// link is a link found in a block: its label (text[start:end] of the
// block's inlineBuf) and its destination.
type link struct {
	start, end int
	dest       string
}

// reset empties b for the next block, keeping its buffers.
func (b *inlineBuf) reset() {
	b.text = b.text[:0]
	clear(b.links)
	b.links = b.links[:0]
	b.inLink, b.onlyLinks, b.started = 0, false, false
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
	b.text = append(b.text, s...)
}

// writeBytes adds clean text, as write does.
func (b *inlineBuf) writeBytes(v []byte) {
	b.init()
	if b.inLink == 0 && b.onlyLinks && hasNonSpace(v) {
		b.onlyLinks = false
	}
	b.text = append(b.text, v...)
}

// added updates b after text was appended from st on, as write does.
func (b *inlineBuf) added(st int) {
	b.init()
	if b.inLink == 0 && b.onlyLinks && hasNonSpace(b.text[st:]) {
		b.onlyLinks = false
	}
}

// writeClean adds v cleaned as clean does, as write does.
func (b *inlineBuf) writeClean(v []byte) {
	st := len(b.text)
	b.text = appendCleaned(b.text, v)
	b.added(st)
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
	b.text = append(b.text, c)
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
		b.writeClean(v)
	} else {
		st := len(b.text)
		b.text = appendUnescaped(b.text, v)
		if !isClean(b.text[st:]) {
			c := clean(string(b.text[st:]), false)
			b.text = append(b.text[:st], c...)
		}
		b.added(st)
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
			b.writeClean(t.Segment.Value(s.src))
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
	start := len(b.text)
	b.inLink++
	s.children(b, n)
	b.inLink--
	s.addLink(b, start, len(b.text), unescape(l.Destination), false)
}

func (s *state) image(b *inlineBuf, n ast.Node) {
	img, ok := n.(*ast.Image)
	if !ok {
		s.children(b, n)
		return
	}
	b.init()
	start := len(b.text)
	b.inLink++
	s.children(b, n)
	b.inLink--
	if b.inLink > 0 {
		return // an image inside a link: its alt text is the link's label
	}
	dest := unescape(img.Destination)
	if !hasNonSpace(b.text[start:]) {
		start = len(b.text)
		b.inLink++
		b.write(clean(path.Base(strings.TrimRight(dest, "/")), false))
		b.inLink--
	}
	s.addLink(b, start, len(b.text), dest, false)
}

func (s *state) autoLink(b *inlineBuf, n ast.Node) {
	a, ok := n.(*ast.AutoLink)
	if !ok {
		return
	}
	start := len(b.text)
	b.inLink++
	b.writeClean(a.Label(s.src))
	b.inLink--
	u := string(a.URL(s.src))
	if a.AutoLinkType == ast.AutoLinkEmail && urlScheme(u) == "" {
		u = "mailto:" + u
	}
	s.addLink(b, start, len(b.text), u, true)
}

// addLink records a link of the block whose label is b.text[start:end]. In
// text mode it also numbers the link's address and writes the number after
// the label, unless the label already shows the address.
func (s *state) addLink(b *inlineBuf, start, end int, dest string, auto bool) {
	if b.inLink > 0 {
		return // nested (an autolink in a label cannot happen, but be safe)
	}
	b.links = append(b.links, link{start: start, end: end, dest: dest})
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
	if string(bytes.TrimSpace(b.text[start:end])) == u {
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
	b.text = append(b.text, '[')
	b.text = strconv.AppendInt(b.text, int64(num), 10)
	b.text = append(b.text, ']')
}

func (s *state) rawHTML(b *inlineBuf, n ast.Node) {
	r, ok := n.(*ast.RawHTML)
	if !ok {
		return
	}
	if s.isBreakTag(r) {
		b.writeMarker(hardBreak)
	}
}

// isBreakTag reports whether raw HTML is "<br>" or "<br/>", in any case and
// with any spaces (as unicode.IsSpace says) anywhere.
func (s *state) isBreakTag(r *ast.RawHTML) bool {
	var tag [5]byte
	n := 0
	for i := 0; i < r.Segments.Len(); i++ {
		seg := r.Segments.At(i)
		v := seg.Value(s.src)
		for j := 0; j < len(v); {
			c, size := rune(v[j]), 1
			if c >= utf8.RuneSelf {
				c, size = utf8.DecodeRune(v[j:])
			}
			j += size
			switch {
			case unicode.IsSpace(c):
				continue
			case c >= utf8.RuneSelf || n == len(tag):
				return false // no other character lowers to one of "<br/>"
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			tag[n] = byte(c)
			n++
		}
	}
	t := string(tag[:n])
	return t == "<br>" || t == "<br/>"
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
		b.init()
		b.onlyLinks = b.onlyLinks && b.inLink > 0
		b.text = append(b.text, "[^"...)
		b.text = strconv.AppendInt(b.text, int64(f.Index), 10)
		b.text = append(b.text, ']')
	}
}
