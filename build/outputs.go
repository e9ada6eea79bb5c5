package build

import (
	"fmt"
	"io/fs"
	"path"
	"time"

	"github.com/gmkit/gmkit/build/feed"
	"github.com/gmkit/gmkit/build/output"
	"github.com/gmkit/gmkit/build/output/gemini"
	"github.com/gmkit/gmkit/build/output/gopher"
	"github.com/gmkit/gmkit/build/output/html"
	"github.com/gmkit/gmkit/build/problem"
	"github.com/gmkit/gmkit/build/site"
	"github.com/gmkit/gmkit/templates"
)

// Outputs is the list of outputs a build makes, in order: one line per
// output. An output that a page's front matter does not name, or whose
// configuration section says enabled = false, is left out; the first that
// publishes a page is where other outputs link for it.
func Outputs() []output.Entry {
	return []output.Entry{
		gemini.Entry(),
		gopher.Entry(),
		html.Entry(),
	}
}

// makeOutputs makes the enabled outputs of cfg.
func makeOutputs(cfg Config) ([]output.Output, error) {
	var outs []output.Output
	for _, e := range cfg.Outputs {
		if !cfg.Enabled(e.Name) {
			continue
		}
		o, err := cfg.makeOutput(e)
		if err != nil {
			return nil, err
		}
		outs = append(outs, o)
	}
	return outs, nil
}

// Output makes the named output of c's list with c's settings (defaults
// applied), whether or not it is enabled: what the build would make.
func (c Config) Output(name string) (output.Output, error) {
	c = c.Defaults()
	for _, e := range c.Outputs {
		if e.Name == name {
			return c.makeOutput(e)
		}
	}
	return nil, fmt.Errorf("no output named %q", name)
}

func (c Config) makeOutput(e output.Entry) (output.Output, error) {
	common := output.SiteSettings{Hostname: c.Hostname, UglyURLs: c.UglyURLs, Links: c.Links,
		KeepMarkers: c.KeepMarkers, KeepHTML: c.KeepHTML, CGIDir: c.CGIDir}
	return e.New(output.Settings{Site: common, Own: c.OutputSettings[e.Name]})
}

// body returns p's body rendered for output o, from the bodies pass, the
// previous build's cache, or rendered now (see renderBody).
func (r *run) body(o output.Output, p *site.Page) ([]byte, error) {
	form := o.Body(p)
	// Pages ask for their bodies made by the bodies pass: find them
	// without making the name or the functions below every time.
	k := [2]string{o.Name(), form}
	r.mu.Lock()
	key, ok := r.bodyKeys[k]
	if !ok {
		if r.bodyKeys == nil {
			r.bodyKeys = map[[2]string]string{}
		}
		key = k[0] + ":" + k[1]
		r.bodyKeys[k] = key
	}
	c, done := r.newCache[cacheKey{key, p.Source}]
	r.mu.Unlock()
	if done {
		return c.body, nil
	}
	resolve := func(dest string) output.Link { return o.ResolveLink(r, p, dest) }
	return r.renderBody(key, p, resolve, o.Name(), func(slot *bodySlot) bodyRenderer {
		return o.NewRenderer(form, func(dest string) output.Link {
			l := o.ResolveLink(r, slot.page, dest)
			slot.record(dest, l)
			return l
		})
	})
}

// prepare prepares one output: every page through its page template, and
// the home page, section indexes, tag pages and feeds. The bodies come from
// the bodies pass.
func (r *run) prepare(o output.Output, theme fs.FS, origin string) (*outputPass, error) {
	name := o.Name()
	set, err := loadTemplates(o, theme, origin)
	if err != nil {
		return nil, err
	}
	r.warnSkipped(set)
	abs := func(u string) string { return o.Permalink(u, "") }
	termURL := func(t *site.Tag) string { return t.Path() }
	taxonomyURL := func(t *site.TaxonomyTerms) string { return t.Path() }
	pageURL := func(p *site.Page) string { return o.EscapeURL(o.PageURL(p)) }
	sectionURL := func(s *site.Section) string { return o.EscapeURL(s.Path) }
	sv, pv := views(r.cfg, r.site, name, pageURL, o.PageType, o.Permalink, sectionURL, termURL, taxonomyURL, abs("/"))
	if lister, ok := o.(output.Lister); ok {
		for _, v := range pv {
			// Index pages list a page again and again: make its line once.
			v.listItem = lister.ListItem(v.Ref())
		}
	}
	// A footer that shows only the site prints the same for every page:
	// run it once (see templates.Set.Freeze).
	if f, ok := set.(interface{ Freeze(string, any) []string }); ok {
		f.Freeze("Site", &Data{Site: sv})
	}

	newest := r.newest()
	var indexWith func(k output.Kind, tmpl string, d *Data, url, what string) error
	index := func(k output.Kind, d *Data, url, what string) error {
		return indexWith(k, o.Template(k), d, url, what)
	}
	indexWith = func(k output.Kind, tmpl string, d *Data, url, what string) error {
		d.alternates = func() map[string]string { return r.alternates(o, nil, url) }
		out, err := r.execute(set, tmpl, d, func(b []byte) ([]byte, error) { return o.Tidy(k, b, nil, set.Source(tmpl)) })
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		file, err := o.File(url)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return r.put(name+"/"+file, out, what, newest)
	}
	intro := func(p *site.Page) (string, error) {
		body, err := r.body(o, p)
		return frozen(body), err
	}
	var indexes []indexTask
	indexes = append(indexes, indexTask{"the home page", func() error {
		home := &Data{Site: sv}
		if h := r.site.Home; h != nil && h.HasOutput(name) {
			var err error
			if home.Content, err = intro(h); err != nil {
				return err
			}
			typ := o.PageType(h)
			home.Page = newPageView(h, "/", o.Permalink("/", typ), typ)
		}
		return index(output.Home, home, "/", "the home page")
	}})
	for _, s := range sv.allSections {
		indexes = append(indexes, indexTask{"section " + s.Dir, func() error {
			d := &Data{Site: sv, Section: s}
			if s.index != nil {
				var err error
				if d.Content, err = intro(s.index.page); err != nil {
					return err
				}
				d.Page = s.index
			}
			return index(output.Section, d, s.URL, "section "+s.Dir)
		}})
	}
	// Each taxonomy with terms has an index and a page per term.
	for _, tax := range sv.taxonomies {
		if len(tax.terms) == 0 {
			continue
		}
		indexes = append(indexes, indexTask{"the " + tax.Singular + " index", func() error {
			tmpl := taxonomyTemplate(o, set, output.TagIndex, tax)
			return indexWith(output.TagIndex, tmpl, &Data{Site: sv, Taxonomy: tax}, tax.URL, "the "+tax.Singular+" index")
		}})
		for _, t := range tax.terms {
			indexes = append(indexes, indexTask{tax.Singular + " " + t.Name, func() error {
				tmpl := taxonomyTemplate(o, set, output.Tag, tax)
				return indexWith(output.Tag, tmpl, &Data{Site: sv, Taxonomy: tax, Tag: t, Term: t}, t.URL, tax.Singular+" "+t.Name)
			}})
		}
	}
	// Feeds: the whole site, then each section with dated pages.
	layout := o.Feeds()
	feedAt := func(title, url, alt string, posts []*PageView) indexTask {
		return indexTask{"feed " + url, func() error {
			file, err := o.File(url)
			if err != nil {
				return fmt.Errorf("feed %s: %w", url, err)
			}
			return r.atom(name+"/"+file, title, o.Permalink(url, layout.LinkType), abs(alt), posts)
		}}
	}
	if layout.Site != "" {
		indexes = append(indexes, feedAt(sv.Title, layout.Site, "/", sv.posts))
	}
	if layout.Sections != "" {
		for _, s := range sv.allSections {
			var dated []*PageView
			for _, p := range s.pages {
				if p.IsDated() {
					dated = append(dated, p)
				}
			}
			if len(dated) > 0 {
				indexes = append(indexes, feedAt(sv.Title+": "+s.Title, s.URL+layout.Sections, s.URL, dated))
			}
		}
	}

	indexes = append(indexes, r.aliases(o, pv)...)
	if x, ok := o.(output.Extras); ok {
		indexes = append(indexes, indexTask{"the " + name + " output's own files", func() error { return r.extras(o, x, set, sv, pv, newest) }})
	}

	tmpl := o.Template(output.Page)
	return &outputPass{pages: pagePass{
		out: name, set: set, tmpl: tmpl, site: sv, views: pv,
		body: func(p *site.Page) ([]byte, error) { return r.body(o, p) },
		file: func(p *site.Page) (string, error) {
			file, err := o.File(o.PageURL(p))
			if err != nil {
				return "", &site.SourceError{File: p.File, Err: err}
			}
			return name + "/" + file, nil
		},
		tidy: func(out, body []byte) ([]byte, error) { return o.Tidy(output.Page, out, body, set.Source(tmpl)) },
		alternates: func(p *site.Page) func() map[string]string {
			return func() map[string]string { return r.alternates(o, p, "") }
		},
	}, indexes: indexes}, nil
}

// loadTemplates loads o's templates: by the output itself when it is a
// output.TemplateLoader, else as text/template (package templates).
func loadTemplates(o output.Output, theme fs.FS, origin string) (output.Templates, error) {
	if l, ok := o.(output.TemplateLoader); ok {
		return l.LoadTemplates(theme, origin)
	}
	return templates.Load(o.Name(), theme, origin, o.Templates(), o.Funcs())
}

// alternates maps every other output that publishes page p (or, for p
// nil, every other output: index pages have the same path in each) to
// the absolute address of p, or of the index page at url, there.
func (r *run) alternates(self output.Output, p *site.Page, url string) map[string]string {
	m := map[string]string{}
	for _, o := range r.outs {
		if o.Name() == self.Name() {
			continue
		}
		switch {
		case p == nil:
			m[o.Name()] = o.Permalink(o.EscapeURL(url), "")
		case p.HasOutput(o.Name()):
			m[o.Name()] = o.Permalink(o.EscapeURL(o.PageURL(p)), o.PageType(p))
		}
	}
	return m
}

// extras adds the files output o makes of its own (see output.Extras):
// from its templates, the site, and the list of every address it makes.
// A file of content/ or static/ at the same path replaces one.
func (r *run) extras(o output.Output, x output.Extras, set output.Templates, sv *SiteView, pv map[*site.Page]*PageView, newest time.Time) error {
	in := output.ExtrasInput{Templates: set, Data: &Data{Site: sv}, Updated: newest}
	add := func(url string, updated time.Time) {
		in.Made = append(in.Made, output.Made{URL: url, Permalink: o.Permalink(url, ""), Updated: updated})
	}
	newestOf := func(list []*PageView) time.Time {
		var t time.Time
		for _, v := range list {
			if v.Date.After(t) {
				t = v.Date
			}
		}
		return t
	}
	add("/", newest)
	for _, p := range r.site.Pages {
		if v := pv[p]; v != nil {
			in.Made = append(in.Made, output.Made{URL: v.URL, Permalink: v.Permalink, Updated: v.Date})
		}
	}
	for _, s := range sv.sections {
		add(s.URL, newestOf(s.pages))
	}
	for _, tax := range sv.taxonomies {
		if len(tax.terms) == 0 {
			continue
		}
		add(tax.URL, newest)
		for _, t := range tax.terms {
			add(t.URL, newestOf(t.pages))
		}
	}
	files, err := x.Extras(in)
	if err != nil {
		return fmt.Errorf("%s: %w", o.Name(), err)
	}
	own := map[string]bool{}
	for _, a := range r.site.Assets {
		own[a.Path] = true
	}
	for _, f := range files {
		if own[f.Path] {
			continue // the site's own file (static/robots.txt) replaces it
		}
		if err := r.put(o.Name()+"/"+f.Path, f.Data, o.Name()+" output", newest); err != nil {
			return err
		}
	}
	return nil
}

// taxonomyTemplate is the template for taxonomy tax's index (k TagIndex)
// or one of its terms' pages (k Tag): the theme's template named after
// its plural or singular name, with the output's ending
// ("categories.gmi", "category.gophermap"), when there is one and it is
// not the template of another kind (a singular name that is also the
// plural, "series", names the index), else the output's template for k.
func taxonomyTemplate(o output.Output, set output.Templates, k output.Kind, tax *TaxonomyView) string {
	def := o.Template(k)
	name := tax.Name
	if k == output.Tag {
		if tax.Singular == tax.Name {
			return def
		}
		name = tax.Singular
	}
	own := name + path.Ext(def)
	for _, other := range []output.Kind{output.Page, output.Home, output.Section, output.TagIndex, output.Tag} {
		if other != k && o.Template(other) == own {
			return def
		}
	}
	if h, ok := set.(interface{ Has(string) bool }); ok && h.Has(own) {
		return own
	}
	return def
}

// atom writes the feed at file (a path in the tree) of posts, linked from
// link and to alternate.
func (r *run) atom(file, title, link, alternate string, posts []*PageView) error {
	f := &feed.Feed{Title: title, Subtitle: r.cfg.Description, Link: link, Alternate: alternate, Author: r.cfg.Author}
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
	b, err := f.XML()
	if err != nil {
		return fmt.Errorf("feed %s: %w", file, err)
	}
	r.mu.Lock()
	r.feeds++
	r.mu.Unlock()
	return r.put(file, b, "feed "+file, f.Updated)
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

// Ref is what an output's template functions see of the page (see
// output.PageRef).
func (v *PageView) Ref() output.Ref {
	return output.Ref{URL: v.URL, Type: v.Type, Title: v.Title, Date: v.Date, Item: v.listItem}
}

// The output.Context a build offers its outputs.

// Warn records a warning once, however many outputs run into it.
func (r *run) Warn(file string, line int, kind problem.Kind, format string, args ...any) {
	r.warn(file, line, kind, format, args...)
}

// Resolve maps a destination in page p to the content page it names (see
// resolveContent).
func (r *run) Resolve(p *site.Page, dest string) (*site.Page, string, bool) {
	return r.resolveContent(p, dest)
}

// HasFile reports whether a site-absolute path names something the build
// makes or copies (see siteHasFile).
func (r *run) HasFile(abs string) bool { return r.siteHasFile(abs) }

// Elsewhere is p's absolute address in the first output that publishes it.
func (r *run) Elsewhere(p *site.Page) (string, bool) {
	for _, o := range r.outs {
		if p.HasOutput(o.Name()) {
			typ := o.PageType(p)
			return o.Permalink(o.EscapeURL(o.PageURL(p)), typ), true
		}
	}
	return "", false
}
