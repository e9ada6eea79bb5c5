// Package markdown holds the one Markdown dialect gmkit reads: CommonMark plus
// the GitHub extensions (tables, strikethrough, task lists, autolinks) and
// footnotes. Every output renders from an AST parsed by this parser, so each
// source file is parsed once however many outputs it feeds.
package markdown

import (
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// Extensions are the goldmark extensions gmkit enables. Renderers that are
// used on their own (outside a site build) should enable the same ones:
//
//	goldmark.New(goldmark.WithExtensions(markdown.Extensions()...), goldmark.WithRenderer(r))
func Extensions() []goldmark.Extender {
	return []goldmark.Extender{extension.GFM, extension.Footnote}
}

// Parser returns a new parser for gmkit's Markdown dialect. A parser is safe
// for concurrent use once built.
func Parser() parser.Parser {
	return goldmark.New(goldmark.WithExtensions(Extensions()...)).Parser()
}

// Parse parses src into a document node. The returned AST refers to src for
// its text, so src must not be modified while the AST is in use.
func Parse(p parser.Parser, src []byte) ast.Node {
	return p.Parse(text.NewReader(src))
}
