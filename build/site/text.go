package site

import (
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// leadingHeading returns the document's first block if it is a heading.
func leadingHeading(doc ast.Node) *ast.Heading {
	if doc == nil {
		return nil
	}
	if h, ok := doc.FirstChild().(*ast.Heading); ok {
		return h
	}
	return nil
}

// plainText is the text of an inline subtree with all markup removed.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := c.(type) {
		case *ast.Text:
			b.Write(t.Segment.Value(src))
			if t.SoftLineBreak() || t.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(t.Value)
		case *ast.AutoLink:
			b.Write(t.Label(src))
			return ast.WalkSkipChildren, nil
		case *ast.RawHTML, *east.FootnoteLink:
			return ast.WalkSkipChildren, nil
		case *ast.Image:
			// Keep the alt text.
		}
		return ast.WalkContinue, nil
	})
	return strings.Join(strings.Fields(b.String()), " ")
}

// firstParagraph is the plain text of the document's first paragraph, cut at
// a word boundary to at most limit bytes.
func firstParagraph(doc ast.Node, src []byte, limit int) string {
	for c := doc.FirstChild(); c != nil; c = c.NextSibling() {
		if _, ok := c.(*ast.Paragraph); ok {
			return truncateWords(plainText(c, src), limit)
		}
	}
	return ""
}

func truncateWords(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := strings.LastIndexByte(s[:limit], ' ')
	if cut <= 0 {
		cut = limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
	}
	return strings.TrimRight(s[:cut], " ,;:") + "…"
}
