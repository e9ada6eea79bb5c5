package gemtext

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/gmkit/gmkit/build/markdown"
)

// fuzzOptions picks a combination of options from the bits of b.
func fuzzOptions(b uint8) []Option {
	opts := []Option{
		WithLinkMode(LinkMode(b & 3)),
		WithKeepMarkers(b&4 != 0),
		WithKeepHTML(b&8 != 0),
		WithOrderedNumbers(b&16 == 0),
		WithASCIITables(b&32 != 0),
	}
	if b&64 != 0 {
		opts = append(opts, WithThematicBreak(""), WithNestedListMarker(""))
	}
	if b&128 != 0 {
		opts = append(opts, WithLinkRewriter(testRewriter))
	}
	return opts
}

func addFuzzSeeds(f *testing.F) {
	for _, s := range []string{
		"", "# a\n", "a\\\nb", "- a\n  - b\n", "> > a\n>\n> b", "```\n```x\n", "    ```\n",
		"| a | b |\n|:-|-:|\n| 中 | 😀 |", "[a](<b c>) ![d](e) <f@g.h> www.i.j", "x[^1]\n\n[^1]: ```\n",
		"<div>\n\n*a*\n</div>", "\r\n\r\n# a\r\n", "\x00\xff\xfe", "1. [a](b)\n2. [c](d)", "- [x] [a](b)\n",
		"\t\tcode", "#\t#", "[a\tb](c\td)", "=> x\n\\=> y", "***\n---\n___",
	} {
		f.Add([]byte(s), uint8(len(s)))
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.md"))
	for i, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b, uint8(i*37))
		}
	}
}

// FuzzRender renders arbitrary input with arbitrary options: no panic, the
// output passes Check, and rendering is deterministic.
func FuzzRender(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte, optBits uint8) {
		doc := markdown.Parse(testParser(), src)
		r := New(fuzzOptions(optBits)...)
		var a, b bytes.Buffer
		if err := r.Render(&a, src, doc); err != nil {
			t.Fatalf("Render: %v", err)
		}
		if err := Check(a.Bytes()); err != nil {
			t.Fatalf("Check = %v for input %q (options %08b); output:\n%s", err, src, optBits, a.Bytes())
		}
		if err := r.Render(&b, src, doc); err != nil {
			t.Fatalf("second Render: %v", err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatalf("two renders of %q differ:\n%q\n%q", src, a.Bytes(), b.Bytes())
		}
	})
}

// FuzzCheck runs the checker on arbitrary bytes: no panic, and a reported
// line lies within the input.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"", "\n", "a\n", "```\n", "=>\n", "# a\tb\n", "a \n", "\xff", "a\r\n", "a\n\n\nb\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		err := Check(b)
		if ce, ok := err.(*CheckError); ok {
			if lines := bytes.Count(b, []byte{'\n'}) + 1; ce.Line < 1 || ce.Line > lines {
				t.Fatalf("Check(%q) = %v: line outside 1..%d", b, err, lines)
			}
		} else if err != nil {
			t.Fatalf("Check(%q) = %v, want nil or *CheckError", b, err)
		}
	})
}
