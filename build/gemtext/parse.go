package gemtext

import (
	"bytes"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// Parse reads hand-written gemtext into a goldmark document, so that
// every renderer can render it as it renders Markdown: headings stay
// headings; "=> URL label" lines are paragraphs made only of a link (a
// line of its own in gemtext, an item in a Gopher menu); "* " lines are
// list items, "> " lines quotes, ``` blocks fenced code with their alt
// text as info; runs of text lines are paragraphs whose lines end in hard
// breaks, as written. Every node points into src. Parse accepts any bytes:
// gemtext has no syntax errors.
func Parse(src []byte) ast.Node {
	doc := ast.NewDocument()
	var (
		para  *ast.Paragraph // the paragraph text lines are going into
		list  *ast.List      // the list "* " lines are going into
		quote *ast.Blockquote
		qpara *ast.Paragraph
		pre   *ast.FencedCodeBlock
		links *ast.Paragraph // the paragraph of the link lines just before
	)
	end := func() { para, list, quote, qpara, links = nil, nil, nil, nil, nil }
	// line appends the text [a, b) of src to p, breaking the line before.
	line := func(p ast.Node, a, b int) {
		if last, ok := p.LastChild().(*ast.Text); ok {
			last.SetHardLineBreak(true)
		}
		p.AppendChild(p, ast.NewTextSegment(text.NewSegment(a, b)))
	}
	for off := 0; off < len(src); {
		start := off
		nl := bytes.IndexByte(src[off:], '\n')
		next := len(src)
		stop := len(src)
		if nl >= 0 {
			stop = off + nl
			next = stop + 1
		}
		off = next
		full := stop // the line with its newline, for preformatted text
		if nl >= 0 {
			full = next
		}
		if stop > start && src[stop-1] == '\r' {
			stop--
		}
		l := src[start:stop]
		if pre != nil {
			if bytes.HasPrefix(l, []byte("```")) {
				pre = nil
				continue
			}
			pre.Lines().Append(text.NewSegment(start, full))
			continue
		}
		switch {
		case bytes.HasPrefix(l, []byte("```")):
			end()
			a, b := trim(src, start+3, stop)
			var info *ast.Text
			if a < b {
				info = ast.NewTextSegment(text.NewSegment(a, b))
			}
			pre = ast.NewFencedCodeBlock(info)
			doc.AppendChild(doc, pre)
		case bytes.HasPrefix(l, []byte("=>")):
			para, list, quote, qpara = nil, nil, nil, nil
			a, b := trim(src, start+2, stop)
			if a == b {
				continue // a link line without a link
			}
			u := a
			for u < b && src[u] != ' ' && src[u] != '\t' {
				u++
			}
			link := ast.NewLink()
			link.Destination = src[a:u]
			la, lb := trim(src, u, b)
			if la == lb {
				la, lb = a, u // no label: the address is the label
			}
			link.AppendChild(link, ast.NewTextSegment(text.NewSegment(la, lb)))
			if links != nil {
				// Link lines in a row are one block, a line each.
				br := ast.NewTextSegment(text.NewSegment(a, a))
				br.SetHardLineBreak(true)
				links.AppendChild(links, br)
				links.AppendChild(links, link)
				continue
			}
			links = ast.NewParagraph()
			links.AppendChild(links, link)
			doc.AppendChild(doc, links)
		case bytes.HasPrefix(l, []byte("#")):
			end()
			level := 1
			for level < 3 && start+level < stop && src[start+level] == '#' {
				level++
			}
			h := ast.NewHeading(level)
			if a, b := trim(src, start+level, stop); a < b {
				h.AppendChild(h, ast.NewTextSegment(text.NewSegment(a, b)))
			}
			doc.AppendChild(doc, h)
		case bytes.HasPrefix(l, []byte("* ")) || bytes.Equal(l, []byte("*")):
			para, quote, qpara = nil, nil, nil
			if list == nil {
				list = ast.NewList('*')
				list.IsTight = true
				doc.AppendChild(doc, list)
			}
			item := ast.NewListItem(2)
			tb := ast.NewTextBlock()
			if a, b := trim(src, start+1, stop); a < b {
				tb.AppendChild(tb, ast.NewTextSegment(text.NewSegment(a, b)))
			}
			item.AppendChild(item, tb)
			list.AppendChild(list, item)
		case bytes.HasPrefix(l, []byte(">")):
			para, list = nil, nil
			if quote == nil {
				quote = ast.NewBlockquote()
				doc.AppendChild(doc, quote)
			}
			a, b := trim(src, start+1, stop)
			if a == b {
				qpara = nil // a blank quote line parts paragraphs
				continue
			}
			if qpara == nil {
				qpara = ast.NewParagraph()
				quote.AppendChild(quote, qpara)
			}
			line(qpara, a, b)
		default:
			a, b := trim(src, start, stop)
			if a == b {
				end()
				continue
			}
			list, quote, qpara = nil, nil, nil
			if para == nil {
				para = ast.NewParagraph()
				doc.AppendChild(doc, para)
			}
			line(para, start, b) // leading spaces are as written
		}
	}
	return doc
}

// trim narrows [a, b) of src to what lies between spaces and TABs.
func trim(src []byte, a, b int) (int, int) {
	for a < b && (src[a] == ' ' || src[a] == '\t') {
		a++
	}
	for b > a && (src[b-1] == ' ' || src[b-1] == '\t') {
		b--
	}
	return a, b
}
