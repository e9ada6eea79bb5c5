package gopher

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gmkit/gmkit/build/gophermap"
	"github.com/gmkit/gmkit/build/markdown"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
)

// specExamples returns the Markdown of every CommonMark spec example.
func specExamples(t testing.TB) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "commonmark", "examples.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ex []struct{ Markdown string }
	if err := json.Unmarshal(data, &ex); err != nil {
		t.Fatalf("testdata/commonmark/examples.json: %v", err)
	}
	out := make([]string, len(ex))
	for i, e := range ex {
		out[i] = e.Markdown
	}
	return out
}

// renderInputs returns the Markdown inputs of the golden tests.
func renderInputs(t testing.TB) [][]byte {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "render", "*.md"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no inputs under testdata/render: %v", err)
	}
	var out [][]byte
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

type kindRecorder map[ast.NodeKind]bool

func (k kindRecorder) Register(kind ast.NodeKind, _ renderer.NodeRendererFunc) { k[kind] = true }

// TestEveryKindHasARenderFunc parses the CommonMark examples and the golden
// inputs (which use every extension gmkit enables) and checks that each node
// kind the parser produced has a render function of the right family, and
// is registered with goldmark.
func TestEveryKindHasARenderFunc(t *testing.T) {
	r := NewNodeRenderer()
	registered := kindRecorder{}
	r.RegisterFuncs(registered)
	p := markdown.Parser()
	seen := map[ast.NodeKind]bool{}
	check := func(src []byte) {
		doc := markdown.Parse(p, src)
		_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			if !entering || seen[n.Kind()] {
				return ast.WalkContinue, nil
			}
			seen[n.Kind()] = true
			var ok bool
			if n.Type() == ast.TypeInline {
				ok = inlineFor(n.Kind()) != nil
			} else {
				ok = blockFor(n.Kind()) != nil
			}
			if !ok {
				t.Errorf("node kind %v (type %v) has no render function", n.Kind(), n.Type())
			}
			if !registered[n.Kind()] {
				t.Errorf("node kind %v is not registered by RegisterFuncs", n.Kind())
			}
			return ast.WalkContinue, nil
		})
	}
	for _, ex := range specExamples(t) {
		check([]byte(ex))
	}
	for _, in := range renderInputs(t) {
		check(in)
	}
	if len(seen) < 25 {
		t.Errorf("only %d node kinds seen; the corpus should exercise every kind: %v", len(seen), seen)
	}
}

var refMarker = regexp.MustCompile(` \[\d+\]`)

// checkRender renders src in both modes and checks the invariants: no
// panic; every menu line passes the strict linter; no text line wider than
// the width unless it holds a single word; item display strings within the
// width; blank lines never doubled, leading or trailing.
func checkRender(t *testing.T, src []byte, width int) {
	t.Helper()
	doc := markdown.Parse(markdown.Parser(), src)
	for _, mode := range []Mode{ModeMenu, ModeText} {
		r := NewNodeRenderer(WithMode(mode), WithWidth(width))
		s := r.newState(src)
		s.render(doc)
		out := s.bytes()
		if mode == ModeMenu {
			for _, p := range gophermap.Lint(bytes.NewReader(out), true) {
				t.Fatalf("width %d: strict lint: %v\noutput:\n%s", r.cfg.width, p, out)
			}
		} else if bytes.ContainsAny(out, "\r\x00") {
			t.Fatalf("text output holds CR or NUL:\n%q", out)
		}
		for i, l := range s.lines {
			switch l.kind {
			case lineText:
				if w := r.cw.StringWidth(l.text); w > r.cfg.width {
					content := refMarker.ReplaceAllString(l.text[l.indent:], "")
					if strings.ContainsAny(content, " ") {
						t.Fatalf("width %d: line %q is %d wide and holds more than one word", r.cfg.width, l.text, w)
					}
				}
			case lineItem:
				if w := r.cw.StringWidth(l.item.Display); w > r.cfg.width {
					t.Fatalf("width %d: item display %q is %d wide", r.cfg.width, l.item.Display, w)
				}
			case lineBlank:
				if i == 0 || i == len(s.lines)-1 || s.lines[i-1].kind == lineBlank {
					t.Fatalf("blank line at %d of %d is leading, trailing or doubled", i, len(s.lines))
				}
			}
		}
	}
}

func TestRenderInvariants(t *testing.T) {
	inputs := renderInputs(t)
	for _, ex := range specExamples(t) {
		inputs = append(inputs, []byte(ex))
	}
	for _, width := range []int{20, 40, 70} {
		for _, in := range inputs {
			checkRender(t, in, width)
		}
	}
}

// FuzzRender feeds arbitrary Markdown to the renderer. Seeds: the
// CommonMark examples, the golden inputs and testdata/fuzz/FuzzRender.
func FuzzRender(f *testing.F) {
	for _, ex := range specExamples(f) {
		f.Add([]byte(ex), uint8(70))
	}
	for _, in := range renderInputs(f) {
		f.Add(in, uint8(30))
	}
	f.Fuzz(func(t *testing.T, src []byte, width uint8) {
		checkRender(t, src, int(width))
	})
}
