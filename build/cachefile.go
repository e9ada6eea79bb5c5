package build

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/gmkit/gmkit/build/output"
	"github.com/gmkit/gmkit/build/problem"
	"github.com/gmkit/gmkit/build/record"
	"github.com/gmkit/gmkit/build/site"
)

// The build cache keeps a Builder's caches (the pages as loaded, the
// rendered bodies, the finished pages with their recorded dependencies)
// in a file between runs of the program, so that `gmkit build` after an
// edit costs about as much as the edit. The file is made for one program
// (its Go build ID, else a digest of the executable) and one configuration
// (configKey): any other program or configuration makes a file of its own
// and never reads this one. Everything in it is checked as the in-memory
// caches are (a page by its file's size, time and bytes; a body by its
// page; a finished page by its body and dependencies), so it only decides
// what need not be made again. A file that fails its checksum or cannot be
// read is ignored and written again.

// cacheFormat changes whenever what the file holds changes shape.
const cacheFormat = "gmkit build cache 2"

// cacheFiles is how many cache files (configurations) a cache folder keeps.
const cacheFiles = 4

// staleLimit is how many pages a build may find missing or out of date in
// the cache file (and make) before SaveCache writes the file again. Each
// build that starts from the file makes them again, which costs less than
// writing the whole file after every small edit (on 10,000 posts, 150 MB:
// more than rendering the 172 pages allowed).
func staleLimit(pages int) int { return 16 + pages/64 }

// UseCache makes the builder keep its caches in the folder dir between
// runs: the first Build starts from what the folder holds, and SaveCache
// writes it. note is told (if not nil) why a cache file could not be
// used; the build goes on without it. Call it before the first Build.
func (b *Builder) UseCache(dir string, note func(error)) {
	b.cacheDir, b.cacheNote = dir, note
}

// cacheName is the file of dir holding the caches for cfg, and the key
// it must have been made with.
func cacheName(dir string, cfg Config) (string, record.Key, error) {
	id, err := programID()
	if err != nil {
		return "", record.Key{}, err
	}
	ck := configKey(cfg)
	name := filepath.Join(dir, "build-"+ck[:16]+".cache")
	h := sha256.New()
	for _, s := range []string{cacheFormat, id, ck, zoneID()} {
		h.Write(appendField(nil, s))
	}
	var key record.Key
	h.Sum(key[:0])
	return name, key, nil
}

// zoneID names the local time zone as times in it print: a time read in
// it (a page's date) would come back from the cache as it was read, which
// is right only while the zone is the same.
func zoneID() string {
	var b []byte
	for _, m := range []time.Month{time.January, time.July} {
		name, off := time.Date(2024, m, 1, 0, 0, 0, 0, time.Local).Zone()
		b = fmt.Appendf(b, "%s%d;", name, off)
	}
	return os.Getenv("TZ") + "|" + string(b)
}

// programID identifies this program: its Go build ID, which changes with
// any change to its code or how it was built, else a digest of the
// executable, else the module versions it was built from.
var programID = sync.OnceValues(func() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return buildInfoID()
	}
	f, err := os.Open(exe)
	if err != nil {
		return buildInfoID()
	}
	defer f.Close()
	if id := goBuildID(f); id != "" {
		return "go:" + id, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return buildInfoID()
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return buildInfoID()
	}
	return fmt.Sprintf("exe:%x", h.Sum(nil)), nil
})

// goBuildID finds the Go build ID in an executable's first bytes, where
// the linker puts it on every platform (as cmd/go's buildid does).
func goBuildID(f *os.File) string {
	buf := make([]byte, 64<<10)
	n, _ := io.ReadFull(f, buf)
	buf = buf[:n]
	const prefix, suffix = "\xff Go build ID: \"", "\"\n \xff"
	i := bytes.Index(buf, []byte(prefix))
	if i < 0 {
		return ""
	}
	rest := buf[i+len(prefix):]
	j := bytes.Index(rest, []byte(suffix))
	if j <= 0 {
		return ""
	}
	return string(rest[:j])
}

// buildInfoID is what the program says of how it was built; a program
// without it cannot tell itself from another and keeps no cache.
func buildInfoID() (string, error) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", errors.New("build cache: cannot identify this program")
	}
	return "info:" + bi.String(), nil
}

// restoreCache starts the builder from its cache file, if there is a
// usable one.
func (b *Builder) restoreCache() {
	name, key, err := cacheName(b.cacheDir, b.cfg)
	if err != nil {
		b.noteCache(err)
		return
	}
	data, err := record.ReadFile(name, key)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			b.noteCache(fmt.Errorf("build cache not used: %w", err))
		}
		return
	}
	st, err := decodeCache(data)
	if err != nil {
		b.noteCache(fmt.Errorf("build cache not used: %s: %w", name, err))
		return
	}
	b.site, b.cache, b.outs, b.fp = st.site, st.bodies, st.pages, configKey(b.cfg)
	b.views = nil
	b.restored = len(st.pageList)
}

func (b *Builder) noteCache(err error) {
	if b.cacheNote != nil {
		b.cacheNote(err)
	}
}

// SaveCache writes the builder's caches, as its last good build left
// them, to its cache folder (see UseCache), unless that build started from
// the cache file and made no more than a few pages (see staleLimit). It does nothing for a builder without a
// cache folder.
func (b *Builder) SaveCache() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cacheDir == "" || b.site == nil || !b.cacheDirty {
		return nil
	}
	name, key, err := cacheName(b.cacheDir, b.cfg)
	if err != nil {
		return err
	}
	f, err := record.Create(name, key)
	if err != nil {
		return fmt.Errorf("build cache: %w", err)
	}
	encodeCache(&f.Writer, b.site, b.cache, b.outs)
	if err := f.Commit(); err != nil {
		return fmt.Errorf("build cache: %w", err)
	}
	b.cacheDirty = false
	pruneCache(b.cacheDir, name)
	return nil
}

// pruneCache removes all but the cacheFiles most recently written cache
// files of dir (keeping name, just written).
func pruneCache(dir, name string) {
	files, _ := filepath.Glob(filepath.Join(dir, "build-*.cache"))
	type aged struct {
		name string
		mod  time.Time
	}
	var list []aged
	for _, f := range files {
		if f == name {
			continue
		}
		if st, err := os.Stat(f); err == nil {
			list = append(list, aged{f, st.ModTime()})
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].mod.After(list[j].mod) })
	for i, a := range list {
		if i+1 >= cacheFiles {
			os.Remove(a.name)
		}
	}
}

// cacheState is what a cache file holds.
type cacheState struct {
	site     *site.Site
	pageList []*site.Page
	bodies   map[cacheKey]*rendered
	pages    map[cacheKey]*pageOut
}

// Where a finished page's body is kept.
const (
	bodyApart  = iota // after the page's output
	bodyWithin        // as the part of the page's output it is
)

// encodeCache writes the pages of s and the caches made from them.
func encodeCache(w *record.Writer, s *site.Site, bodies map[cacheKey]*rendered, pages map[cacheKey]*pageOut) {
	srcs := slices.Sorted(func(yield func(string) bool) {
		for p := range s.All() {
			if !yield(p.Source) {
				return
			}
		}
	})
	var scratch record.Writer
	kept := make(map[string]*site.ParseID, len(srcs))
	for _, src := range srcs {
		p := s.Page(src)
		scratch.Reset()
		if p.WriteState(&scratch) {
			kept[src] = p.ParseID()
			w.Byte(1)
			w.Blob(scratch.Data())
		}
	}
	w.Byte(0)

	// Finished pages first, whole: a page's body is kept as the part of
	// its output it is (most are), and a body of the bodies' section that
	// is a page's body names that page. Read back, all three are slices of
	// the one file, with no copy.
	type span struct {
		p *byte
		n int
	}
	bodyOf := map[span]int{}
	keys := slices.SortedFunc(func(yield func(cacheKey) bool) {
		for k := range pages {
			if !yield(k) {
				return
			}
		}
	}, compareCacheKeys)
	w.Uint(uint64(len(keys)))
	for i, k := range keys {
		po := pages[k]
		w.String(k.out)
		w.String(k.source)
		w.Uint(uint64(len(po.deps)))
		for _, d := range po.deps {
			w.Byte(byte(d.kind))
			w.String(d.name)
		}
		key := po.key()
		w.Fixed(key[:])
		w.Blob(po.out)
		if at := bytes.Index(po.out, po.body); len(po.body) > 0 && at >= 0 {
			w.Byte(bodyWithin)
			w.Uint(uint64(at))
			w.Uint(uint64(len(po.body)))
		} else {
			w.Byte(bodyApart)
			w.Blob(po.body)
		}
		if len(po.body) > 0 {
			bodyOf[span{&po.body[0], len(po.body)}] = i
		}
	}

	keys = slices.SortedFunc(func(yield func(cacheKey) bool) {
		for k, c := range bodies {
			if gen, ok := kept[k.source]; ok && gen == c.gen && !yield(k) {
				return
			}
		}
	}, compareCacheKeys)
	w.Uint(uint64(len(keys)))
	for _, k := range keys {
		c := bodies[k]
		w.String(k.out)
		w.String(k.source)
		if i, ok := bodyOf[span{firstByte(c.body), len(c.body)}]; ok && len(c.body) > 0 {
			w.Uint(uint64(i) + 1)
		} else {
			w.Uint(0)
			w.Blob(c.body)
		}
		w.Uint(uint64(len(c.links)))
		for _, l := range c.links {
			w.String(l.dest)
			w.String(l.Addr)
			w.Byte(l.Type)
		}
		w.Uint(c.universe)
		writeWarnings(w, c.warnings)
	}
}

// firstByte is the address of b's first byte, nil for an empty b.
func firstByte(b []byte) *byte {
	if len(b) == 0 {
		return nil
	}
	return &b[0]
}

func compareCacheKeys(a, b cacheKey) int {
	if a.out != b.out {
		if a.out < b.out {
			return -1
		}
		return 1
	}
	switch {
	case a.source < b.source:
		return -1
	case a.source > b.source:
		return 1
	}
	return 0
}

func writeWarnings(w *record.Writer, ws []Warning) {
	w.Uint(uint64(len(ws)))
	for _, x := range ws {
		w.String(x.File)
		w.Int(int64(x.Line))
		w.String(x.Kind.Name)
		w.String(x.Msg)
	}
}

func readWarnings(r *record.Reader) []Warning {
	n := r.Len()
	if n == 0 {
		return nil
	}
	ws := make([]Warning, n)
	for i := range ws {
		ws[i] = Warning{File: r.String(), Line: int(r.Int()), Kind: problem.Kind{Name: r.String()}, Msg: r.String()}
	}
	return ws
}

// decodeCache reads what encodeCache wrote.
func decodeCache(data []byte) (*cacheState, error) {
	r := record.NewReader(data)
	st := &cacheState{}
	bySource := map[string]*site.Page{}
	for r.Byte() == 1 {
		pr := r.Sub()
		p := site.ReadState(pr)
		if err := pr.Done(); err != nil {
			return nil, err
		}
		st.pageList = append(st.pageList, p)
		bySource[p.Source] = p
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	n := r.Len()
	st.pages = make(map[cacheKey]*pageOut, n)
	byIndex := make([]*pageOut, n)
	for i := range n {
		k := cacheKey{out: r.String(), source: r.String()}
		po := &pageOut{deps: make([]dep, r.Len())}
		for j := range po.deps {
			po.deps[j] = dep{kind: depKind(r.Byte()), name: r.String()}
			if d := po.deps[j]; d.kind < depPage || d.kind > depAll {
				return nil, fmt.Errorf("%w: bad dependency kind %d", record.ErrDamaged, d.kind)
			}
		}
		var key pageDigest
		copy(key[:], r.Fixed(len(key)))
		po.setKey(key)
		po.out = r.Blob()
		switch r.Byte() {
		case bodyApart:
			po.body = r.Blob()
		case bodyWithin:
			at, size := r.Uint(), r.Uint()
			if at > uint64(len(po.out)) || size > uint64(len(po.out))-at {
				return nil, fmt.Errorf("%w: a body past its page's end", record.ErrDamaged)
			}
			po.body = po.out[at : at+size : at+size]
		default:
			return nil, fmt.Errorf("%w: bad page record", record.ErrDamaged)
		}
		byIndex[i] = po
		st.pages[k] = po
	}
	n = r.Len()
	st.bodies = make(map[cacheKey]*rendered, n)
	for range n {
		k := cacheKey{out: r.String(), source: r.String()}
		c := &rendered{}
		if i := r.Uint(); i > 0 {
			if i > uint64(len(byIndex)) {
				return nil, fmt.Errorf("%w: page %d of %d", record.ErrDamaged, i, len(byIndex))
			}
			c.body = byIndex[i-1].body
		} else {
			c.body = r.Blob()
		}
		if links := r.Len(); links > 0 {
			c.links = make([]linkRecord, links)
			for j := range c.links {
				c.links[j] = linkRecord{dest: r.String(), Link: output.Link{Addr: r.String(), Type: r.Byte()}}
			}
		}
		c.universe = r.Uint()
		c.warnings = readWarnings(r)
		p := bySource[k.source]
		if p == nil {
			return nil, fmt.Errorf("%w: a body of %s, which is not kept", record.ErrDamaged, k.source)
		}
		c.gen = p.ParseID()
		st.bodies[k] = c
	}
	if err := r.Done(); err != nil {
		return nil, err
	}
	st.site = site.Restored(st.pageList)
	return st, nil
}
