package site

import (
	"bytes"
	"regexp"
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
func plainText(n ast.Node, src []byte) string { return plainTextUntil(n, src, nil) }

// plainTextUntil is the text of a subtree with all markup removed, up to
// the node stop (nil: all of it). Blocks are separated by a space.
func plainTextUntil(n ast.Node, src []byte, stop ast.Node) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if c == stop {
			return ast.WalkStop, nil
		}
		if !entering {
			if c.Type() == ast.TypeBlock {
				b.WriteByte(' ')
			}
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

// moreMarker is the summary divider: Hugo's <!--more-->, or Zola's
// <!-- more -->.
var moreMarker = regexp.MustCompile(`^<!--\s*more\s*-->$`)

// summaryDivider finds the first summary divider in doc: an HTML block or
// an inline HTML comment that is only the marker. It returns nil when
// there is none.
func summaryDivider(doc ast.Node, src []byte) ast.Node {
	if doc == nil || !bytes.Contains(src, []byte("more")) {
		return nil
	}
	var found ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		var raw []byte
		switch t := n.(type) {
		case *ast.HTMLBlock:
			lines := t.Lines()
			for i := range lines.Len() {
				seg := lines.At(i)
				raw = append(raw, seg.Value(src)...)
			}
		case *ast.RawHTML:
			for i := range t.Segments.Len() {
				seg := t.Segments.At(i)
				raw = append(raw, seg.Value(src)...)
			}
		default:
			return ast.WalkContinue, nil
		}
		if moreMarker.Match(bytes.TrimSpace(raw)) {
			found = n
			return ast.WalkStop, nil
		}
		return ast.WalkSkipChildren, nil
	})
	return found
}

// cutSummary removes the summary divider from doc and returns the plain
// text before it, and whether there was one.
func cutSummary(doc ast.Node, src []byte) (string, bool) {
	div := summaryDivider(doc, src)
	if div == nil {
		return "", false
	}
	summary := strings.Join(strings.Fields(plainTextUntil(doc, src, div)), " ")
	if t, ok := div.PreviousSibling().(*ast.Text); ok && div.Type() == ast.TypeInline {
		// "Before. <!--more--> After." reads "Before. After.".
		t.Segment = t.Segment.TrimRightSpace(src)
	}
	div.Parent().RemoveChild(div.Parent(), div)
	return summary, true
}
