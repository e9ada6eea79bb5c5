package build

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"regexp"
	"sort"
	"strconv"

	"github.com/gmkit/gmkit/templates"
)

// Rebuilding a large site after one edit should cost about as much as the
// edit, not as much as the site. Bodies are cached by their AST (see
// rendered); this file caches each page's finished output (template run,
// tidied, linted) by everything its template can see: the page's own
// fields, its neighbours, its tags, the site's scalar fields and the
// templates themselves. A page template that lists the site's pages
// (.Site.Posts, .Site.Latest, .Site.Pages, .Site.Sections, .Site.Tags) can
// see every page, so its output also depends on every page's listing, and
// is cached against that too.

// siteWide matches template text that reaches the site's page lists.
var siteWide = regexp.MustCompile(`\.(Posts|Latest|Sections)\b|\.Site\.(Pages|Tags)\b`)

// pageOut is one page's finished output for one output format.
type pageOut struct {
	key  pageDigest
	body []byte // the body it was made from, compared by identity first
	out  []byte
}

// pageKeyBase is what every page's output depends on in one output: the
// templates, the site's scalar fields and, for templates that list pages,
// the listing of every page.
func (r *run) pageKeyBase(set *templates.Set, tmpl string, sv *SiteView) pageDigest {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s|%s|%q|%q|%q|%q|%q|%q|%v|", tmpl, set.Fingerprint(), sv.Title, sv.Author, sv.Description, sv.Hostname, sv.Lang, sv.BaseURL, sortedParams(sv.Params))
	if siteWide.MatchString(set.Text(tmpl)) {
		for _, p := range sv.Posts {
			writePageKey(&b, p)
		}
		for _, p := range sv.Pages {
			writePageKey(&b, p)
		}
		for _, s := range sv.Sections {
			fmt.Fprintf(&b, "S%q%q%d|", s.Name, s.Title, len(s.Pages))
		}
		for _, t := range sv.Tags {
			fmt.Fprintf(&b, "T%q%d|", t.Name, len(t.Pages))
		}
	}
	return sha256.Sum256(b.Bytes())
}

// pageDigest is a SHA-256 digest of a page output's key: keys are long
// (the site-wide part alone can list every page) and one is kept per page.
type pageDigest [sha256.Size]byte

// pageKey digests base plus what the page template sees of p itself.
func pageKey(base pageDigest, v *PageView) pageDigest {
	var scratch [1024]byte
	b := append(scratch[:0], base[:]...)
	b = appendPageKey(b, v)
	b = appendField(b, v.Summary)
	b = appendField(b, v.Slug)
	b = appendField(b, string(v.Kind))
	b = appendField(b, v.Section)
	b = strconv.AppendBool(b, v.Draft)
	for _, a := range v.Aliases {
		b = appendField(b, a)
	}
	b = append(b, '|')
	for _, o := range v.Outputs {
		b = appendField(b, o)
	}
	b = append(b, '|')
	if len(v.Params) > 0 {
		for _, p := range sortedParams(v.Params) {
			b = appendField(b, p)
		}
	}
	for _, n := range []*PageView{v.Prev, v.Next} {
		if n != nil {
			b = appendPageKey(b, n)
		}
		b = append(b, '|')
	}
	for _, t := range v.TagLinks {
		b = appendField(b, t.Name)
		b = appendField(b, t.URL)
	}
	return sha256.Sum256(b)
}

func writePageKey(b *bytes.Buffer, v *PageView) {
	b.Write(appendPageKey(nil, v))
}

// appendPageKey appends what an index line can show of a page.
func appendPageKey(b []byte, v *PageView) []byte {
	b = append(b, 'P')
	b = appendField(b, v.URL)
	b = appendField(b, v.Permalink)
	b = appendField(b, v.Type)
	b = appendField(b, v.Title)
	b = strconv.AppendInt(b, v.Date.UnixNano(), 36)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(v.Weight), 36)
	for _, t := range v.Tags {
		b = appendField(b, t)
	}
	return append(b, '|')
}

// appendField appends s with its length, so that no two field lists make
// the same key.
func appendField(b []byte, s string) []byte {
	b = strconv.AppendInt(b, int64(len(s)), 36)
	b = append(b, ':')
	return append(b, s...)
}

// sortedParams prints a params map in a stable order.
func sortedParams(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, fmt.Sprintf("%q=%#v", k, v))
	}
	sort.Strings(out)
	return out
}

// pageOutput returns the finished output for page view v, made by make
// unless the previous build made it from the same key and body.
func (r *run) pageOutput(out string, base pageDigest, v *PageView, body []byte, make func() ([]byte, error)) ([]byte, error) {
	ck := cacheKey{pageCacheName(out), v.Source}
	key := pageKey(base, v)
	if old, ok := r.oldPages[ck]; ok && old.key == key && bytes.Equal(old.body, body) {
		r.keepPage(ck, old)
		return old.out, nil
	}
	b, err := make()
	if err != nil {
		return nil, err
	}
	r.markRemade(v.Source)
	r.keepPage(ck, &pageOut{key: key, body: body, out: b})
	return b, nil
}

// pageCacheName names an output's finished pages in the cache, apart from
// its bodies.
func pageCacheName(out string) string {
	switch out {
	case Gemini:
		return "page:" + Gemini
	case Gopher:
		return "page:" + Gopher
	}
	return "page:" + out
}

func (r *run) keepPage(ck cacheKey, p *pageOut) {
	r.mu.Lock()
	r.newPages[ck] = p
	r.mu.Unlock()
}
