package gemtext

import (
	"bufio"
	"bytes"
	"io"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
)

// Verbatim returns a renderer for hand-written gemtext: it writes the
// source as it is, line by line, but for the address of each "=>" link
// line outside preformatted blocks, which rewrite maps (nil: as written),
// so that links to other content files reach their pages. A link line
// without an address, which is not gemtext, is left out. The document
// node is not read.
func Verbatim(rewrite func(dest string) string) renderer.Renderer {
	return verbatim{rewrite}
}

type verbatim struct{ rewrite func(string) string }

func (verbatim) AddOptions(...renderer.Option) {}

func (v verbatim) Render(w io.Writer, src []byte, _ ast.Node) error {
	bw, ok := w.(*bufio.Writer)
	if !ok {
		bw = bufio.NewWriter(w)
		defer bw.Flush()
	}
	pre := false
	for off := 0; off < len(src); {
		nl := bytes.IndexByte(src[off:], '\n')
		next := len(src)
		if nl >= 0 {
			next = off + nl + 1
		}
		l := src[off:next]
		off = next
		switch {
		case bytes.HasPrefix(l, []byte("```")):
			pre = !pre
		case !pre && bytes.HasPrefix(l, []byte("=>")):
			a, b := trim(l, 2, len(bytes.TrimRight(l, "\r\n")))
			if a == b {
				continue // a link line without a link: nothing a reader can follow
			}
			u := a
			for u < b && l[u] != ' ' && l[u] != '\t' {
				u++
			}
			if v.rewrite != nil {
				bw.Write(l[:a])
				bw.WriteString(v.rewrite(string(l[a:u])))
				l = l[u:]
			}
		}
		if _, err := bw.Write(l); err != nil {
			return err
		}
	}
	return nil
}
