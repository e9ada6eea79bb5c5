package gemtext

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/gmkit/gmkit/build/markdown"
	"github.com/gmkit/gmkit/build/mdnode"
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/renderer"
)

// parserKinds are the node kinds the site's parser (CommonMark, GFM,
// footnotes, and the habits of build/markdown) can produce.
var parserKinds = []ast.NodeKind{
	ast.KindDocument, ast.KindTextBlock, ast.KindParagraph, ast.KindHeading,
	ast.KindThematicBreak, ast.KindCodeBlock, ast.KindFencedCodeBlock,
	ast.KindBlockquote, ast.KindList, ast.KindListItem, ast.KindHTMLBlock,
	ast.KindLinkReferenceDefinition,
	ast.KindText, ast.KindString, ast.KindCodeSpan, ast.KindEmphasis,
	ast.KindLink, ast.KindImage, ast.KindAutoLink, ast.KindRawHTML,
	east.KindTable, east.KindTableHeader, east.KindTableRow, east.KindTableCell,
	east.KindStrikethrough, east.KindTaskCheckBox,
	east.KindFootnote, east.KindFootnoteList, east.KindFootnoteLink, east.KindFootnoteBacklink,
	mdnode.KindPre, mdnode.KindTextOnly, mdnode.KindTextOnlySpan,
}

type kindRecorder map[ast.NodeKind]bool

func (k kindRecorder) Register(kind ast.NodeKind, f renderer.NodeRendererFunc) {
	k[kind] = f != nil
}

// TestEveryKindHasARenderFunction fails when a node kind the parser can
// produce has no render function: goldmark silently skips such nodes.
func TestEveryKindHasARenderFunction(t *testing.T) {
	r := NewNodeRenderer()
	registered := kindRecorder{}
	r.RegisterFuncs(registered)
	for _, k := range parserKinds {
		if !r.handles(k) {
			t.Errorf("node kind %v: got no render function, want one", k)
		}
		if !registered[k] {
			t.Errorf("node kind %v: got no function registered with goldmark, want one", k)
		}
	}

	// Every kind that actually turns up when parsing the spec examples and
	// the golden inputs must be known too (this catches kinds a new
	// goldmark version or extension adds).
	seen := map[ast.NodeKind]bool{}
	collect := func(src []byte) {
		doc := markdown.Parse(testParser(), src)
		_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			if entering {
				seen[n.Kind()] = true
			}
			return ast.WalkContinue, nil
		})
	}
	for _, ex := range loadSpec(t) {
		collect([]byte(ex.Markdown))
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.md"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		collect(b)
	}
	var names []string
	for k := range seen {
		names = append(names, k.String())
		if !r.handles(k) || !registered[k] {
			t.Errorf("node kind %v found in the test inputs: got no render function, want one", k)
		}
	}
	sort.Strings(names)
	t.Logf("kinds seen: %v", names)
	for _, k := range parserKinds {
		if !seen[k] && k != ast.KindString {
			t.Errorf("node kind %v never produced by the test inputs: add an input that has one", k)
		}
	}
}
