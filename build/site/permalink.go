package site

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/gmkit/gmkit/build/slug"
)

// Permalinks are Hugo's: a pattern per section gives the addresses of its
// pages, made of fixed text and tokens.
//
//	:year :month :monthname :day   the page's date (2015, 02, february, 13)
//	:slug            its slug from front matter, else its title made a slug
//	:slugorfilename  its slug from front matter, else :filename
//	:title           its title made a slug ("Some title" is some-title)
//	:filename        its file name without date prefix and extension (a
//	                 bundle's folder name)
//	:contentbasename the same as :filename
//	:section         its top-level folder
//	:sections        the folders of its section, "posts/travel"
//
// A key of the table is a section's folder ("posts", or a nested one,
// "posts/travel"), case ignored; a page takes the pattern of the nearest section above
// it that has one. A pattern with date tokens leaves undated pages at
// their usual address.

// permalinkTokens are the tokens a pattern may use.
var permalinkTokens = map[string]bool{
	"year": true, "month": true, "monthname": true, "day": true,
	"slug": true, "slugorfilename": true, "title": true, "filename": true,
	"contentbasename": true, "section": true, "sections": true,
}

var tokenRE = regexp.MustCompile(`:([a-z]+)`)

// CheckPermalink reports what is wrong with a permalink pattern: a token
// it does not know, or a pattern that is not a site-absolute path.
func CheckPermalink(pattern string) error {
	if !strings.HasPrefix(pattern, "/") {
		return fmt.Errorf("pattern %q does not start with /", pattern)
	}
	for _, m := range tokenRE.FindAllStringSubmatch(pattern, -1) {
		if !permalinkTokens[m[1]] {
			return fmt.Errorf("pattern %q: unknown token :%s (known: :year, :month, :monthname, :day, :slug, :slugorfilename, :title, :filename, :contentbasename, :section, :sections)", pattern, m[1])
		}
	}
	return nil
}

// permalinkFor is the pattern for a page listed from folder dir: the one
// of the nearest folder above that has one, or "".
func (c Config) permalinkFor(dir string) string {
	if len(c.Permalinks) == 0 {
		return ""
	}
	for d := dir; d != "" && d != "."; d = path.Dir(d) {
		if p, ok := c.Permalinks[strings.ToLower(d)]; ok {
			return p
		}
	}
	return ""
}

// applyPermalink gives the page the address its section's pattern (or
// its own url or permalink front matter) makes, if any.
func (p *Page) applyPermalink(cfg Config, fmSlug, filename string) {
	if p.Kind != KindPage {
		return
	}
	if u := p.ownURL(); u != "" {
		if !strings.Contains(u, ":") {
			p.Path = cfg.address(addressOf(u))
			return
		}
		if p.expand(cfg, u, fmSlug, filename) {
			return
		}
	}
	if pat := cfg.permalinkFor(p.folder()); pat != "" {
		p.expand(cfg, pat, fmSlug, filename)
	}
}

// ownURL is the address the page's front matter gives it: Hugo's url,
// Jekyll's permalink.
func (p *Page) ownURL() string {
	for _, k := range []string{"url", "permalink"} {
		if s, ok := p.Params[k].(string); ok && strings.HasPrefix(strings.TrimSpace(s), "/") {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// expand sets the page's address from pattern; false (and no change) when
// the pattern needs a date and the page has none.
func (p *Page) expand(cfg Config, pattern, fmSlug, filename string) bool {
	dated := true
	title := slug.Make(p.Title, cfg.UnicodeSlugs)
	if title == "" {
		title = filename
	}
	out := tokenRE.ReplaceAllStringFunc(pattern, func(tok string) string {
		switch tok[1:] {
		case "year", "month", "monthname", "day":
			if p.Date.IsZero() {
				dated = false
				return ""
			}
		}
		switch tok[1:] {
		case "year":
			return strconv.Itoa(p.Date.Year())
		case "month":
			return fmt.Sprintf("%02d", int(p.Date.Month()))
		case "monthname":
			return strings.ToLower(p.Date.Month().String())
		case "day":
			return fmt.Sprintf("%02d", p.Date.Day())
		case "slug":
			if fmSlug != "" {
				return fmSlug
			}
			return title
		case "slugorfilename":
			if fmSlug != "" {
				return fmSlug
			}
			return filename
		case "title":
			return title
		case "filename", "contentbasename":
			return filename
		case "section":
			return p.Section
		case "sections":
			return p.folder()
		}
		return tok
	})
	if !dated {
		return false
	}
	p.Path = cfg.address(addressOf(out))
	return true
}

// addressOf makes a path written as an address (/a/b, /a/b/, /a/b.html)
// the form page addresses have: clean, ending in a slash.
func addressOf(u string) string {
	u = path.Clean("/" + u)
	for _, ext := range []string{".html", ".htm", ".php", ".md", ".gmi"} {
		u = strings.TrimSuffix(u, ext)
	}
	if u == "/" {
		return u
	}
	return u + "/"
}

// oldAddress reads a link written in the address style of a dated post,
// /2015/02/13/some-title/ or /2016/06/29/some-title.html (anything may
// come before the date: /blog/2015/02/...).
var oldAddress = regexp.MustCompile(`(?:^|/)(\d{4})/(\d{1,2})(?:/(\d{1,2}))?/([^/]+?)(?:\.html?|\.php)?/?$`)

// ByOldAddress finds the one page a link in the address style of a dated
// post names by date and slug (see oldAddress): its date has that year,
// month and (when given) day, and its slug, file name or title made a
// slug is the last part, case ignored. It returns nil when none or more
// than one page fits.
func (s *Site) ByOldAddress(abs string) *Page {
	m := oldAddress.FindStringSubmatch(abs)
	if m == nil {
		return nil
	}
	year, _ := strconv.Atoi(m[1])
	month, _ := strconv.Atoi(m[2])
	day := 0
	if m[3] != "" {
		day, _ = strconv.Atoi(m[3])
	}
	name := strings.ToLower(m[4])
	var found *Page
	for _, p := range s.Pages {
		if !p.IsDated() || p.Date.Year() != year || int(p.Date.Month()) != month || day != 0 && p.Date.Day() != day {
			continue
		}
		if !strings.EqualFold(p.Slug, name) && !strings.EqualFold(p.fileSlug(), name) && slug.Make(p.Title, true) != name && slug.Make(p.Title, false) != name {
			continue
		}
		if found != nil {
			return nil
		}
		found = p
	}
	return found
}

// fileSlug is the page's file name without date prefix and extension, or
// a bundle's folder name.
func (p *Page) fileSlug() string {
	src := p.Source
	if p.Bundle {
		src = path.Dir(src)
	}
	base := path.Base(src)
	base = strings.TrimSuffix(base, path.Ext(base))
	if m := datePrefix.FindStringSubmatch(base); m != nil {
		return m[2]
	}
	return base
}

// Find finds the page a link to a content file names, as Hugo's ref,
// Jekyll's post_url and link and Zola's @/ links find them: each of paths
// (site-absolute: "/posts/x.md", in the order to try) names a page by its
// file, or by its folder when it is a bundle or a section (x.md for
// x/index.md or x/_index.md); failing those, the one page whose file (or
// bundle folder) has the name of the first path. Nil when none does, or
// when the name alone fits more than one page.
func (s *Site) Find(paths ...string) *Page {
	for _, abs := range paths {
		src := strings.TrimPrefix(path.Clean(abs), "/")
		if p := s.bySource[src]; p != nil {
			return p
		}
		stem := strings.TrimSuffix(src, path.Ext(src))
		for _, name := range []string{"/index", "/_index"} {
			for _, ext := range contentExts {
				if p := s.bySource[stem+name+ext]; p != nil {
					return p
				}
			}
		}
	}
	if len(paths) == 0 {
		return nil
	}
	base := path.Base(paths[0])
	stem := strings.TrimSuffix(base, path.Ext(base))
	s.nameOnce.Do(func() {
		s.byName = map[string]*Page{}
		add := func(name string, p *Page) {
			if other, ok := s.byName[name]; ok && other != p {
				s.byName[name] = nil // two pages: the name names neither
				return
			}
			s.byName[name] = p
		}
		for _, p := range s.Pages {
			src := p.Source
			if p.Bundle {
				src = path.Dir(src)
			}
			b := path.Base(src)
			add(strings.TrimSuffix(b, path.Ext(b)), p)
		}
	})
	return s.byName[stem]
}

// contentExts are the endings of the files that are pages.
var contentExts = []string{".md", ".markdown", ".gmi"}

// IsPageFile reports whether a path names a file that is a page (by its
// ending).
func IsPageFile(p string) bool {
	for _, ext := range contentExts {
		if strings.HasSuffix(p, ext) {
			return true
		}
	}
	return false
}
