package main

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"

	"github.com/gmkit/gmkit/build/gemtext"
	"github.com/gmkit/gmkit/build/gopher"
	"github.com/gmkit/gmkit/build/markdown"
)

// mdBlock is a fenced block of a Markdown page and the paragraph just
// before it (its label).
type mdBlock struct {
	label, lang, body string
	line              int
}

// fencedBlocks lists the fenced blocks of a Markdown page, a fence closing
// only with at least as many backticks as opened it.
func fencedBlocks(page string) []mdBlock {
	var out []mdBlock
	var para []string
	var cur *mdBlock
	var fence string
	var body strings.Builder
	ended := false // a blank line ended the paragraph
	for i, line := range strings.Split(page, "\n") {
		trimmed := strings.TrimLeft(line, "`")
		ticks := len(line) - len(trimmed)
		switch {
		case cur == nil && ticks >= 3:
			cur = &mdBlock{label: strings.Join(para, " "), lang: strings.TrimSpace(trimmed), line: i + 1}
			fence = line[:ticks]
			body.Reset()
		case cur != nil && ticks >= len(fence) && strings.TrimSpace(trimmed) == "":
			cur.body = body.String()
			out = append(out, *cur)
			cur, para, ended = nil, nil, false
		case cur != nil:
			body.WriteString(line + "\n")
		case strings.HasPrefix(line, "#"):
			para, ended = nil, false
		case strings.TrimSpace(line) == "":
			ended = true
		default:
			if ended {
				para, ended = nil, false
			}
			para = append(para, line)
		}
	}
	return out
}

var gopherWidthRe = regexp.MustCompile("`gopher.width = (\\d+)`")

// conversionRenderer is the renderer a label in docs/conversion.md names,
// or nil for a label that names none this test knows.
func conversionRenderer(label string) renderer.Renderer {
	host := gopher.WithHost("example.org", 70)
	width := 0
	if m := gopherWidthRe.FindStringSubmatch(label); m != nil {
		width, _ = strconv.Atoi(m[1])
	}
	switch {
	case strings.HasPrefix(label, "Gopher text"):
		return gopher.New(host, gopher.WithMode(gopher.ModeText), gopher.WithWidth(width))
	case strings.HasPrefix(label, "Gopher menu") || strings.HasPrefix(label, "In a Gopher menu"):
		return gopher.New(host, gopher.WithWidth(width))
	case strings.HasPrefix(label, "gemtext"):
		return gemtext.New()
	}
	for _, mode := range []string{"paragraph", "at-end", "copy", "off"} {
		if strings.HasPrefix(label, "`"+mode+"`") || strings.HasPrefix(label, "`build.links = \""+mode+"\"`") {
			m, err := gemtext.ParseLinkMode(mode)
			if err != nil {
				return nil
			}
			return gemtext.New(gemtext.WithLinkMode(m))
		}
	}
	return nil
}

// TestConversionDocExamples renders each Markdown example of
// docs/conversion.md with the renderer its output blocks name and compares.
// Examples shown from a site (a "`content/...`:" label) are built by
// TestDocExamples' kind of test elsewhere and skipped here.
func TestConversionDocExamples(t *testing.T) {
	doc := filepath.Join("..", "..", "docs", "conversion.md")
	var src *mdBlock
	checked := 0
	for _, b := range fencedBlocks(readFile(t, doc)) {
		if b.lang == "markdown" {
			src = nil
			if !strings.Contains(b.label, "`content/") {
				src = &b
			}
			continue
		}
		if src == nil || b.lang != "" {
			continue
		}
		ren := conversionRenderer(b.label)
		if ren == nil {
			continue
		}
		md := goldmark.New(goldmark.WithParser(markdown.Parser()), goldmark.WithRenderer(ren))
		var got bytes.Buffer
		source := []byte(src.body)
		if err := md.Renderer().Render(&got, source, md.Parser().Parse(text.NewReader(source))); err != nil {
			t.Fatalf("docs/conversion.md line %d: %v", b.line, err)
		}
		checked++
		if strings.TrimRight(got.String(), "\n") != strings.TrimRight(b.body, "\n") {
			t.Errorf("docs/conversion.md line %d (%q): the renderer writes\n%s\nthe docs say\n%s", b.line, b.label, got.String(), b.body)
		}
	}
	t.Logf("checked %d examples of docs/conversion.md", checked)
	if checked < 10 {
		t.Errorf("checked %d examples of docs/conversion.md, want 10 at least: has its layout changed?", checked)
	}
}
