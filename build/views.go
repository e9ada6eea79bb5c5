package build

import (
	"time"

	"github.com/gmkit/gmkit/build/site"
)

// The types in this file are what templates see. Every field and method is
// part of the theme interface and documented in docs/themes.md.

// Data is the value a template runs with. Which fields are set depends on the
// template: page templates get Page and Content; section templates get
// Section and Content (the section intro); tag templates get Tag; home gets
// Content (the home intro). Site is always set.
type Data struct {
	Site    *SiteView
	Page    *PageView
	Section *SectionView
	Tag     *TagView
	// Content is the rendered body (already in the output's format).
	Content string
}

// SiteView is the site as templates see it in one output.
type SiteView struct {
	Title       string
	Author      string
	Description string
	Hostname    string
	Lang        string
	Params      map[string]any
	// BaseURL is the absolute address of the output's root, e.g.
	// "gemini://example.org/" or "gopher://example.org:70/1/".
	BaseURL string
	// Pages are the pages at the top level of content/ (about, now...).
	Pages []*PageView
	// Posts are the dated pages of every section, newest first.
	Posts []*PageView
	// Latest are the first LatestPosts of Posts.
	Latest []*PageView
	// Sections are the top-level folders, by name.
	Sections []*SectionView
	// Tags are all tags, by name.
	Tags []*TagView
}

// PageView is a page as templates see it in one output: the page's own
// fields and front matter, and what it looks like in this output. The
// fields are copied rather than embedded: text/template finds a promoted
// field by a breadth-first search that allocates on every lookup, and page
// templates run once per page and output.
type PageView struct {
	// Title, Date, Draft, Tags, Summary, Slug, Aliases, Outputs, Weight
	// and Params are the page's front matter (see FrontMatter).
	Title   string
	Date    time.Time
	Draft   bool
	Tags    []string
	Summary string
	Slug    string
	Aliases []string
	Outputs []string
	Weight  int
	Params  map[string]any

	// Source, File, Kind, Section and Path are the page's (see Page).
	Source  string
	File    string
	Kind    site.Kind
	Section string
	Path    string

	// URL is the page's address in this output: a path for Gemini
	// ("/posts/x/"), a selector for Gopher.
	URL string
	// Permalink is the absolute URL.
	Permalink string
	// Type is the Gopher item type of URL ("1" menu, "0" text); empty in
	// the Gemini output.
	Type string
	// Prev and Next are the neighbouring dated pages of the same section
	// in this output (Prev is older), or nil.
	Prev, Next *PageView
	// TagLinks are the page's tags with their addresses.
	TagLinks []*TagView

	page       *site.Page
	gopherItem string // the default menu line for the page, see gopherFuncs
}

// newPageView is p as seen in one output at url.
func newPageView(p *site.Page, url, permalink, typ string) *PageView {
	fm := &p.FrontMatter
	return &PageView{
		Title: fm.Title, Date: fm.Date, Draft: fm.Draft, Tags: fm.Tags, Summary: fm.Summary,
		Slug: fm.Slug, Aliases: fm.Aliases, Outputs: fm.Outputs, Weight: fm.Weight, Params: fm.Params,
		Source: p.Source, File: p.File, Kind: p.Kind, Section: p.Section, Path: p.Path,
		URL: url, Permalink: permalink, Type: typ,
		page: p,
	}
}

// IsDated reports whether the page has a date.
func (v *PageView) IsDated() bool { return v.page.IsDated() }

// HasOutput reports whether the page is published to the named output.
func (v *PageView) HasOutput(name string) bool { return v.page.HasOutput(name) }

// SectionView is a section as templates see it.
type SectionView struct {
	Name  string
	Title string
	URL   string
	// Pages are the section's pages, newest first.
	Pages []*PageView
	// Index is the section's _index.md page, or nil.
	Index *PageView
}

// TagView is a tag as templates see it.
type TagView struct {
	Name  string
	Slug  string
	URL   string
	Pages []*PageView
}

// views builds the template views of site for one output, given how that
// output addresses pages.
func views(cfg Config, s *site.Site, out string, pageURL func(*site.Page) string, sectionURL func(*site.Section) string, tagURL func(*site.Tag) string, absURL func(string) string, baseURL string) (*SiteView, map[*site.Page]*PageView) {
	pv := make(map[*site.Page]*PageView, len(s.Pages)+len(s.Sections)+1)
	view := func(p *site.Page) *PageView {
		if p == nil || !p.HasOutput(out) {
			return nil
		}
		if v, ok := pv[p]; ok {
			return v
		}
		u := pageURL(p)
		v := newPageView(p, u, absURL(u), "")
		pv[p] = v
		return v
	}
	list := func(ps []*site.Page) []*PageView {
		out := make([]*PageView, 0, len(ps))
		for _, p := range ps {
			if v := view(p); v != nil {
				out = append(out, v)
			}
		}
		return out
	}
	sv := &SiteView{
		Title: cfg.Title, Author: cfg.Author, Description: cfg.Description,
		Hostname: cfg.Hostname, Lang: cfg.Lang, Params: cfg.Params, BaseURL: baseURL,
	}
	sv.Pages = list(s.Root.Pages)
	sv.Posts = list(s.Posts())
	sv.Latest = sv.Posts[:min(len(sv.Posts), cfg.LatestPosts)]
	for _, sec := range s.Sections {
		v := &SectionView{Name: sec.Name, Title: sec.Title(), URL: sectionURL(sec), Pages: list(sec.Pages)}
		if sec.Index != nil {
			v.Index = view(sec.Index)
		}
		sv.Sections = append(sv.Sections, v)
	}
	tv := map[*site.Tag]*TagView{}
	for _, t := range s.Tags {
		v := &TagView{Name: t.Name, Slug: t.Slug, URL: tagURL(t), Pages: list(t.Pages)}
		if len(v.Pages) == 0 {
			continue
		}
		tv[t] = v
		sv.Tags = append(sv.Tags, v)
	}
	tagBySlug := map[string]*TagView{}
	for _, v := range tv {
		tagBySlug[v.Slug] = v
	}
	// Neighbours are the nearest dated pages of the same section that this
	// output has: a post published to one output only leaves no gap in
	// the other's older/newer links.
	for _, sec := range append([]*site.Section{s.Root}, s.Sections...) {
		var newer *PageView
		for _, p := range sec.Pages { // newest first
			v := view(p)
			if v == nil || !p.IsDated() {
				continue
			}
			if newer != nil {
				newer.Prev, v.Next = v, newer
			}
			newer = v
		}
	}
	for _, p := range s.Pages {
		v := view(p)
		if v == nil {
			continue
		}
		seen := map[string]bool{}
		for _, name := range p.Tags {
			if t := tagBySlug[s.Config.TagSlug(name)]; t != nil && !seen[t.Slug] {
				seen[t.Slug] = true
				v.TagLinks = append(v.TagLinks, t)
			}
		}
	}
	return sv, pv
}
