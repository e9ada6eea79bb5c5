package markdown

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"github.com/gmkit/gmkit/build/mdnode"
)

// tidy removes attribute lists, heads GitHub alerts with their kind and
// points Zola's @/ links from the content folder.
type tidy struct{}

func (tidy) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	// (IndexByte is much faster than ContainsAny over a whole page.)
	if bytes.IndexByte(src, '{') < 0 && bytes.IndexByte(src, '@') < 0 && !bytes.Contains(src, []byte("[!")) {
		return // no attribute list ({...}), Zola link (@/) or alert ([!KIND])
	}
	var attrs []*attr
	var links []ast.Node
	var quotes []*ast.Blockquote
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *attr:
			attrs = append(attrs, n)
		case *ast.Link:
			links = append(links, n)
		case *ast.Image:
			n.Destination = zolaDest(n.Destination)
		case *ast.Blockquote:
			quotes = append(quotes, n)
		}
		return ast.WalkContinue, nil
	})
	for _, a := range attrs {
		removeAttr(a, src)
	}
	for _, l := range links {
		link := l.(*ast.Link)
		link.Destination = zolaDest(link.Destination)
	}
	for _, q := range quotes {
		alert(q, src)
	}
}

// zolaDest maps "@/x.md" to "/x.md".
func zolaDest(d []byte) []byte {
	if bytes.HasPrefix(d, []byte("@/")) {
		return d[1:]
	}
	return d
}

// removeAttr removes an attribute list with the space before it; {:toc}
// takes the list it stands in for, and a block left empty goes too.
func removeAttr(a *attr, src []byte) {
	p := a.Parent()
	if p == nil {
		return
	}
	if a.toc {
		for n := p; n != nil; n = n.Parent() {
			if l, ok := n.(*ast.List); ok && l.Parent() != nil {
				l.Parent().RemoveChild(l.Parent(), l)
				return
			}
		}
	}
	if t, ok := a.PreviousSibling().(*ast.Text); ok {
		t.Segment = t.Segment.TrimRightSpace(src)
		if a.NextSibling() == nil {
			t.SetSoftLineBreak(false)
		}
	}
	p.RemoveChild(p, a)
	if !p.HasChildren() && p.Type() == ast.TypeBlock && p.Parent() != nil {
		p.Parent().RemoveChild(p.Parent(), p)
	}
}

// alertKinds maps the markers of GitHub alerts (and Obsidian callouts) to
// the heading of their quote.
var alertKinds = map[string]string{
	"note": "Note", "tip": "Tip", "important": "Important", "warning": "Warning",
	"caution": "Caution", "info": "Info", "danger": "Danger", "example": "Example",
	"quote": "Quote", "abstract": "Abstract", "summary": "Summary", "todo": "To do",
	"success": "Success", "question": "Question", "failure": "Failure", "bug": "Bug",
	"hint": "Hint", "error": "Error", "attention": "Attention", "check": "Check",
}

// alert turns a quote whose first line is [!KIND] (with an optional title
// after it) into a quote headed by the kind.
func alert(q *ast.Blockquote, src []byte) {
	para, ok := q.FirstChild().(*ast.Paragraph)
	if !ok || para.Lines().Len() == 0 {
		return
	}
	first := para.Lines().At(0)
	line := strings.TrimSpace(string(first.Value(src)))
	if !strings.HasPrefix(line, "[!") {
		return
	}
	end := strings.IndexByte(line, ']')
	if end < 0 {
		return
	}
	marker := strings.ToLower(strings.TrimRight(line[2:end], "+-"))
	kind, ok := alertKinds[marker]
	if !ok {
		return
	}
	title := strings.TrimSpace(line[end+1:])
	// Remove the inline nodes of the first line.
	for c := para.FirstChild(); c != nil; {
		next := c.NextSibling()
		last := false
		if t, ok := c.(*ast.Text); ok && (t.SoftLineBreak() || t.HardLineBreak()) {
			last = true
		}
		para.RemoveChild(para, c)
		if last {
			break
		}
		c = next
	}
	if !para.HasChildren() {
		q.RemoveChild(q, para)
	}
	head := kind
	if title != "" {
		head += ": " + title
	}
	p := ast.NewParagraph()
	e := ast.NewEmphasis(2)
	e.AppendChild(e, mdnode.Text(head))
	p.AppendChild(p, e)
	q.InsertBefore(q, q.FirstChild(), p)
}
