package markdown_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/gmkit/gmkit/build/gemtext"
	"github.com/gmkit/gmkit/build/gopher"
	"github.com/gmkit/gmkit/build/gophermap"
	"github.com/gmkit/gmkit/build/markdown"
)

var update = flag.Bool("update", false, "rewrite the outputs in testdata/habits/*.txtar")

// testParser is the parser every test shares: it is safe for concurrent
// use, and building one is slow.
var testParser = sync.OnceValue(markdown.Parser)

// outputs renders src as both outputs and lists the warnings.
func outputs(t testing.TB, src []byte) (gmi, gophermap, warnings []byte) {
	t.Helper()
	var w bytes.Buffer
	doc := markdown.Parse(testParser(), src, markdown.WithWarnings(func(x markdown.Warning) {
		fmt.Fprintf(&w, "%d: %s\n", x.Line, x.Msg)
	}))
	var g, m bytes.Buffer
	if err := gemtext.New().Render(&g, src, doc); err != nil {
		t.Fatalf("gemtext: %v", err)
	}
	if err := gopher.New(gopher.WithHost("example.org", 70)).Render(&m, src, doc); err != nil {
		t.Fatalf("gopher: %v", err)
	}
	return g.Bytes(), m.Bytes(), w.Bytes()
}

// TestHabits renders each testdata/habits/*.txtar fixture (its "input.md"
// file, written the way Hugo, Jekyll and Zola blogs write) and compares
// both outputs and the warnings with the golden files beside it in the
// archive. Run with -update to rewrite them.
func TestHabits(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "habits", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures under testdata/habits (%v)", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var src []byte
			for _, file := range ar.Files {
				if file.Name == "input.md" {
					src = file.Data
				}
			}
			if src == nil {
				t.Fatalf("%s: no input.md", f)
			}
			gmi, gm, warn := outputs(t, src)
			got := map[string][]byte{"output.gmi": gmi, "output.gophermap": gm, "warnings": warn}
			if err := gemtext.Check(gmi); err != nil {
				t.Errorf("gemtext output fails Check: %v\n%s", err, gmi)
			}
			if probs := gophermap.LintBytes(gm, true); len(probs) > 0 {
				t.Errorf("gophermap fails Lint: %v\n%s", probs, gm)
			}
			if *update {
				out := &txtar.Archive{Comment: ar.Comment, Files: []txtar.File{{Name: "input.md", Data: src}}}
				for _, name := range []string{"output.gmi", "output.gophermap", "warnings"} {
					out.Files = append(out.Files, txtar.File{Name: name, Data: got[name]})
				}
				if err := os.WriteFile(f, txtar.Format(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, file := range ar.Files {
				if file.Name == "input.md" {
					continue
				}
				want, ok := got[file.Name]
				if !ok {
					t.Errorf("%s: unknown file %q in the archive", f, file.Name)
					continue
				}
				if !bytes.Equal(want, file.Data) {
					t.Errorf("%s: %s differs (run go test -run TestHabits -update):\ngot:\n%s\nwant:\n%s", f, file.Name, want, file.Data)
				}
				delete(got, file.Name)
			}
			for name := range got {
				t.Errorf("%s: no %s in the archive (run go test -run TestHabits -update)", f, name)
			}
		})
	}
}
