package site

import (
	"maps"
	"slices"
	"time"

	"github.com/gmkit/gmkit/build/markdown"
	"github.com/gmkit/gmkit/build/record"
)

// A build cache keeps what Load learned about each page for the next run
// of the program: the page's file as read (its bytes, size and time), its
// front matter, and what parsing found (a title from the first heading,
// the summary, tags the parser removed). The next Load reuses such a page
// on the same terms as one from the previous Load in the same process; its
// Markdown is parsed again only if a body must be rendered again.

// WriteState writes p for ReadState and reports whether it could: a page
// whose front matter holds a value of a type the cache cannot write
// (see record.Writer.Value) cannot be kept, and what was written must then
// be dropped.
func (p *Page) WriteState(w *record.Writer) bool {
	w.String(p.Source)
	w.String(p.File)
	w.String(string(p.Kind))
	w.String(p.Section)
	w.String(p.Path)
	w.Bool(p.Bundle)
	w.Bool(p.Gemtext)
	fm := &p.FrontMatter
	w.String(fm.Title)
	if !w.Time(fm.Date) {
		return false
	}
	w.Bool(fm.Draft)
	w.Strings(fm.Tags)
	w.String(fm.Summary)
	w.String(fm.Slug)
	w.Strings(fm.Aliases)
	w.Strings(fm.Outputs)
	w.Strings(fm.IgnoredOutputs)
	w.Int(int64(fm.Weight))
	if !w.Time(fm.PublishDate) || !w.Time(fm.ExpiryDate) {
		return false
	}
	w.Bool(fm.Headless)
	w.Bool(fm.Unlisted)
	w.Bool(fm.ListLocal)
	w.Uint(uint64(len(fm.Terms)))
	for _, k := range slices.Sorted(maps.Keys(fm.Terms)) {
		w.String(k)
		w.Strings(fm.Terms[k])
	}
	if fm.Params == nil {
		w.Bool(false)
	} else {
		w.Bool(true)
		if !w.Value(fm.Params) {
			return false
		}
	}
	w.Blob(p.raw)
	// The body is the end of the file's bytes, except after a byte order
	// mark with no front matter; it is written apart only then.
	if n := len(p.raw) - len(p.body); n >= 0 && string(p.raw[n:]) == string(p.body) {
		w.Uint(uint64(n) + 1)
	} else {
		w.Uint(0)
		w.Blob(p.body)
	}
	w.Int(p.size)
	w.Int(p.modTime.UnixNano())
	w.Int(p.statAt.UnixNano())
	w.Bool(p.dropHeading)
	w.Bool(p.cutMore)
	w.Uint(uint64(len(p.tagWarnings)))
	for _, tw := range p.tagWarnings {
		w.Int(int64(tw.Line))
		w.String(tw.Name)
		w.String(tw.Msg)
	}
	return true
}

// ReadState reads a page written by WriteState. It has no AST: a body
// rendered from it must parse it again (see Page.Parse). Its ParseID is
// new; renderings of the page kept with it belong to it.
func ReadState(r *record.Reader) *Page {
	p := &Page{gen: new(ParseID)}
	p.Source = r.String()
	p.File = r.String()
	p.Kind = Kind(r.String())
	p.Section = r.String()
	p.Path = r.String()
	p.Bundle = r.Bool()
	p.Gemtext = r.Bool()
	fm := &p.FrontMatter
	fm.Title = r.String()
	fm.Date = r.Time()
	fm.Draft = r.Bool()
	fm.Tags = r.Strings()
	fm.Summary = r.String()
	fm.Slug = r.String()
	fm.Aliases = r.Strings()
	fm.Outputs = r.Strings()
	fm.IgnoredOutputs = r.Strings()
	fm.Weight = int(r.Int())
	fm.PublishDate = r.Time()
	fm.ExpiryDate = r.Time()
	fm.Headless = r.Bool()
	fm.Unlisted = r.Bool()
	fm.ListLocal = r.Bool()
	if n := r.Len(); n > 0 {
		fm.Terms = make(map[string][]string, n)
		for range n {
			k := r.String()
			fm.Terms[k] = r.Strings()
		}
	}
	if r.Bool() {
		fm.Params, _ = r.Value().(map[string]any)
	}
	p.raw = r.Blob()
	if off := r.Uint(); off > 0 {
		if off-1 > uint64(len(p.raw)) {
			r.Fixed(-1) // fails the reader
			return p
		}
		p.body = p.raw[off-1:]
	} else {
		p.body = r.Blob()
	}
	p.size = r.Int()
	p.modTime = time.Unix(0, r.Int())
	p.statAt = time.Unix(0, r.Int())
	p.dropHeading = r.Bool()
	p.cutMore = r.Bool()
	if n := r.Len(); n > 0 {
		p.tagWarnings = make([]markdown.Warning, n)
		for i := range p.tagWarnings {
			p.tagWarnings[i] = markdown.Warning{Line: int(r.Int()), Name: r.String(), Msg: r.String()}
		}
	}
	return p
}

// Restored returns a site that holds pages (read with ReadState) as Load's
// prev: Load reuses those whose files are unchanged. It is no site to
// build from.
func Restored(pages []*Page) *Site {
	s := &Site{bySource: make(map[string]*Page, len(pages))}
	for _, p := range pages {
		s.bySource[p.Source] = p
	}
	return s
}
