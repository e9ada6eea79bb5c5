package build

import (
	"bytes"
	"fmt"
	"github.com/gmkit/gmkit/build/site"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"text/template"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/renderer"

	"github.com/gmkit/gmkit/build/feed"
	"github.com/gmkit/gmkit/build/gopher"
	"github.com/gmkit/gmkit/build/gophermap"
	"github.com/gmkit/gmkit/templates"
	"github.com/gmkit/gmkit/themes"
)

// gopherMode reports whether posts are published as menus.
func (r *run) gopherMenus() bool { return r.cfg.Gopher.Mode != "text" }

// gopherURL is a page's selector in the hole.
func (r *run) gopherURL(p *site.Page) string {
	if p.Kind == site.KindPage && !r.gopherMenus() {
		return strings.TrimSuffix(p.Path, "/") + ".txt"
	}
	return p.Path
}

// gopherType is the item type of a page's selector.
func (r *run) gopherType(p *site.Page) byte {
	if p.Kind == site.KindPage && !r.gopherMenus() {
		return '0'
	}
	return '1'
}

// gopherFile is the output file for a selector: menus are gophermap files
// in their folder.
func gopherFile(sel string) string {
	if strings.HasSuffix(sel, "/") {
		return Gopher + sel + "gophermap"
	}
	return Gopher + sel
}

// gopherAbs is the gopher:// URL of a selector of the given type.
func (r *run) gopherAbs(t byte, sel string) string {
	host := r.cfg.Gopher.Host
	if r.cfg.Gopher.Port != 70 {
		host += ":" + strconv.Itoa(r.cfg.Gopher.Port)
	}
	return "gopher://" + host + "/" + string(t) + sel
}

// gopherFuncs are the template functions that make menu lines. Every one
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
func (r *run) gopherFuncs() template.FuncMap {
	host, port, width := r.cfg.Gopher.Host, r.cfg.Gopher.Port, r.cfg.Gopher.Width
	line := r.menuLine
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
			it, ok := gopherItemForURL(url)
			if !ok {
				it = gophermap.Item{Type: gophermap.TypeForPath(url), Selector: url}
			}
			it.Display = menuDisplay(display)
			return line(it)
		},
		"page": r.pageItem,
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
// and valid UTF-8, as the strict linter wants. Unlike oneLine, it also
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
func (r *run) menuLine(it gophermap.Item) string {
	if it.Host == "" {
		it.Host, it.Port = r.cfg.Gopher.Host, r.cfg.Gopher.Port
	}
	var scratch [256]byte
	return string(append(it.AppendTo(scratch[:0]), '\n'))
}

// pageItem is the page template function: an item for a page, displayed
// as display (joined by spaces) or by default as pageDisplay has it.
func (r *run) pageItem(p *PageView, display ...string) string {
	if len(display) > 0 {
		return r.menuLine(gophermap.Item{Type: gophermap.Type(p.Type[0]), Display: menuDisplay(strings.Join(display, " ")), Selector: p.URL})
	}
	if p.gopherItem != "" {
		return p.gopherItem // made once, when the build's views were
	}
	return r.menuLine(gophermap.Item{Type: gophermap.Type(p.Type[0]), Display: menuDisplay(pageDisplay(p)), Selector: p.URL})
}

// pageDisplay is how an index lists a page by default: "2026-01-10 Title",
// or the title alone when undated.
func pageDisplay(p *PageView) string {
	if p.Date.IsZero() {
		return p.Title
	}
	return p.Date.Format("2006-01-02") + " " + p.Title
}

// gopherItemForURL maps an absolute URL to an item: gopher:// URLs to their
// own type, host, port and selector; any other scheme to an h item with a
// URL: selector. ok is false for paths on this server.
func gopherItemForURL(u string) (gophermap.Item, bool) {
	if !hasScheme(u) {
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

// gopher prepares the hole: every page through the page template, and the
// home menu, section menus (phlog indexes), tag menus and an Atom feed with
// gopher:// links. The bodies come from the bodies pass.
func (r *run) gopher(theme fs.FS, origin string) (*outputPass, error) {
	set, err := templates.Load(Gopher, theme, origin, themes.Default(), r.gopherFuncs())
	if err != nil {
		return nil, err
	}
	r.warnSkipped(set)
	mode := gopher.ModeMenu
	pageTmpl := "page.gophermap"
	if !r.gopherMenus() {
		mode, pageTmpl = gopher.ModeText, "page.txt"
	}
	tagURL := func(t *site.Tag) string { return "/tags/" + t.Slug + "/" }
	absOf := func(u string) string { return r.gopherAbs('1', u) }
	sv, pv := views(r.cfg, r.site, Gopher, r.gopherURL, func(s *site.Section) string { return s.Path }, tagURL, absOf, r.gopherAbs('1', "/"))
	for p, v := range pv {
		v.Type = string(r.gopherType(p))
		v.Permalink = r.gopherAbs(r.gopherType(p), v.URL)
		// Index menus list a page again and again: make its line once.
		v.gopherItem = r.pageItem(v)
	}
	// A footer that shows only the site prints the same for every page:
	// run it once (see templates.Set.Freeze).
	set.Freeze("Site", &Data{Site: sv})

	tidy := func(b, body []byte) ([]byte, error) { return tidyMenuAround(b, body, set.Source(pageTmpl)) }
	if mode != gopher.ModeMenu {
		tidy = func(b, _ []byte) ([]byte, error) { return tidyText(b), nil }
	}
	newest := r.newest()
	menu := func(name string, d *Data, sel, what string) error {
		out, err := r.execute(set, name, d, func(b []byte) ([]byte, error) { return tidyMenu(b, set.Source(name)) })
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return r.put(gopherFile(sel), out, what, newest)
	}
	intro := func(p *site.Page) (string, error) {
		if p == nil || !p.HasOutput(Gopher) {
			return "", nil
		}
		body, err := r.gopherBody(p, gopher.ModeMenu)
		return frozen(body), err
	}
	var indexes []func() error
	indexes = append(indexes, func() error {
		home := &Data{Site: sv}
		if h := r.site.Home; h != nil && h.HasOutput(Gopher) {
			var err error
			if home.Content, err = intro(h); err != nil {
				return err
			}
			home.Page = newPageView(h, "/", r.gopherAbs('1', "/"), "1")
		}
		return menu("home.gophermap", home, "/", "the home menu")
	})
	for _, s := range sv.sections {
		indexes = append(indexes, func() error {
			d := &Data{Site: sv, Section: s}
			if s.index != nil {
				var err error
				if d.Content, err = intro(s.index.page); err != nil {
					return err
				}
				d.Page = s.index
			}
			return menu("section.gophermap", d, s.URL, "section "+s.Name)
		})
	}
	if len(sv.tags) > 0 {
		indexes = append(indexes, func() error {
			return menu("tags.gophermap", &Data{Site: sv}, "/tags/", "the tag menu")
		})
		for _, t := range sv.tags {
			indexes = append(indexes, func() error {
				return menu("tag.gophermap", &Data{Site: sv, Tag: t}, t.URL, "tag "+t.Name)
			})
		}
	}
	indexes = append(indexes, func() error {
		f := &feed.Feed{Title: sv.Title, Subtitle: r.cfg.Description, Link: r.gopherAbs('0', "/atom.xml"), Alternate: r.gopherAbs('1', "/"), Author: r.cfg.Author, Updated: newest}
		for i, p := range sv.posts {
			if i == r.cfg.FeedLimit {
				break
			}
			f.Entries = append(f.Entries, feed.Entry{Title: p.Title, Link: p.Permalink, Updated: p.Date, Summary: p.Summary, Tags: p.Tags})
		}
		return r.putFeed(Gopher+"/atom.xml", f, "the Gopher feed", newest)
	})

	return &outputPass{pages: pagePass{
		out: Gopher, set: set, tmpl: pageTmpl, site: sv, views: pv,
		body: func(p *site.Page) ([]byte, error) { return r.gopherBody(p, mode) },
		file: func(p *site.Page) (string, error) {
			url := r.gopherURL(p)
			if len(url) > gophermap.MaxSelector {
				return "", &site.SourceError{File: p.File, Err: fmt.Errorf("its Gopher selector %s is %d bytes, more than the %d Gopher allows; give it a shorter slug", url, len(url), gophermap.MaxSelector)}
			}
			return gopherFile(url), nil
		},
		tidy: tidy,
	}, indexes: indexes}, nil
}

// gopherBody renders a page's Markdown for Gopher, reusing the previous
// build's result when the page and its links are unchanged.
func (r *run) gopherBody(p *site.Page, mode gopher.Mode) ([]byte, error) {
	key := Gopher
	if mode == gopher.ModeText {
		key = Gopher + "-text"
	}
	resolve := func(dest string) linkResult { return gopherLinkKey(r.gopherLink(p, dest)) }
	return r.renderBody(key, p, resolve, "rendering for Gopher", func(slot *bodySlot) renderer.Renderer {
		rw := func(dest string) (gopher.Target, bool) {
			t, ok := r.gopherLink(slot.page, dest)
			slot.record(dest, gopherLinkKey(t, ok))
			return t, ok
		}
		return gopher.New(gopher.WithMode(mode), gopher.WithWidth(r.cfg.Gopher.Width), gopher.WithHost(r.cfg.Gopher.Host, r.cfg.Gopher.Port),
			gopher.WithLinkResolver(rw), gopher.WithHeadingStyle(r.gopherHeading))
	})
}

// gopherLinkKey is what the body cache remembers of a resolved link: the
// item type and selector, or type 0 for a link the renderer maps itself.
func gopherLinkKey(t gopher.Target, ok bool) linkResult {
	if !ok {
		return linkResult{}
	}
	return linkResult{got: t.Selector, typ: byte(t.Type)}
}

// gopherLink maps a link destination in page p to a selector on this server;
// ok is false for links elsewhere (the renderer maps URLs itself). A link
// ending in "?" asks the reader for input: it becomes a search item (type
// 7), as the Gemini side answers it with an input prompt.
func (r *run) gopherLink(p *site.Page, dest string) (gopher.Target, bool) {
	target, abs, local := r.resolveContent(p, dest)
	switch {
	case !local:
		return gopher.Target{}, false
	case target != nil:
		if !target.HasOutput(Gopher) {
			// Published to Gemini only: link there (an h item with a
			// URL: selector) instead of to a selector that does not
			// exist.
			if r.cfg.Gemini.Disabled || !target.HasOutput(Gemini) {
				r.warn(p.File, p.LineOf(dest), "link %q: that page is not published to Gopher", dest)
			}
			return gopher.Target{Type: 'h', Selector: "URL:" + strings.TrimSuffix(r.geminiBase(), "/") + r.geminiLinkURL(target)}, true
		}
		return gopher.Target{Type: gophermap.Type(r.gopherType(target)), Selector: r.gopherURL(target)}, true
	case strings.HasSuffix(dest, "?"):
		return gopher.Target{Type: '7', Selector: abs}, true
	case r.cfg.CGIDir != "" && strings.HasPrefix(abs, "/"+r.cfg.CGIDir+"/"):
		return gopher.Target{Type: '1', Selector: abs + queryOf(dest)}, true
	case strings.HasSuffix(abs, "/"):
		return gopher.Target{Type: '1', Selector: abs}, true
	}
	if r.cfg.Gemini.Disabled {
		// The Gemini pass reports broken links; without it, report here.
		if !r.siteHasFile(abs) {
			r.warn(p.File, p.LineOf(dest), "link %q: no such file in content/ or static/", dest)
		}
	}
	return gopher.Target{Type: gophermap.TypeForPath(path.Base(abs)), Selector: abs}, true
}

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
		return nil, fmt.Errorf("template %s made a broken menu line %d: %s (use the info, item, link and page functions to write menu lines)", origin, p.Line, p.Msg)
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

// lintGophermap checks a hand-written gophermap from content/ leniently and
// reports what it finds as warnings naming file and line.
func (r *run) lintGophermap(a site.Asset) error {
	f, err := os.Open(a.Src)
	if err != nil {
		return fmt.Errorf("reading %s: %w", a.Src, err)
	}
	defer f.Close()
	file := r.display(a.Src)
	for _, p := range gophermap.Lint(f, false) {
		r.warn(file, p.Line, "%s", p.Msg)
	}
	return nil
}
