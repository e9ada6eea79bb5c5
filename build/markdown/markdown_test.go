package markdown

import (
	"testing"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

func TestParserEnablesExtensions(t *testing.T) {
	src := []byte("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~ https://example.org\n\n- [x] done\n\nNote[^1].\n\n[^1]: The note.\n")
	doc := Parse(Parser(), src)
	seen := map[ast.NodeKind]bool{}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			seen[n.Kind()] = true
		}
		return ast.WalkContinue, nil
	})
	for _, k := range []ast.NodeKind{east.KindTable, east.KindStrikethrough, ast.KindAutoLink, east.KindTaskCheckBox, east.KindFootnote, east.KindFootnoteLink} {
		if !seen[k] {
			t.Errorf("node kind %v not produced; got kinds %v", k, seen)
		}
	}
}
