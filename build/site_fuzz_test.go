package build

import (
	"bytes"
	"context"
	"path"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gmkit/gmkit/build/gemtext"
	"github.com/gmkit/gmkit/build/gophermap"
)

// FuzzSitePage builds a small site in which one post's file is the fuzz
// input, in both outputs. The build must not panic; when it fails, the
// message names that post; when it succeeds, every generated gemtext page
// passes gemtext.Check and every generated gophermap passes the strict
// linter.
func FuzzSitePage(f *testing.F) {
	// The seeds are in testdata/fuzz/FuzzSitePage: build/site's
	// FuzzFrontMatter seeds, and what fuzzing found.
	f.Fuzz(func(t *testing.T, src []byte) {
		dir := t.TempDir()
		writeSiteFile(t, dir, "content/posts/fuzz.md", src)
		writeSiteFile(t, dir, "content/posts/2026-01-01-other.md", []byte("---\ntags: [t]\n---\nSee [the fuzz page](fuzz.md).\n"))
		res, err := NewBuilder(Config{Dir: dir, Title: "Fuzz", Hostname: "example.org"}).Build(context.Background())
		if err != nil {
			if !strings.Contains(err.Error(), "content/posts/fuzz.md") {
				t.Fatalf("error does not name the page: %v", err)
			}
			return
		}
		for _, p := range res.Output.Paths() {
			b, generated := res.Output.File(p).Data(), res.Output.File(p).Source() == ""
			if !generated {
				continue
			}
			switch {
			case strings.HasSuffix(p, ".gmi") && utf8.Valid(src):
				// Invalid UTF-8 in the source may reach the page
				// as it is; everything else must be clean.
				if err := gemtext.Check(b); err != nil {
					t.Errorf("%s: %v\n%s", p, err, b)
				}
			case path.Base(p) == "gophermap":
				for _, prob := range gophermap.Lint(bytes.NewReader(b), true) {
					if strings.Contains(prob.Msg, "UTF-8") && !utf8.Valid(src) {
						continue
					}
					t.Errorf("%s:%d: %s\n%s", p, prob.Line, prob.Msg, b)
				}
			}
		}
	})
}
