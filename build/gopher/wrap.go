package gopher

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
)

// Markers inside flattened inline text. Text from the source is cleaned of
// control characters before it is added, so these never come from a page.
const (
	hardBreak = '\n'   // a hard line break
	glue      = '\x00' // a space the wrapper must not break at
)

// newWidth returns the display-width measure used everywhere: narrow
// ambiguous characters, wide CJK and emoji (by grapheme cluster). A
// Condition is only read after this, so it is safe for concurrent use.
func newWidth() *runewidth.Condition {
	return &runewidth.Condition{EastAsianWidth: false, StrictEmojiNeutral: true}
}

// Wrap breaks text into lines of at most width display columns (CJK and
// emoji count two), at spaces and between CJK characters, never inside a
// word that fits on a line of its own; a longer word gets a line to itself.
// Newlines in text are kept as line breaks, runs of spaces collapse, and
// control characters are dropped. Widths below MinWidth count as MinWidth.
// It is meant for text that templates put into menus (descriptions, titles).
func Wrap(text string, width int) []string {
	if width < MinWidth {
		width = MinWidth
	}
	text = clean(strings.ReplaceAll(text, "\r\n", "\n"), true) // LF is hardBreak
	ls := wrap(newWidth(), []byte(text), "", "", width)
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.text
	}
	return out
}

// clean returns s as valid UTF-8 without control characters: NUL becomes
// U+FFFD, TAB (and LF unless keepLF) a space, other C0 and C1 controls and
// DEL are dropped.
func clean(s string, keepLF bool) string {
	ok := utf8.ValidString(s)
	if ok {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c == 0x7f || c == 0xc2 {
				ok = false
				break
			}
		}
		if ok {
			return s
		}
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == 0:
			b.WriteRune(utf8.RuneError)
		case r == '\t':
			b.WriteByte(' ')
		case r == '\n' && keepLF:
			b.WriteByte('\n')
		case r == '\n':
			b.WriteByte(' ')
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
		default:
			b.WriteRune(r) // invalid bytes arrive as RuneError and are written as U+FFFD
		}
	}
	return b.String()
}

// appendCleaned appends v to b as clean(string(v), false) would give it.
func appendCleaned(b, v []byte) []byte {
	if isClean(v) {
		return append(b, v...)
	}
	for i := 0; i < len(v); {
		r, n := rune(v[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRune(v[i:])
		}
		i += n
		switch {
		case r == 0:
			b = utf8.AppendRune(b, utf8.RuneError)
		case r == '\t', r == '\n':
			b = append(b, ' ')
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
		default:
			b = utf8.AppendRune(b, r) // invalid bytes arrive as RuneError and are written as U+FFFD
		}
	}
	return b
}

// appendWords appends the words of v (separated by break spaces and glue)
// to b, one space between them, as
// strings.Join(strings.FieldsFunc(v, isBreakSpace or glue), " ") would.
func appendWords(b, v []byte) []byte {
	first := true
	for i := 0; i < len(v); {
		// Skip separators.
		r, n := rune(v[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRune(v[i:])
		}
		if r == glue || isBreakSpace(r) {
			i += n
			continue
		}
		j := i + n
		for j < len(v) {
			r, n := rune(v[j]), 1
			if r >= utf8.RuneSelf {
				r, n = utf8.DecodeRune(v[j:])
			}
			if r == glue || isBreakSpace(r) {
				break
			}
			j += n
		}
		if !first {
			b = append(b, ' ')
		}
		b = append(b, v[i:j]...)
		first = false
		i = j
	}
	return b
}

// wrapped is one output line of wrap: the full text (prefix included) and
// the byte length of the prefix.
type wrapped struct {
	text   string
	indent int
}

// wrap breaks text (which may hold hardBreak and glue markers) into lines of
// at most width columns, the first starting with first and the others with
// rest. Glue is written as a space. Trailing spaces are trimmed.
func wrap(cw *runewidth.Condition, text []byte, first, rest string, width int) []wrapped {
	var c collector
	wrapLines(cw, nil, text, first, rest, width, &c)
	return c
}

// lineSink receives the lines wrapLines makes. The line is only valid
// during the call.
type lineSink interface {
	addTextLine(line []byte, indent int)
}

// collector keeps the lines as wrapped values.
type collector []wrapped

func (c *collector) addTextLine(line []byte, indent int) {
	*c = append(*c, wrapped{text: string(line), indent: indent})
}

// wrapLines does the work of wrap without building strings: each line is
// built in buf (reused and returned for the next call) and passed to emit,
// whose addTextLine must not keep it, with the byte length of its prefix.
func wrapLines(cw *runewidth.Condition, buf, text []byte, first, rest string, width int, emit lineSink) []byte {
	w := wrapper{cw: cw, line: append(buf[:0], first...), prefix: first, rest: rest, restW: -1,
		width: width, avail: width - textWidth(cw, first), empty: true, emit: emit}
	for {
		para, more := text, false
		if i := bytes.IndexByte(text, hardBreak); i >= 0 {
			para, text, more = text[:i], text[i+1:], true
		}
		w.para(para)
		w.flush()
		if !more {
			return w.line
		}
	}
}

// wrapper is the state of one wrapLines call.
type wrapper struct {
	cw     *runewidth.Condition
	line   []byte // the line being built, prefix included
	prefix string // the prefix of the line being built
	rest   string
	restW  int // display width of rest, once known (-1 before)
	width  int
	avail  int // columns after the prefix
	used   int // columns used after the prefix
	empty  bool
	emit   lineSink
}

// flush emits the line, trailing spaces trimmed, and starts the next one.
func (w *wrapper) flush() {
	l := w.line
	for len(l) > 0 && l[len(l)-1] == ' ' {
		l = l[:len(l)-1]
	}
	w.emit.addTextLine(l, len(w.prefix))
	if w.restW < 0 {
		w.restW = textWidth(w.cw, w.rest)
	}
	w.prefix = w.rest
	w.line = append(w.line[:0], w.rest...)
	w.avail = w.width - w.restW
	w.used, w.empty = 0, true
}

// para places the words of one paragraph (text between hard breaks).
func (w *wrapper) para(s []byte) {
	if w.plainPara(s) {
		return
	}
	i := 0
	for i < len(s) {
		// Skip break spaces.
		c := s[i]
		if c < utf8.RuneSelf {
			if c == ' ' || '\t' <= c && c <= '\r' {
				i++
				continue
			}
		} else if r, n := utf8.DecodeRune(s[i:]); isBreakSpace(r) {
			i += n
			continue
		}
		// A word runs to the next break space. Most words are plain
		// printable ASCII: one column a byte, no glue, no CJK breaks.
		j, plain := i, true
		for j < len(s) {
			c := s[j]
			if c > ' ' && c < 0x7f {
				j++
				continue
			}
			if c < utf8.RuneSelf {
				if c == ' ' || '\t' <= c && c <= '\r' {
					break
				}
				plain = false
				j++
				continue
			}
			plain = false
			r, n := utf8.DecodeRune(s[j:])
			if isBreakSpace(r) {
				break
			}
			j += n
		}
		if plain {
			w.plainWord(s[i:j])
		} else {
			w.word(s[i:j])
		}
		i = j
	}
}

// plainPara places a paragraph of printable ASCII words with one space
// between them, starting on an empty line, a line at a time: the longest
// run of words that fits ends at the last space within the width. It
// reports false, having done nothing, for any other paragraph (which para
// then places word by word, with the same result for this kind).
func (w *wrapper) plainPara(s []byte) bool {
	if !w.empty || w.avail < 1 || len(s) == 0 || s[0] == ' ' || s[len(s)-1] == ' ' || bytes.Contains(s, doubleSpace) {
		return false
	}
	for _, c := range s {
		if c < ' ' || c >= 0x7f {
			return false
		}
	}
	for len(s) > 0 {
		if len(s) <= w.avail {
			w.line = append(w.line, s...)
			w.used, w.empty = len(s), false
			return true
		}
		cut := bytes.LastIndexByte(s[:w.avail+1], ' ')
		if cut < 0 {
			// A word longer than the line gets a line of its own.
			cut = bytes.IndexByte(s, ' ')
			if cut < 0 {
				cut = len(s)
			}
		}
		w.line = append(w.line, s[:cut]...)
		w.used, w.empty = cut, false
		if cut == len(s) {
			return true
		}
		w.flush()
		s = s[cut+1:]
		if w.avail < 1 {
			// A prefix as wide as the line: place the rest word by word.
			w.para(s)
			return true
		}
	}
	return true
}

var doubleSpace = []byte("  ")

// plainWord places a word of printable ASCII: what piece does, without
// measuring or looking for glue.
func (w *wrapper) plainWord(p []byte) {
	sep := 1
	if w.empty {
		sep = 0
	} else if w.used+1+len(p) > w.avail {
		w.flush()
		sep = 0
	}
	if sep == 1 {
		w.line = append(w.line, ' ')
	}
	w.line = append(w.line, p...)
	w.used += sep + len(p)
	w.empty = false
}

// word places a word, split into pieces where CJK text may break.
func (w *wrapper) word(word []byte) {
	if !mayHaveCJK(word) {
		w.piece(word, true)
		return
	}
	start := 0
	var prev rune = -1
	for i := 0; i < len(word); {
		r, n := utf8.DecodeRune(word[i:])
		if prev >= 0 && canBreakBetween(prev, r) {
			w.piece(word[start:i], start == 0)
			start = i
		}
		prev = r
		i += n
	}
	w.piece(word[start:], start == 0)
}

// piece places one unbreakable piece; a space goes before the first piece
// of a word unless the line is empty. Glue is written as a space.
func (w *wrapper) piece(p []byte, firstOfWord bool) {
	pw, ascii := 0, true
	for k := 0; k < len(p); k++ {
		if c := p[k]; c != glue && (c < 0x20 || c >= 0x7f) {
			ascii = false
			break
		}
	}
	if ascii {
		pw = len(p)
	} else {
		pw = textWidth(w.cw, strings.ReplaceAll(string(p), string(glue), " "))
	}
	sep := 0
	if firstOfWord && !w.empty {
		sep = 1
	}
	if !w.empty && w.used+sep+pw > w.avail {
		w.flush()
		sep = 0
	}
	if sep == 1 {
		w.line = append(w.line, ' ')
	}
	n := len(w.line)
	w.line = append(w.line, p...)
	for k := n; k < len(w.line); k++ {
		if w.line[k] == glue {
			w.line[k] = ' '
		}
	}
	w.used += sep + pw
	w.empty = false
}

// isBreakSpace reports whether r is a space the wrapper may break at: any
// Unicode space except the no-break ones (and the glue marker).
func isBreakSpace(r rune) bool {
	if r < 0x80 {
		return r == ' ' || '\t' <= r && r <= '\r'
	}
	switch r {
	case '\u00a0', '\u2007', '\u202f', '\ufeff':
		return false
	}
	return unicode.IsSpace(r)
}

// mayHaveCJK is a fast test: CJK characters are all at U+1100 or above,
// which takes a UTF-8 lead byte of 0xE1 or more.
func mayHaveCJK(s []byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0xe1 {
			return true
		}
	}
	return false
}

func canBreakBetween(a, b rune) bool {
	if !isCJK(a) && !isCJK(b) {
		return false
	}
	if a == '\u200d' || b == '\u200d' || unicode.In(b, unicode.Mn, unicode.Me, unicode.Variation_Selector) {
		return false
	}
	if strings.ContainsRune(noBreakBefore, b) || strings.ContainsRune(noBreakAfter, a) {
		return false
	}
	return true
}

// isCJK reports whether r belongs to a script written without spaces
// between words (or to the punctuation used with it).
func isCJK(r rune) bool {
	switch {
	case r < 0x1100:
		return false
	case r >= 0x3000 && r <= 0x303f, // CJK symbols and punctuation
		r >= 0xff00 && r <= 0xffef: // full-width forms
		return true
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

const (
	noBreakBefore = ")]}>.,;:!?%、。，．・：；？！ー」』）】〕〉》〙〛｝＞〟’”…‥ゝゞヽヾぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ々〻"
	noBreakAfter  = "([{<「『（【〔〈《〘〚｛＜〝‘“"
)

// textWidth is the display width of s. Plain printable ASCII, most of what
// a wrapper measures, is one column a byte and needs no grapheme analysis.
func textWidth(cw *runewidth.Condition, s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return cw.StringWidth(s)
		}
	}
	return len(s)
}

// textWidthBytes is textWidth for bytes.
func textWidthBytes(cw *runewidth.Condition, s []byte) int {
	for _, c := range s {
		if c < 0x20 || c >= 0x7f {
			return cw.StringWidth(string(s))
		}
	}
	return len(s)
}
