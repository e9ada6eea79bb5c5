package markdown_test

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/tools/txtar"

	"github.com/gmkit/gmkit/build/gopher"
	"github.com/gmkit/gmkit/build/markdown"
)

// hidden is what a reader of the web page never sees: the tags of Hugo,
// Liquid and Zola, Markdown link destinations, and attribute lists.
var hidden = regexp.MustCompile(`(?s)\{\{.*?\}\}|\{%.*?%\}|\]\([^)\s]*\)|\{[:#.][^}\n]*\}|\{[a-z]+=[^}\n]*\}`)

// unseen are elements whose content a browser does not show: scripts,
// styles, and the fallback text of media it can play.
var unseen = map[string]bool{"script": true, "style": true, "video": true, "audio": true, "iframe": true, "object": true}

// sourceWords are the words a reader of the web page made from src sees:
// its text without template tags, link destinations, HTML tags, comments
// and the content of unseen elements, lower case.
func sourceWords(src []byte) []string {
	src = hidden.ReplaceAll(src, []byte("]"))
	z := html.NewTokenizer(bytes.NewReader(src))
	var sb strings.Builder
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return words(sb.String())
		case html.StartTagToken:
			if name, _ := z.TagName(); unseen[string(name)] {
				skip++
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); unseen[string(name)] && skip > 0 {
				skip--
			}
		case html.TextToken:
			if skip == 0 {
				sb.Write(z.Text())
				sb.WriteByte(' ')
			}
		}
	}
}

// words splits s into lower-case words of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// kept is the share of the words of src that turn up in out, each
// occurrence matched at most once.
func kept(src []string, out []string) float64 {
	if len(src) == 0 {
		return 1
	}
	have := map[string]int{}
	for _, w := range out {
		have[w]++
	}
	n := 0
	for _, w := range src {
		if have[w] > 0 {
			have[w]--
			n++
		}
	}
	return float64(n) / float64(len(src))
}

// TestWordsKept holds every fixture, and above all the page made of HTML,
// to keeping at least 80% of the words a web reader sees, in both outputs.
func TestWordsKept(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "habits", "*.txtar"))
	for _, f := range files {
		ar, err := txtar.ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := ar.Files[0].Data
		gmi, _, _ := outputs(t, src)
		var text bytes.Buffer
		doc := markdown.Parse(testParser(), src)
		if err := gopher.New(gopher.WithMode(gopher.ModeText)).Render(&text, src, doc); err != nil {
			t.Fatal(err)
		}
		sw := sourceWords(src)
		for _, o := range []struct {
			name string
			out  []byte
		}{{"gemtext", gmi}, {"gopher text", text.Bytes()}} {
			if k := kept(sw, words(string(o.out))); k < 0.8 {
				t.Errorf("%s, %s: kept %.0f%% of %d words, want at least 80%%", filepath.Base(f), o.name, 100*k, len(sw))
			}
		}
	}
}

// TestWordsKeptHelper checks the helper on text where the answer is
// known, so that the test above can fail.
func TestWordsKeptHelper(t *testing.T) {
	src := sourceWords([]byte("<p>one <b>two</b> three</p><script>var x</script><!-- four --> {{< five >}} six [seven](eight.md){: .nine}"))
	if got, want := strings.Join(src, " "), "one two three six seven"; got != want {
		t.Errorf("sourceWords: got %q, want %q", got, want)
	}
	if got := kept(src, words("one two")); got != 0.4 {
		t.Errorf("kept: got %v, want 0.4", got)
	}
	if got := kept(src, words("one one one two three six seven")); got != 1 {
		t.Errorf("kept: got %v, want 1", got)
	}
}
