package gemtext

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/gmkit/gmkit/build/markdown"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
)

// largePost returns about size bytes of mixed Markdown, the same bytes on
// every call: headings, paragraphs with emphasis, links, autolinks and
// footnote references, nested and task lists, quotes, code blocks, tables
// with CJK text, raw HTML and footnotes.
func largePost(size int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("gemini gopher capsule small web markdown plain text protocol server client " +
		"certificate request response 中文 日本語 emoji 😀 café naïve link heading quote list table")
	word := func() string { return words[rng.IntN(len(words))] }
	sentence := func() string {
		var b strings.Builder
		n := 6 + rng.IntN(12)
		for i := range n {
			if i > 0 {
				b.WriteByte(' ')
			}
			switch rng.IntN(14) {
			case 0:
				fmt.Fprintf(&b, "*%s*", word())
			case 1:
				fmt.Fprintf(&b, "**%s %s**", word(), word())
			case 2:
				fmt.Fprintf(&b, "[%s %s](https://example.org/%s/%d)", word(), word(), word(), rng.IntN(1000))
			case 3:
				fmt.Fprintf(&b, "`%s()`", word())
			case 4:
				fmt.Fprintf(&b, "~~%s~~", word())
			case 5:
				fmt.Fprintf(&b, "&amp; %s", word())
			default:
				b.WriteString(word())
			}
		}
		b.WriteString(".")
		return b.String()
	}
	var b strings.Builder
	notes := 0
	for b.Len() < size {
		switch rng.IntN(10) {
		case 0:
			fmt.Fprintf(&b, "%s %s %s\n\n", strings.Repeat("#", 1+rng.IntN(6)), word(), word())
		case 1:
			for i := range 3 + rng.IntN(5) {
				fmt.Fprintf(&b, "%s- %s\n", strings.Repeat("  ", min(i%3, 2)), sentence())
			}
			b.WriteString("\n- [x] done " + word() + "\n- [ ] todo " + word() + "\n\n")
		case 2:
			for i := range 3 {
				fmt.Fprintf(&b, "%d. %s\n", i+1, sentence())
			}
			b.WriteString("\n")
		case 3:
			fmt.Fprintf(&b, "> %s\n> %s\n>\n> > %s\n\n", sentence(), sentence(), sentence())
		case 4:
			b.WriteString("```go\nfunc main() {\n\tfmt.Println(\"hello\")\n}\n```\n\n")
		case 5:
			b.WriteString("| Name | Count | Note |\n|:-----|------:|:----:|\n")
			for range 4 {
				fmt.Fprintf(&b, "| %s | %d | [%s](https://example.org/t) |\n", word(), rng.IntN(10000), word())
			}
			b.WriteString("\n")
		case 6:
			notes++
			fmt.Fprintf(&b, "%s[^n%d] See <https://example.com/%d> and <span>inline</span> html.\n\n", sentence(), notes, notes)
			fmt.Fprintf(&b, "[^n%d]: %s\n\n", notes, sentence())
		case 7:
			fmt.Fprintf(&b, "[%s](https://example.org/only/%d)\n\n![%s](img/%d.png)\n\n", word(), rng.IntN(100), word(), rng.IntN(100))
		default:
			fmt.Fprintf(&b, "%s %s\n%s\n\n", sentence(), sentence(), sentence())
		}
	}
	return []byte(b.String())
}

func benchDoc(b *testing.B) ([]byte, ast.Node) {
	src := largePost(200 << 10)
	return src, markdown.Parse(testParser(), src)
}

// BenchmarkRender renders a 200 KB post (parsed once) to gemtext.
func BenchmarkRender(b *testing.B) {
	src, doc := benchDoc(b)
	r := New()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Render(io.Discard, src, doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderHTML renders the same parsed post with goldmark's own
// HTML renderer: the baseline for BenchmarkRender.
func BenchmarkRenderHTML(b *testing.B) {
	src, doc := benchDoc(b)
	r := goldmark.New(goldmark.WithExtensions(markdown.Extensions()...)).Renderer()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Render(io.Discard, src, doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderRatio alternates the gemtext and the HTML renderer on the
// same parsed post, iteration by iteration, and reports the time gemtext
// takes per unit of HTML time ("gemtext/html"; below 1 means faster), a
// figure that holds up on a busy machine where separate runs drift.
func BenchmarkRenderRatio(b *testing.B) {
	src, doc := benchDoc(b)
	g := New()
	h := goldmark.New(goldmark.WithExtensions(markdown.Extensions()...)).Renderer()
	var tg, th time.Duration
	b.SetBytes(int64(2 * len(src)))
	for b.Loop() {
		t0 := time.Now()
		if err := g.Render(io.Discard, src, doc); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := h.Render(io.Discard, src, doc); err != nil {
			b.Fatal(err)
		}
		tg += t1.Sub(t0)
		th += time.Since(t1)
	}
	if th > 0 {
		b.ReportMetric(float64(tg)/float64(th), "gemtext/html")
	}
}

// TestLargePost checks that the benchmark input is valid and renders
// cleanly.
func TestLargePost(t *testing.T) {
	src := largePost(200 << 10)
	if len(src) < 200<<10 {
		t.Fatalf("largePost: got %d bytes, want at least %d", len(src), 200<<10)
	}
	if err := Check(render(t, src)); err != nil {
		t.Errorf("Check(render(largePost)) = %v", err)
	}
}
