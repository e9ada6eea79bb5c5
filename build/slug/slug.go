// Package slug makes the path segments gmkit writes into addresses from
// titles and tag names. By default they are ASCII: an address with "ç" or
// "日本語" in it is one that lynx, curl and many Gopher and Gemini clients
// cannot follow, so letters are folded to their ASCII form ("Ça va" is
// "ca-va") and what has none is left out.
package slug

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// letters are Latin letters that do not decompose into an ASCII letter and
// a mark, with their usual ASCII spelling.
var letters = strings.NewReplacer(
	"ß", "ss", "ẞ", "ss", "æ", "ae", "Æ", "ae", "œ", "oe", "Œ", "oe",
	"ø", "o", "Ø", "o", "ł", "l", "Ł", "l", "đ", "d", "Đ", "d",
	"ð", "d", "Ð", "d", "þ", "th", "Þ", "th", "ı", "i", "ħ", "h", "Ħ", "h",
)

// Fold returns s with every letter that has an ASCII form written in it
// (accents dropped, ligatures and compatibility forms spelled out) and
// every other non-ASCII character removed.
func Fold(s string) string {
	if plainASCII(s) {
		return s // nothing to fold: the common case, without the transform's cost
	}
	return fold(s)
}

// fold is Fold without its fast path.
func fold(s string) string {
	t := transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)))
	folded, _, err := transform.String(t, letters.Replace(s))
	if err != nil {
		folded = s
	}
	var b strings.Builder
	for _, r := range folded {
		if r < unicode.MaxASCII {
			b.WriteRune(r)
		} else if unicode.IsSpace(r) || unicode.IsPunct(r) {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// Make returns title as a path segment: lower case, its letters and digits
// with a '-' between words. Unless keepUnicode, the letters are folded to
// ASCII first (see Fold). It returns "" for a title with no letters or
// digits left (in ASCII: no Latin letters and no digits).
func Make(title string, keepUnicode bool) string {
	if !keepUnicode {
		title = Fold(title)
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}

// plainASCII reports whether s is ASCII without DEL, which Fold returns as
// it is.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= unicode.MaxASCII {
			return false
		}
	}
	return true
}
