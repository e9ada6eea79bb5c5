package build

import (
	"bytes"
	"context"
	"io/fs"
	"path"
	"strings"
	"testing"

	"github.com/gmkit/gmkit/build/gemtext"
	"github.com/gmkit/gmkit/build/gophermap"
)

// TestBuildContentExample builds the example site that ships with gmkit and
// checks every generated file against the output rules: gemtext hygiene for
// every .gmi page and the strict linter for every generated gophermap.
func TestBuildContentExample(t *testing.T) {
	res, err := NewBuilder(Config{Dir: "../content-example", Title: "Quiet Carrier", Hostname: "localhost"}).Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range res.Warnings {
		t.Errorf("warning: %s", w)
	}
	if res.Pages < 12 {
		t.Errorf("got %d pages, want at least 12", res.Pages)
	}
	out := res.Output
	for _, p := range out.Paths() {
		b := out.File(p).Data()
		switch {
		case strings.HasSuffix(p, ".gmi") && b != nil && !strings.HasPrefix(p, "gemini/colophon"):
			if err := gemtext.Check(b); err != nil {
				t.Errorf("%s: %v", p, err)
			}
		case path.Base(p) == "gophermap" && strings.HasPrefix(p, "gopher/") && b != nil:
			for _, prob := range gophermap.Lint(bytes.NewReader(b), true) {
				t.Errorf("%s:%d: %s", p, prob.Line, prob.Msg)
			}
		}
	}
	for _, want := range []string{"gemini/index.gmi", "gemini/posts/index.gmi", "gemini/atom.xml", "gemini/tags/index.gmi", "gopher/gophermap", "gopher/posts/gophermap", "gopher/atom.xml"} {
		if _, err := fs.Stat(out, want); err != nil {
			t.Errorf("missing %s: %v", want, err)
		}
	}
	if testing.Verbose() {
		for _, p := range []string{"gemini/index.gmi", "gemini/posts/index.gmi", "gopher/gophermap"} {
			b, _ := fs.ReadFile(out, p)
			t.Logf("%s:\n%s", p, b)
		}
	}
}
