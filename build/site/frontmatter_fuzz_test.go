package site

import (
	"errors"
	"testing"
)

// frontMatterSeeds are the seeds FuzzFrontMatter starts from (more are in
// testdata/fuzz); build's FuzzSitePage starts from the same ones (in its
// testdata/fuzz).
var frontMatterSeeds = []string{
	"",
	"Just text.\n",
	"---\ntitle: T\ndate: 2026-01-02\ntags: [a, b]\n---\n# Heading\n\nBody.\n",
	"+++\ntitle = \"T\"\ndate = 2026-01-02T03:04:05Z\ntags = [\"a\"]\n+++\nBody.\n",
	"---\ntitle: [unclosed\n---\n",
	"+++\ntitle = \n+++\n",
	"---\nnever closed\n",
	"---\r\ntitle: CRLF\r\n---\r\nBody.\r\n",
	"\xef\xbb\xbf---\ntitle: BOM\n---\n",
	"---\nslug: \"a b?c\"\noutputs: [gopher]\n---\nSpaces in the slug.\n",
	"---\ndraft: yes\n---\n",
	"---\nweight: 1.5\n---\n",
	"---\n- a list\n---\n",
	"---\ntitle: \"\\t\\x00\"\n---\n",
	"---\ndate: 0000-00-00\n---\n",
	"---\naliases: [/old/]\nparams: {a: 1}\n---\n[link](other.md) [gone](gone.md#x) ![img](a.png)\n",
	"{\n  \"title\": \"JSON\",\n  \"date\": \"2026-01-02\",\n  \"tags\": [\"a\", \"b\"]\n}\nBody.\n",
	"{\"title\": \"a } \\\" {\", \"_build\": {\"list\": \"never\"}, \"n\": 1e400}\n",
	"{\"title\": \"never closed\"\n",
	"{\"draft\": tru}\n",
	"{{< toc >}}\n",
	"---\npublishDate: 2030-01-01\nexpiryDate: 2020-01-01\npublished: false\nheadless: true\n---\n",
}

// FuzzFrontMatter checks that splitting and decoding front matter never
// panics, and that every error is a *SourceError naming the file, at a line
// of the file.
func FuzzFrontMatter(f *testing.F) {
	for _, s := range frontMatterSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		format, fm, body, line, err := splitFrontMatter(src)
		lines := countLines(src)
		if err != nil {
			if line < 0 || line > lines {
				t.Fatalf("split error at line %d of a %d-line file", line, lines)
			}
			return
		}
		if len(body) > len(src) || len(fm) > len(src) {
			t.Fatalf("got front matter %d and body %d bytes from %d", len(fm), len(body), len(src))
		}
		_, err = parseFrontMatter("content/x.md", format, fm, line, []string{"gemini", "gopher"}, nil)
		if err == nil {
			return
		}
		var se *SourceError
		if !errors.As(err, &se) {
			t.Fatalf("got %T %v, want a *SourceError", err, err)
		}
		if se.File != "content/x.md" || se.Line < 0 || se.Line > lines {
			t.Fatalf("got %q line %d for a %d-line file", se.File, se.Line, lines)
		}
	})
}

// countLines counts the lines of src the way YAML and TOML do: LF, CRLF and
// a lone CR each end a line.
func countLines(src []byte) int {
	n := 1
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '\n':
			n++
		case '\r':
			if i+1 < len(src) && src[i+1] == '\n' {
				i++
			}
			n++
		}
	}
	return n
}
