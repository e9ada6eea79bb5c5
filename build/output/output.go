// Package output is the contract between the build and the outputs it
// makes (a Gemini capsule, a Gopher hole, ...). An output is one package
// that implements Output and one line in the build's list (build.Outputs);
// the build walks that list and never names an output itself.
//
// The build owns everything outputs share: the site model, the template
// views (.Site, .Page, .Section, .Tag), running templates, index pages (home,
// sections, the tag index and tag pages), Atom feeds, the cache that makes
// rebuilds cheap, and the tree the files go into. An output says how it
// addresses pages and lays out files, how it renders a page's Markdown and
// rewrites links to other content files, which templates wrap what (its
// folder of a theme, themes/NAME/<output>/, with its default templates as a
// fallback) and how their result is tidied and checked.
package output

import (
	"bytes"
	"fmt"
	"io/fs"
	"net"
	"strconv"
	"text/template"
	"time"

	"github.com/yuin/goldmark/renderer"

	"github.com/gmkit/gmkit/build/problem"
	"github.com/gmkit/gmkit/build/site"
)

// Entry is one output in the build's list: its name and how to make it for
// a configuration.
type Entry struct {
	// Name is the output's name: its folder in the built tree, its
	// templates' folder in a theme, its section of the configuration, and
	// what a page's front matter lists in `outputs`.
	Name string
	// New makes the output for one configuration; bad settings are an
	// error naming the key.
	New func(Settings) (Output, error)
}

// Settings is what an output is made with: the site-wide settings every
// output may read, and its own section of the configuration.
type Settings struct {
	Site SiteSettings
	// Own is the output's section of the configuration, by key without
	// the section's name ("width" for gopher.width). Keys the output does
	// not read (the server's, in the same section) are ignored.
	Own map[string]any
}

// SiteSettings are the settings every output may read.
type SiteSettings struct {
	// Hostname is the public host name written into absolute URLs.
	Hostname string
	// UglyURLs asks for pages as /section/slug.EXT instead of
	// /section/slug/ (where the output has such a choice).
	UglyURLs bool
	// Links is the gemtext link mode ("paragraph", "at-end", "copy",
	// "off").
	Links string
	// KeepMarkers and KeepHTML keep Markdown's emphasis markers and raw
	// HTML blocks in plain-text outputs.
	KeepMarkers, KeepHTML bool
	// CGIDir is the URL folder CGI scripts are served from ("cgi-bin").
	CGIDir string
}

// Output is one output, made for one configuration. Its methods are called
// from many goroutines at once: an Output must not change once made.
type Output interface {
	// Name is the output's name (see Entry.Name).
	Name() string
	// Origin is the scheme, host and port its absolute addresses name,
	// e.g. "gemini://example.org" or "gopher://example.org:7070".
	Origin() string

	// PageURL is a page's address in this output (a page, a section
	// intro or the home intro, whose addresses are their paths): what
	// links print, relative to the output's root, e.g. "/posts/x/".
	PageURL(p *site.Page) string
	// PageType is what templates see as .Page.Type (a Gopher item type);
	// "" when the output has no such notion.
	PageType(p *site.Page) string
	// Permalink is the absolute URL of url, an address in this output of
	// the given page type (see PageType; "" for index pages and feeds).
	Permalink(url, typ string) string
	// EscapeURL makes an address fit to print in links, e.g. by
	// percent-encoding spaces.
	EscapeURL(url string) string
	// File is the path, relative to the output's folder, of the file
	// that serves url (an address from PageURL, a section's or tag's path,
	// or a feed's): "/posts/x/" may be "posts/x/index.gmi". A url the
	// output cannot serve is an error.
	File(url string) (string, error)
	// Feeds says which Atom feeds the output has.
	Feeds() FeedLayout

	// Body names the form page p's Markdown is rendered in for this
	// output ("" for the usual one): the build renders each form of a
	// page once and caches it by that name.
	Body(p *site.Page) string
	// NewRenderer makes a renderer for Markdown bodies of the given
	// form (see Body). It is kept for many pages in a row; link resolves
	// each link or image destination of the page being rendered (see
	// Links).
	NewRenderer(form string, link func(dest string) Link) renderer.Renderer
	// ResolveLink maps a link destination written in page p to what this
	// output prints for it, reporting problems through c. It must depend
	// on nothing but p, dest and what c reports: the build remembers the
	// results to know when a cached body is still valid.
	ResolveLink(c Context, p *site.Page, dest string) Link

	// Templates is the output's default templates: a folder named after
	// the output holding one file per template, used for every template
	// the site's theme lacks.
	Templates() fs.FS
	// Funcs are template functions of this output, added to the common
	// ones; each must be pure (see templates.Set.Freeze).
	Funcs() template.FuncMap
	// Template names the template for a kind of file: Page, Home,
	// Section, TagIndex, Tag.
	Template(k Kind) string
	// Tidy makes a template's output final: it may normalise blank
	// lines and must refuse what the output's format does not allow. body
	// is the page's rendered body, which out may hold as it is (nil for
	// index pages); source names the template in messages.
	Tidy(k Kind, out, body []byte, source string) ([]byte, error)
	// Asset says whether a file of content/ or static/ (src on disk,
	// file as the user knows it) is copied into this output at the
	// slash-separated path p, and may check it (a hand-written
	// gophermap), reporting problems through c.
	Asset(c Context, p, src, file string) (bool, error)
}

// Lister is an Output that makes, once per page and build, the text an
// index lists the page with by default (a menu line): the build keeps it
// in the page's view, and Ref.Item hands it to the output's template
// functions.
type Lister interface {
	ListItem(p Ref) string
}

// Mover is an Output that writes, at an old address of a page (one of
// its aliases), a small page that points to where the page is now, so
// that the old address works from the files alone, on any server. The
// build also lists every alias of the output, with the page's address,
// in the output's redirects file (build/redirects), which gmkit serve
// answers with redirects.
type Mover interface {
	// Moved returns the file (relative to the output's folder) and the
	// text of the page at the old address from pointing to the page to;
	// ok is false when the output writes no page at such an address
	// (say, a gemtext page at an address ending in .html, which other
	// servers would send as HTML).
	Moved(from string, to Ref) (file string, data []byte, ok bool)
}

// Templates is an output's templates as the build runs them: loaded once
// per build from the site's theme over the output's defaults. The build
// loads text/template sets itself (package templates); an output whose
// format needs another engine (HTML's contextual escaping) loads its own
// through TemplateLoader.
type Templates interface {
	// ExecuteTo runs the template name with data, appending to buf. An
	// error names the template's file.
	ExecuteTo(buf *bytes.Buffer, name string, data any) error
	// Source names the file the template name came from, for messages.
	Source(name string) string
	// Fingerprint changes whenever anything the templates print for the
	// same data could change (a template file's text): the build keeps a
	// page's finished output while it is the same.
	Fingerprint() string
	// Skipped names files of the theme left out because they are not
	// regular files; the build reports them.
	Skipped() []string
}

// TemplateLoader is an Output that loads its templates itself instead of
// with the build's text/template loader: the web output runs
// html/template, which escapes every value for where it lands in the
// page. The templates see the same data as every output's (the build's
// Data: .Site, .Page, .Section, .Tag, .Content, .Alternates).
type TemplateLoader interface {
	// LoadTemplates loads the output's templates from theme (the site's
	// theme folder, nil when it has none; origin names it in messages)
	// over its default templates, with its Funcs.
	LoadTemplates(theme fs.FS, origin string) (Templates, error)
}

// Extras is an Output that makes files of its own beside pages, index
// pages and feeds (the web's sitemap.xml, robots.txt, 404 page and
// stylesheet). The build calls it once per build, after the output's
// templates are loaded, and adds the files to the output's folder.
type Extras interface {
	Extras(x ExtrasInput) ([]File, error)
}

// ExtrasInput is what an output's extra files are made from.
type ExtrasInput struct {
	// Templates are the output's templates, loaded for this build.
	Templates Templates
	// Data is template data holding only the site (.Site).
	Data any
	// Made lists every page and index page the output makes, in a stable
	// order: the home page, pages, sections, the tag index and tags.
	Made []Made
	// Updated is the date of the newest page: the time of generated files.
	Updated time.Time
}

// Made is one address an output makes a file for.
type Made struct {
	// URL is the address, escaped (see Output.EscapeURL); Permalink the
	// absolute one.
	URL, Permalink string
	// Updated is when what it shows last changed: a page's date, an
	// index's newest page's date (zero when unknown).
	Updated time.Time
}

// File is a file an output makes itself (see Extras): Path is relative
// to the output's folder.
type File struct {
	Path string
	Data []byte
}

// PageRef is a page as the build's template views hold it (.Page, the
// pages of .Site.Posts...), which template functions of an output take as
// an argument.
type PageRef interface {
	Ref() Ref
}

// Ref is what an output's template functions see of a page.
type Ref struct {
	// URL is the page's address in the output (escaped, see EscapeURL).
	URL string
	// Type is its type there (see Output.PageType).
	Type  string
	Title string
	Date  time.Time
	// Item is what ListItem made for the page, or "".
	Item string
}

// Kind is a kind of file an output makes from a template.
type Kind int

// The kinds of files made from templates.
const (
	Page     Kind = iota // a page (post or stand-alone page)
	Home                 // the home page
	Section              // a section's index
	TagIndex             // the list of tags
	Tag                  // one tag's page
)

// FeedLayout says which Atom feeds an output has.
type FeedLayout struct {
	// Site is the whole site's feed's address ("/atom.xml"), or "" for
	// none.
	Site string
	// Sections, when set, gives each section with dated pages a feed at
	// the section's address plus this name ("atom.xml").
	Sections string
	// LinkType is the page type (see Output.PageType) the feed's own
	// address has in its self link.
	LinkType string
}

// Link is what a link destination resolves to in one output: the address
// to print, and for outputs that type their links (Gopher) the type. A
// zero Link means "not internal": the renderer prints the destination as
// written, or maps it itself.
type Link struct {
	Addr string
	Type byte
}

// Context is what the build offers an output while it resolves links and
// checks files.
type Context interface {
	// Warn reports a problem that does not stop the build (with Strict
	// it does) of the given kind; the same warning from several outputs
	// is reported once.
	Warn(file string, line int, kind problem.Kind, format string, args ...any)
	// Resolve maps a destination written in page p to the content page
	// it names: target (nil for none), the destination as a path absolute
	// within the site (for links to files), and whether it is a
	// site-relative reference at all.
	Resolve(p *site.Page, dest string) (target *site.Page, abs string, local bool)
	// HasFile reports whether a site-absolute path names something the
	// build makes or copies, or a CGI script.
	HasFile(abs string) bool
	// Elsewhere is the absolute address of page p in the first other
	// output that publishes it, for a link from an output that does not;
	// ok is false when none does.
	Elsewhere(p *site.Page) (url string, ok bool)
}

// String reads the string setting key of s.Own, or def when it is unset.
func (s Settings) String(key, def string) (string, error) {
	v, ok := s.Own[key]
	if !ok || v == nil {
		return def, nil
	}
	str, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s: got %v (%T), want text", key, v, v)
	}
	if str == "" {
		return def, nil
	}
	return str, nil
}

// Bool reads the true-or-false setting key of s.Own, false when unset.
func (s Settings) Bool(key string) (bool, error) {
	v, ok := s.Own[key]
	if !ok || v == nil {
		return false, nil
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("%s: got %v (%T), want true or false", key, v, v)
	}
	return b, nil
}

// Int reads the whole-number setting key of s.Own, or def when it is
// unset or 0.
func (s Settings) Int(key string, def int) (int, error) {
	v, ok := s.Own[key]
	if !ok || v == nil {
		return def, nil
	}
	var n int
	switch v := v.(type) {
	case int:
		n = v
	case int64:
		n = int(v)
	case uint64:
		n = int(v)
	case float64:
		if v != float64(int(v)) {
			return 0, fmt.Errorf("%s: got %v, want a whole number", key, v)
		}
		n = int(v)
	default:
		return 0, fmt.Errorf("%s: got %v (%T), want a whole number", key, v, v)
	}
	if n == 0 {
		return def, nil
	}
	return n, nil
}

// Port is the public port an output writes into absolute addresses: the
// "port" setting, else the port of the "listen" setting (where the
// protocol's server listens), else def.
func (s Settings) Port(def int) (int, error) {
	listen, err := s.String("listen", "")
	if err != nil {
		return 0, err
	}
	if _, p, err := net.SplitHostPort(listen); err == nil {
		if n, err := strconv.Atoi(p); err == nil && n > 0 && n <= 65535 {
			def = n
		}
	}
	return s.Int("port", def)
}
