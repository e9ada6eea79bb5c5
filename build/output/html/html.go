// Package html is the web output: the site as HTML pages at addresses like
// /posts/first/ (or /posts/first.html with ugly URLs), rendered by
// goldmark's HTML renderer with the build's link rewriting and raw HTML
// cleaned by bluemonday (build/web), wrapped in html/template templates
// (themes/NAME/html/, over the embedded default theme), with Atom feeds,
// sitemap.xml, robots.txt, a 404 page and the theme's stylesheet.
package html

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net"
	"net/url"
	"strconv"
	"strings"
	texttemplate "text/template"

	"github.com/yuin/goldmark/renderer"

	"github.com/gmkit/gmkit/build/output"
	"github.com/gmkit/gmkit/build/problem"
	"github.com/gmkit/gmkit/build/site"
	"github.com/gmkit/gmkit/build/web"
	"github.com/gmkit/gmkit/themes"
)

// Name is the output's name: its folder, its theme folder and its
// configuration section.
const Name = "html"

var (
	_ output.Output         = (*Output)(nil)
	_ output.TemplateLoader = (*Output)(nil)
	_ output.Extras         = (*Output)(nil)
)

// Entry is the output's line in the build's list.
func Entry() output.Entry { return output.Entry{Name: Name, New: New} }

// Output is the web output for one configuration.
type Output struct {
	ugly     bool
	unsafe   bool
	origin   string // "https://host[:port]"
	defaults fs.FS
}

// New makes the output. It reads the section's "unsafe" (raw HTML and
// links passed through uncleaned), "scheme" ("https", the default, or
// "http") and "port" (the public port written into absolute URLs; 0 means
// the scheme's own), and the site-wide ugly URLs setting.
func New(s output.Settings) (output.Output, error) {
	unsafe, err := s.Bool("unsafe")
	if err != nil {
		return nil, fmt.Errorf("html.%w", err)
	}
	scheme, err := s.String("scheme", "https")
	if err != nil {
		return nil, fmt.Errorf("html.%w", err)
	}
	def := 443
	switch scheme {
	case "https":
	case "http":
		def = 80
	default:
		return nil, fmt.Errorf("html.scheme: got %q, want https or http", scheme)
	}
	port, err := s.Int("port", def)
	if err != nil {
		return nil, fmt.Errorf("html.%w", err)
	}
	if port < 1 || port > 65535 {
		return nil, fmt.Errorf("html.port: got %d, want 1 to 65535", port)
	}
	host := s.Site.Hostname
	if port != def {
		host = net.JoinHostPort(host, strconv.Itoa(port))
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]" // an IPv6 address
	}
	return &Output{ugly: s.Site.UglyURLs, unsafe: unsafe, origin: scheme + "://" + host, defaults: themes.Default()}, nil
}

// Name is "html".
func (o *Output) Name() string { return Name }

// Origin is "https://host" (with the port when it is not the scheme's).
func (o *Output) Origin() string { return o.origin }

// PageURL is the page's path, or /section/slug.html with ugly URLs.
func (o *Output) PageURL(p *site.Page) string {
	if o.ugly && p.Kind == site.KindPage {
		return strings.TrimSuffix(p.Path, "/") + ".html"
	}
	return p.Path
}

// PageType is "": web links are not typed.
func (o *Output) PageType(*site.Page) string { return "" }

// Permalink is the site's origin plus url.
func (o *Output) Permalink(url, _ string) string { return o.origin + url }

// EscapeURL percent-encodes what a URL path cannot carry as it is (see
// EscapePath).
func (o *Output) EscapeURL(url string) string { return EscapePath(url) }

// EscapePath percent-encodes a path as browsers send it: spaces, "?", "#",
// "%", control characters and bytes outside ASCII.
func EscapePath(p string) string {
	for i := 0; i < len(p); i++ {
		if c := p[i]; c <= ' ' || c >= 0x7f || c == '?' || c == '#' || c == '%' {
			return (&url.URL{Path: p}).EscapedPath()
		}
	}
	return p
}

// File is url's file: a folder's index.html, or the file itself.
func (o *Output) File(url string) (string, error) {
	return output.FolderFile(url, "index.html"), nil
}

// Feeds are the site's /atom.xml and a feed per section, as on Gemini.
func (o *Output) Feeds() output.FeedLayout {
	return output.FeedLayout{Site: "/atom.xml", Sections: "atom.xml"}
}

// Body is "": every page has one HTML body.
func (o *Output) Body(*site.Page) string { return "" }

// NewRenderer makes an HTML renderer (build/web) whose links go through
// link.
func (o *Output) NewRenderer(_ string, link func(string) output.Link) renderer.Renderer {
	rw := func(dest string) string { return link(dest).Addr }
	return web.New(web.WithLinkRewriter(rw), web.WithUnsafe(o.unsafe))
}

// ResolveLink maps a link destination in page p to the address to print:
// a content page's address on the web (or, for a page published
// elsewhere only, its address there), other site-relative links made
// absolute so they work from the page's own folder. Links to missing
// pages and files are warnings.
func (o *Output) ResolveLink(c output.Context, p *site.Page, dest string) output.Link {
	target, abs, local := c.Resolve(p, dest)
	switch {
	case !local:
		return output.Link{Addr: dest}
	case target != nil:
		if !target.HasOutput(Name) {
			if u, ok := c.Elsewhere(target); ok {
				return output.Link{Addr: u}
			}
			c.Warn(p.File, p.LineOf(dest), problem.Link, "link %q: that page is not published to the web", dest)
			return output.Link{Addr: abs}
		}
		return output.Link{Addr: EscapePath(o.PageURL(target)) + fragment(dest)}
	case strings.HasSuffix(abs, ".md") || strings.HasSuffix(abs, ".markdown"):
		c.Warn(p.File, p.LineOf(dest), problem.Link, "link %q: no such page", dest)
		return output.Link{Addr: dest}
	}
	if !c.HasFile(abs) {
		c.Warn(p.File, p.LineOf(dest), problem.Link, "link %q: no such file in content/ or static/", dest)
	}
	return output.Link{Addr: EscapePath(abs) + output.Query(dest) + fragment(dest)}
}

// fragment is the "#..." of dest, or "": a browser scrolls to it.
func fragment(dest string) string {
	if i := strings.IndexByte(dest, '#'); i >= 0 {
		return dest[i:]
	}
	return ""
}

// Templates are the default theme (its html/ folder).
func (o *Output) Templates() fs.FS { return o.defaults }

// Funcs adds nothing to the common template functions; LoadTemplates
// adds the web's own.
func (o *Output) Funcs() texttemplate.FuncMap { return nil }

// LoadTemplates loads the theme's html/ folder over the default theme's
// with html/template (see web.LoadTheme).
func (o *Output) LoadTemplates(theme fs.FS, origin string) (output.Templates, error) {
	return web.LoadTheme(theme, origin, o.defaults, template.FuncMap{})
}

// Template names page.html, home.html, section.html, tags.html and
// tag.html.
func (o *Output) Template(k output.Kind) string {
	return [...]string{output.Page: "page.html", output.Home: "home.html", output.Section: "section.html",
		output.TagIndex: "tags.html", output.Tag: "tag.html"}[k]
}

// Tidy keeps a page as the template made it: html/template has escaped
// every value already.
func (o *Output) Tidy(_ output.Kind, out, _ []byte, _ string) ([]byte, error) {
	return bytes.Clone(out), nil
}

// Asset copies every file but hand-written gophermaps.
func (o *Output) Asset(_ output.Context, p, _, _ string) (bool, error) {
	return p != "gophermap" && !strings.HasSuffix(p, "/gophermap"), nil
}
