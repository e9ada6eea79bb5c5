package gopher

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gmkit/gmkit/build/gophermap"
	"github.com/gmkit/gmkit/build/markdown"
	"github.com/google/go-cmp/cmp"
	"github.com/yuin/goldmark"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// render parses src with gmkit's parser and renders it with opts.
func render(t testing.TB, src []byte, opts ...Option) []byte {
	t.Helper()
	doc := markdown.Parse(markdown.Parser(), src)
	var b bytes.Buffer
	if err := NewNodeRenderer(opts...).Render(&b, src, doc); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return b.Bytes()
}

// testResolver maps *.md to page menus, /img/ to images and leaves the
// rest to the renderer, as a site build would.
func testResolver(dest string) (Target, bool) {
	p, _, _ := strings.Cut(dest, "#")
	switch {
	case strings.HasSuffix(p, ".md"):
		return Target{Type: '1', Selector: "/posts/" + strings.TrimSuffix(filepath.Base(p), ".md") + "/"}, true
	case strings.HasPrefix(p, "/img/"):
		return Target{Selector: "/static" + p}, true // Type 0: by extension
	}
	return Target{}, false
}

type variant struct {
	name string
	opts []Option
}

var (
	menu = variant{"menu", nil}
	text = variant{"text", []Option{WithMode(ModeText)}}
)

var goldenCases = []struct {
	input    string
	variants []variant
}{
	{"post", []variant{menu, text, {"width40", []Option{WithWidth(40)}}, {"text-width40", []Option{WithMode(ModeText), WithWidth(40)}}}},
	{"wrap", []variant{menu, text, {"width30", []Option{WithWidth(30), WithMode(ModeText)}}}},
	{"lists", []variant{menu, text, {"width40", []Option{WithWidth(40), WithMode(ModeText)}}}},
	{"quotes", []variant{menu, text}},
	{"code", []variant{menu, text}},
	{"tables", []variant{menu, text}},
	{"links", []variant{menu, text,
		{"host", []Option{WithHost("gopher.example.org", 7070)}},
		{"resolver", []Option{WithLinkResolver(testResolver)}},
		{"text-resolver", []Option{WithMode(ModeText), WithLinkResolver(testResolver), WithHost("gopher.example.org", 7070)}},
	}},
	{"headings", []variant{menu, text, {"upper", []Option{WithHeadingStyle(HeadingUpper), WithMode(ModeText)}}}},
	{"footnotes", []variant{menu, text}},
	{"controls", []variant{menu, text}},
}

func TestGolden(t *testing.T) {
	for _, gc := range goldenCases {
		src, err := os.ReadFile(filepath.Join("testdata", "render", gc.input+".md"))
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range gc.variants {
			t.Run(gc.input+"/"+v.name, func(t *testing.T) {
				got := render(t, src, v.opts...)
				golden := filepath.Join("testdata", "render", gc.input+"."+v.name+".golden")
				if *update {
					if err := os.WriteFile(golden, got, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if diff := cmp.Diff(string(want), string(got)); diff != "" {
					t.Errorf("%s: output differs from %s (-want +got):\n%s", gc.input, golden, diff)
				}
				checkOutput(t, got, newConfig(v.opts))
			})
		}
	}
}

// checkOutput checks what every output must satisfy: menus pass the strict
// linter; text has LF endings, no trailing spaces, no runs of blank lines
// and ends in exactly one newline.
func checkOutput(t *testing.T, out []byte, c config) {
	t.Helper()
	if len(out) == 0 {
		return
	}
	if c.mode == ModeMenu {
		for _, p := range gophermap.Lint(bytes.NewReader(out), true) {
			t.Errorf("strict lint: %v", p)
		}
		for _, l := range strings.SplitAfter(string(out), "\n") {
			if l == "" {
				continue
			}
			it, err := gophermap.ParseItem(l)
			if err != nil {
				t.Errorf("gophermap.ParseItem(%q): %v", l, err)
				continue
			}
			if (it.Type == 'i' || it.Type == 'h') && (it.Host != c.host || it.Port != c.port) {
				t.Errorf("line %q: host %q port %d, want the configured %q %d", l, it.Host, it.Port, c.host, c.port)
			}
		}
		return
	}
	s := string(out)
	if strings.Contains(s, "\r") {
		t.Errorf("text output contains CR")
	}
	if !strings.HasSuffix(s, "\n") || strings.HasSuffix(s, "\n\n") {
		t.Errorf("text output does not end in exactly one newline")
	}
	if strings.HasPrefix(s, "\n") {
		t.Errorf("text output starts with a blank line")
	}
	for i, l := range strings.Split(s, "\n") {
		if strings.HasSuffix(l, " ") {
			t.Errorf("line %d %q has trailing spaces", i+1, l)
		}
	}
}

// TestGoldmarkIntegration checks that New works as the renderer of a
// goldmark.Markdown with the extensions enabled, whose HTML renderers for
// tables, footnotes and the rest must not take over.
func TestGoldmarkIntegration(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "render", "post.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []Mode{ModeMenu, ModeText} {
		md := goldmark.New(goldmark.WithExtensions(markdown.Extensions()...), goldmark.WithRenderer(New(WithMode(mode))))
		var got bytes.Buffer
		if err := md.Convert(src, &got); err != nil {
			t.Fatalf("Convert: %v", err)
		}
		want := render(t, src, WithMode(mode))
		if diff := cmp.Diff(string(want), got.String()); diff != "" {
			t.Errorf("mode %v: goldmark.Convert differs from NodeRenderer.Render (-want +got):\n%s", mode, diff)
		}
		if strings.Contains(got.String(), "<") && strings.Contains(got.String(), "</") {
			t.Errorf("mode %v: HTML in output:\n%s", mode, got.String())
		}
	}
}

// TestRenderSubtree renders single nodes as the root of a goldmark render.
func TestRenderSubtree(t *testing.T) {
	src := []byte("Intro.\n\n- a [link](https://example.org/)\n- b\n")
	doc := markdown.Parse(markdown.Parser(), src)
	list := doc.FirstChild().NextSibling()
	r := New()
	var got bytes.Buffer
	if err := r.Render(&got, src, list); err != nil {
		t.Fatal(err)
	}
	want := "i* a link\t\tlocalhost\t70\nhlink\tURL:https://example.org/\tlocalhost\t70\ni* b\t\tlocalhost\t70\n"
	if got.String() != want {
		t.Errorf("list rendered alone:\ngot  %q\nwant %q", got.String(), want)
	}
	got.Reset()
	link := list.FirstChild().FirstChild().FirstChild().NextSibling() // ListItem > TextBlock > Text, Link
	if err := r.Render(&got, src, link); err != nil {
		t.Fatal(err)
	}
	want = "hlink\tURL:https://example.org/\tlocalhost\t70\n"
	if got.String() != want {
		t.Errorf("link rendered alone:\ngot  %q\nwant %q", got.String(), want)
	}
}

// TestConcurrentRender renders from one renderer on many goroutines (run
// with -race) and checks every result equals the sequential one.
func TestConcurrentRender(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "render", "post.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []Mode{ModeMenu, ModeText} {
		md := goldmark.New(goldmark.WithExtensions(markdown.Extensions()...),
			goldmark.WithRenderer(New(WithMode(mode), WithLinkResolver(testResolver))))
		parse := func() *bytes.Buffer {
			var b bytes.Buffer
			if err := md.Convert(src, &b); err != nil {
				t.Error(err)
			}
			return &b
		}
		want := parse().String()
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 10 {
					if got := parse().String(); got != want {
						t.Errorf("mode %v: concurrent render differs:\ngot  %q\nwant %q", mode, got, want)
						return
					}
				}
			})
		}
		wg.Wait()
	}
}

func TestEmptyDocument(t *testing.T) {
	for _, src := range []string{"", "\n\n", "<!-- only a comment -->\n", "[ref]: /x\n"} {
		for _, mode := range []Mode{ModeMenu, ModeText} {
			if got := render(t, []byte(src), WithMode(mode)); len(got) != 0 {
				t.Errorf("mode %v, input %q: got %q, want no output", mode, src, got)
			}
		}
	}
}
