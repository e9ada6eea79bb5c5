// Package wordtest counts the words a reader sees, for tests that hold a
// conversion to keeping them: the words of a Markdown source as its web
// page shows them, against the words of what gmkit made of it.
package wordtest

import (
	"bytes"
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

// hidden is what a reader of the web page never sees: the tags of Hugo,
// Liquid and Zola, Markdown link destinations, and attribute lists.
var hidden = regexp.MustCompile(`(?s)\{\{.*?\}\}|\{%.*?%\}|\]\([^)\s]*\)|\{[:#.][^}\n]*\}|\{[a-z]+=[^}\n]*\}`)

// unseen are elements whose content a browser does not show: scripts,
// styles, and the fallback text of media it can play.
var unseen = map[string]bool{"script": true, "style": true, "video": true, "audio": true, "iframe": true, "object": true}

// Source is the words a reader of the web page made from the Markdown src
// (without front matter) sees: its text without template tags, link
// destinations, HTML tags, comments and the content of unseen elements,
// lower case.
func Source(src []byte) []string {
	src = hidden.ReplaceAll(src, []byte("]"))
	z := html.NewTokenizer(bytes.NewReader(src))
	var sb strings.Builder
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return Words(sb.String())
		case html.StartTagToken:
			if name, _ := z.TagName(); unseen[string(name)] {
				skip++
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); unseen[string(name)] && skip > 0 {
				skip--
			}
		case html.TextToken:
			if skip == 0 {
				sb.Write(z.Text())
				sb.WriteByte(' ')
			}
		}
	}
}

// Words splits s into lower-case words of letters and digits.
func Words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// Kept is the share of the words of src that turn up in out, each
// occurrence matched at most once: words out has in addition (a
// template's title and links) cannot make up for words it lost.
func Kept(src, out []string) float64 {
	if len(src) == 0 {
		return 1
	}
	have := map[string]int{}
	for _, w := range out {
		have[w]++
	}
	n := 0
	for _, w := range src {
		if have[w] > 0 {
			have[w]--
			n++
		}
	}
	return float64(n) / float64(len(src))
}
