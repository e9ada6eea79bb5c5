package build

import (
	"crypto/sha256"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gmkit/gmkit/build/site"
)

// What a page's finished output depends on is recorded while its template
// runs, not guessed from the template's text. A page template runs with
// copies of the views bound to a recorder (see SiteView); every view that
// leads to another (a page's neighbours and tags, the site's, a section's
// and a tag's lists) records what was asked of it, and every view reached
// records itself. The next build evaluates the same dependencies against
// its own views: when they digest alike (and the body, the templates and
// the config are the same), the page keeps its output.
//
// A view's own fields are one dependency: reaching a page means depending
// on all of its fields. A list longer than bindLimit is handed out as it
// is, unbound, and the run then depends on all of the output's views:
// binding ten thousand copies for every page would cost more than it
// saves.

// depKind says what part of the views a dependency names.
type depKind uint8

const (
	depPage            depKind = iota + 1 // a page's own fields; name is its Source
	depPrev                               // which page is a page's Prev; name is its Source
	depNext                               // which page is a page's Next; name is its Source
	depTerms                              // which terms a page has; name is its Source, NUL, a taxonomy ("": all)
	depTag                                // a term's own fields; name is taxonomy/slug
	depTagPages                           // which pages a term lists, in order; name is taxonomy/slug
	depTaxonomy                           // a taxonomy's own fields; name is its plural name
	depTaxonomyTerms                      // which terms a taxonomy has; name is its plural name
	depSection                            // a section's own fields; name is its Dir
	depSectionPages                       // which pages a section lists, in order
	depSectionIndex                       // which page is a section's Index
	depSectionSections                    // which sections a section lists, in order
	depSectionParent                      // which section is a section's Parent
	depSiteList                           // a list of the site: pages, posts, latest, sections, taxonomies
	depAll                                // every view of the output
)

// dep is one dependency of a template run.
type dep struct {
	kind depKind
	name string
}

// bindLimit is the longest list a recorder binds element by element.
const bindLimit = 64

// recorder collects the dependencies of one template run and hands out
// the views bound to it. A nil *recorder records nothing and hands out the
// shared views: index templates run so, as they are made every build. A
// page template's run takes one recorder, which holds the bound site and
// page and room for the usual few dependencies and views (a page's
// neighbours and tags) in one allocation, and is used again by a later
// run once this one is over (see run.recorder).
type recorder struct {
	deps     []dep
	all      bool
	pages    []bound[PageView] // shared view and its bound copy, in the order reached
	sections []bound[SectionView]
	tags     []bound[TagView]
	taxa     []bound[TaxonomyView]

	site    SiteView
	root    PageView
	depBuf  [8]dep
	pageBuf [4]bound[PageView]
	tagBuf  [4]bound[TagView]

	// Room for the first bound copies (what is left of it: pageFree,
	// tagFree) and the first bound list of tags.
	pageRoom    [2]PageView
	tagRoom     [4]TagView
	pageFree    []PageView
	tagFree     []TagView
	tagListRoom [4]*TagView
	tagListFree []*TagView
	termsRoom   [2]PageTerms // for the first Taxonomies of the run
	termsUsed   bool
}

// bound is a shared view and its copy bound to a recorder.
type bound[V any] struct{ shared, copy *V }

// newRecorder returns a recorder for a page template's run, with sv and v
// bound to it: r cleared, or a new one when r is nil. A recorder is used
// again only once nothing refers to its views: when the run is over and
// its dependencies copied.
func newRecorder(r *recorder, sv *SiteView, v *PageView) *recorder {
	if r == nil {
		r = &recorder{}
	} else {
		*r = recorder{}
	}
	r.deps, r.pages, r.tags = r.depBuf[:0], r.pageBuf[:0], r.tagBuf[:0]
	r.pageFree, r.tagFree, r.tagListFree = r.pageRoom[:], r.tagRoom[:], r.tagListRoom[:]
	r.site = *sv
	r.site.rec = r
	r.root = *v
	r.root.rec = r
	r.pages = append(r.pages, bound[PageView]{v, &r.root})
	r.add(dep{kind: depPage, name: v.Source})
	return r
}

// add records d once.
func (r *recorder) add(d dep) {
	if r == nil || r.all {
		return
	}
	if d.kind == depAll {
		r.all = true
		r.deps = append(r.deps[:0], d) // it covers everything else
		return
	}
	if slices.Contains(r.deps, d) {
		return
	}
	r.deps = append(r.deps, d)
}

// page returns v bound to r (the same copy every time), recording that
// the run reached it.
func (r *recorder) page(v *PageView) *PageView {
	if r == nil || v == nil {
		return v
	}
	return bindOne(r, &r.pages, v, dep{kind: depPage, name: v.Source}, &r.pageFree, func(c *PageView) { c.rec = r })
}

func (r *recorder) section(s *SectionView) *SectionView {
	if r == nil || s == nil {
		return s
	}
	return bindOne(r, &r.sections, s, dep{kind: depSection, name: s.Dir}, nil, func(c *SectionView) { c.rec = r })
}

func (r *recorder) tag(t *TagView) *TagView {
	return bindOne(r, &r.tags, t, dep{kind: depTag, name: t.key()}, &r.tagFree, func(c *TagView) { c.rec = r })
}

func (r *recorder) taxonomy(t *TaxonomyView) *TaxonomyView {
	return bindOne(r, &r.taxa, t, dep{kind: depTaxonomy, name: t.Name}, nil, func(c *TaxonomyView) { c.rec = r })
}

// bindOne returns the copy of v that bind binds to r, made the first time
// (when the run is recorded to depend on d) and found in memo after. The
// first copies are made in what is left of room (nil: none).
func bindOne[V any](r *recorder, memo *[]bound[V], v *V, d dep, room *[]V, bind func(*V)) *V {
	for _, b := range *memo {
		if b.shared == v {
			return b.copy
		}
	}
	r.add(d)
	var c *V
	if room != nil && len(*room) > 0 {
		c, *room = &(*room)[0], (*room)[1:]
	} else {
		c = new(V)
	}
	*c = *v
	bind(c)
	*memo = append(*memo, bound[V]{v, c})
	return c
}

// pageTerms records that the run reached v's terms of every taxonomy
// and returns them (see PageView.Taxonomies) bound to r, made in what is
// left of r's room when they fit.
func (r *recorder) pageTerms(v *PageView) []PageTerms {
	r.add(dep{kind: depTerms, name: v.Source + "\x00"})
	n := 0
	for i := range v.taxonomies {
		if len(v.terms[i]) > 0 {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	var out []PageTerms
	if n <= len(r.termsRoom) && !r.termsUsed {
		out, r.termsUsed = r.termsRoom[:0:n], true
	} else {
		out = make([]PageTerms, 0, n)
	}
	for i, t := range v.taxonomies {
		if len(v.terms[i]) == 0 {
			continue
		}
		terms := r.tagSlice(len(v.terms[i]))
		for j, tv := range v.terms[i] {
			terms[j] = r.tag(tv)
		}
		out = append(out, PageTerms{Name: t.Name, Singular: t.Singular, Title: t.Title, URL: t.URL, Terms: terms})
	}
	return out
}

// tagSlice returns a list of n terms, made in what is left of r's room
// when it fits.
func (r *recorder) tagSlice(n int) []*TagView {
	if n <= len(r.tagListFree) {
		var out []*TagView
		out, r.tagListFree = r.tagListFree[:n:n], r.tagListFree[n:]
		return out
	}
	return make([]*TagView, n)
}

// pageList records d, a list of pages, and returns it bound to r.
func (r *recorder) pageList(d dep, list []*PageView) []*PageView {
	return bindList(r, d, list, nil, (*recorder).page)
}

func (r *recorder) sectionList(d dep, list []*SectionView) []*SectionView {
	return bindList(r, d, list, nil, (*recorder).section)
}

func (r *recorder) tagList(d dep, list []*TagView) []*TagView {
	if r == nil {
		return list
	}
	return bindList(r, d, list, &r.tagListFree, (*recorder).tag)
}

// bindList records d, a list of views, and returns the list with each view
// bound to r, or, past bindLimit, as it is (and then the run depends on
// every view). The bound list is made in what is left of room (nil: none)
// when it fits.
func bindList[V any](r *recorder, d dep, list []*V, room *[]*V, bind func(*recorder, *V) *V) []*V {
	if r == nil {
		return list
	}
	r.add(d)
	if r.all || len(list) > bindLimit {
		r.add(dep{kind: depAll})
		return list
	}
	var out []*V
	if room != nil && len(*room) >= len(list) {
		out, *room = (*room)[:len(list):len(list)], (*room)[len(list):]
	} else {
		out = make([]*V, len(list))
	}
	for i, v := range list {
		out[i] = bind(r, v)
	}
	return out
}

// viewIndex finds one output's views by the names dependencies use, and
// digests what a list of dependencies names.
type viewIndex struct {
	sv       *SiteView
	views    map[*site.Page]*PageView
	bySource map[string]*PageView
	tags     map[string]*TagView // by key
	taxa     map[string]*TaxonomyView
	sections map[string]*SectionView

	allOnce sync.Once
	all     pageDigest

	sums    []pageDigest // each view's fields, by idx-1, made once per build
	sumOnce []sync.Once
}

func newViewIndex(sv *SiteView, views map[*site.Page]*PageView) *viewIndex {
	x := &viewIndex{sv: sv, views: views, tags: map[string]*TagView{},
		taxa: make(map[string]*TaxonomyView, len(sv.taxonomies)), sections: make(map[string]*SectionView, len(sv.allSections))}
	x.sums, x.sumOnce = make([]pageDigest, len(views)), make([]sync.Once, len(views))
	x.bySource = make(map[string]*PageView, len(views))
	for _, v := range views {
		x.bySource[v.Source] = v
	}
	for _, tax := range sv.taxonomies {
		x.taxa[tax.Name] = tax
		for _, t := range tax.terms {
			x.tags[t.key()] = t
		}
	}
	for _, s := range sv.allSections {
		x.sections[s.Dir] = s
	}
	return x
}

func (x *viewIndex) page(source string) *PageView { return x.bySource[source] }

// digest digests base and the current value of every dependency in deps.
func (x *viewIndex) digest(base pageDigest, deps []dep) pageDigest {
	// One Sum256 of a buffer on the stack: a page's dependencies take a
	// few hundred bytes (a page reached is its fields' digest).
	var scratch [1024]byte
	b := append(scratch[:0], base[:]...)
	for _, d := range deps {
		b = append(b, byte(d.kind))
		b = appendField(b, d.name)
		b = x.appendValue(b, d)
	}
	return sha256.Sum256(b)
}

// appendValue appends what dependency d names, as it is in this build.
func (x *viewIndex) appendValue(b []byte, d dep) []byte {
	switch d.kind {
	case depPage:
		v := x.page(d.name)
		if v == nil || v.idx == 0 || v.idx > len(x.sums) {
			return appendPageFields(b, v)
		}
		sum := x.fields(v)
		return append(append(b, '='), sum[:]...)
	case depPrev, depNext:
		v := x.page(d.name)
		switch {
		case v == nil:
			return append(b, '-')
		case d.kind == depPrev:
			return appendRef(b, v.prev)
		}
		return appendRef(b, v.next)
	case depTerms:
		source, taxonomy, _ := strings.Cut(d.name, "\x00")
		v := x.page(source)
		if v == nil {
			return append(b, '-')
		}
		if taxonomy != "" {
			return appendTagRefs(b, v.termsOf(taxonomy))
		}
		return appendPageTerms(b, v)
	case depTag:
		t := x.tags[d.name]
		if t == nil {
			return append(b, '-')
		}
		return appendFields(b, t.Taxonomy, t.Name, t.Slug, t.URL)
	case depTaxonomy:
		t := x.taxa[d.name]
		if t == nil {
			return append(b, '-')
		}
		return appendFields(b, t.Name, t.Singular, t.Title, t.URL)
	case depTaxonomyTerms:
		if t := x.taxa[d.name]; t != nil {
			return appendTagRefs(b, t.terms)
		}
		return append(b, '-')
	case depTagPages:
		if t := x.tags[d.name]; t != nil {
			return appendRefs(b, t.pages)
		}
		return append(b, '-')
	case depSection:
		s := x.sections[d.name]
		if s == nil {
			return append(b, '-')
		}
		return appendFields(b, s.Name, s.Dir, s.Title, s.URL)
	case depSectionPages:
		if s := x.sections[d.name]; s != nil {
			return appendRefs(b, s.pages)
		}
		return append(b, '-')
	case depSectionIndex:
		if s := x.sections[d.name]; s != nil {
			return appendRef(b, s.index)
		}
		return append(b, '-')
	case depSectionSections:
		if s := x.sections[d.name]; s != nil {
			return appendSectionRefs(b, s.sections)
		}
		return append(b, '-')
	case depSectionParent:
		s := x.sections[d.name]
		switch {
		case s == nil:
			return append(b, '-')
		case s.parent == nil:
			return append(b, '0')
		}
		return appendField(append(b, '+'), s.parent.Dir)
	case depSiteList:
		switch d.name {
		case "pages":
			return appendRefs(b, x.sv.pages)
		case "posts":
			return appendRefs(b, x.sv.posts)
		case "latest":
			return appendRefs(b, x.sv.latest)
		case "sections":
			return appendSectionRefs(b, x.sv.sections)
		case "taxonomies":
			b = strconv.AppendInt(b, int64(len(x.sv.taxonomies)), 36)
			for _, t := range x.sv.taxonomies {
				b = appendField(b, t.Name)
			}
			return b
		}
	case depAll:
		all := x.allDigest()
		return append(b, all[:]...)
	}
	panic("build: unknown dependency " + strconv.Itoa(int(d.kind)) + " " + d.name)
}

// fields digests every field of v once per build: a page is reached from
// itself and from its neighbours' runs, and most of a key is page fields.
func (x *viewIndex) fields(v *PageView) pageDigest {
	i := v.idx - 1
	x.sumOnce[i].Do(func() {
		var scratch [1024]byte
		x.sums[i] = sha256.Sum256(appendPageFields(scratch[:0], v))
	})
	return x.sums[i]
}

// allDigest digests every view of the output, once per build.
func (x *viewIndex) allDigest() pageDigest {
	x.allOnce.Do(func() {
		h := sha256.New()
		var scratch [2048]byte
		srcs := make([]string, 0, len(x.views))
		for p := range x.views {
			srcs = append(srcs, p.Source)
		}
		slices.Sort(srcs)
		for _, src := range srcs {
			v := x.page(src)
			b := appendPageFields(scratch[:0], v)
			b = appendRef(b, v.prev)
			b = appendRef(b, v.next)
			h.Write(appendPageTerms(b, v))
		}
		for _, name := range []string{"pages", "posts", "latest", "sections", "taxonomies"} {
			h.Write(x.appendValue(scratch[:0], dep{kind: depSiteList, name: name}))
		}
		for _, s := range x.sv.allSections {
			for _, k := range []depKind{depSection, depSectionPages, depSectionIndex, depSectionSections, depSectionParent} {
				h.Write(x.appendValue(scratch[:0], dep{kind: k, name: s.Dir}))
			}
		}
		for _, tax := range x.sv.taxonomies {
			for _, k := range []depKind{depTaxonomy, depTaxonomyTerms} {
				h.Write(x.appendValue(scratch[:0], dep{kind: k, name: tax.Name}))
			}
			for _, t := range tax.terms {
				for _, k := range []depKind{depTag, depTagPages} {
					h.Write(x.appendValue(scratch[:0], dep{kind: k, name: t.key()}))
				}
			}
		}
		h.Sum(x.all[:0])
	})
	return x.all
}

// appendPageFields appends every field a template can read of v (nil for
// a page the output does not have).
func appendPageFields(b []byte, v *PageView) []byte {
	if v == nil {
		return append(b, '-')
	}
	b = append(b, '+')
	b = appendField(b, v.Title)
	b = appendTime(b, v.Date)
	b = appendTime(b, v.PublishDate)
	b = appendTime(b, v.ExpiryDate)
	b = strconv.AppendBool(b, v.Draft)
	b = appendStrings(b, v.Tags)
	b = appendField(b, v.Summary)
	b = appendField(b, v.Slug)
	b = appendStrings(b, v.Aliases)
	b = appendStrings(b, v.Outputs)
	b = strconv.AppendInt(b, int64(v.Weight), 36)
	b = appendStrings(b, sortedParams(v.Params))
	b = appendField(b, v.Source)
	b = appendField(b, v.File)
	b = appendField(b, string(v.Kind))
	b = appendField(b, v.Section)
	b = appendField(b, v.Path)
	b = appendField(b, v.URL)
	b = appendField(b, v.Permalink)
	b = appendField(b, v.Type)
	return appendField(b, v.listItem)
}

// appendFields appends each of fields (see appendField).
func appendFields(b []byte, fields ...string) []byte {
	for _, f := range fields {
		b = appendField(b, f)
	}
	return b
}

// appendTime appends t, its zone's name and offset.
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, '0')
	}
	name, off := t.Zone()
	b = strconv.AppendInt(b, t.UnixNano(), 36)
	b = appendField(b, name)
	return strconv.AppendInt(b, int64(off), 36)
}

func appendStrings(b []byte, ss []string) []byte {
	b = strconv.AppendInt(b, int64(len(ss)), 36)
	for _, s := range ss {
		b = appendField(b, s)
	}
	return b
}

// appendRef appends which page v is.
func appendRef(b []byte, v *PageView) []byte {
	if v == nil {
		return append(b, '-')
	}
	return appendField(append(b, '+'), v.Source)
}

func appendRefs(b []byte, vs []*PageView) []byte {
	b = strconv.AppendInt(b, int64(len(vs)), 36)
	for _, v := range vs {
		b = appendField(b, v.Source)
	}
	return b
}

func appendSectionRefs(b []byte, ss []*SectionView) []byte {
	b = strconv.AppendInt(b, int64(len(ss)), 36)
	for _, s := range ss {
		b = appendField(b, s.Dir)
	}
	return b
}

func appendTagRefs(b []byte, ts []*TagView) []byte {
	b = strconv.AppendInt(b, int64(len(ts)), 36)
	for _, t := range ts {
		b = appendField(b, t.key())
	}
	return b
}

// appendPageTerms appends which terms of every taxonomy v has.
func appendPageTerms(b []byte, v *PageView) []byte {
	b = strconv.AppendInt(b, int64(len(v.taxonomies)), 36)
	for i, t := range v.taxonomies {
		b = appendField(b, t.Name)
		b = appendTagRefs(b, v.terms[i])
	}
	return b
}
