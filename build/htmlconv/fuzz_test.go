package htmlconv

import (
	"testing"

	"github.com/yuin/goldmark/ast"
)

// FuzzBlocks converts any HTML: no panic, and every node in the result
// has the parent that holds it.
func FuzzBlocks(f *testing.F) {
	for _, s := range []string{
		"<p>a<br>b</p>", "<table><tr><td>x<td>y</table>", "<ul><li>a<ul><li>b</ul></ul>",
		"<pre><code class=language-go>x\n</code></pre>", "<video src=a.mp4><source src=b.webm>t</video>",
		"<a href=x><img src=y alt=z></a>", "<details><summary>s</summary>body", "<div><h2>t</h2><p>p",
		"<iframe src=https://www.youtube.com/embed/x></iframe>", "<script>x</script><!-- c -->",
		"<gmkit-md i=\"0\"></gmkit-md>", "<ol start=99999999999><li>a", "<table><caption>c</caption></table>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		doc := ast.NewDocument()
		Blocks(doc, s, Options{})
		_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			if entering {
				for c := n.FirstChild(); c != nil; c = c.NextSibling() {
					if c.Parent() != n {
						t.Fatalf("%q: a child of %v has parent %v", s, n.Kind(), c.Parent())
					}
				}
			}
			return ast.WalkContinue, nil
		})
	})
}
