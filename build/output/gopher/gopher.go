// Package gopher is the Gopher hole output: every folder a gophermap
// menu, posts as menus (links are items) or as wrapped text with a list of
// references, and an Atom feed with gopher:// links. The Markdown renderer
// and the gophermap line type are build/gopher's.
package gopher

import (
	"fmt"
	"io/fs"
	"net"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/renderer"

	"github.com/gmkit/gmkit/build/gopher"
	"github.com/gmkit/gmkit/build/gophermap"
	"github.com/gmkit/gmkit/build/output"
	"github.com/gmkit/gmkit/build/problem"
	"github.com/gmkit/gmkit/build/site"
	"github.com/gmkit/gmkit/themes"
)

// Name is the output's name: its folder, its theme folder and its
// configuration section.
const Name = "gopher"

// The output makes the index lines of its menus once per page.
var (
	_ output.Output = (*Output)(nil)
	_ output.Lister = (*Output)(nil)
	_ output.Mover  = (*Output)(nil)
)

// Entry is the output's line in the build's list.
func Entry() output.Entry { return output.Entry{Name: Name, New: New} }

// Output is the hole output for one configuration.
type Output struct {
	host     string
	port     int
	menus    bool // posts as menus, not text
	width    int
	heading  gopher.HeadingStyle
	cgiDir   string
	defaults fs.FS
	origin   string // see Origin
}

// New makes the output from its section: "host" and "port" (the public
// address written into menu lines; by default the site's host name and the
// port of "listen", else 70), "mode" ("menu" or "text"), "width" (the
// wrapping width, 20 at least; default 70) and "heading_style"
// ("underline" or "upper").
func New(s output.Settings) (output.Output, error) {
	o := &Output{cgiDir: s.Site.CGIDir, defaults: themes.Default()}
	var err error
	if o.host, err = s.String("host", s.Site.Hostname); err != nil {
		return nil, fmt.Errorf("gopher.%w", err)
	}
	if o.port, err = s.Port(70); err != nil {
		return nil, fmt.Errorf("gopher.%w", err)
	}
	o.origin = "gopher://" + o.host
	if o.port != 70 {
		o.origin = "gopher://" + net.JoinHostPort(o.host, strconv.Itoa(o.port))
	}
	mode, err := s.String("mode", "menu")
	if err != nil {
		return nil, fmt.Errorf("gopher.%w", err)
	}
	switch mode {
	case "menu", "text":
		o.menus = mode == "menu"
	default:
		return nil, fmt.Errorf("gopher.mode %q: want menu or text", mode)
	}
	if o.width, err = s.Int("width", 70); err != nil {
		return nil, fmt.Errorf("gopher.%w", err)
	}
	if o.width < 20 {
		return nil, fmt.Errorf("gopher.width %d is too narrow (20 at least)", o.width)
	}
	style, err := s.String("heading_style", "underline")
	if err != nil {
		return nil, fmt.Errorf("gopher.%w", err)
	}
	if o.heading, err = gopher.ParseHeadingStyle(style); err != nil {
		return nil, fmt.Errorf("gopher.heading_style: %w", err)
	}
	return o, nil
}

// Name is "gopher".
func (o *Output) Name() string { return Name }

// Origin is "gopher://host" (with the port when it is not 70).
func (o *Output) Origin() string { return o.origin }

// Address is the host and port menu lines name: where the hole is meant
// to be served.
func (o *Output) Address() string { return net.JoinHostPort(o.host, strconv.Itoa(o.port)) }

// text reports whether p is published as text (type 0), not as a menu.
func (o *Output) text(p *site.Page) bool { return p.Kind == site.KindPage && !o.menus }

// PageURL is the page's selector: its path (a menu), or
// /section/slug.txt in text mode.
func (o *Output) PageURL(p *site.Page) string {
	if o.text(p) {
		return strings.TrimSuffix(p.Path, "/") + ".txt"
	}
	return p.Path
}

// PageType is the item type of the page's selector: "1" (menu) or "0"
// (text).
func (o *Output) PageType(p *site.Page) string {
	if o.text(p) {
		return "0"
	}
	return "1"
}

// Permalink is the gopher:// URL of a selector of the given item type
// (a menu when typ is empty).
func (o *Output) Permalink(sel, typ string) string {
	if typ == "" {
		typ = "1"
	}
	return o.origin + "/" + typ + sel
}

// EscapeURL leaves selectors as they are: Gopher sends them raw.
func (o *Output) EscapeURL(sel string) string { return sel }

// File is the selector's file: menus are gophermap files in their folder.
// A selector longer than Gopher allows is an error.
func (o *Output) File(sel string) (string, error) {
	if len(sel) > gophermap.MaxSelector {
		return "", fmt.Errorf("its Gopher selector %s is %d bytes, more than the %d Gopher allows; give it a shorter slug", sel, len(sel), gophermap.MaxSelector)
	}
	return output.FolderFile(sel, "gophermap"), nil
}

// Feeds is one feed for the whole site, a text item at /atom.xml.
func (o *Output) Feeds() output.FeedLayout {
	return output.FeedLayout{Site: "/atom.xml", LinkType: "0"}
}

// Body is "text" for pages published as text, "" (a menu) otherwise:
// home and section intros are always menus.
func (o *Output) Body(p *site.Page) string {
	if o.text(p) {
		return "text"
	}
	return ""
}

// NewRenderer makes a Gopher renderer for menus, or for text when form is
// "text", whose links go through link.
func (o *Output) NewRenderer(form string, link func(string) output.Link) renderer.Renderer {
	mode := gopher.ModeMenu
	if form == "text" {
		mode = gopher.ModeText
	}
	rw := func(dest string) (gopher.Target, bool) {
		l := link(dest)
		if l.Type == 0 {
			return gopher.Target{}, false
		}
		return gopher.Target{Type: gophermap.Type(l.Type), Selector: l.Addr}, true
	}
	return gopher.New(gopher.WithMode(mode), gopher.WithWidth(o.width), gopher.WithHost(o.host, o.port),
		gopher.WithLinkResolver(rw), gopher.WithHeadingStyle(o.heading))
}

// ResolveLink maps a link destination in page p to a selector on this
// server; a zero Link for links elsewhere (the renderer maps URLs itself).
// A link ending in "?" asks the reader for input: it becomes a search item
// (type 7), as the Gemini side answers it with an input prompt.
func (o *Output) ResolveLink(c output.Context, p *site.Page, dest string) output.Link {
	target, abs, local := c.Resolve(p, dest)
	switch {
	case !local:
		return output.Link{}
	case target != nil:
		if !target.HasOutput(Name) {
			// Published elsewhere only: link there (an h item with a
			// URL: selector) instead of to a selector that does not
			// exist.
			if u, ok := c.Elsewhere(target); ok {
				return output.Link{Type: 'h', Addr: "URL:" + u}
			}
			c.Warn(p.File, p.LineOf(dest), problem.Link, "link %q: that page is not published to Gopher", dest)
			return output.Link{Type: byte(gophermap.TypeForPath(path.Base(abs))), Addr: abs}
		}
		return output.Link{Type: o.PageType(target)[0], Addr: o.PageURL(target)}
	case site.IsPageFile(abs):
		c.Warn(p.File, p.LineOf(dest), problem.Link, "link %q: no such page", dest)
		return output.Link{Type: byte(gophermap.TypeForPath(path.Base(abs))), Addr: abs}
	case strings.HasSuffix(dest, "?"):
		return output.Link{Type: '7', Addr: abs}
	case o.cgiDir != "" && strings.HasPrefix(abs, "/"+o.cgiDir+"/"):
		return output.Link{Type: '1', Addr: abs + output.Query(dest)}
	case strings.HasSuffix(abs, "/"):
		return output.Link{Type: '1', Addr: abs}
	}
	if !c.HasFile(abs) {
		c.Warn(p.File, p.LineOf(dest), problem.Link, "link %q: no such file in content/ or static/", dest)
	}
	return output.Link{Type: byte(gophermap.TypeForPath(path.Base(abs))), Addr: abs}
}

// Templates are the default theme's gopher/ folder.
func (o *Output) Templates() fs.FS { return o.defaults }

// Template names page.gophermap (page.txt in text mode), home.gophermap,
// section.gophermap, tags.gophermap and tag.gophermap.
func (o *Output) Template(k output.Kind) string {
	if k == output.Page && !o.menus {
		return "page.txt"
	}
	return [...]string{output.Page: "page.gophermap", output.Home: "home.gophermap", output.Section: "section.gophermap",
		output.TagIndex: "tags.gophermap", output.Tag: "tag.gophermap"}[k]
}

// Tidy drops empty lines from a templated menu, folds runs of blank info
// lines and checks that every line is a complete item (see tidyMenu); text
// pages are trimmed (see tidyText).
func (o *Output) Tidy(k output.Kind, out, body []byte, source string) ([]byte, error) {
	switch {
	case k == output.Page && !o.menus:
		return tidyText(out), nil
	case k == output.Page:
		return tidyMenuAround(out, body, source)
	}
	return tidyMenu(out, source)
}

// Asset copies every file; a hand-written gophermap is checked leniently
// first, what is wrong with it reported as warnings naming file and line.
func (o *Output) Asset(c output.Context, p, src, file string) (bool, error) {
	if path.Base(p) != "gophermap" {
		return true, nil
	}
	f, err := os.Open(src)
	if err != nil {
		return false, fmt.Errorf("reading %s: %w", src, err)
	}
	defer f.Close()
	for _, prob := range gophermap.Lint(f, false) {
		c.Warn(file, prob.Line, problem.Gophermap, "%s", prob.Msg)
	}
	return true, nil
}

// Moved writes a menu at an old address that is a folder ("/old/", or
// "/old" without an ending), with an item for the page.
func (o *Output) Moved(from string, to output.Ref) (string, []byte, bool) {
	if !strings.HasSuffix(from, "/") {
		if path.Ext(from) != "" {
			return "", nil, false
		}
		from += "/"
	}
	file, err := o.File(from)
	if err != nil {
		return "", nil, false
	}
	typ := gophermap.Type('1')
	if to.Type != "" {
		typ = gophermap.Type(to.Type[0])
	}
	title := to.Title
	if title == "" {
		title = to.URL
	}
	menu := o.menuLine(gophermap.Info("This page has moved:")) +
		o.menuLine(gophermap.Item{Type: typ, Display: menuDisplay(title), Selector: to.URL})
	return file, []byte(menu), true
}
