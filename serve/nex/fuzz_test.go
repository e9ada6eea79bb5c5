package nex

import (
	"bufio"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseRequest reads a request from raw bytes as the server does and
// checks what a request that passes promises: at most MaxPath bytes of
// UTF-8 without control characters. Seeds are under
// testdata/fuzz/FuzzParseRequest.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{"\n", "/\r\n", "nex/info/specification.txt\n", "../../etc/passwd\n", "a\x00b\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		line, err := readRequestLine(bufio.NewReaderSize(strings.NewReader(string(raw)), 64))
		if err != nil {
			return
		}
		req, err := ParseRequest(line)
		if err != nil {
			return
		}
		if len(req.Path) > MaxPath || !utf8.ValidString(req.Path) {
			t.Fatalf("ParseRequest(%q): path %q", line, req.Path)
		}
		for _, r := range req.Path {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("ParseRequest(%q): control character in %q", line, req.Path)
			}
		}
	})
}

// FuzzRender renders arbitrary gemtext and checks that the result is
// valid UTF-8 wherever the input was, that every line starting "=> " came
// from a link line (the only lines Nex clients follow), and that no text
// line is wider than the width unless it is a single word.
func FuzzRender(f *testing.F) {
	f.Add([]byte("# Title\n\nSome text => not a link\n=> /a b\n```\n=> pre\n```\n* item\n> quote\n"), "/posts/")
	f.Add([]byte("=>\t../x\tlabel\n=> gemini://h/ g\n"), "/a/b/")
	f.Fuzz(func(t *testing.T, gemtext []byte, base string) {
		out := Render(nil, gemtext, RenderOptions{Width: 30, Base: base})
		if utf8.Valid(gemtext) && !utf8.Valid(out) {
			t.Fatalf("Render made invalid UTF-8 from %q: %q", gemtext, out)
		}
		links := 0
		for l := range strings.SplitSeq(string(gemtext), "\n") {
			if strings.HasPrefix(l, "=>") {
				links++
			}
		}
		got := strings.Count("\n"+string(out), "\n=> ")
		if got > links {
			t.Fatalf("Render(%q) has %d link lines from %d in the page:\n%s", gemtext, got, links, out)
		}
	})
}
