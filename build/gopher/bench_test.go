package gopher

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/gmkit/gmkit/build/markdown"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer"
)

// benchDoc is every golden input joined: a long page that uses every
// feature (about 9 KB).
func benchDoc(b *testing.B) ([]byte, ast.Node) {
	b.Helper()
	src := bytes.Join(renderInputs(b), []byte("\n\n"))
	return src, markdown.Parse(markdown.Parser(), src)
}

// htmlRenderer is the baseline: goldmark's own HTML renderer with the same
// extensions. Table alignment is written as an align attribute: the default
// (a style attribute) appends to the AST's attributes on every render, so the
// baseline would grow slower with each iteration over the same AST.
func htmlRenderer() renderer.Renderer {
	return goldmark.New(goldmark.WithExtensions(
		extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
		extension.Strikethrough, extension.Linkify, extension.TaskList, extension.Footnote,
	)).Renderer()
}

// BenchmarkRender times parsing (for scale), goldmark's HTML renderer
// (the baseline) and both Gopher modes over the same AST.
func BenchmarkRender(b *testing.B) {
	src, doc := benchDoc(b)
	b.Run("parse", func(b *testing.B) {
		p := markdown.Parser()
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			markdown.Parse(p, src)
		}
	})
	for _, c := range []struct {
		name string
		r    renderer.Renderer
	}{
		{"html", htmlRenderer()},
		{"menu", New()},
		{"text", New(WithMode(ModeText))},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if err := c.r.Render(io.Discard, src, doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMenuVsHTML renders the same AST with goldmark's HTML renderer and
// the Gopher menu renderer in each iteration and reports the ratio of their
// times (menu/html) as measured in the same run.
func BenchmarkMenuVsHTML(b *testing.B) {
	src, doc := benchDoc(b)
	html, menu := htmlRenderer(), New()
	var th, tm time.Duration
	for b.Loop() {
		t0 := time.Now()
		if err := html.Render(io.Discard, src, doc); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := menu.Render(io.Discard, src, doc); err != nil {
			b.Fatal(err)
		}
		th += t1.Sub(t0)
		tm += time.Since(t1)
	}
	if th > 0 {
		b.ReportMetric(float64(tm)/float64(th), "menu/html")
	}
}
