package gemtext_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/gmkit/gmkit/build/gemtext"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

func Example() {
	md := goldmark.New(
		goldmark.WithExtensions(extension.GFM, extension.Footnote),
		goldmark.WithRenderer(gemtext.New(
			gemtext.WithLinkRewriter(func(dest string) string {
				// A site build maps links between pages to their addresses.
				return strings.Replace(dest, "first-post.md", "/posts/first-post/", 1)
			}),
		)),
	)
	src := `# Hello, *Gemini*

This capsule is written in **Markdown**: see [my first post](first-post.md)
and [the spec](gemini://geminiprotocol.net/docs/).

- [x] convert
- [ ] publish

| Protocol | Port |
|----------|-----:|
| Gemini   | 1965 |
| Gopher   |   70 |
`
	var out bytes.Buffer
	if err := md.Convert([]byte(src), &out); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(out.String())
	fmt.Println(gemtext.Check(out.Bytes()))
	// Output:
	// # Hello, Gemini
	//
	// This capsule is written in Markdown: see my first post and the spec.
	// => /posts/first-post/ my first post
	// => gemini://geminiprotocol.net/docs/ the spec
	//
	// * [x] convert
	// * [ ] publish
	//
	// ```table
	// ┌──────────┬──────┐
	// │ Protocol │ Port │
	// ├──────────┼──────┤
	// │ Gemini   │ 1965 │
	// │ Gopher   │   70 │
	// └──────────┴──────┘
	// ```
	// <nil>
}
