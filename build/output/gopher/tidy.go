package gopher

import (
	"bytes"
	"fmt"

	"github.com/gmkit/gmkit/build/gophermap"
	"github.com/gmkit/gmkit/templates"
)

// tidyMenu drops empty lines from a templated menu, folds runs of blank info
// lines into one (and drops them at the ends), and checks that every line is
// a complete item.
func tidyMenu(b []byte, origin string) ([]byte, error) {
	return tidyMenuAround(b, nil, origin)
}

// tidyMenuAround is tidyMenu for a page menu that holds body, the page's
// body from the Gopher renderer, whose every line is already complete and
// valid (the renderer's tests and fuzz target hold it to the strict
// linter): when the tidied menu holds body whole, on line boundaries, only
// the lines around it are linted. Most of a page's lines are its body.
func tidyMenuAround(b, body []byte, origin string) ([]byte, error) {
	out := make([]byte, 0, len(b))
	var blankLine []byte // the menu's first blank info line, with its host and port
	blank := false
	for rest := b; len(rest) > 0; {
		ln := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			ln, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		ln = bytes.TrimRight(ln, "\r")
		if len(bytes.TrimSpace(ln)) == 0 {
			continue
		}
		if bytes.HasPrefix(ln, []byte("i\t")) {
			if blankLine == nil {
				blankLine = ln
			}
			blank = true
			continue
		}
		if blank && len(out) > 0 {
			out = append(out, blankLine...)
			out = append(out, '\n')
		}
		blank = false
		out = append(out, ln...)
		out = append(out, '\n')
	}
	before, after, skipped := out, []byte(nil), 0
	if i := bytes.Index(out, body); len(body) > 0 && body[len(body)-1] == '\n' && i >= 0 && (i == 0 || out[i-1] == '\n') {
		before, after = out[:i], out[i+len(body):]
		skipped = bytes.Count(out[:i+len(body)], []byte("\n"))
	}
	probs := gophermap.LintBytes(before, true)
	if len(probs) == 0 && len(after) > 0 {
		probs = gophermap.LintBytes(after, true)
		for i := range probs {
			probs[i].Line += skipped
		}
	}
	if len(probs) > 0 {
		p := probs[0]
		return nil, &templates.Error{File: origin, Msg: fmt.Sprintf("made a broken menu line %d: %s (use the info, item, link and page functions to write menu lines)", p.Line, p.Msg)}
	}
	return out, nil
}

// tidyText ends text with exactly one newline and trims trailing spaces.
func tidyText(b []byte) []byte {
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	out := make([]byte, 0, len(b)+1)
	for _, ln := range lines {
		out = append(out, bytes.TrimRight(ln, " \t\r")...)
		out = append(out, '\n')
	}
	return bytes.TrimLeft(out, "\n")
}
