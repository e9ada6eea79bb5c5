package markdown

import (
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/util"

	"github.com/gmkit/gmkit/build/htmlconv"
	"github.com/gmkit/gmkit/build/shortcode"
)

// Habits is the goldmark extension for Markdown as blogs write it for
// Hugo, Jekyll and Zola:
//   - raw HTML becomes Markdown nodes (build/htmlconv), never lost;
//   - template tags are rendered or removed (build/shortcode);
//   - math ($$ … $$, \[ … \] blocks, inline $…$) is kept verbatim;
//   - heading attributes ({#id}) and kramdown attribute lists ({: .c},
//     {:toc} and the list it stands in for) are removed;
//   - GitHub alerts (> [!NOTE]) are quotes headed by their kind;
//   - Zola's internal links (@/posts/a.md) point from the content
//     folder (/posts/a.md).
var Habits goldmark.Extender = habits{}

type habits struct{}

// Transformers run after goldmark's own (tables 0, footnotes 999), in
// this order: template tags may produce HTML, HTML may produce links.
const (
	prioShortcode = 1000 + iota*10
	prioHTML
	prioTidy
)

func (habits) Extend(m goldmark.Markdown) {
	conv := htmlconv.Options{URL: templateURL, Tags: shortcode.InText}
	m.Parser().AddOptions(
		parser.WithBlockParsers(
			util.Prioritized(shortcode.NewBlockParser(), 50),
			util.Prioritized(mathBlockParser{}, 60),
		),
		parser.WithInlineParsers(
			util.Prioritized(shortcode.NewInlineParser(), 90),
			util.Prioritized(attrParser{}, 95),
			util.Prioritized(mathInlineParser{}, 95),
		),
		parser.WithASTTransformers(
			util.Prioritized(shortcode.NewTransformer(shortcode.Options{
				HTML: func(parent ast.Node, html string) { htmlconv.Blocks(parent, html, conv) },
			}), prioShortcode),
			util.Prioritized(htmlconv.NewTransformer(conv), prioHTML),
			util.Prioritized(tidy{}, prioTidy),
		),
	)
}

// templateURL resolves template tags in an address found in HTML
// (<img src="{{ '/a.png' | relative_url }}">).
func templateURL(u string) string {
	if !shortcode.Starts([]byte(u)) && !containsTag(u) {
		return u
	}
	// The same evaluation as for Markdown destinations: ](u).
	src := []byte("](" + u + ")")
	if out := shortcode.RewriteDestinations(src); out != nil {
		return trimSpaceRight(string(out[2 : len(out)-1]))
	}
	return u
}

func containsTag(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '{' && (s[i+1] == '{' || s[i+1] == '%') {
			return true
		}
	}
	return false
}

func trimSpaceRight(s string) string {
	for len(s) > 0 && s[len(s)-1] == ' ' {
		s = s[:len(s)-1]
	}
	return s
}
