package gophermap

import (
	"bytes"
	"testing"
)

// FuzzParseItem checks that ParseItem never panics and that what it
// accepts survives a round trip through String.
func FuzzParseItem(f *testing.F) {
	for _, s := range []string{
		"iHello\t\tlocalhost\t70",
		"1Phlog\t/phlog\texample.org\t7070\r\n",
		"hWeb\tURL:https://example.org/\tlocalhost\t70\n",
		"0a\tb\tc\td",
		"",
		"\t\t\t",
		"9bin\t/x\th\t65536",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		it, err := ParseItem(line)
		if err != nil {
			return
		}
		again, err := ParseItem(it.String())
		if err != nil {
			t.Fatalf("ParseItem(%q) = %+v, whose String %q does not parse: %v", line, it, it.String(), err)
		}
		if again != it {
			t.Fatalf("round trip of %q: got %+v, want %+v", line, again, it)
		}
	})
}

// lintSeeds are the f.Add seeds of FuzzLint and FuzzLintBytes.
func lintSeeds() []string {
	return []string{
		"iHello\t\tlocalhost\t70\n1Phlog\t/phlog\texample.org\t70\n",
		"Welcome\n1Phlog    /phlog    example.org 70\n.\n",
		"# comment\nhWeb\tURL:https://example.org/\n",
		"0x\t/x\th\tp\n\r\n",
	}
}

// FuzzLint checks that Lint never panics in either mode, and that in
// strict mode a line made by Item.String from a parsed line stays clean of
// field-count problems.
func FuzzLint(f *testing.F) {
	for _, s := range lintSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		Lint(bytes.NewReader(data), true)
		Lint(bytes.NewReader(data), false)
	})
}
