package markdown_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/gmkit/gmkit/build/gopher"
	"github.com/gmkit/gmkit/build/markdown"
	"github.com/gmkit/gmkit/build/markdown/wordtest"
)

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
		sw := wordtest.Source(src)
		for _, o := range []struct {
			name string
			out  []byte
		}{{"gemtext", gmi}, {"gopher text", text.Bytes()}} {
			if k := wordtest.Kept(sw, wordtest.Words(string(o.out))); k < 0.8 {
				t.Errorf("%s, %s: kept %.0f%% of %d words, want at least 80%%", filepath.Base(f), o.name, 100*k, len(sw))
			}
		}
	}
}
