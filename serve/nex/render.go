package nex

import (
	"bytes"
	"net/url"
	"strings"

	"github.com/mattn/go-runewidth"

	"github.com/gmkit/gmkit/build/gopher"
)

// DefaultWidth is the column width pages are wrapped at when
// RenderOptions.Width is zero.
const DefaultWidth = 70

// RenderOptions configure Render.
type RenderOptions struct {
	// Width is the wrapping width in display columns (CJK and emoji count
	// two); zero means DefaultWidth.
	Width int
	// Base is the directory the page is served as ("/posts/second/"):
	// relative links are made absolute against it, so the page reads the
	// same whether or not its path was asked for with a final "/". Empty
	// means "/".
	Base string
	// Drop, when set, leaves out link lines whose target (a path on this
	// server, after Base is applied) it reports true for: addresses Nex
	// cannot answer, such as CGI scripts.
	Drop func(path string) bool
}

// Render turns a gemtext page into Nex plain text and appends it to dst:
// link lines stay "=> URL label" lines (Nex uses the same form), relative
// targets made absolute; text, list items and quotes are wrapped at the
// width, list items with a hanging indent and quotes with "> " on every
// line; headings become their text, underlined with "=" (level 1) or "-"
// (level 2); preformatted blocks are kept as they are, without their
// fences, and a line of theirs starting "=>" gets a leading space so that
// it does not read as a link.
func Render(dst, gemtext []byte, opts RenderOptions) []byte {
	width := opts.Width
	if width <= 0 {
		width = DefaultWidth
	}
	base := &url.URL{Path: opts.Base}
	if opts.Base == "" {
		base.Path = "/"
	}
	pre := false
	for len(gemtext) > 0 {
		var line []byte
		line, gemtext, _ = bytes.Cut(gemtext, []byte("\n"))
		s := strings.TrimSuffix(string(line), "\r")
		if strings.HasPrefix(s, "```") {
			pre = !pre
			continue
		}
		if pre {
			if strings.HasPrefix(s, "=>") {
				dst = append(dst, ' ')
			}
			dst = append(append(dst, s...), '\n')
			continue
		}
		switch {
		case strings.HasPrefix(s, "=>"):
			dst = appendLink(dst, s[2:], base, opts.Drop)
		case strings.HasPrefix(s, "###"):
			dst = appendWrapped(dst, strings.TrimSpace(s[3:]), "", "", width)
		case strings.HasPrefix(s, "##"):
			dst = appendHeading(dst, strings.TrimSpace(s[2:]), '-', width)
		case strings.HasPrefix(s, "#"):
			dst = appendHeading(dst, strings.TrimSpace(s[1:]), '=', width)
		case strings.HasPrefix(s, "* "):
			dst = appendWrapped(dst, s[2:], "* ", "  ", width)
		case strings.HasPrefix(s, ">"):
			dst = appendWrapped(dst, strings.TrimSpace(s[1:]), "> ", "> ", width)
		case strings.TrimSpace(s) == "":
			dst = append(dst, '\n')
		default:
			dst = appendWrapped(dst, s, "", "", width)
		}
	}
	return dst
}

// appendLink writes a link line with its target made absolute, or nothing
// when drop refuses it. A target that does not parse is kept as written.
func appendLink(dst []byte, rest string, base *url.URL, drop func(string) bool) []byte {
	rest = strings.TrimLeft(rest, " \t")
	target, label, _ := strings.Cut(rest, " ")
	if i := strings.IndexByte(target, '\t'); i >= 0 {
		target, label = target[:i], target[i+1:]+" "+label
	}
	label = strings.TrimSpace(label)
	if target == "" {
		return dst
	}
	if u, err := url.Parse(target); err == nil && u.Scheme == "" && u.Host == "" {
		abs := base.ResolveReference(u)
		if drop != nil && drop(abs.Path) {
			return dst
		}
		target = abs.String()
	}
	dst = append(dst, "=> "...)
	dst = append(dst, target...)
	if label != "" {
		dst = append(append(dst, ' '), label...)
	}
	return append(dst, '\n')
}

// appendHeading writes text and a line of mark under it as wide as the
// text (at most width columns).
func appendHeading(dst []byte, text string, mark byte, width int) []byte {
	lines := gopher.Wrap(text, width)
	w := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "=>") {
			dst = append(dst, ' ') // text, not a link
		}
		dst = append(append(dst, l...), '\n')
		w = max(w, runewidth.StringWidth(l))
	}
	if w == 0 {
		return dst
	}
	return append(append(dst, bytes.Repeat([]byte{mark}, min(w, width))...), '\n')
}

// appendWrapped writes text wrapped to width columns, the first line after
// first and the others after rest (both counted in the width).
func appendWrapped(dst []byte, text, first, rest string, width int) []byte {
	lines := gopher.Wrap(text, width-runewidth.StringWidth(first))
	if len(lines) == 0 {
		return append(append(dst, strings.TrimRight(first, " ")...), '\n')
	}
	for i, l := range lines {
		lead := rest
		if i == 0 {
			lead = first
		}
		if lead == "" && strings.HasPrefix(l, "=>") {
			lead = " " // text, not a link
		}
		dst = append(append(append(dst, lead...), l...), '\n')
	}
	return dst
}
