package build

import (
	"reflect"
	"slices"
	"strings"
	"time"
)

// A rebuild knows which views changed since the previous build, so that a
// page or index whose recorded dependencies reached none of them keeps its
// output without digesting anything. The previous build's views are kept
// (see Builder.views) and compared with the new ones, view by view, once
// per output and build: comparing fields costs far less than digesting
// every cached page's dependencies.

// viewChanges is what differs between the previous build's views of an output
// and this build's. Every entry names a dependency whose value (see
// viewIndex.appendValue) is not what it was; a dependency named by none
// is unchanged. The comparison is at least as strict as the digest: two
// values it calls equal digest alike.
type viewChanges struct {
	any   bool             // something changed: a run that reached every view is stale
	deps  map[dep]struct{} // changed dependencies, except depTerms and depAll
	terms map[string]bool  // sources whose terms (of any taxonomy) changed
}

// mark notes that d changed.
func (c *viewChanges) mark(d dep) {
	c.any = true
	if d.kind == depTerms {
		c.terms[d.name] = true
		return
	}
	c.deps[d] = struct{}{}
}

// touches reports whether any of deps changed.
func (c *viewChanges) touches(deps []dep) bool {
	if !c.any {
		return false
	}
	for _, d := range deps {
		switch d.kind {
		case depAll:
			return true
		case depTerms:
			source, _, _ := strings.Cut(d.name, "\x00")
			if c.terms[source] {
				return true
			}
		default:
			if _, ok := c.deps[d]; ok {
				return true
			}
		}
	}
	return false
}

// diffViews compares old, the previous build's views of an output, with
// now, this build's.
func diffViews(old, now *viewIndex) *viewChanges {
	c := &viewChanges{deps: map[dep]struct{}{}, terms: map[string]bool{}}
	page := func(src string) {
		c.mark(dep{kind: depPage, name: src})
		c.mark(dep{kind: depPrev, name: src})
		c.mark(dep{kind: depNext, name: src})
		c.mark(dep{kind: depTerms, name: src})
	}
	for src, v := range now.bySource {
		o := old.bySource[src]
		switch {
		case o == nil:
			page(src)
			continue
		case !samePageFields(o, v):
			c.mark(dep{kind: depPage, name: src})
		}
		if !sameRef(o.prev, v.prev) {
			c.mark(dep{kind: depPrev, name: src})
		}
		if !sameRef(o.next, v.next) {
			c.mark(dep{kind: depNext, name: src})
		}
		if !samePageTerms(o, v) {
			c.mark(dep{kind: depTerms, name: src})
		}
	}
	for src := range old.bySource {
		if now.bySource[src] == nil {
			page(src)
		}
	}
	for key, t := range now.tags {
		o := old.tags[key]
		if o == nil || o.Taxonomy != t.Taxonomy || o.Name != t.Name || o.Slug != t.Slug || o.URL != t.URL {
			c.mark(dep{kind: depTag, name: key})
		}
		if o == nil || !sameRefs(o.pages, t.pages) {
			c.mark(dep{kind: depTagPages, name: key})
		}
	}
	for key := range old.tags {
		if now.tags[key] == nil {
			c.mark(dep{kind: depTag, name: key})
			c.mark(dep{kind: depTagPages, name: key})
		}
	}
	for name, t := range now.taxa {
		o := old.taxa[name]
		if o == nil || o.Name != t.Name || o.Singular != t.Singular || o.Title != t.Title || o.URL != t.URL {
			c.mark(dep{kind: depTaxonomy, name: name})
		}
		if o == nil || !sameTagRefs(o.terms, t.terms) {
			c.mark(dep{kind: depTaxonomyTerms, name: name})
		}
	}
	for name := range old.taxa {
		if now.taxa[name] == nil {
			c.mark(dep{kind: depTaxonomy, name: name})
			c.mark(dep{kind: depTaxonomyTerms, name: name})
		}
	}
	for dir, s := range now.sections {
		o := old.sections[dir]
		if o == nil {
			for _, k := range []depKind{depSection, depSectionPages, depSectionIndex, depSectionSections, depSectionParent} {
				c.mark(dep{kind: k, name: dir})
			}
			continue
		}
		if o.Name != s.Name || o.Dir != s.Dir || o.Title != s.Title || o.URL != s.URL {
			c.mark(dep{kind: depSection, name: dir})
		}
		if !sameRefs(o.pages, s.pages) {
			c.mark(dep{kind: depSectionPages, name: dir})
		}
		if !sameRef(o.index, s.index) {
			c.mark(dep{kind: depSectionIndex, name: dir})
		}
		if !sameSectionRefs(o.sections, s.sections) {
			c.mark(dep{kind: depSectionSections, name: dir})
		}
		if (o.parent == nil) != (s.parent == nil) || o.parent != nil && o.parent.Dir != s.parent.Dir {
			c.mark(dep{kind: depSectionParent, name: dir})
		}
	}
	for dir := range old.sections {
		if now.sections[dir] == nil {
			for _, k := range []depKind{depSection, depSectionPages, depSectionIndex, depSectionSections, depSectionParent} {
				c.mark(dep{kind: k, name: dir})
			}
		}
	}
	if !sameRefs(old.sv.pages, now.sv.pages) {
		c.mark(dep{kind: depSiteList, name: "pages"})
	}
	if !sameRefs(old.sv.posts, now.sv.posts) {
		c.mark(dep{kind: depSiteList, name: "posts"})
	}
	if !sameRefs(old.sv.latest, now.sv.latest) {
		c.mark(dep{kind: depSiteList, name: "latest"})
	}
	if !sameSectionRefs(old.sv.sections, now.sv.sections) {
		c.mark(dep{kind: depSiteList, name: "sections"})
	}
	if !slices.EqualFunc(old.sv.taxonomies, now.sv.taxonomies, func(a, b *TaxonomyView) bool { return a.Name == b.Name }) {
		c.mark(dep{kind: depSiteList, name: "taxonomies"})
	}
	return c
}

// samePageFields reports whether a and b have the same fields, as
// appendPageFields prints them.
func samePageFields(a, b *PageView) bool {
	return a.Title == b.Title && sameTime(a.Date, b.Date) && sameTime(a.PublishDate, b.PublishDate) &&
		sameTime(a.ExpiryDate, b.ExpiryDate) && a.Draft == b.Draft && slices.Equal(a.Tags, b.Tags) &&
		a.Summary == b.Summary && a.Slug == b.Slug && slices.Equal(a.Aliases, b.Aliases) &&
		slices.Equal(a.Outputs, b.Outputs) && a.Weight == b.Weight && sameParams(a.Params, b.Params) &&
		a.Source == b.Source && a.File == b.File && a.Kind == b.Kind && a.Section == b.Section &&
		a.Path == b.Path && a.URL == b.URL && a.Permalink == b.Permalink && a.Type == b.Type &&
		a.listItem == b.listItem
}

// sameTime reports whether a and b are the same instant in the same zone
// (see appendTime).
func sameTime(a, b time.Time) bool {
	if a.IsZero() || b.IsZero() {
		return a.IsZero() == b.IsZero()
	}
	an, ao := a.Zone()
	bn, bo := b.Zone()
	return a.Equal(b) && an == bn && ao == bo
}

// sameParams reports whether two params maps print alike (see
// sortedParams): the same map, as most are from one build to the next,
// is not printed.
func sameParams(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 || reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer() {
		return true
	}
	return slices.Equal(sortedParams(a), sortedParams(b))
}

func sameRef(a, b *PageView) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Source == b.Source
}

func sameRefs(a, b []*PageView) bool {
	return slices.EqualFunc(a, b, func(x, y *PageView) bool { return x.Source == y.Source })
}

func sameSectionRefs(a, b []*SectionView) bool {
	return slices.EqualFunc(a, b, func(x, y *SectionView) bool { return x.Dir == y.Dir })
}

func sameTagRefs(a, b []*TagView) bool {
	return slices.EqualFunc(a, b, func(x, y *TagView) bool { return x.Taxonomy == y.Taxonomy && x.Slug == y.Slug })
}

// samePageTerms reports whether a and b have the same terms of every
// taxonomy (see appendPageTerms).
func samePageTerms(a, b *PageView) bool {
	if len(a.taxonomies) != len(b.taxonomies) {
		return false
	}
	for i := range a.taxonomies {
		if a.taxonomies[i].Name != b.taxonomies[i].Name || !sameTagRefs(a.terms[i], b.terms[i]) {
			return false
		}
	}
	return true
}
