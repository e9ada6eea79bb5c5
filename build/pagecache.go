package build

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"sync"

	"github.com/gmkit/gmkit/build/output"
)

// Rebuilding a large site after one edit should cost about as much as the
// edit, not as much as the site. Bodies are cached by their AST (see
// rendered); this file caches each page's finished output (template run,
// tidied, linted) by everything its template read: the page's body, the
// templates (with what frozen partials printed), the whole configuration,
// and the views the run reached, as recorded while it ran (see deps.go).

// pageOut is one page's finished output for one output format.
type pageOut struct {
	deps []dep  // what the template run reached
	body []byte // the body it was made from, compared by identity first
	out  []byte

	// The key, base and deps as they were when it ran, is digested the
	// first time the next build asks for it, from the views of the
	// build that made it: a build that no other follows (gmkit build)
	// digests no key.
	keyOnce sync.Once
	keyed   pageDigest
	base    pageDigest
	views   *viewIndex // the views it ran with, until the key is made
}

// setKey sets p's key, made by an earlier process (see the build cache).
func (p *pageOut) setKey(k pageDigest) {
	p.keyOnce.Do(func() { p.keyed = k })
}

// key digests p's base and dependencies as they were when it was made.
func (p *pageOut) key() pageDigest {
	p.keyOnce.Do(func() {
		p.keyed = p.views.digest(p.base, p.deps)
		p.views = nil
	})
	return p.keyed
}

// pageDigest is a SHA-256 digest of a page output's key: keys can be long
// (a run that reached every view depends on the whole site) and one is kept
// per page.
type pageDigest [sha256.Size]byte

// pageKeyBase is what every page's output depends on in one output,
// whatever its template reads: the template it runs, the set's templates
// and frozen partials, and the whole configuration (which the site's
// fields, addresses and every output setting come from).
func (r *run) pageKeyBase(set output.Templates, tmpl string) pageDigest {
	return sha256.Sum256(appendField(appendField([]byte(r.configKey()), tmpl), set.Fingerprint()))
}

// configKey is a digest of the whole configuration: anything made from
// config is keyed by it, so that no setting can be forgotten.
// The outputs are named, not printed: a constructor prints as its
// address, which differs from one program (and one run) to another, and
// the key is kept in the build cache file.
func configKey(c Config) string {
	names := make([]string, len(c.Outputs))
	for i, e := range c.Outputs {
		names[i] = e.Name
	}
	c.Outputs = nil
	return fmt.Sprintf("%x", sha256.Sum256(fmt.Appendf(nil, "%#v %q", c, names)))
}

func (r *run) configKey() string {
	r.cfgKeyOnce.Do(func() { r.cfgKey = configKey(r.cfg) })
	return r.cfgKey
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
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, fmt.Sprintf("%q=%#v", k, v))
	}
	sort.Strings(out)
	return out
}

// pageOutput returns the finished output for page view v (out names it in
// the cache, see pageCacheName), made by make
// (which runs the template with the site and page bound to the recorder it
// is given)
// unless the previous build made it from the same body and its recorded
// dependencies still digest alike in x, this build's views.
func (r *run) pageOutput(out string, x *viewIndex, base pageDigest, v *PageView, body []byte, make func(*recorder) ([]byte, error)) ([]byte, error) {
	ck := cacheKey{out, v.Source}
	if old, ok := r.oldPages[ck]; ok && bytes.Equal(old.body, body) && r.keeps(old, x, base) {
		r.keepPage(ck, old)
		return old.out, nil
	}
	rec, _ := r.recorders.Get().(*recorder)
	rec = newRecorder(rec, x.sv, v)
	b, err := make(rec)
	if err != nil {
		return nil, err
	}
	r.markRemade(v.Source)
	deps := slices.Clone(rec.deps) // exactly sized, apart from the recorder: it stays in the cache
	r.recorders.Put(rec)           // the run is over: nothing refers to its views
	r.keepPage(ck, &pageOut{deps: deps, base: base, views: x, body: body, out: b})
	return b, nil
}

// keeps reports whether old, a page output of the previous build made
// from the same body, is still what this build would make: nothing its
// run reached changed since then (see viewChanges), or, when the previous
// build's views are not at hand (its output came from the cache file),
// its dependencies digest alike in x, this build's views. A kept output's
// key is then made, when asked, from x: its dependencies have the same
// values in x as when it was made.
func (r *run) keeps(old *pageOut, x *viewIndex, base pageDigest) bool {
	if ch := r.changed[x]; ch != nil && old.base == base {
		if ch.touches(old.deps) {
			return false
		}
		if old.views != nil {
			old.views = x // the views it ran with are no longer kept
		}
		return true
	}
	if x.digest(base, old.deps) != old.key() {
		return false
	}
	old.base = base // as when it was made, which the cache file does not keep
	return true
}

// pageCacheName names an output's finished pages in the cache, apart from
// its bodies.
func pageCacheName(out string) string { return "page:" + out }

func (r *run) keepPage(ck cacheKey, p *pageOut) {
	r.mu.Lock()
	r.newPages[ck] = p
	r.mu.Unlock()
}
