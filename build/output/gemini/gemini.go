// Package gemini is the Gemini capsule output: pages in gemtext, at
// addresses like /posts/first/ (or /posts/first.gmi with ugly URLs), with
// section indexes that double as Gemini subscription feeds, and Atom feeds
// for the site and each section.
package gemini

import (
	"fmt"
	"io/fs"
	"net"
	"path"
	"strconv"
	"strings"
	"text/template"

	"github.com/yuin/goldmark/renderer"

	"github.com/gmkit/gmkit/build/gemtext"
	"github.com/gmkit/gmkit/build/output"
	"github.com/gmkit/gmkit/build/problem"
	"github.com/gmkit/gmkit/build/site"
	"github.com/gmkit/gmkit/themes"
)

// Name is the output's name: its folder, its theme folder and its
// configuration section.
const Name = "gemini"

var (
	_ output.Output = (*Output)(nil)
	_ output.Mover  = (*Output)(nil)
)

// Entry is the output's line in the build's list.
func Entry() output.Entry { return output.Entry{Name: Name, New: New} }

// Output is the capsule output for one configuration.
type Output struct {
	ugly     bool
	origin   string // "gemini://host[:port]"
	mode     gemtext.LinkMode
	markers  bool
	html     bool
	cgiDir   string
	defaults fs.FS
}

// New makes the output. It reads the section's "port" (the public port
// written into absolute URLs; 0 means the port of "listen", else 1965) and
// the site-wide link mode, markers and HTML settings.
func New(s output.Settings) (output.Output, error) {
	mode, err := gemtext.ParseLinkMode(s.Site.Links)
	if err != nil {
		return nil, fmt.Errorf("build.links: %w", err)
	}
	port, err := s.Port(1965)
	if err != nil {
		return nil, fmt.Errorf("gemini.%w", err)
	}
	host := s.Site.Hostname
	if port != 1965 {
		host = net.JoinHostPort(host, strconv.Itoa(port))
	}
	return &Output{ugly: s.Site.UglyURLs, origin: "gemini://" + host, mode: mode,
		markers: s.Site.KeepMarkers, html: s.Site.KeepHTML, cgiDir: s.Site.CGIDir, defaults: themes.Default()}, nil
}

// Name is "gemini".
func (o *Output) Name() string { return Name }

// Origin is "gemini://host" (with the port when it is not 1965).
func (o *Output) Origin() string { return o.origin }

// PageURL is the page's path, or /section/slug.gmi with ugly URLs.
func (o *Output) PageURL(p *site.Page) string {
	if o.ugly && p.Kind == site.KindPage {
		return strings.TrimSuffix(p.Path, "/") + ".gmi"
	}
	return p.Path
}

// PageType is "": Gemini links are not typed.
func (o *Output) PageType(*site.Page) string { return "" }

// Permalink is the capsule's origin plus url.
func (o *Output) Permalink(url, _ string) string { return o.origin + url }

// EscapeURL percent-encodes what a gemtext link line cannot carry.
func (o *Output) EscapeURL(url string) string { return EscapePath(url) }

// File is url's file: a folder's index.gmi, or the file itself.
func (o *Output) File(url string) (string, error) {
	return output.FolderFile(url, "index.gmi"), nil
}

// Feeds are the site's /atom.xml and a feed per section.
func (o *Output) Feeds() output.FeedLayout {
	return output.FeedLayout{Site: "/atom.xml", Sections: "atom.xml"}
}

// Body is "gemtext" for a page written in gemtext, which is published as
// written; "" for Markdown.
func (o *Output) Body(p *site.Page) string {
	if p.Gemtext {
		return "gemtext"
	}
	return ""
}

// NewRenderer makes a gemtext renderer whose links go through link; for
// the "gemtext" form, one that writes the page as written but for the
// addresses of its link lines (see gemtext.Verbatim).
func (o *Output) NewRenderer(form string, link func(string) output.Link) renderer.Renderer {
	rw := func(dest string) string { return link(dest).Addr }
	if form == "gemtext" {
		return gemtext.Verbatim(rw)
	}
	return gemtext.New(gemtext.WithLinkMode(o.mode), gemtext.WithLinkRewriter(rw),
		gemtext.WithKeepMarkers(o.markers), gemtext.WithKeepHTML(o.html))
}

// ResolveLink maps a link destination in page p to the address to print.
// Links to content pages become those pages' addresses (or, for a page
// published elsewhere only, its address there); other
// site-relative links are made absolute so they still work from the page's
// own folder. Links to missing pages and files are warnings.
func (o *Output) ResolveLink(c output.Context, p *site.Page, dest string) output.Link {
	target, abs, local := c.Resolve(p, dest)
	switch {
	case !local:
		return output.Link{Addr: dest}
	case target != nil:
		if !target.HasOutput(Name) {
			// Published elsewhere only: link there.
			if u, ok := c.Elsewhere(target); ok {
				return output.Link{Addr: u}
			}
			c.Warn(p.File, p.LineOf(dest), problem.Link, "link %q: that page is not published to Gemini", dest)
			return output.Link{Addr: abs}
		}
		return output.Link{Addr: EscapePath(o.PageURL(target))}
	case site.IsPageFile(abs):
		c.Warn(p.File, p.LineOf(dest), problem.Link, "link %q: no such page", dest)
		return output.Link{Addr: dest}
	}
	if !c.HasFile(abs) {
		c.Warn(p.File, p.LineOf(dest), problem.Link, "link %q: no such file in content/ or static/", dest)
	}
	return output.Link{Addr: EscapePath(abs) + output.Query(dest)}
}

// Templates are the default theme's gemini/ folder.
func (o *Output) Templates() fs.FS { return o.defaults }

// Funcs adds nothing to the common template functions.
func (o *Output) Funcs() template.FuncMap { return nil }

// Template names page.gmi, home.gmi, section.gmi, tags.gmi and tag.gmi.
func (o *Output) Template(k output.Kind) string {
	return [...]string{output.Page: "page.gmi", output.Home: "home.gmi", output.Section: "section.gmi",
		output.TagIndex: "tags.gmi", output.Tag: "tag.gmi"}[k]
}

// Tidy applies the gemtext output rules (see Tidy).
func (o *Output) Tidy(_ output.Kind, out, _ []byte, _ string) ([]byte, error) { return Tidy(out), nil }

// Asset copies every file but hand-written gophermaps.
func (o *Output) Asset(_ output.Context, p, _, _ string) (bool, error) {
	return p != "gophermap" && !strings.HasSuffix(p, "/gophermap"), nil
}

// Moved writes a gemtext page at an old address that is a folder
// ("/old/", or "/old" without an ending) or a .gmi file, linking to the
// page's address.
func (o *Output) Moved(from string, to output.Ref) (string, []byte, bool) {
	if ext := path.Ext(from); !strings.HasSuffix(from, "/") && ext != "" && ext != ".gmi" {
		return "", nil, false
	} else if ext == "" && !strings.HasSuffix(from, "/") {
		from += "/"
	}
	file, err := o.File(from)
	if err != nil {
		return "", nil, false
	}
	title := to.Title
	if title == "" {
		title = to.URL
	}
	return file, []byte("# Moved\n\nThis page is now at:\n=> " + to.URL + " " + title + "\n"), true
}
