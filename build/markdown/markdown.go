// Package markdown holds the one Markdown dialect gmkit reads: CommonMark plus
// the GitHub extensions (tables, strikethrough, task lists, autolinks) and
// footnotes, and the habits of blogs written for Hugo, Jekyll and Zola (see
// Habits). Every output renders from an AST parsed by this parser, so each
// source file is parsed once however many outputs it feeds.
package markdown

import (
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"github.com/gmkit/gmkit/build/shortcode"
)

// Extensions are the goldmark extensions gmkit enables. Renderers that are
// used on their own (outside a site build) should enable the same ones:
//
//	goldmark.New(goldmark.WithExtensions(markdown.Extensions()...), goldmark.WithRenderer(r))
//
// Template tags inside link destinations ([a]({{< ref "b.md" >}})) are
// read only by Parser, which sees them before goldmark does.
func Extensions() []goldmark.Extender {
	return []goldmark.Extender{extension.GFM, extension.Footnote, Habits}
}

// Parser returns a new parser for gmkit's Markdown dialect. A parser is safe
// for concurrent use once built.
func Parser() parser.Parser {
	return blogParser{goldmark.New(goldmark.WithExtensions(Extensions()...)).Parser()}
}

// blogParser reads link destinations built with template tags as the
// addresses the tags stand for (see shortcode.RewriteDestinations), then
// parses as goldmark does. The AST it returns refers to the source it was
// given everywhere but in those destinations, which the nodes hold
// themselves, so it renders from that source.
type blogParser struct {
	parser.Parser
}

func (p blogParser) Parse(reader text.Reader, opts ...parser.ParseOption) ast.Node {
	if shadow := shortcode.RewriteDestinations(reader.Source()); shadow != nil {
		reader = text.NewReader(shadow)
	}
	return p.Parser.Parse(reader, opts...)
}

// Warning is a template tag removed because its meaning is unknown.
type Warning = shortcode.Warning

// WithWarnings is a parse option that reports each unknown template tag
// of the document, once per name, to f:
//
//	doc := p.Parse(text.NewReader(src), markdown.WithWarnings(func(w markdown.Warning) { ... }))
func WithWarnings(f func(Warning)) parser.ParseOption {
	pc := parser.NewContext()
	shortcode.WithWarnings(pc, f)
	return parser.WithContext(pc)
}

// Parse parses src into a document node. The returned AST refers to src for
// its text, so src must not be modified while the AST is in use.
func Parse(p parser.Parser, src []byte, opts ...parser.ParseOption) ast.Node {
	return p.Parse(text.NewReader(src), opts...)
}
