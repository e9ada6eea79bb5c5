package shortcode

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"

	"github.com/gmkit/gmkit/build/mdnode"
)

// warnedKey holds, in a parse's context, the names Transform has warned
// about, so that InText warns once per name and document too.
var warnedKey = parser.NewContextKey()

// InText is what a text that holds template tags means as inline nodes:
// text taken from raw HTML (a <center> or table cell around a shortcode),
// where the parser never saw the tags. Each tag is rendered where its
// meaning is known and inline; an unknown one is removed, the text between
// an opening and a closing tag kept, with the warning Transform gives
// (through pc, see WithWarnings; src is the document's source, to find the
// tag's line). Text that holds no tag is one text node.
func InText(pc parser.Context, src []byte, s string) []ast.Node {
	var nodes []ast.Node
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			nodes = append(nodes, mdnode.Text(text.String()))
			text.Reset()
		}
	}
	r := &run{src: src}
	if pc != nil {
		if f, ok := pc.Get(warnKey).(func(Warning)); ok {
			r.warn = f
		}
		if w, ok := pc.Get(warnedKey).(map[string]bool); ok {
			r.warned = w
		}
	}
	// One pass finds the tags, and the last closing tag of each name:
	// an opening tag with a closing one after it keeps the text between.
	type found struct {
		tag        Tag
		start, end int
	}
	var tags []found
	lastEnd := map[string]int{}
	b := []byte(s)
	for i := 0; i < len(b); i++ {
		if b[i] != '{' {
			continue
		}
		t, n, ok := Parse(b[i:])
		if !ok {
			continue
		}
		if name, isEnd := endName(&t); isEnd {
			lastEnd[strings.ToLower(name)] = len(tags)
		}
		tags = append(tags, found{t, i, i + n})
		i += n - 1
	}
	at := 0
	for k, f := range tags {
		text.Write(b[at:f.start])
		at = f.end
		t := &f.tag
		if _, isEnd := endName(t); isEnd {
			continue // the text inside stays
		}
		rendered, known := Render(t)
		inline := true
		for _, c := range rendered {
			inline = inline && c.Type() == ast.TypeInline
		}
		if !known || !inline {
			what := "removed"
			last, ok := lastEnd[lower(t)]
			if !ok && t.Syntax == LiquidTag && t.Call {
				last, ok = lastEnd[""] // Zola's {% end %}
			}
			if ok && last > k && !t.SelfClose {
				what = "tags removed, content kept"
			}
			r.unknown(t, bytes.Index(src, []byte(t.Raw)), what)
			continue
		}
		flush()
		nodes = append(nodes, rendered...)
	}
	text.Write(b[at:])
	flush()
	if pc != nil && r.warned != nil {
		pc.Set(warnedKey, r.warned)
	}
	for _, w := range r.warnings {
		r.warn(w)
	}
	return nodes
}
