package gemtext

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gmkit/gmkit/build/markdown"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

func TestParseLinkMode(t *testing.T) {
	tests := []struct {
		in      string
		want    LinkMode
		wantErr bool
	}{
		{"", LinkParagraph, false},
		{"paragraph", LinkParagraph, false},
		{"at-end", LinkAtEnd, false},
		{" Copy ", LinkCopy, false},
		{"OFF", LinkOff, false},
		{"newline", LinkParagraph, true},
	}
	for _, tt := range tests {
		got, err := ParseLinkMode(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseLinkMode(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err == nil {
			var m LinkMode
			if err := m.UnmarshalText([]byte(tt.in)); err != nil || m != tt.want {
				t.Errorf("UnmarshalText(%q) = %v, %v; want %v", tt.in, m, err, tt.want)
			}
			b, err := tt.want.MarshalText()
			if err != nil || (tt.in != "" && !strings.EqualFold(strings.TrimSpace(tt.in), string(b))) {
				t.Errorf("MarshalText(%v) = %q, %v", tt.want, b, err)
			}
		}
	}
	if s := LinkMode(42).String(); s != "LinkMode(42)" {
		t.Errorf("LinkMode(42).String() = %q, want LinkMode(42)", s)
	}
	if _, err := LinkMode(-1).MarshalText(); err == nil {
		t.Error("LinkMode(-1).MarshalText() = nil error, want one")
	}
}

// TestWithGoldmark uses the renderer the way a program outside gmkit would.
func TestWithGoldmark(t *testing.T) {
	md := goldmark.New(
		goldmark.WithExtensions(markdown.Extensions()...),
		goldmark.WithRenderer(New(WithLinkMode(LinkAtEnd))),
	)
	src := "# Hi\n\n| a |\n|---|\n| [b](c.gmi) |\n\n~~x~~ y[^1]\n\n[^1]: z\n"
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf); err != nil {
		t.Fatal(err)
	}
	want := "# Hi\n\n```table\n┌───┐\n│ a │\n├───┤\n│ b │\n└───┘\n```\n\nx y[1]\n\n---\n\n[1] z\n\n=> c.gmi b\n"
	if got := buf.String(); got != want {
		t.Errorf("Convert = %q, want %q", got, want)
	}
}

// TestRenderSubtree renders nodes other than the document: each gives
// complete gemtext of its own.
func TestRenderSubtree(t *testing.T) {
	src := []byte("- one [a](b)\n- two\n\n| h |\n|---|\n| c |\n\nSome *text*.\n")
	doc := markdown.Parse(testParser(), src)
	r := New()
	var got []string
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || n == doc {
			return ast.WalkContinue, nil
		}
		var buf bytes.Buffer
		if err := r.Render(&buf, src, n); err != nil {
			t.Fatalf("Render(%v): %v", n.Kind(), err)
		}
		if err := Check(buf.Bytes()); err != nil {
			t.Errorf("Render(%v) = %q: Check = %v", n.Kind(), buf.String(), err)
		}
		got = append(got, fmt.Sprintf("%v:%q", n.Kind(), buf.String()))
		return ast.WalkContinue, nil
	})
	for _, want := range []string{
		`List:"* one a\n* two\n=> b a\n"`,
		`ListItem:"* two\n"`,
		`TableRow:"` + "```table\\n┌───┐\\n│ c │\\n└───┘\\n```\\n" + `"`,
		`Emphasis:"text\n"`,
	} {
		found := false
		for _, g := range got {
			found = found || g == want
		}
		if !found {
			t.Errorf("got renders %q, want one of them %s", got, want)
		}
	}
}

// TestConcurrentRender renders different documents with one renderer from
// many goroutines (run with -race).
func TestConcurrentRender(t *testing.T) {
	r := New(WithLinkMode(LinkAtEnd), WithLinkRewriter(testRewriter))
	docs := make([][]byte, 8)
	want := make([]string, len(docs))
	for i := range docs {
		docs[i] = fmt.Appendf(nil, "# Doc %d\n\n[link %d](p%d.md) and note[^n].\n\n| a | b |\n|---|---|\n| [c](%d.md) | d |\n\n[^n]: Note %d.\n", i, i, i, i, i)
		want[i] = string(render(t, docs[i], WithLinkMode(LinkAtEnd), WithLinkRewriter(testRewriter)))
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(docs)*4)
	for g := range 4 {
		for i, src := range docs {
			wg.Go(func() {
				doc := markdown.Parse(testParser(), src)
				var buf bytes.Buffer
				if err := r.Render(&buf, src, doc); err != nil {
					errs <- err
					return
				}
				if buf.String() != want[i] {
					errs <- fmt.Errorf("goroutine %d doc %d: got %q, want %q", g, i, buf.String(), want[i])
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

type failWriter struct{}

var errWrite = errors.New("disk full")

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }

// TestWriteError checks that a failing writer's error comes back.
func TestWriteError(t *testing.T) {
	src := []byte(strings.Repeat("Some text.\n\n", 1000))
	doc := markdown.Parse(testParser(), src)
	err := New().Render(failWriter{}, src, doc)
	if !errors.Is(err, errWrite) {
		t.Errorf("Render to a failing writer = %v, want %v", err, errWrite)
	}
}

// TestNodeRendererPriority checks that NewNodeRenderer can sit with other
// node renderers and wins over lower priority ones.
func TestNodeRendererPriority(t *testing.T) {
	r := renderer.NewRenderer(renderer.WithNodeRenderers(
		util.Prioritized(NewNodeRenderer(WithThematicBreak("* * *")), 100),
	))
	src := []byte("a\n\n---\n\nb\n")
	var buf bytes.Buffer
	if err := r.Render(&buf, src, markdown.Parse(testParser(), src)); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "a\n\n * * *\n\nb\n"; got != want {
		t.Errorf("Render = %q, want %q", got, want)
	}
}

func TestOptionsSanitised(t *testing.T) {
	got := string(render(t, []byte("- a\n  - b\n\n***\n"), WithNestedListMarker("\t>\n"), WithThematicBreak("  ~~\r\n~~  "), WithLinkMode(LinkMode(9)), nil))
	want := "* a\n* > b\n\n~~ ~~\n"
	if got != want {
		t.Errorf("render = %q, want %q", got, want)
	}
}
