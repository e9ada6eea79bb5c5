package build

import (
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gmkit/gmkit/build/site"
)

// The types in this file are what templates see. Every field and method is
// part of the theme interface and documented in docs/themes.md.
//
// What leads from one view to another (a page's neighbours and tags, the
// site's and a section's lists) is a method, not a field: in a page
// template's run, the views are copies bound to that run's recorder, and
// each such method records what it was asked for (see deps.go), so that
// the next build knows what the page's output depends on.

// Data is the value a template runs with. Which fields are set depends on the
// template: page templates get Page and Content; section templates get
// Section and Content (the section intro); a taxonomy's index gets
// Taxonomy, a term's page Taxonomy and Tag (and Term); home gets
// Content (the home intro). Site is always set.
type Data struct {
	Site    *SiteView
	Page    *PageView
	Section *SectionView
	// Taxonomy is set for a taxonomy's index and its terms' pages; Tag
	// (and Term, the same) for a term's page.
	Taxonomy *TaxonomyView
	Tag      *TagView
	Term     *TagView
	// Content is the rendered body (already in the output's format).
	Content string

	alternates func() map[string]string // see Alternates
}

// Alternates maps the name of every other output that publishes what this
// file shows (a page, the home page, a section, a tag) to its absolute
// address there: {{ .Alternates.gemini }} is the same page in the
// capsule. It is made when a template asks for it.
func (d *Data) Alternates() map[string]string {
	if d.alternates == nil {
		return nil
	}
	return d.alternates()
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
	BaseURL              string
	pages, posts, latest []*PageView
	sections             []*SectionView // the top-level ones
	allSections          []*SectionView // every section, by folder
	taxonomies           []*TaxonomyView

	rec *recorder // the template run this copy belongs to, or nil
}

// Pages are the pages at the top level of content/ (about, now...).
func (s *SiteView) Pages() []*PageView {
	return s.rec.pageList(dep{kind: depSiteList, name: "pages"}, s.pages)
}

// Posts are the dated pages of every section, newest first.
func (s *SiteView) Posts() []*PageView {
	return s.rec.pageList(dep{kind: depSiteList, name: "posts"}, s.posts)
}

// Latest are the first LatestPosts of Posts.
func (s *SiteView) Latest() []*PageView {
	return s.rec.pageList(dep{kind: depSiteList, name: "latest"}, s.latest)
}

// Sections are the top-level sections, by name (nested ones are their
// Sections).
func (s *SiteView) Sections() []*SectionView {
	return s.rec.sectionList(dep{kind: depSiteList, name: "sections"}, s.sections)
}

// Tags are the terms of the taxonomy "tags", by slug.
func (s *SiteView) Tags() []*TagView { return s.Terms("tags") }

// Taxonomies are the configured taxonomies, by name, whether or not a
// page of this output uses them.
func (s *SiteView) Taxonomies() []*TaxonomyView {
	return bindList(s.rec, dep{kind: depSiteList, name: "taxonomies"}, s.taxonomies, nil, (*recorder).taxonomy)
}

// Terms are the terms of the named taxonomy ("categories") that pages of
// this output use, by slug; none for a name that is not a taxonomy.
func (s *SiteView) Terms(taxonomy string) []*TagView {
	var terms []*TagView
	for _, t := range s.taxonomies {
		if t.Name == taxonomy {
			terms = t.terms
		}
	}
	return s.rec.tagList(dep{kind: depTaxonomyTerms, name: taxonomy}, terms)
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
	// PublishDate and ExpiryDate are the page's publication and expiry
	// dates (zero when unset).
	PublishDate, ExpiryDate time.Time

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
	Type       string
	prev, next *PageView
	terms      [][]*TagView // by taxonomy, in the order of SiteView.taxonomies
	taxonomies []*TaxonomyView
	page       *site.Page
	listItem   string    // the line an index lists the page with, see output.Lister
	rec        *recorder // the template run this copy belongs to, or nil
	idx        int       // 1 + its place among the output's views; 0 for none
}

// Prev is the older neighbouring dated page of the same section in this
// output, or nil.
func (v *PageView) Prev() *PageView {
	v.rec.add(dep{kind: depPrev, name: v.Source})
	return v.rec.page(v.prev)
}

// Next is the newer neighbouring dated page of the same section in this
// output, or nil.
func (v *PageView) Next() *PageView {
	v.rec.add(dep{kind: depNext, name: v.Source})
	return v.rec.page(v.next)
}

// TagLinks are the page's tags with their addresses, in the order written.
func (v *PageView) TagLinks() []*TagView { return v.Terms("tags") }

// Terms are the page's terms of the named taxonomy ("categories") with
// their addresses, in the order written.
func (v *PageView) Terms(taxonomy string) []*TagView {
	return v.rec.tagList(dep{kind: depTerms, name: v.Source + "\x00" + taxonomy}, v.termsOf(taxonomy))
}

func (v *PageView) termsOf(taxonomy string) []*TagView {
	for i, t := range v.taxonomies {
		if t.Name == taxonomy {
			return v.terms[i]
		}
	}
	return nil
}

// PageTerms are a page's terms of one taxonomy (see PageView.Taxonomies).
type PageTerms struct {
	// Name, Singular, Title and URL are the taxonomy's (see
	// TaxonomyView).
	Name, Singular, Title, URL string
	// Terms are the page's terms of it, in the order written.
	Terms []*TagView
}

// Taxonomies are the taxonomies the page has terms of, by name, each with
// the page's terms.
func (v *PageView) Taxonomies() []PageTerms {
	if v.rec != nil {
		return v.rec.pageTerms(v)
	}
	var out []PageTerms
	for i, t := range v.taxonomies {
		if len(v.terms[i]) > 0 {
			out = append(out, PageTerms{Name: t.Name, Singular: t.Singular, Title: t.Title, URL: t.URL, Terms: v.terms[i]})
		}
	}
	return out
}

// newPageView is p as seen in one output at url.
func newPageView(p *site.Page, url, permalink, typ string) *PageView {
	fm := &p.FrontMatter
	return &PageView{
		Title: fm.Title, Date: fm.Date, Draft: fm.Draft, Tags: fm.Tags, Summary: fm.Summary,
		Slug: fm.Slug, Aliases: fm.Aliases, Outputs: fm.Outputs, Weight: fm.Weight, Params: fm.Params,
		PublishDate: fm.PublishDate, ExpiryDate: fm.ExpiryDate,
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
	// Name is the folder's name ("travel"), Dir the folder below
	// content/ ("posts/travel").
	Name     string
	Dir      string
	Title    string
	URL      string
	pages    []*PageView
	index    *PageView
	parent   *SectionView
	sections []*SectionView
	rec      *recorder // the template run this copy belongs to, or nil
}

// Pages are the section's pages, newest first.
func (s *SectionView) Pages() []*PageView {
	return s.rec.pageList(dep{kind: depSectionPages, name: s.Dir}, s.pages)
}

// Index is the section's _index.md page, or nil.
func (s *SectionView) Index() *PageView {
	s.rec.add(dep{kind: depSectionIndex, name: s.Dir})
	return s.rec.page(s.index)
}

// Sections are the sections nested in this one, by folder.
func (s *SectionView) Sections() []*SectionView {
	return s.rec.sectionList(dep{kind: depSectionSections, name: s.Dir}, s.sections)
}

// Parent is the section this one is nested in, or nil for a top-level
// section.
func (s *SectionView) Parent() *SectionView {
	s.rec.add(dep{kind: depSectionParent, name: s.Dir})
	return s.rec.section(s.parent)
}

// TagView is a term of a taxonomy (a tag, a category) as templates see
// it.
type TagView struct {
	// Taxonomy is the name of the term's taxonomy ("tags").
	Taxonomy string
	Name     string
	Slug     string
	URL      string

	pages []*PageView
	k     string    // see key
	rec   *recorder // the template run this copy belongs to, or nil
}

// Pages are the pages with the term, newest first.
func (t *TagView) Pages() []*PageView {
	return t.rec.pageList(dep{kind: depTagPages, name: t.key()}, t.pages)
}

// key names the term among every taxonomy's, in dependencies:
// taxonomy/slug, made once with the view (a page's run binds its terms).
func (t *TagView) key() string {
	if t.k == "" {
		return t.Taxonomy + "/" + t.Slug
	}
	return t.k
}

// TaxonomyView is a taxonomy as templates see it.
type TaxonomyView struct {
	// Name is its plural name ("categories"), the front matter key;
	// Singular names one term ("category"); Title is Name with a capital
	// ("Categories").
	Name, Singular, Title string
	// URL is the address of its index: "/categories/".
	URL string

	terms []*TagView
	rec   *recorder // the template run this copy belongs to, or nil
}

// Terms are the terms pages of this output use, by slug.
func (t *TaxonomyView) Terms() []*TagView {
	return t.rec.tagList(dep{kind: depTaxonomyTerms, name: t.Name}, t.terms)
}

// views builds the template views of site for one output, given how that
// output addresses pages: a page's address, its type there, and the
// absolute URL of an address of a type.
func views(cfg Config, s *site.Site, out string, pageURL func(*site.Page) string, pageType func(*site.Page) string, permalink func(url, typ string) string, sectionURL func(*site.Section) string, termURL func(*site.Tag) string, taxonomyURL func(*site.TaxonomyTerms) string, baseURL string) (*SiteView, map[*site.Page]*PageView) {
	pv := make(map[*site.Page]*PageView, len(s.Pages)+len(s.Sections)+1)
	view := func(p *site.Page) *PageView {
		if p == nil || !p.HasOutput(out) {
			return nil
		}
		if v, ok := pv[p]; ok {
			return v
		}
		u, typ := pageURL(p), pageType(p)
		v := newPageView(p, u, permalink(u, typ), typ)
		pv[p] = v
		v.idx = len(pv) // see viewIndex.fields
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
	sv.pages = list(s.Root.Pages)
	sv.posts = list(s.Posts())
	sv.latest = sv.posts[:min(len(sv.posts), cfg.LatestPosts)]
	secView := make(map[*site.Section]*SectionView, len(s.Sections))
	for _, sec := range s.Sections {
		v := &SectionView{Name: sec.Name, Dir: sec.Dir, Title: sec.Title(), URL: sectionURL(sec), pages: list(sec.Pages)}
		if sec.Index != nil {
			v.index = view(sec.Index)
		}
		secView[sec] = v
		sv.allSections = append(sv.allSections, v)
	}
	for _, sec := range s.Sections {
		v := secView[sec]
		v.parent = secView[sec.Parent]
		for _, c := range sec.Sections {
			v.sections = append(v.sections, secView[c])
		}
	}
	for _, sec := range s.Root.Sections {
		sv.sections = append(sv.sections, secView[sec])
	}
	termBySlug := make([]map[string]*TagView, len(s.Taxonomies))
	for i, tax := range s.Taxonomies {
		xv := &TaxonomyView{Name: tax.Plural, Singular: tax.Singular, Title: capitalise(tax.Plural), URL: taxonomyURL(tax)}
		termBySlug[i] = map[string]*TagView{}
		for _, t := range tax.Terms {
			v := &TagView{Taxonomy: tax.Plural, Name: t.Name, Slug: t.Slug, URL: termURL(t), pages: list(t.Pages), k: tax.Plural + "/" + t.Slug}
			if len(v.pages) == 0 {
				continue
			}
			xv.terms = append(xv.terms, v)
			termBySlug[i][v.Slug] = v
		}
		sv.taxonomies = append(sv.taxonomies, xv)
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
				newer.prev, v.next = v, newer
			}
			newer = v
		}
	}
	for _, p := range s.Pages {
		v := view(p)
		if v == nil {
			continue
		}
		v.taxonomies = sv.taxonomies
		v.terms = make([][]*TagView, len(sv.taxonomies))
		for i, tax := range sv.taxonomies {
			seen := map[string]bool{}
			for _, name := range p.Terms(tax.Name) {
				if t := termBySlug[i][s.Config.TagSlug(name)]; t != nil && !seen[t.Slug] {
					seen[t.Slug] = true
					v.terms[i] = append(v.terms[i], t)
				}
			}
		}
	}
	return sv, pv
}

// capitalise upper-cases the first letter of s.
func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
