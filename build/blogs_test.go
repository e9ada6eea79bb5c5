package build

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"github.com/gmkit/gmkit/build/markdown/wordtest"
	"github.com/gmkit/gmkit/build/site"
)

// TestBlogsPublish builds blogs written in the habits of Hugo, Jekyll and
// Zola (testdata/blogs) as a new user would, with no configuration: the
// build must find nothing fatal, no output may show a reader template
// braces outside preformatted text (but for those the source shows as
// written), no page may lose more than a fifth of the words a reader of
// its web page sees, in any output, and what the blog keeps out (drafts,
// unpublished posts: the sources listed in the section "absent") is not
// published. The warnings
// must be those of the section "warnings" (none when it is absent).
func TestBlogsPublish(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "blogs", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no blogs in testdata/blogs (%v)", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			fx := loadFixture(t, file)
			res, err := NewBuilder(fx.cfg).Build(context.Background())
			if err != nil {
				t.Fatalf("build failed:\n%s", errorReport(err))
			}
			// Warnings are for what the blog's generator would not
			// understand either; every link resolves.
			wantWarn, _ := fx.section("warnings")
			if diff := cmp.Diff(lines(warningLines(fx, res.Warnings)), lines(wantWarn)); diff != "" {
				t.Errorf("warnings (-got +want):\n%s", diff)
			}
			// Sources the blog keeps out are in no output, whatever
			// their address would be.
			if absent, ok := fx.section("absent"); ok {
				for _, src := range lines(absent) {
					if p := res.Site.Page(strings.TrimPrefix(src, "content/")); p != nil {
						t.Errorf("%s is published (at %s); want it kept out", src, p.Path)
					}
				}
			}
			pages := slices.SortedFunc(res.Site.All(), func(a, b *site.Page) int { return strings.Compare(a.Source, b.Source) })
			for _, p := range pages {
				checkPageKept(t, res, p)
			}
		})
	}
}

// checkPageKept checks one page's file in every output that publishes it
// (see TestBlogsPublish).
func checkPageKept(t *testing.T, res *Result, p *site.Page) {
	t.Helper()
	src := wordtest.Source(p.Body())
	shown := shownBraces(p.Body())
	var gemPre int // braces the capsule's page has in preformatted text
	for _, o := range res.Outputs {
		if !p.HasOutput(o.Name()) {
			continue
		}
		file, err := o.File(o.PageURL(p))
		if err != nil {
			t.Errorf("%s: %s: %v", p.File, o.Name(), err)
			continue
		}
		out, err := res.Output.ReadFile(o.Name() + "/" + file)
		if err != nil {
			t.Errorf("%s: %s: %v", p.File, o.Name(), err)
			continue
		}
		text, pre := readerText(o.Name(), out)
		if o.Name() == "gemini" {
			gemPre = braces(pre)
			if n := braces(text); n > shown {
				t.Errorf("%s: %s/%s shows %d template braces outside preformatted text, want %d (those the source shows as written):\n%s", p.File, o.Name(), file, n, shown, out)
			}
		} else if n := braces(text + pre); n > gemPre+shown {
			// Gopher has no preformatted marker: it may show what the
			// capsule shows as preformatted, no more.
			t.Errorf("%s: %s/%s shows %d template braces, want at most %d (the capsule's preformatted ones and those the source shows as written):\n%s", p.File, o.Name(), file, n, gemPre+shown, out)
		}
		if k := wordtest.Kept(src, wordtest.Words(text+"\n"+pre)); k < 0.8 {
			t.Errorf("%s: %s/%s keeps %.0f%% of the %d words of its source, want at least 80%%:\n%s", p.File, o.Name(), file, 100*k, len(src), out)
		}
	}
}

// asWritten are the places where a source shows template braces to its
// reader on purpose, outside code blocks: code spans, Liquid's raw blocks,
// and shortcodes escaped as Hugo and Zola escape them.
var asWritten = regexp.MustCompile("(?s)`[^`\n]+`|\\{%-?\\s*raw\\s*-?%\\}.*?\\{%-?\\s*endraw\\s*-?%\\}|\\{\\{[<%]?/\\*")

// fenced are fenced code blocks and Hugo's highlight shortcodes: their
// text is preformatted in the output.
var fenced = regexp.MustCompile("(?ms)^ {0,3}(```|~~~).*?^ {0,3}(```|~~~)|\\{\\{[<%]\\s*highlight.*?\\{\\{[<%]\\s*/highlight\\s*[>%]\\}\\}")

// shownBraces counts the template braces a source shows its reader as
// written (see asWritten), outside code blocks. An escaped shortcode
// shows the one it escapes; a raw block shows what it holds.
func shownBraces(src []byte) int {
	s := fenced.ReplaceAllString(string(src), "")
	n := 0
	for _, m := range asWritten.FindAllString(s, -1) {
		switch {
		case strings.HasPrefix(m, "{{"):
			n++
		case strings.HasPrefix(m, "{%"):
			body := m[strings.Index(m, "%}")+2:]
			n += braces(body[:strings.LastIndex(body, "{%")])
		default:
			n += braces(m)
		}
	}
	return n
}

// braces counts the openings of template tags in s: {{ and {%.
func braces(s string) int {
	return strings.Count(s, "{{") + strings.Count(s, "{%")
}

// readerText splits a page of an output into the text a reader sees
// outside preformatted blocks and inside them; a link line counts its
// label, a Gopher menu line its display string. An output other than the
// capsule and the hole is read as HTML.
func readerText(output string, page []byte) (text, pre string) {
	if output != "gemini" && output != "gopher" {
		return htmlText(page)
	}
	var tb, pb strings.Builder
	inPre := false
	for line := range bytes.Lines(page) {
		l := strings.TrimRight(string(line), "\r\n")
		switch output {
		case "gemini":
			if strings.HasPrefix(l, "```") {
				inPre = !inPre
				continue
			}
			if !inPre && strings.HasPrefix(l, "=>") {
				f := strings.Fields(strings.TrimPrefix(l, "=>"))
				if len(f) > 0 {
					l = strings.Join(f[1:], " ")
				}
			}
		default:
			if display, _, ok := strings.Cut(l, "\t"); ok && display != "" {
				l = display[1:]
			}
		}
		if inPre {
			pb.WriteString(l + "\n")
		} else {
			tb.WriteString(l + "\n")
		}
	}
	return tb.String(), pb.String()
}

// TestShownBraces checks the count of braces a source shows as written,
// so that TestBlogsPublish can fail.
func TestShownBraces(t *testing.T) {
	for _, tt := range []struct {
		src  string
		want int
	}{
		{"{{< figure >}} and {% include x %}", 0},
		{"Print it with `{{ .Title }}` or `{% raw %}`.", 2},
		{"{% raw %}{{ a }} and {{ b }}{% endraw %}", 2},
		{"{{</* figure */>}} {{%/* notice */%}} {{/* youtube() */}}", 3},
		{"```\n{{ in a block }}\n```\n{{< highlight go >}}{{ x }}{{< /highlight >}}", 0},
	} {
		if got := shownBraces([]byte(tt.src)); got != tt.want {
			t.Errorf("shownBraces(%q) = %d, want %d", tt.src, got, tt.want)
		}
	}
}

// htmlText is readerText for an HTML page: its text outside <pre> and
// inside it, without scripts and styles.
func htmlText(page []byte) (text, pre string) {
	var tb, pb strings.Builder
	z := html.NewTokenizer(bytes.NewReader(page))
	inPre, skip := 0, 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return tb.String(), pb.String()
		case html.StartTagToken:
			switch name, _ := z.TagName(); string(name) {
			case "pre":
				inPre++
			case "script", "style":
				skip++
			}
		case html.EndTagToken:
			switch name, _ := z.TagName(); string(name) {
			case "pre":
				inPre = max(inPre-1, 0)
			case "script", "style":
				skip = max(skip-1, 0)
			}
		case html.TextToken:
			switch {
			case skip > 0:
			case inPre > 0:
				pb.Write(z.Text())
				pb.WriteByte('\n')
			default:
				tb.Write(z.Text())
				tb.WriteByte(' ')
			}
		}
	}
}
