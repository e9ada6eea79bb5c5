package web

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yuin/goldmark/ast"

	"github.com/gmkit/gmkit/build/markdown"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func render(t testing.TB, src string, opts ...Option) string {
	t.Helper()
	doc := markdown.Parse(markdown.Parser(), []byte(src))
	var b bytes.Buffer
	if err := New(opts...).Render(&b, []byte(src), doc); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func rewrite(dest string) string {
	if p, frag, _ := strings.Cut(dest, "#"); strings.HasSuffix(p, ".md") {
		out := "/posts/" + strings.TrimSuffix(filepath.Base(p), ".md") + "/"
		if frag != "" {
			out += "#" + frag
		}
		return out
	}
	return dest
}

// TestGolden renders testdata/*.md and compares with the .html beside it.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.md")
	if len(files) == 0 {
		t.Fatal("no golden sources")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got := render(t, string(src), WithLinkRewriter(rewrite))
			golden := strings.TrimSuffix(f, ".md") + ".html"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("%s differs from %s (run with -update to accept):\ngot:\n%s\nwant:\n%s", f, golden, got, want)
			}
		})
	}
}

// TestEveryKindRendered checks that every node kind the parser produces
// leaves a trace in the HTML (a node kind without a function would be
// skipped silently).
func TestEveryKindRendered(t *testing.T) {
	src, err := os.ReadFile("testdata/kinds.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := markdown.Parse(markdown.Parser(), src)
	seen := map[string]bool{}
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			seen[n.Kind().String()] = true
		}
		return ast.WalkContinue, nil
	})
	out := render(t, string(src))
	marks := map[string]string{
		"Heading": "<h2>", "Paragraph": "<p>", "Emphasis": "<em>", "Link": "<a href=", "Image": "<img ",
		"AutoLink": `<a href="https://example.org">`, "CodeSpan": "<code>", "FencedCodeBlock": `<code class="language-go">`,
		"CodeBlock": "<pre><code>indented", "Blockquote": "<blockquote>", "List": "<ul>", "ListItem": "<li>",
		"ThematicBreak": "<hr>", "Table": "<table>", "TableHeader": "<thead>", "TableRow": "<tr>",
		"TableCell": `<td class="align-right">`, "Strikethrough": "<del>", "TaskCheckBox": `type="checkbox"`,
		"Footnote": `id="fn:1"`, "FootnoteLink": `class="footnote-ref"`, "FootnoteBacklink": `class="footnote-backref"`,
		"FootnoteList": `class="footnotes"`, "HTMLBlock": "<details>", "RawHTML": "<kbd>", "TextBlock": "<li>",
		"Text": "plain words", "String": "", "Document": "",
		// What HTML means for text outputs: nothing here, the HTML is kept.
		"TextOnly": "", "TextOnlySpan": "",
	}
	for kind := range seen {
		mark, ok := marks[kind]
		if !ok {
			t.Errorf("node kind %s has no check here", kind)
			continue
		}
		if !strings.Contains(out, mark) {
			t.Errorf("node kind %s: output lacks %q:\n%s", kind, mark, out)
		}
	}
}

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, src string
		has, not  []string
	}{
		{"script", "<script>alert(1)</script>\n\ntext", []string{"text"}, []string{"<script", "alert"}},
		{"event handler", `<p onclick="x()">hi</p>`, []string{"<p>hi</p>"}, []string{"onclick"}},
		{"javascript link in html", `<a href="javascript:alert(1)">x</a>`, nil, []string{"javascript:"}},
		{"javascript link in markdown", `[x](javascript:alert(1))`, []string{"<a href=\"\">x</a>"}, []string{"javascript:"}},
		{"form", "<form action=/x><input name=q><button>go</button></form>\n", nil, []string{"<form", "<input", "<button"}},
		{"style attribute", `<p style="color:red">red</p>`, []string{"<p>red</p>"}, []string{"style"}},
		{"style element", "<style>body{}</style>\n\nx", nil, []string{"<style", "body{}"}},
		{"iframe as link", `<iframe src="https://video.example/embed/1" title="A talk"></iframe>`,
			[]string{`<a href="https://video.example/embed/1">A talk</a>`}, []string{"<iframe"}},
		{"object as link", `<object data="/files/a.pdf"><p>fallback</p></object>`,
			[]string{`<a href="/files/a.pdf">/files/a.pdf</a>`}, []string{"<object", "fallback"}},
		{"kept html", "<details><summary>More</summary>\n\nHidden *text*.\n\n</details>\n",
			[]string{"<details>", "<summary>More</summary>", "<em>text</em>"}, nil},
		{"video", `<video src="/v.webm" controls></video>`, []string{`<video src="/v.webm" controls`}, nil},
		{"links not nofollow", `<a href="https://example.org/">x</a>`, []string{`<a href="https://example.org/">x</a>`}, []string{"nofollow"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := render(t, tt.src)
			for _, s := range tt.has {
				if !strings.Contains(got, s) {
					t.Errorf("output lacks %q:\n%s", s, got)
				}
			}
			for _, s := range tt.not {
				if strings.Contains(got, s) {
					t.Errorf("output holds %q:\n%s", s, got)
				}
			}
		})
	}
}

func TestUnsafePassesHTMLThrough(t *testing.T) {
	src := "<script>hello()</script>\n\n<p style=\"color:red\" onclick=\"x()\">red</p>\n"
	got := render(t, src, WithUnsafe(true))
	for _, s := range []string{"<script>hello()</script>", `style="color:red"`, `onclick="x()"`} {
		if !strings.Contains(got, s) {
			t.Errorf("unsafe output lacks %q:\n%s", s, got)
		}
	}
}

func TestLinkRewritingLeavesTheASTAsItWas(t *testing.T) {
	src := []byte("[a](other.md#x) ![b](pic.png)\n\n| a |\n|--:|\n| 1 |\n")
	doc := markdown.Parse(markdown.Parser(), src)
	r := New(WithLinkRewriter(rewrite))
	var first, second bytes.Buffer
	r.Render(&first, src, doc)
	if !strings.Contains(first.String(), `href="/posts/other/#x"`) {
		t.Errorf("link not rewritten:\n%s", first.String())
	}
	New().Render(&second, src, doc)
	if !strings.Contains(second.String(), `href="other.md#x"`) || strings.Contains(second.String(), "loading=") && !strings.Contains(second.String(), `loading="lazy"`) {
		t.Errorf("second renderer saw a changed AST:\n%s", second.String())
	}
	var attrs int
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering && n.Attributes() != nil {
			attrs++
		}
		return ast.WalkContinue, nil
	})
	if attrs != 0 {
		t.Errorf("%d nodes kept attributes set while rendering", attrs)
	}
}
