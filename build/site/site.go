// Package site is the site model: it walks a site's content and static
// folders, reads every page's front matter (YAML or TOML) and parses its
// Markdown once, and assembles sections, tags and neighbours. It knows
// nothing about outputs, templates or the disk the build writes to.
package site

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"iter"
	"maps"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"github.com/gmkit/gmkit/build/gemtext"
	"github.com/gmkit/gmkit/build/markdown"
	"github.com/gmkit/gmkit/build/problem"
	"github.com/gmkit/gmkit/build/slug"
	"github.com/gmkit/gmkit/build/tasks"
)

// Kind says what a Page is.
type Kind string

// Page kinds.
const (
	KindPage    Kind = "page"    // a post or a stand-alone page
	KindSection Kind = "section" // a section's _index.md: its intro
	KindHome    Kind = "home"    // content/_index.md: the home page intro
)

// Page is one Markdown source file and everything known about it.
type Page struct {
	FrontMatter

	// Source is the file's path below the content folder, slash-separated
	// (e.g. "posts/first.md").
	Source string
	// File is the path as the user knows it, for messages.
	File string
	// Kind is what the page is.
	Kind Kind
	// Section is the top-level folder the page is in ("" for pages at the
	// root of content/, and for a page bundle there: about/index.md).
	Section string
	// Path is the page's address without output-specific endings, e.g.
	// "/posts/first/" (or "/about/"); sections are "/posts/", home "/".
	// It is lower case unless Config.KeepCase.
	Path string
	// Bundle reports a page bundle: NAME/index.md, whose folder holds
	// its resources (copied beside the page, at its address).
	Bundle bool
	// Gemtext reports a page written in gemtext (a .gmi file), not
	// Markdown: Gemini publishes its text as written.
	Gemtext bool

	// Prev and Next are the neighbouring pages of the same section in date
	// order (Prev is older); nil at the ends.
	Prev, Next *Page

	raw     []byte // the whole file
	size    int64  // the file's size and modification time when read
	modTime time.Time
	statAt  time.Time // when the load that read size and modTime began
	body    []byte    // raw without front matter; the AST points into it
	doc     ast.Node  // parsed once, rendered per output, then dropped (see bodies)
	gen     *ParseID  // which parse of the source doc (or its bodies) came from
	// dropHeading is set when the body's leading # heading is the title,
	// which templates print: the renderers skip it.
	dropHeading bool
	// cutMore is set when the body has a summary divider, which the
	// renderers skip.
	cutMore bool
	// tagWarnings are the template tags the parser removed unknown.
	tagWarnings []markdown.Warning
}

// ParseID tells one parse of a page's source from another: a body
// rendered from a page's AST is valid for the parse it came from. It is
// not empty, so that every new one has an address of its own.
type ParseID struct{ _ byte }

// ParseID names the parse the page's AST (or the bodies rendered from it)
// came from: a page reused from the previous load keeps its ParseID.
func (p *Page) ParseID() *ParseID { return p.gen }

// AST is the page's Markdown, parsed once when it was loaded, or nil once
// DropAST has been called (see Parse).
func (p *Page) AST() ast.Node { return p.doc }

// DropAST lets the garbage collector have the page's AST once every output
// has rendered it.
func (p *Page) DropAST() { p.doc = nil }

// Body is the page's Markdown without its front matter: the source the AST
// points into.
func (p *Page) Body() []byte { return p.body }

// LineOf finds the first line of the page's file that mentions s, for
// messages; 0 when it cannot tell. A link destination a template tag made
// ({{< ref "a/b" >}} makes a/b.md) is found by what the tag names.
func (p *Page) LineOf(s string) int {
	i := bytes.Index(p.raw, []byte(s))
	if i < 0 {
		name, frag, _ := strings.Cut(s, "#")
		name = strings.TrimPrefix(strings.TrimSuffix(name, ".md"), "/")
		if name == "" {
			return 0
		}
		if i = bytes.Index(p.raw, []byte(name)); i < 0 || frag != "" && !bytes.Contains(p.raw, []byte(frag)) {
			return 0
		}
	}
	return bytes.Count(p.raw[:i], []byte("\n")) + 1
}

// Parse parses the page's body again, as Load did (the AST is the same as
// the one dropped): for a page whose body must be rendered again.
func (p *Page) Parse(pr parser.Parser) ast.Node {
	if p.Gemtext {
		return gemtext.Parse(p.body)
	}
	doc := pr.Parse(text.NewReader(p.body))
	if p.dropHeading {
		if hd := leadingHeading(doc); hd != nil {
			doc.RemoveChild(doc, hd)
		}
	}
	if p.cutMore {
		cutSummary(doc, p.body)
	}
	return doc
}

// TagWarnings calls f for each template tag the parser removed because
// its meaning is unknown, with the line of the page's file it is on.
func (p *Page) TagWarnings(f func(line int, msg string)) {
	if len(p.tagWarnings) == 0 {
		return
	}
	head := bytes.Count(p.raw[:len(p.raw)-len(p.body)], []byte("\n"))
	for _, w := range p.tagWarnings {
		f(head+w.Line, w.Msg)
	}
}

// Listed reports whether the page is in the site-wide lists (posts,
// taxonomies, the site's feed); a page with `list: local` is only in its
// section's, a page with `list: never` in none.
func (p *Page) Listed() bool { return !p.Unlisted && !p.ListLocal }

// publishes reports whether the build includes page p at time now: not a
// draft, headless, future or expired page unless c includes those.
func (c Config) publishes(p *Page, now time.Time) bool {
	pub := p.PublishDate
	if pub.IsZero() {
		pub = p.Date
	}
	switch {
	case p.Headless:
		return false
	case p.Draft && !c.Drafts:
		return false
	case pub.After(now) && !c.Future:
		return false
	case !p.ExpiryDate.IsZero() && p.ExpiryDate.Before(now) && !c.Expired:
		return false
	}
	return true
}

// IsDated reports whether the page has a date.
func (p *Page) IsDated() bool { return !p.Date.IsZero() }

// HasOutput reports whether the page is published to the named output.
func (p *Page) HasOutput(name string) bool {
	if len(p.Outputs) == 0 {
		return true
	}
	for _, o := range p.Outputs {
		if o == name {
			return true
		}
	}
	return false
}

// Asset is a non-Markdown file copied into the outputs as it is.
type Asset struct {
	// Path is the output path, slash-separated, without a leading slash.
	// A file of static/ keeps its path; a file of content/ goes into its
	// folder's address (lower case unless Config.KeepCase), a page
	// bundle's resource beside its page, wherever the page's address is.
	Path string
	// Source is its path below content/ or static/, as links name it.
	Source string
	// Src is the file on disk.
	Src     string
	Size    int64
	ModTime time.Time
}

// Section is a folder of content/ that lists its pages: every top-level
// folder, and every folder below one that has an _index.md (a nested
// section, listed in its parent). A folder without _index.md below a
// section is not one: its pages belong to the nearest section above.
type Section struct {
	// Name is the folder's name ("posts", "travel").
	Name string
	// Dir is the folder below content/ ("posts", "posts/travel"): what
	// tells one section from another.
	Dir string
	// Path is its address, "/posts/" or "/posts/travel/".
	Path string
	// Index is the section's _index.md, or nil.
	Index *Page
	// Pages are the section's pages, newest first (undated ones last, by
	// weight then title); the pages of its subsections are theirs.
	Pages []*Page
	// Parent is the section it is nested in; nil for a top-level section
	// (and for Site.Root).
	Parent *Section
	// Sections are the sections nested in it, by folder.
	Sections []*Section
}

// Title is the section's title: its _index.md title, else its name with the
// first letter upper-cased.
func (s *Section) Title() string {
	if s.Index != nil && s.Index.Title != "" {
		return s.Index.Title
	}
	if s.Name == "" {
		return ""
	}
	return strings.ToUpper(s.Name[:1]) + s.Name[1:]
}

// Tag is one term of a taxonomy (a tag, a category) and the pages
// carrying it, newest first.
type Tag struct {
	// Taxonomy is the plural name of the taxonomy ("tags").
	Taxonomy string
	Name     string
	Slug     string
	Pages    []*Page
}

// Path is the term's address: "/tags/go/".
func (t *Tag) Path() string { return "/" + t.Taxonomy + "/" + t.Slug + "/" }

// TaxonomyTerms is a taxonomy and the terms its pages use, by slug.
type TaxonomyTerms struct {
	Taxonomy
	Terms []*Tag
}

// Path is the taxonomy's address: "/tags/".
func (t *TaxonomyTerms) Path() string { return "/" + t.Plural + "/" }

// Config says where a site's sources are and which of them to load.
type Config struct {
	// Dir is the site folder; ContentDir and StaticDir are relative to it.
	Dir        string
	ContentDir string
	StaticDir  string
	// Drafts includes pages marked draft (or `published: false`).
	Drafts bool
	// Future includes pages whose publication date (PublishDate, else
	// Date) is after Now; Expired includes pages whose ExpiryDate is
	// before Now.
	Future, Expired bool
	// Now is the time publication and expiry dates are judged against;
	// zero means the clock when Load starts.
	Now time.Time
	// UnicodeSlugs keeps non-ASCII letters in tag addresses; by default
	// they are folded to ASCII (see package slug).
	UnicodeSlugs bool
	// OutsideSymlinks publishes files that are symlinks to files outside
	// Dir. By default such a symlink is left out with a warning, so that
	// `ln -s /etc/passwd content/p.md` publishes nothing.
	OutsideSymlinks bool
	// Outputs are the output names a page's front matter may list in
	// `outputs`; nil allows any.
	Outputs []string
	// Permalinks are the address patterns of sections' pages, by
	// section folder (see CheckPermalink); nil for none.
	Permalinks map[string]string
	// KeepCase keeps upper-case letters of file and folder names in
	// addresses (Hugo's disablePathToLower); by default addresses are
	// lower case, as Hugo makes them.
	KeepCase bool
	// Taxonomies are the ways pages are grouped by terms, each with pages
	// of its own (Hugo's [taxonomies]). nil means DefaultTaxonomies; an
	// empty list means none.
	Taxonomies []Taxonomy
}

// address makes a path as written in content/ (or made of a slug) an
// address: lower case unless c.KeepCase.
func (c Config) address(p string) string {
	if c.KeepCase {
		return p
	}
	return strings.ToLower(p)
}

// Taxonomy names one way of grouping pages by terms: Plural is the front
// matter key and the folder of its pages ("categories" gives
// /categories/ and /categories/news/), Singular names one term
// ("category").
type Taxonomy struct {
	Singular, Plural string
}

// DefaultTaxonomies are tags and categories, as in Hugo.
var DefaultTaxonomies = []Taxonomy{{"category", "categories"}, {"tag", "tags"}}

// taxonomies are c's taxonomies (see Config.Taxonomies), by plural name.
func (c Config) taxonomies() []Taxonomy {
	if c.Taxonomies == nil {
		return DefaultTaxonomies
	}
	return c.Taxonomies
}

// isTaxonomy reports whether plural names one of ts (nil: the defaults).
func isTaxonomy(ts []Taxonomy, plural string) bool {
	if ts == nil {
		ts = DefaultTaxonomies
	}
	for _, t := range ts {
		if t.Plural == plural {
			return true
		}
	}
	return false
}

// Terms are the page's terms of the named taxonomy ("tags",
// "categories"), as written.
func (p *Page) Terms(taxonomy string) []string {
	if taxonomy == "tags" {
		return p.Tags
	}
	return p.FrontMatter.Terms[taxonomy]
}

// Site is the whole loaded site.
type Site struct {
	Config Config
	// Home is content/_index.md, or nil.
	Home *Page
	// Pages are all pages of kind KindPage, in a stable order (by Source).
	Pages []*Page
	// Sections are every section, top-level and nested, by folder; Root
	// holds the pages at the top level and, in Root.Sections, the
	// top-level sections.
	Sections []*Section
	Root     *Section
	// Taxonomies are the configured taxonomies, by plural name, each
	// with the terms its listed pages use (perhaps none).
	Taxonomies []*TaxonomyTerms
	// Tags are the terms of the taxonomy "tags" (none when it is not
	// configured).
	Tags   []*Tag
	Assets []Asset
	// Skipped lists the files of content/ and static/ left out, and why
	// (special files, symlinks out of the site, unpublishable names).
	Skipped []Skip
	// Problems are the fatal problems of the sources, in the order of the
	// walk: front matter that does not read, files that cannot be read,
	// two pages with one address. A site with problems is whole
	// otherwise (a page with bad front matter is in it, with what of its
	// front matter did read), so that a build can find every other
	// problem too; it must not be published.
	Problems problem.List

	bySource map[string]*Page
	byAsset  map[string]*Asset

	// found is what the walk found (see Reload); loaded holds every page
	// loaded without a problem, published or not, by source.
	found  *walked
	loaded map[string]*Page

	nameOnce sync.Once
	byName   map[string]*Page // by file name without ending; nil for two, see Find
}

// Page returns the page (of any kind) loaded from source, a path below
// the content folder such as "posts/first.md", or nil.
func (s *Site) Page(source string) *Page { return s.bySource[source] }

// All lists every page of every kind (pages, section intros, the home
// page) in no particular order.
func (s *Site) All() iter.Seq[*Page] { return maps.Values(s.bySource) }

// Posts are the dated pages of every section, newest first.
func (s *Site) Posts() []*Page {
	var out []*Page
	for _, p := range s.Pages {
		if p.IsDated() && p.Section != "" && p.Listed() {
			out = append(out, p)
		}
	}
	sortPages(out)
	return out
}

// Section returns the section of the folder dir below content/
// ("posts", "posts/travel"), or nil.
func (s *Site) Section(dir string) *Section {
	for _, sec := range s.Sections {
		if sec.Dir == dir {
			return sec
		}
	}
	return nil
}

var datePrefix = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})-(.+)$`)

// Load walks the content and static folders. It reads and parses every
// Markdown file (in parallel) and lists every other file. Pages of prev (the
// site loaded before, or nil) whose files are unchanged are reused with
// their front matter and AST.
func Load(ctx context.Context, cfg Config, prev *Site) (*Site, error) {
	cfg, err := cfg.checked()
	if err != nil {
		return nil, err
	}
	statAt := time.Now()
	found, err := walkSources(cfg)
	if err != nil {
		return nil, err
	}
	var before map[string]*Page
	if prev != nil {
		before = prev.loaded
		if before == nil {
			before = prev.bySource // read from a build cache
		}
	}
	return assembleSite(ctx, cfg, found, before, nil, statAt)
}

// checked is c with its permalink patterns checked and their keys made
// section folders.
func (c Config) checked() (Config, error) {
	if len(c.Permalinks) == 0 {
		return c, nil
	}
	links := make(map[string]string, len(c.Permalinks))
	for k, v := range c.Permalinks {
		if err := CheckPermalink(v); err != nil {
			return c, fmt.Errorf("permalinks.%s: %w", k, err)
		}
		links[strings.ToLower(strings.Trim(k, "/"))] = v
	}
	c.Permalinks = links
	return c, nil
}

// assembleSite loads the Markdown sources found (in parallel) and makes
// the site of them. A page of before (the previous load's, by source) is
// passed to loadPage to be reused when its file is unchanged; when
// unchanged is set, a page it names is reused without a look at its file.
func assembleSite(ctx context.Context, cfg Config, found *walked, before map[string]*Page, unchanged func(rel string) bool, statAt time.Time) (*Site, error) {
	site := &Site{Config: cfg, bySource: map[string]*Page{}, found: found}
	site.Assets = slices.Clone(found.static)
	site.Skipped = make([]Skip, len(found.skipped))
	for i, sk := range found.skipped {
		site.Skipped[i] = sk.Skip
	}
	mdFiles := found.md
	pages := make([]*Page, len(mdFiles))
	errs := make([]error, len(mdFiles))
	parser := markdown.Parser()
	loads := make([]func() error, 0, len(mdFiles))
	for i, md := range mdFiles {
		prev := before[md.rel]
		if prev != nil && unchanged != nil && unchanged(md.rel) {
			pages[i] = prev.again()
			continue
		}
		loads = append(loads, func() error {
			// Every file is read, so that one build reports the
			// problems of all of them.
			pages[i], errs[i] = loadPage(cfg, md, parser, prev, statAt)
			return nil
		})
	}
	if err := tasks.Run(ctx, loads, 0); err != nil {
		return nil, err
	}
	site.loaded = make(map[string]*Page, len(pages))
	for i, err := range errs {
		if err != nil {
			site.Problems = append(site.Problems, sourceProblem(mdFiles[i].rel, cfg, err))
		} else if pages[i] != nil {
			site.loaded[mdFiles[i].rel] = pages[i]
		}
	}
	pages = slices.DeleteFunc(pages, func(p *Page) bool { return p == nil })
	site.Skipped = append(site.Skipped, ignoredOutputs(pages)...)
	site.assemble(pages)
	site.Assets = append(site.placeAssets(slices.Clone(found.content), pages), site.Assets...)
	site.byAsset = make(map[string]*Asset, len(site.Assets))
	for i := range site.Assets {
		a := &site.Assets[i]
		if _, ok := site.byAsset[a.Source]; !ok { // content/ first, as it is copied first
			site.byAsset[a.Source] = a
		}
	}
	return site, nil
}

// sourceProblem is the fatal problem of a Markdown source that did not
// load: its front matter (a *SourceError) or the file itself.
func sourceProblem(rel string, cfg Config, err error) problem.Problem {
	if se, ok := errors.AsType[*SourceError](err); ok {
		return problem.Problem{File: se.File, Line: se.Line, Kind: problem.FrontMatter, Fatal: true, Msg: se.Err.Error()}
	}
	return problem.Problem{File: filepath.Join(cfg.ContentDir, filepath.FromSlash(rel)), Kind: problem.Read, Fatal: true, Msg: err.Error()}
}

// placeAssets gives each file of content/ its output path: a bundle's
// resources go beside their page (wherever its address is), other files
// into their folder's address. A draft bundle's resources are left out
// with it.
func (s *Site) placeAssets(assets []Asset, pages []*Page) []Asset {
	bundles := map[string]*Page{} // by folder
	for _, p := range pages {
		if p.Bundle {
			bundles[path.Dir(p.Source)] = p
		}
	}
	out := assets[:0]
	for _, a := range assets {
		dir, name := path.Split(a.Source)
		dir = strings.TrimSuffix(dir, "/")
		a.Path = strings.TrimPrefix(s.Config.address("/"+dir+"/"), "/") + name
		if dir == "" {
			a.Path = name
		}
		for d := dir; d != "" && d != "."; d = path.Dir(d) {
			if b := bundles[d]; b != nil {
				if s.bySource[b.Source] != b {
					a.Path = "" // a draft: not published
					break
				}
				a.Path = strings.TrimPrefix(b.Path, "/") + strings.TrimPrefix(a.Source, d+"/")
				break
			}
		}
		if a.Path != "" {
			out = append(out, a)
		}
	}
	return out
}

// Asset returns the asset whose path below content/ or static/ is source
// (slash-separated, no leading slash), or nil. A file of content/ wins
// over one of static/ at the same path.
func (s *Site) Asset(source string) *Asset { return s.byAsset[source] }

// ignoredOutputs reports each value of `outputs` that names no output
// once, at the first page (in source order) that has it, with the number of
// pages that do.
func ignoredOutputs(pages []*Page) []Skip {
	first := map[string]*Page{}
	count := map[string]int{}
	var names []string
	for _, p := range pages {
		for _, n := range p.IgnoredOutputs {
			if first[n] == nil {
				first[n] = p
				names = append(names, n)
			}
			count[n]++
		}
	}
	out := make([]Skip, 0, len(names))
	for _, n := range names {
		reason := fmt.Sprintf("outputs value %q, which names no output here", n)
		if c := count[n]; c > 1 {
			reason += fmt.Sprintf(" (in %d pages)", c)
		}
		out = append(out, Skip{File: first[n].File, Reason: reason})
	}
	return out
}

// mdFile is a Markdown source found by the walk.
type mdFile struct {
	rel     string
	size    int64
	modTime time.Time
}

// racyWindow is how much older than the load that saw it a file's
// modification time must be before a later load trusts it: a write within
// the same tick of the file system's clock (up to 2 s, on FAT) keeps the
// time it had, and a file that changed so is only told apart by its bytes.
const racyWindow = 2 * time.Second

// loadPage reads one Markdown file (statAt is when this load began). When
// prev was loaded from the same file (same size and modification time,
// older than racyWindow when prev was loaded) or the same bytes, its front
// matter and parsed AST are reused.
func loadPage(cfg Config, md mdFile, p parser.Parser, prev *Page, statAt time.Time) (*Page, error) {
	rel := md.rel
	reuse := func() *Page {
		cp := prev.again()
		cp.size, cp.modTime, cp.statAt = md.size, md.modTime, statAt
		return cp
	}
	if prev != nil && prev.size == md.size && prev.modTime.Equal(md.modTime) && !md.modTime.IsZero() && md.modTime.Before(prev.statAt.Add(-racyWindow)) {
		return reuse(), nil
	}
	file := filepath.Join(cfg.Dir, cfg.ContentDir, filepath.FromSlash(rel))
	display := filepath.Join(cfg.ContentDir, filepath.FromSlash(rel))
	raw, err := readSource(file)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", display, err)
	}
	if prev != nil && bytes.Equal(prev.raw, raw) {
		return reuse(), nil
	}
	format, fmText, body, line, err := splitFrontMatter(raw)
	if err != nil {
		return nil, &SourceError{File: display, Line: line, Err: err}
	}
	// A page whose front matter does not read is loaded all the same,
	// with what of it did: links to it resolve, its body is checked, and
	// the build reports the error with every other problem it finds.
	fm, fmErr := parseFrontMatter(display, format, fmText, line, cfg.Outputs, cfg.taxonomies())
	page := &Page{FrontMatter: fm, Source: rel, File: display, raw: raw, body: body, size: md.size, modTime: md.modTime, statAt: statAt}
	fmSlug := fm.Slug
	page.gen = new(ParseID)
	if strings.HasSuffix(rel, ".gmi") {
		page.Gemtext = true
		page.doc = gemtext.Parse(body)
	} else {
		warn := markdown.WithWarnings(func(w markdown.Warning) { page.tagWarnings = append(page.tagWarnings, w) })
		page.doc = p.Parse(text.NewReader(body), warn)
	}
	page.place(cfg)
	if page.Title == "" {
		if hd := leadingHeading(page.doc); hd != nil {
			page.Title = plainText(hd, body)
		}
	}
	if hd := leadingHeading(page.doc); page.Gemtext && hd != nil && hd.Level == 1 && page.Title != "" && plainText(hd, body) == page.Title {
		// Gemini prints the text as written, and templates print the
		// title: leave the heading's line out of the text.
		if t, ok := hd.FirstChild().(*ast.Text); ok {
			rest := body[len(body):]
			if j := bytes.IndexByte(body[t.Segment.Stop:], '\n'); j >= 0 {
				rest = body[t.Segment.Stop+j+1:]
			}
			page.body, body = rest, rest
			page.doc = gemtext.Parse(body)
		}
	} else if hd != nil && hd.Level == 1 && plainText(hd, body) == page.Title {
		// The templates print the title; do not print it twice.
		page.doc.RemoveChild(page.doc, hd)
		page.dropHeading = true
	}
	if page.Title == "" && page.Kind == KindPage {
		page.Title = titleFromSlug(page.Slug)
	}
	page.applyPermalink(cfg, fmSlug, page.fileSlug())
	// The text before a summary divider is the summary, over one from
	// the front matter, as in Hugo; the divider is never printed.
	if summary, ok := cutSummary(page.doc, body); ok {
		page.Summary, page.cutMore = summary, true
	}
	if page.Summary == "" {
		page.Summary = firstParagraph(page.doc, body, 300)
	}
	// Titles and tags are printed on one line of every output (headings,
	// link labels, menu items): no TABs, line breaks or other controls.
	page.Title = OneLine(page.Title)
	for i, t := range page.Tags {
		page.Tags[i] = OneLine(t)
	}
	for _, terms := range page.FrontMatter.Terms {
		for i, t := range terms {
			terms[i] = OneLine(t)
		}
	}
	return page, fmErr
}

// again is a copy of p for a new load: the same file, front matter and
// AST, without the neighbours the load that made p gave it.
func (p *Page) again() *Page {
	cp := *p
	cp.Prev, cp.Next = nil, nil
	return &cp
}

// titleFromSlug makes a title of a page's slug when it has no other:
// "my-first-post" is "My first post".
func titleFromSlug(slug string) string {
	t := strings.ReplaceAll(slug, "-", " ")
	r, n := utf8.DecodeRuneInString(t)
	if n == 0 || r == utf8.RuneError {
		return t
	}
	return string(unicode.ToUpper(r)) + t[n:]
}

// OneLine replaces control characters (TAB, CR, LF and the rest) with
// spaces.
func OneLine(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// place works out the page's kind, section, slug, date and path from its
// source path and front matter.
func (p *Page) place(cfg Config) {
	dir, name := path.Split(p.Source)
	dir = strings.TrimSuffix(dir, "/")
	base := strings.TrimSuffix(name, path.Ext(name))
	switch {
	case dir == "" && (base == "_index" || base == "index"):
		// content/index.md is the home page as Jekyll sites write it.
		p.Kind, p.Path = KindHome, "/"
		return
	case base == "_index":
		p.Kind, p.Path, p.Section = KindSection, cfg.address("/"+dir+"/"), topFolder(dir)
		return
	}
	p.Kind = KindPage
	if base == "index" {
		// A page bundle: posts/name/index.md is the page /posts/name/.
		p.Bundle = true
		dir, base = path.Split(dir)
		dir = strings.TrimSuffix(dir, "/")
	}
	p.Section = topFolder(dir)
	if m := datePrefix.FindStringSubmatch(base); m != nil {
		if p.Date.IsZero() {
			if t, err := time.Parse("2006-01-02", m[1]); err == nil {
				p.Date = t
			}
		}
		base = m[2]
	}
	slug := base
	if p.Slug != "" {
		slug = p.Slug
	}
	p.Slug = slug
	if dir == "" {
		p.Path = cfg.address("/" + slug + "/")
	} else {
		p.Path = cfg.address("/" + dir + "/" + slug + "/")
	}
}

// topFolder is the first folder of dir ("posts" of "posts/travel"), or "".
func topFolder(dir string) string {
	if i := strings.IndexByte(dir, '/'); i >= 0 {
		return dir[:i]
	}
	return dir
}

// folder is the folder the page is listed from: its file's, or for a
// bundle the folder holding the bundle.
func (p *Page) folder() string {
	dir := path.Dir(p.Source)
	if p.Bundle {
		dir = path.Dir(dir)
	}
	if dir == "." {
		return ""
	}
	return dir
}

// assemble builds sections, tags and neighbours from the loaded pages and
// checks that no two sources claim the same address: each source that
// claims one already taken is a problem naming both, and left out.
func (s *Site) assemble(pages []*Page) {
	s.Root = &Section{Name: "", Path: "/"}
	secs := map[string]*Section{}
	section := func(dir string) *Section {
		sec := secs[dir]
		if sec == nil {
			sec = &Section{Name: path.Base(dir), Dir: dir, Path: s.Config.address("/" + dir + "/")}
			secs[dir] = sec
		}
		return sec
	}
	claimed := map[string]*Page{}
	var kept []*Page
	now := s.Config.Now
	if now.IsZero() {
		now = time.Now()
	}
	for _, p := range pages {
		if !s.Config.publishes(p, now) {
			continue
		}
		if other, ok := claimed[p.Path]; ok {
			s.Problems = append(s.Problems, clash(p.Path, p.File, other.File))
			continue
		}
		claimed[p.Path] = p
		s.bySource[p.Source] = p
		switch p.Kind {
		case KindHome:
			s.Home = p
		case KindSection:
			dir := path.Dir(p.Source)
			section(dir).Index = p
			section(topFolder(dir))
		default:
			kept = append(kept, p)
			if top := topFolder(p.folder()); top != "" {
				section(top)
			}
		}
	}
	// A page belongs to the nearest section above it: a folder with an
	// _index.md, else its top-level folder.
	owner := func(dir string) *Section {
		for d := dir; d != "" && d != "."; d = path.Dir(d) {
			if sec := secs[d]; sec != nil && (sec.Index != nil || !strings.Contains(d, "/")) {
				return sec
			}
		}
		return s.Root
	}
	for _, p := range kept {
		sec := owner(p.folder())
		if !p.Unlisted {
			sec.Pages = append(sec.Pages, p)
		}
		s.Pages = append(s.Pages, p)
	}
	for _, sec := range secs {
		s.Sections = append(s.Sections, sec)
	}
	sort.Slice(s.Sections, func(i, j int) bool { return s.Sections[i].Dir < s.Sections[j].Dir })
	byPath := map[string]*Section{}
	all := s.Sections
	s.Sections = s.Sections[:0]
	for _, sec := range all {
		if other, ok := claimed[sec.Path]; ok && other != sec.Index {
			s.Problems = append(s.Problems, clash(sec.Path, other.File, s.display(sec.Dir)+"/"))
		}
		if other, ok := byPath[sec.Path]; ok {
			s.Problems = append(s.Problems, clash(sec.Path, s.display(sec.Dir)+"/", s.display(other.Dir)+"/"))
			continue
		}
		byPath[sec.Path] = sec
		s.Sections = append(s.Sections, sec)
		sec.Parent = nil
		if strings.Contains(sec.Dir, "/") {
			sec.Parent = owner(path.Dir(sec.Dir))
		}
		parent := sec.Parent
		if parent == nil {
			parent = s.Root
		}
		parent.Sections = append(parent.Sections, sec)
	}
	sort.Slice(s.Pages, func(i, j int) bool { return s.Pages[i].Source < s.Pages[j].Source })
	for _, sec := range append([]*Section{s.Root}, s.Sections...) {
		sortPages(sec.Pages)
		var dated []*Page
		for _, p := range sec.Pages {
			if p.IsDated() {
				dated = append(dated, p)
			}
		}
		for i, p := range dated {
			if i > 0 {
				p.Next = dated[i-1]
			}
			if i+1 < len(dated) {
				p.Prev = dated[i+1]
			}
		}
	}
	for _, tax := range s.Config.taxonomies() {
		tt := &TaxonomyTerms{Taxonomy: tax, Terms: s.terms(tax.Plural)}
		s.Taxonomies = append(s.Taxonomies, tt)
		if tax.Plural == "tags" {
			s.Tags = tt.Terms
		}
	}
	sort.Slice(s.Taxonomies, func(i, j int) bool { return s.Taxonomies[i].Plural < s.Taxonomies[j].Plural })
}

// terms gathers the terms of one taxonomy from the listed pages, by slug,
// each with its pages newest first. A term is named as the first page (by
// source) writes it.
func (s *Site) terms(taxonomy string) []*Tag {
	bySlug := map[string]*Tag{}
	for _, p := range s.Pages {
		if !p.Listed() {
			continue
		}
		seen := map[string]bool{}
		for _, name := range p.Terms(taxonomy) {
			slug := s.Config.TagSlug(name)
			if slug == "" || seen[slug] {
				continue
			}
			seen[slug] = true
			t := bySlug[slug]
			if t == nil {
				t = &Tag{Taxonomy: taxonomy, Name: name, Slug: slug}
				bySlug[slug] = t
			}
			t.Pages = append(t.Pages, p)
		}
	}
	out := make([]*Tag, 0, len(bySlug))
	for _, t := range bySlug {
		sortPages(t.Pages)
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slug < out[j].Slug })
	return out
}

// clash is the problem of source a, left out, whose address source b
// has.
func clash(addr, a, b string) problem.Problem {
	return problem.Problem{File: a, Kind: problem.Address, Fatal: true,
		Msg: fmt.Sprintf("address %s is already taken by %s", addr, b)}
}

// display names a folder below content/ as the user knows it.
func (s *Site) display(dir string) string {
	return filepath.Join(s.Config.ContentDir, filepath.FromSlash(dir))
}

// sortPages orders pages newest first; undated pages follow, by weight, then
// title, then source path, so the order never depends on map iteration.
func sortPages(ps []*Page) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if !a.Date.Equal(b.Date) {
			return a.Date.After(b.Date)
		}
		if a.Weight != b.Weight {
			return a.Weight < b.Weight
		}
		if a.Title != b.Title {
			return a.Title < b.Title
		}
		return a.Source < b.Source
	})
}

// TagSlug makes a tag name safe as a path segment: lower case, spaces to
// hyphens, nothing that would need escaping in a URL or a selector, and
// (unless c.UnicodeSlugs) ASCII only, so that every client can follow it. A
// tag with nothing left in ASCII ("日本語") gets "tag-" and a short hash of
// its name.
func (c Config) TagSlug(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	if !c.UnicodeSlugs {
		folded := slug.Fold(name)
		if strings.Trim(folded, " _-/\\?#%.") == "" && strings.Trim(name, " _-/\\?#%.") != "" {
			sum := sha256.Sum256([]byte(name))
			return "tag-" + hex.EncodeToString(sum[:4])
		}
		name = strings.ToLower(folded)
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == ' ' || r == '_' || r == '-':
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
				b.WriteByte('-')
			}
		case r == '/' || r == '\\' || r == '?' || r == '#' || r == '%' || r == '.' || r < ' ':
		default:
			b.WriteRune(r)
		}
	}
	return strings.Trim(b.String(), "-")
}
