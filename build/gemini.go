package build

import (
	"fmt"
	"github.com/gmkit/gmkit/build/site"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/yuin/goldmark/renderer"

	"github.com/gmkit/gmkit/build/feed"
	"github.com/gmkit/gmkit/build/gemtext"
	"github.com/gmkit/gmkit/templates"
	"github.com/gmkit/gmkit/themes"
)

// geminiURL is a page's address in the capsule.
func (r *run) geminiURL(p *site.Page) string {
	if r.cfg.UglyURLs && p.Kind == site.KindPage {
		return strings.TrimSuffix(p.Path, "/") + ".gmi"
	}
	return p.Path
}

// geminiFile is the output file for an address.
func geminiFile(url string) string {
	if strings.HasSuffix(url, "/") {
		return Gemini + url + "index.gmi"
	}
	return Gemini + url
}

// geminiBase is the capsule's absolute root, e.g. "gemini://example.org/".
func (r *run) geminiBase() string {
	host := r.cfg.Hostname
	if p := r.cfg.Gemini.Port; p != 0 && p != 1965 {
		host += ":" + strconv.Itoa(p)
	}
	return "gemini://" + host + "/"
}

// gemini prepares the capsule: every page through the page template, and
// the home page, section indexes (which double as Gemini subscription
// feeds), tag pages and Atom feeds. The bodies come from the bodies pass.
func (r *run) gemini(theme fs.FS, origin string) (*outputPass, error) {
	set, err := templates.Load(Gemini, theme, origin, themes.Default(), nil)
	if err != nil {
		return nil, err
	}
	r.warnSkipped(set)
	base := strings.TrimSuffix(r.geminiBase(), "/")
	abs := func(u string) string { return base + u }
	tagURL := func(t *site.Tag) string { return "/tags/" + t.Slug + "/" }
	sv, pv := views(r.cfg, r.site, Gemini, r.geminiLinkURL, func(s *site.Section) string { return escapePath(s.Path) }, tagURL, abs, base+"/")
	linkMode := r.linkMode // parsed by bodies, which runs this
	// A footer that shows only the site prints the same for every page:
	// run it once (see templates.Set.Freeze).
	set.Freeze("Site", &Data{Site: sv})

	newest := r.newest()
	var indexes []func() error
	// Home.
	indexes = append(indexes, func() error {
		home := &Data{Site: sv}
		if h := r.site.Home; h != nil && h.HasOutput(Gemini) {
			body, err := r.geminiBody(h, linkMode)
			if err != nil {
				return err
			}
			home.Content = frozen(body)
			home.Page = newPageView(h, "/", abs("/"), "")
		}
		return r.execPut(set, "home.gmi", home, geminiFile("/"), "the home page", newest)
	})
	// Sections.
	for _, s := range sv.sections {
		indexes = append(indexes, func() error {
			d := &Data{Site: sv, Section: s}
			if s.index != nil {
				body, err := r.geminiBody(s.index.page, linkMode)
				if err != nil {
					return err
				}
				d.Content = frozen(body)
				d.Page = s.index
			}
			return r.execPut(set, "section.gmi", d, geminiFile(s.URL), "section "+s.Name, newest)
		})
	}
	// Tags.
	if len(sv.tags) > 0 {
		indexes = append(indexes, func() error {
			return r.execPut(set, "tags.gmi", &Data{Site: sv}, geminiFile("/tags/"), "the tag index", newest)
		})
		for _, t := range sv.tags {
			indexes = append(indexes, func() error {
				return r.execPut(set, "tag.gmi", &Data{Site: sv, Tag: t}, geminiFile(t.URL), "tag "+t.Name, newest)
			})
		}
	}
	// Feeds: the whole site, then each section with dated pages.
	indexes = append(indexes, func() error { return r.atom(sv.Title, "/atom.xml", "/", sv.posts, abs) })
	for _, s := range sv.sections {
		var dated []*PageView
		for _, p := range s.pages {
			if p.IsDated() {
				dated = append(dated, p)
			}
		}
		if len(dated) == 0 {
			continue
		}
		indexes = append(indexes, func() error {
			return r.atom(sv.Title+": "+s.Title, s.URL+"atom.xml", s.URL, dated, abs)
		})
	}

	return &outputPass{pages: pagePass{
		out: Gemini, set: set, tmpl: "page.gmi", site: sv, views: pv,
		body: func(p *site.Page) ([]byte, error) { return r.geminiBody(p, linkMode) },
		file: func(p *site.Page) (string, error) { return geminiFile(r.geminiURL(p)), nil },
		tidy: func(out, _ []byte) ([]byte, error) { return tidyGemtext(out), nil },
	}, indexes: indexes}, nil
}

func (r *run) execPut(set *templates.Set, name string, d *Data, file, what string, mod time.Time) error {
	out, err := r.execute(set, name, d, tidyGemtextErr)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return r.put(file, out, what, mod)
}

func (r *run) atom(title, url, alt string, posts []*PageView, abs func(string) string) error {
	f := &feed.Feed{Title: title, Subtitle: r.cfg.Description, Link: abs(url), Alternate: abs(alt), Author: r.cfg.Author}
	for i, p := range posts {
		if i == r.cfg.FeedLimit {
			break
		}
		f.Entries = append(f.Entries, feed.Entry{Title: p.Title, Link: p.Permalink, Updated: p.Date, Summary: p.Summary, Tags: p.Tags})
		if p.Date.After(f.Updated) {
			f.Updated = p.Date
		}
	}
	if f.Updated.IsZero() {
		f.Updated = r.newest()
	}
	return r.putFeed(Gemini+url, f, "feed "+url, f.Updated)
}

// putFeed writes a feed to the output file p and counts it.
func (r *run) putFeed(p string, f *feed.Feed, what string, mod time.Time) error {
	b, err := f.XML()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	r.mu.Lock()
	r.feeds++
	r.mu.Unlock()
	return r.put(p, b, what, mod)
}

// newest is the date of the newest page (or Config.Now when set): the time
// stamp of generated files, so that output never depends on when it was
// built.
func (r *run) newest() time.Time {
	if !r.cfg.Now.IsZero() {
		return r.cfg.Now
	}
	var t time.Time
	for _, p := range r.site.Pages {
		if p.Date.After(t) {
			t = p.Date
		}
	}
	return t
}

// geminiBody renders a page's Markdown to gemtext, reusing the previous
// build's result when the page and its links are unchanged. Checking the
// cached links reports them again: a page taken from the cache warns about
// its broken links as it did when rendered.
func (r *run) geminiBody(p *site.Page, mode gemtext.LinkMode) ([]byte, error) {
	resolve := func(dest string) linkResult { return linkResult{got: r.geminiLink(p, dest, true)} }
	return r.renderBody(Gemini, p, resolve, "rendering gemtext", func(slot *bodySlot) renderer.Renderer {
		rw := func(dest string) string {
			u := r.geminiLink(slot.page, dest, true)
			slot.record(dest, linkResult{got: u})
			return u
		}
		return gemtext.New(gemtext.WithLinkMode(mode), gemtext.WithLinkRewriter(rw),
			gemtext.WithKeepMarkers(r.cfg.KeepMarkers), gemtext.WithKeepHTML(r.cfg.KeepHTML))
	})
}

// geminiLink maps a link destination in page p to the address to print.
// Links to content pages become those pages' addresses; other site-relative
// links are made absolute so they still work from the page's own folder.
// With report set, links to missing pages are warnings.
func (r *run) geminiLink(p *site.Page, dest string, report bool) string {
	target, abs, local := r.resolveContent(p, dest)
	switch {
	case !local:
		return dest
	case target != nil:
		if !target.HasOutput(Gemini) {
			if report {
				r.warn(p.File, p.LineOf(dest), "link %q: that page is not published to Gemini", dest)
			}
			return abs
		}
		return r.geminiLinkURL(target)
	case strings.HasSuffix(abs, ".md") || strings.HasSuffix(abs, ".markdown"):
		if report {
			r.warn(p.File, p.LineOf(dest), "link %q: no such page", dest)
		}
		return dest
	}
	if report && !r.siteHasFile(abs) {
		r.warn(p.File, p.LineOf(dest), "link %q: no such file in content/ or static/", dest)
	}
	return escapePath(abs) + queryOf(dest)
}

// geminiLinkURL is a page's address as link lines and feeds print it:
// geminiURL, percent-encoded where a file name needs it.
func (r *run) geminiLinkURL(p *site.Page) string { return escapePath(r.geminiURL(p)) }

// escapePath percent-encodes what a URL path cannot carry as it is: spaces
// and control characters (which would end or break a gemtext link line),
// "?", "#" and "%". Other characters, UTF-8 included, stay as they are.
func escapePath(p string) string {
	const hex = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c > ' ' && c != 0x7f && c != '?' && c != '#' && c != '%' {
			if b != nil {
				b = append(b, c)
			}
			continue
		}
		if b == nil {
			b = append(make([]byte, 0, len(p)+8), p[:i]...)
		}
		b = append(b, '%', hex[c>>4], hex[c&0xf])
	}
	if b == nil {
		return p
	}
	return string(b)
}

func queryOf(dest string) string {
	if i := strings.IndexByte(dest, '?'); i >= 0 {
		q := dest[i:]
		if j := strings.IndexByte(q, '#'); j >= 0 {
			q = q[:j]
		}
		return q
	}
	return ""
}
