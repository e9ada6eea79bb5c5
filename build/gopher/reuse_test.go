package gopher

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gmkit/gmkit/build/markdown"
	"github.com/google/go-cmp/cmp"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
)

// TestRenderedKindsHaveFuncs checks that every kind RegisterFuncs
// registers has exactly one render function, of the block or inline family.
func TestRenderedKindsHaveFuncs(t *testing.T) {
	for _, k := range renderedKinds() {
		if (blockFor(k) != nil) == (inlineFor(k) != nil) {
			t.Errorf("kind %v: block function %v, inline function %v, want exactly one", k, blockFor(k) != nil, inlineFor(k) != nil)
		}
	}
}

// reuseDoc is one input of the reuse tests, parsed once.
type reuseDoc struct {
	name string
	src  []byte
	doc  ast.Node
}

func reuseDocs(t *testing.T) []reuseDoc {
	t.Helper()
	var docs []reuseDoc
	p := markdown.Parser()
	for _, gc := range goldenCases {
		src, err := os.ReadFile(filepath.Join("testdata", "render", gc.input+".md"))
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, reuseDoc{gc.input, src, markdown.Parse(p, src)})
	}
	return docs
}

// TestReuse renders every golden input with one renderer, in order, then
// in reverse, then in order again (A, B, ..., B, A, A, B, ...), for every
// golden variant, through NodeRenderer.Render, through a goldmark renderer
// from New, and on one state reset between renders, and checks each result
// is the bytes a fresh renderer gives.
func TestReuse(t *testing.T) {
	docs := reuseDocs(t)
	order := append(append(slices.Clone(docs), reversed(docs)...), docs...)
	var variants []variant
	for _, gc := range goldenCases {
		for _, v := range gc.variants {
			if !slices.ContainsFunc(variants, func(w variant) bool { return w.name == v.name }) {
				variants = append(variants, v)
			}
		}
	}
	for _, v := range variants {
		want := map[string]string{}
		for _, d := range docs {
			var b bytes.Buffer
			if err := NewNodeRenderer(v.opts...).Render(&b, d.src, d.doc); err != nil {
				t.Fatal(err)
			}
			want[d.name] = b.String()
		}
		nr := NewNodeRenderer(v.opts...)
		gr := New(v.opts...)
		st := NewNodeRenderer(v.opts...)
		s := st.newRenderState(nil)
		for i, d := range order {
			var b bytes.Buffer
			if err := nr.Render(&b, d.src, d.doc); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want[d.name], b.String()); diff != "" {
				t.Errorf("%s: render %d (%s) with a reused NodeRenderer differs from a fresh one (-want +got):\n%s", v.name, i, d.name, diff)
			}
			b.Reset()
			if err := gr.Render(&b, d.src, d.doc); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want[d.name], b.String()); diff != "" {
				t.Errorf("%s: render %d (%s) with a reused goldmark renderer differs from a fresh one (-want +got):\n%s", v.name, i, d.name, diff)
			}
			s.reset()
			s.src = d.src
			s.render(d.doc)
			if diff := cmp.Diff(want[d.name], string(s.out)); diff != "" {
				t.Errorf("%s: render %d (%s) on a reset state differs from a fresh one (-want +got):\n%s", v.name, i, d.name, diff)
			}
		}
	}
}

func reversed[T any](s []T) []T {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}

// TestReuseConvert runs goldmark.Convert with one Markdown (one renderer)
// over all golden inputs twice and compares with fresh renderers.
func TestReuseConvert(t *testing.T) {
	docs := reuseDocs(t)
	for _, mode := range []Mode{ModeMenu, ModeText} {
		md := goldmark.New(goldmark.WithExtensions(markdown.Extensions()...),
			goldmark.WithRenderer(New(WithMode(mode), WithLinkResolver(testResolver))))
		for round := range 2 {
			for _, d := range docs {
				var got bytes.Buffer
				if err := md.Convert(d.src, &got); err != nil {
					t.Fatal(err)
				}
				want := render(t, d.src, WithMode(mode), WithLinkResolver(testResolver))
				if diff := cmp.Diff(string(want), got.String()); diff != "" {
					t.Errorf("mode %v round %d %s: reused renderer differs (-want +got):\n%s", mode, round, d.name, diff)
				}
			}
		}
	}
}
