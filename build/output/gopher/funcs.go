package gopher

import (
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"unicode"
	"unicode/utf8"

	"github.com/gmkit/gmkit/build/gopher"
	"github.com/gmkit/gmkit/build/gophermap"
	"github.com/gmkit/gmkit/build/output"
	"github.com/gmkit/gmkit/build/site"
)

// Funcs are the template functions that make menu lines. Every one
// returns complete, LF-terminated item lines carrying the public host and
// port, so that a theme can not produce a broken menu by accident. Like
// the common functions, each is pure (see templates.Set.Freeze).
//
//	info TEXT               info lines, TEXT wrapped at the configured width
//	item TYPE DISPLAY SEL   one item on this server
//	link DISPLAY URL        an item for any URL (gopher://, other schemes, or a path here)
//	page PAGE [DISPLAY]     an item for a page, by default "YYYY-MM-DD Title"
//	rule                    an info line of "-" across the width
//	heading TEXT            a heading in the theme's style, set off by blank info lines
func (o *Output) Funcs() template.FuncMap {
	host, port, width := o.host, o.port, o.width
	line := o.menuLine
	blank := line(gophermap.Info(""))
	info := func(text string) string {
		if text == "" {
			return blank // templates use it to space things out, often
		}
		if len(text) <= width && plainLine(text) {
			// What gopher.Wrap gives for one short line of plain words.
			return line(gophermap.Info(text))
		}
		lines := gopher.Wrap(menuDisplay(text), width)
		if len(lines) == 0 {
			return blank
		}
		var scratch [512]byte
		b := scratch[:0]
		for _, l := range lines {
			it := gophermap.Info(l)
			it.Host, it.Port = host, port
			b = append(it.AppendTo(b), '\n')
		}
		return string(b)
	}
	rule := info(strings.Repeat("-", width))
	return template.FuncMap{
		"info": info,
		"item": func(t, display, sel string) (string, error) {
			if len(t) != 1 {
				return "", fmt.Errorf("item: type %q is not one character", t)
			}
			return line(gophermap.Item{Type: gophermap.Type(t[0]), Display: menuDisplay(display), Selector: sel}), nil
		},
		"link": func(display, url string) string {
			it, ok := itemForURL(url)
			if !ok {
				it = gophermap.Item{Type: gophermap.TypeForPath(url), Selector: url}
			}
			it.Display = menuDisplay(display)
			return line(it)
		},
		"page": o.pageItem,
		"rule": func() string { return rule },
		"heading": func(text string) string {
			return info("") + info(strings.ToUpper(text)) + info("")
		},
	}
}

// plainLine reports whether s is printable ASCII words with one space
// between them: text that wrapping and cleaning leave as it is when it fits.
func plainLine(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' || strings.Contains(s, "  ") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

// menuDisplay makes s fit for a menu item's display string: on one line,
// free of control characters (which titles from front matter may carry)
// and valid UTF-8, as the strict linter wants. Unlike site.OneLine, it also
// replaces invalid bytes (with U+FFFD).
func menuDisplay(s string) string {
	if utf8.ValidString(s) {
		return site.OneLine(s)
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r // invalid bytes arrive as RuneError and are written as U+FFFD
	}, s)
}

// menuLine is a complete menu line for it, on this server's public host
// and port unless it names a host of its own.
func (o *Output) menuLine(it gophermap.Item) string {
	if it.Host == "" {
		it.Host, it.Port = o.host, o.port
	}
	var scratch [256]byte
	return string(append(it.AppendTo(scratch[:0]), '\n'))
}

// pageItem is the page template function: an item for a page, displayed
// as display (joined by spaces) or by default as pageDisplay has it.
func (o *Output) pageItem(v output.PageRef, display ...string) (string, error) {
	p := v.Ref()
	if p.Type == "" {
		return "", fmt.Errorf("page: %s is not a page of the Gopher output", p.URL)
	}
	if len(display) > 0 {
		return o.menuLine(gophermap.Item{Type: gophermap.Type(p.Type[0]), Display: menuDisplay(strings.Join(display, " ")), Selector: p.URL}), nil
	}
	if p.Item != "" {
		return p.Item, nil // made once, when the build's views were
	}
	return o.ListItem(p), nil
}

// ListItem is the menu line that lists the page p by default: made once
// per page when the build makes its views, as index menus list a page
// again and again.
func (o *Output) ListItem(p output.Ref) string {
	return o.menuLine(gophermap.Item{Type: gophermap.Type(p.Type[0]), Display: menuDisplay(pageDisplay(p)), Selector: p.URL})
}

// pageDisplay is how an index lists a page by default: "2026-01-10 Title",
// or the title alone when undated.
func pageDisplay(p output.Ref) string {
	if p.Date.IsZero() {
		return p.Title
	}
	return p.Date.Format("2006-01-02") + " " + p.Title
}

// itemForURL maps an absolute URL to an item: gopher:// URLs to their
// own type, host, port and selector; any other scheme to an h item with a
// URL: selector. ok is false for paths on this server.
func itemForURL(u string) (gophermap.Item, bool) {
	if !output.HasScheme(u) {
		return gophermap.Item{}, false
	}
	if rest, ok := strings.CutPrefix(u, "gopher://"); ok {
		hostport, sel, _ := strings.Cut(rest, "/")
		host, port := hostport, 70
		if h, p, ok := strings.Cut(hostport, ":"); ok {
			if n, err := strconv.Atoi(p); err == nil {
				host, port = h, n
			}
		}
		t := gophermap.TypeMenu
		if sel != "" {
			t, sel = gophermap.Type(sel[0]), sel[1:]
		}
		return gophermap.Item{Type: t, Selector: sel, Host: host, Port: port}, true
	}
	// The host is left empty: the caller fills in this server, which
	// answers URL: selectors with a page that redirects.
	return gophermap.Item{Type: 'h', Selector: "URL:" + u}, true
}
