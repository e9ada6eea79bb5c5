package gopher

import (
	"iter"
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
	ls := wrap(newWidth(), text, "", "", width)
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

// wrapped is one output line of wrap: the full text (prefix included) and
// the byte length of the prefix.
type wrapped struct {
	text   string
	indent int
}

// wrap breaks text (which may hold hardBreak and glue markers) into lines of
// at most width columns, the first starting with first and the others with
// rest. Glue is written as a space. Trailing spaces are trimmed.
func wrap(cw *runewidth.Condition, text, first, rest string, width int) []wrapped {
	var out []wrapped
	prefix := first
	for para := range strings.SplitSeq(text, string(hardBreak)) {
		var line strings.Builder
		line.WriteString(prefix)
		avail := width - textWidth(cw, prefix)
		used, empty := 0, true
		flush := func() {
			out = append(out, wrapped{text: strings.TrimRight(line.String(), " "), indent: len(prefix)})
			prefix = rest
			line.Reset()
			line.WriteString(prefix)
			avail = width - textWidth(cw, prefix)
			used, empty = 0, true
		}
		for word := range strings.FieldsFuncSeq(para, isBreakSpace) {
			for i, piece := range cjkPieces(word) {
				if strings.IndexByte(piece, glue) >= 0 {
					piece = strings.ReplaceAll(piece, string(glue), " ")
				}
				w := textWidth(cw, piece)
				sep := 0
				if i == 0 && !empty {
					sep = 1
				}
				if !empty && used+sep+w > avail {
					flush()
					sep = 0
				}
				if sep == 1 {
					line.WriteByte(' ')
				}
				line.WriteString(piece)
				used += sep + w
				empty = false
			}
		}
		flush()
	}
	return out
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

// cjkPieces yields the pieces of a word split where CJK text may break
// between characters, keeping closing punctuation with what precedes it and
// opening punctuation with what follows. Other words come whole.
func cjkPieces(word string) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		if !mayHaveCJK(word) {
			yield(0, word)
			return
		}
		start, n := 0, 0
		var prev rune = -1
		for i, r := range word {
			if prev >= 0 && canBreakBetween(prev, r) {
				if !yield(n, word[start:i]) {
					return
				}
				start, n = i, n+1
			}
			prev = r
		}
		yield(n, word[start:])
	}
}

// mayHaveCJK is a fast test: CJK characters are all at U+1100 or above,
// which takes a UTF-8 lead byte of 0xE1 or more.
func mayHaveCJK(s string) bool {
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
