// Package build runs the pipeline that turns a site folder (content/,
// static/, themes/) into the outputs gmkit publishes: a Gemini capsule and a
// Gopher hole, with index pages, tag pages and feeds. It loads the site
// model (build/site), renders every page's Markdown once per output from one
// AST, runs the templates, and collects the result in memory (a build/tree
// Tree), which build/publish writes to disk in one atomic swap, so a failed
// build leaves the previous output untouched. Between builds a Builder keeps
// what it rendered, so a rebuild costs about as much as the edit.
package build

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yuin/goldmark/parser"
	goldrenderer "github.com/yuin/goldmark/renderer"

	"github.com/gmkit/gmkit/build/output"
	"github.com/gmkit/gmkit/build/problem"
	"github.com/gmkit/gmkit/build/publish"
	"github.com/gmkit/gmkit/build/site"
	"github.com/gmkit/gmkit/build/tree"
	"github.com/gmkit/gmkit/templates"
)

// Warning is a problem that does not stop a build (a broken internal link, a
// doubtful gophermap line); with Config.Strict it does.
type Warning = problem.Problem

// Result describes one finished build.
type Result struct {
	// Output is the built tree: one top-level folder per output.
	Output *tree.Tree
	// Site is the site model the build was made from.
	Site *site.Site
	// Config is the configuration the build was made with, defaults
	// applied.
	Config Config
	// Outputs are the outputs made, in the list's order; each one's files
	// are in Output's folder of its name.
	Outputs []output.Output
	// Pages counts pages (posts, pages, section intros, the home intro);
	// Sections, Tags and Feeds count what their names say.
	Pages, Sections, Tags, Feeds int
	// Rendered counts pages whose Markdown was rendered in this build (for
	// any output); the others came from the previous build unchanged.
	Rendered int
	// Remade counts pages whose finished output (in any output) was made
	// in this build: their body was rendered, or their template run again
	// because what it shows changed (a neighbour's link, the site's
	// menus). The others were taken from the previous build as they were.
	Remade   int
	Warnings []Warning
	Duration time.Duration
}

// Summary is the one line a user sees after a build.
func (r *Result) Summary() string {
	return fmt.Sprintf("built %d pages, %d sections, %d tags, %d feeds in %s",
		r.Pages, r.Sections, r.Tags, r.Feeds, roundDuration(r.Duration))
}

func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Microsecond)
}

// Builder builds one site, again and again. Between builds it keeps what it
// parsed and rendered, so a rebuild re-renders only the pages that changed
// (and every index, which is cheap). A Builder is safe for use by one
// goroutine at a time; Build calls are serialised.
type Builder struct {
	cfg Config

	progress func(done, total int)

	mu    sync.Mutex
	site  *site.Site             // from the last good build
	cache map[cacheKey]*rendered // rendered bodies from the last good build
	outs  map[cacheKey]*pageOut  // finished page outputs from the last good build
	views map[string]*viewIndex  // each output's views in the last good build (see viewChanges)
	fp    string                 // the configuration the caches were made with (configKey)

	cacheDir   string      // where the caches are kept between runs (see UseCache)
	cacheNote  func(error) // told why a cache file was not used
	cacheTried bool        // the cache file was read (or found unusable)
	cacheDirty bool        // the caches hold what the cache file does not
	changes    changes     // what changed since site was loaded (see Track)
	restored   int         // pages read from the cache file, until a build changes them
}

type cacheKey struct {
	out    string
	source string
}

// rendered is one page body rendered for one output, with the link lookups it
// made: it stays valid while the page's AST is the same and every link
// resolves as it did.
type rendered struct {
	gen      *site.ParseID // the parse of the page it was rendered from (Page.gen)
	body     []byte
	links    []linkRecord
	universe uint64    // the link universe it was checked against
	warnings []Warning // raised for its file up to when it was made
}

// NewBuilder returns a Builder for cfg (defaults applied).
func NewBuilder(cfg Config) *Builder {
	return &Builder{cfg: cfg.Defaults()}
}

// OnProgress sets a function called as pages finish rendering, with the
// number done and the total (counting each output). It is called from
// several goroutines, often: it must be cheap and safe for concurrent use.
// Set it before calling Build.
func (b *Builder) OnProgress(fn func(done, total int)) { b.progress = fn }

// Config returns the builder's configuration, defaults applied.
func (b *Builder) Config() Config { return b.cfg }

// Build loads the site and renders every output into memory. It writes
// nothing; see Builder.Write. On error the builder keeps its previous state.
func (b *Builder) Build(ctx context.Context) (*Result, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	start := time.Now()
	cfg := b.cfg
	if b.cacheDir != "" && !b.cacheTried {
		b.cacheTried = true
		b.restoreCache()
	}
	themeFS, themeOrigin, err := b.themeFS()
	if err != nil {
		return nil, err
	}
	outs, err := makeOutputs(cfg)
	if err != nil {
		return nil, err
	}
	s, restore, err := b.loadSite(ctx, cfg)
	if err != nil {
		restore()
		return nil, err
	}
	kept := false
	defer func() {
		if !kept {
			restore() // the site is not kept: nor what it was told
		}
	}()
	fp := configKey(cfg)
	cache, pages, oldViews := b.cache, b.outs, b.views
	if fp != b.fp {
		cache, pages, oldViews = nil, nil, nil
	}
	r := &run{cfg: cfg, outs: outs, site: s, out: tree.NewBuilder(4 * (len(s.Pages) + 8)),
		owners: make(map[string]string, 2*(len(s.Pages)+len(s.Tags)+len(s.Sections)+len(s.Assets)+8)), oldCache: cache,
		newCache: make(map[cacheKey]*rendered, 2*(len(s.Pages)+len(s.Sections)+1)),
		oldPages: pages, newPages: make(map[cacheKey]*pageOut, 2*len(s.Pages)), progress: b.progress,
		oldViews: oldViews, newViews: map[string]*viewIndex{}, changed: map[*viewIndex]*viewChanges{}}
	r.problems = append(r.problems, s.Problems...)
	for _, sk := range s.Skipped {
		r.warn(sk.File, 0, problem.LeftOut, "left out: %s", sk.Reason)
	}
	for _, p := range r.allPages() {
		p.TagWarnings(func(line int, msg string) { r.warn(p.File, line, problem.TemplateTag, "%s", msg) })
	}
	r.total = len(outs) * len(s.Pages)
	// Each output's views, templates and index tasks are prepared
	// beside the bodies pass; then every output's pages and indexes are
	// made in one pool. A step that fails records its problem and the
	// build goes on, to find every other problem: an output whose
	// templates do not load makes nothing more.
	passes := make([]*outputPass, len(outs))
	prepare := make([]func() error, len(outs))
	for i, o := range outs {
		prepare[i] = func() error {
			var err error
			if passes[i], err = r.prepare(o, themeFS, themeOrigin); err != nil {
				r.fail("", problem.Template, err)
			}
			return nil
		}
	}
	if err := r.bodies(ctx, prepare...); err != nil {
		return nil, err
	}
	if err := r.outputs(ctx, passes...); err != nil {
		return nil, err
	}
	r.assets()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if probs := r.allProblems(); probs.Fatal() > 0 {
		return nil, &problem.Error{Problems: probs, Strict: cfg.Strict && len(r.warnings) > 0}
	}
	res := &Result{
		Output:   r.out.Finish(),
		Site:     s,
		Config:   cfg,
		Outputs:  outs,
		Pages:    len(s.Pages) + countIntros(s),
		Sections: len(s.Sections),
		Tags:     len(s.Tags),
		Feeds:    r.feeds,
		Rendered: len(r.rendered),
		Remade:   len(r.remade),
		Warnings: r.sortedWarnings(),
	}
	// A build that found most of what it needed in the cache file leaves
	// the file as it is (see staleLimit).
	all := len(r.allPages())
	stale := len(r.rendered) + len(r.remade) + max(all-b.restored, b.restored-all)
	b.cacheDirty = b.cacheDirty || b.restored == 0 || stale > staleLimit(all)
	b.restored = 0
	b.site, kept = s, true
	b.cache = r.newCache
	b.outs = r.newPages
	b.views = r.newViews
	b.fp = fp
	res.Duration = time.Since(start)
	return res, nil
}

// Build builds the site described by cfg and writes it to its output folder.
// Result.Duration covers both.
func Build(ctx context.Context, cfg Config) (*Result, error) {
	start := time.Now()
	b := NewBuilder(cfg)
	res, err := b.Build(ctx)
	if err != nil {
		return nil, err
	}
	if err := b.Write(ctx, res.Output); err != nil {
		return nil, err
	}
	res.Duration = time.Since(start)
	return res, nil
}

// Write writes a build's output to OutputDir, with publish.Write or, when
// the configuration says not to keep the previous output, with
// publish.WriteFresh.
func (b *Builder) Write(ctx context.Context, out *tree.Tree) error {
	if b.cfg.NoKeepPrevious {
		return publish.WriteFresh(ctx, out, b.OutputDir())
	}
	return publish.Write(ctx, out, b.OutputDir())
}

// OutputDir is the folder the build is written to.
func (b *Builder) OutputDir() string {
	if filepath.IsAbs(b.cfg.OutputDir) {
		return b.cfg.OutputDir
	}
	return filepath.Join(b.cfg.Dir, b.cfg.OutputDir)
}

// themeFS is the site's own theme folder, or nil when the site has none
// and uses the embedded default theme.
func (b *Builder) themeFS() (fs.FS, string, error) {
	rel := filepath.Join(b.cfg.ThemesDir, b.cfg.Theme)
	dir := filepath.Join(b.cfg.Dir, rel)
	st, err := os.Stat(dir)
	switch {
	case err == nil && st.IsDir():
		return os.DirFS(dir), rel, nil
	case b.cfg.Theme == "default" && errors.Is(err, fs.ErrNotExist):
		return nil, "", nil
	case err == nil:
		return nil, "", fmt.Errorf("theme %q: %s is not a folder", b.cfg.Theme, dir)
	}
	return nil, "", fmt.Errorf("theme %q: %w", b.cfg.Theme, err)
}

func countIntros(s *site.Site) int {
	n := 0
	if s.Home != nil {
		n++
	}
	for _, sec := range s.Sections {
		if sec.Index != nil {
			n++
		}
	}
	return n
}

// run is the state of one build.
type run struct {
	cfg  Config
	outs []output.Output // the enabled outputs, in the list's order
	site *site.Site
	out  *tree.Builder

	mu       sync.Mutex
	owners   map[string]string // output path -> the source that made it
	warnings []Warning
	warned   map[Warning]bool
	problems problem.List         // fatal ones (see fail)
	makings  map[Warning][]string // what each template problem was met making
	rendered map[string]bool      // sources rendered (not taken from the cache)
	remade   map[string]bool      // sources whose finished output was made anew
	feeds    int
	oldCache map[cacheKey]*rendered
	newCache map[cacheKey]*rendered
	oldPages map[cacheKey]*pageOut
	newPages map[cacheKey]*pageOut
	oldViews map[string]*viewIndex       // by output, from the previous build, if its caches are used
	newViews map[string]*viewIndex       // by output
	changed  map[*viewIndex]*viewChanges // since oldViews, for the outputs that have them

	bufs    sync.Pool             // *bytes.Buffer scratch space, see scratch
	writers sync.Pool             // *bufio.Writer for renderers, see bufWriter
	slots   map[string]*sync.Pool // *bodySlot by output and form, see renderBody

	bodyKeys  map[[2]string]string // output and form -> its name in the caches, see body
	recorders sync.Pool            // *recorder whose run is over, see newRecorder

	parserOnce sync.Once
	mdParser   parser.Parser // for pages parsed again, see renderBody

	cfgKeyOnce sync.Once
	cfgKey     string // see configKey

	progress func(done, total int)
	done     atomic.Int64
	total    int

	universeOnce sync.Once
	universeSum  uint64
	byFile       map[string][]Warning

	indexOnce sync.Once
	known     map[string]bool // see siteHasFile

	addrOnce sync.Once
	byAddr   map[string]*site.Page // pages by address, see pageAt
	byFold   map[string]*site.Page // by address in lower case; nil for two
}

// warn records a warning once, however many outputs run into it.
func (r *run) warn(file string, line int, kind problem.Kind, format string, args ...any) {
	w := Warning{File: file, Line: line, Kind: kind, Msg: fmt.Sprintf(format, args...)}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.warned[w] {
		return
	}
	if r.warned == nil {
		r.warned = map[Warning]bool{}
	}
	r.warned[w] = true
	r.warnings = append(r.warnings, w)
	if r.byFile == nil {
		r.byFile = map[string][]Warning{}
	}
	r.byFile[w.File] = append(r.byFile[w.File], w)
}

// fail records what is fatal in err, met making what (a source file as
// the user knows it, an index such as "the home page", or "" when it is
// not one thing), as problems of kind (unless the error says its own
// kind): every error err joins is one. A template that fails is a problem
// of its file and line, reported once with the first (in name order) of
// the things it failed making.
func (r *run) fail(what string, kind problem.Kind, err error) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return // Build reports the context's error
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			r.fail(what, kind, e)
		}
		return
	}
	if p, ok := errors.AsType[problem.Problem](err); ok {
		p.Fatal = true
		r.addProblem(p)
		return
	}
	if te, ok := errors.AsType[*templates.Error](err); ok {
		p := problem.Problem{File: te.File, Line: te.Line, Kind: problem.Template, Fatal: true, Msg: te.Msg}
		r.mu.Lock()
		if r.makings == nil {
			r.makings = map[Warning][]string{}
		}
		r.makings[p] = append(r.makings[p], what)
		r.mu.Unlock()
		return
	}
	if se, ok := errors.AsType[*site.SourceError](err); ok {
		r.addProblem(problem.Problem{File: se.File, Line: se.Line, Kind: kind, Fatal: true, Msg: se.Err.Error()})
		return
	}
	msg := strings.TrimPrefix(err.Error(), what+": ")
	r.addProblem(problem.Problem{File: what, Kind: kind, Fatal: true, Msg: msg})
}

func (r *run) addProblem(p problem.Problem) {
	r.mu.Lock()
	r.problems = append(r.problems, p)
	r.mu.Unlock()
}

// allProblems is every problem of the build, sorted: the fatal ones and
// the warnings, which Config.Strict makes fatal.
func (r *run) allProblems() problem.List {
	all := slices.Clone(r.problems)
	for p, makings := range r.makings {
		slices.Sort(makings)
		makings = slices.Compact(makings)
		if makings[0] == "" {
			makings = makings[1:]
		}
		if len(makings) > 0 {
			p.Msg += " (making " + makings[0]
			if n := len(makings) - 1; n > 0 {
				p.Msg += fmt.Sprintf(" and %d more", n)
			}
			p.Msg += ")"
		}
		all = append(all, p)
	}
	for _, w := range r.warnings {
		w.Fatal = r.cfg.Strict
		all = append(all, w)
	}
	return all.Sorted()
}

// warnSkipped reports the theme's files that set left out: special files
// that could block a read.
func (r *run) warnSkipped(set output.Templates) {
	for _, f := range set.Skipped() {
		r.warn(f, 0, problem.LeftOut, "left out: not a regular file")
	}
}

func (r *run) sortedWarnings() []Warning {
	slices.SortFunc(r.warnings, problem.Compare)
	return r.warnings
}

// put adds a generated file, refusing a path some other source already made.
func (r *run) put(p string, data []byte, owner string, mod time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if other, ok := r.owners[p]; ok {
		return clash(other, owner, p)
	}
	r.owners[p] = owner
	r.out.Add(p, data, mod)
	return nil
}

// clash is the problem of two sources that make one output file. Files
// are made in parallel: it names the two in an order that does not depend
// on which came first.
func clash(one, other, file string) problem.Problem {
	a, b := min(one, other), max(one, other)
	return problem.Problem{File: a, Kind: problem.Address, Fatal: true, Msg: fmt.Sprintf("%s also makes %s", b, file)}
}

// assets copies every non-Markdown file of content/ and static/ into each
// output that takes it.
func (r *run) assets() {
	for _, a := range r.site.Assets {
		for _, o := range r.outs {
			file := r.display(a.Src)
			ok, err := o.Asset(r, a.Path, a.Src, file)
			if err != nil {
				r.fail(file, problem.Read, err)
				continue
			}
			if !ok {
				continue
			}
			p := o.Name() + "/" + a.Path
			if other, ok := r.owners[p]; ok {
				r.fail(file, problem.Address, clash(other, file, p))
				continue
			}
			r.owners[p] = file
			r.out.AddCopy(p, a.Src, a.Size, a.ModTime)
		}
	}
}

// display names a file on disk as the user knows it: relative to the site
// folder when it is inside it, like the names of Markdown sources.
func (r *run) display(src string) string {
	if rel, err := filepath.Rel(r.cfg.Dir, src); err == nil && filepath.IsLocal(rel) {
		return rel
	}
	return src
}

// cached returns the body rendered earlier for p in output out, if it is
// still valid: the AST is the same and every link resolves as it did. When
// the set of link targets (see linkUniverse) is the same as when it was
// rendered, no link needs checking; the warnings it raised are raised again.
func (r *run) cached(out string, p *site.Page, resolve func(string) output.Link) ([]byte, bool) {
	c, ok := r.oldCache[cacheKey{out, p.Source}]
	if !ok || c.gen != p.ParseID() {
		return nil, false
	}
	if c.universe == r.universe() {
		for _, w := range c.warnings {
			r.warn(w.File, w.Line, w.Kind, "%s", w.Msg)
		}
		r.remember(out, p, c.body, c.links)
		return c.body, true
	}
	for _, l := range c.links {
		if resolve(l.dest) != l.Link {
			return nil, false
		}
	}
	r.remember(out, p, c.body, c.links)
	return c.body, true
}

// universe fingerprints everything a link can resolve to: every page's
// source, address and outputs, every asset, and the settings that shape
// addresses. Two builds with the same universe resolve every link alike.
func (r *run) universe() uint64 {
	r.universeOnce.Do(func() {
		h := fnv.New64a()
		h.Write([]byte(r.configKey()))
		srcs := slices.Sorted(func(yield func(string) bool) {
			for p := range r.site.All() {
				if !yield(p.Source) {
					return
				}
			}
		})
		for _, src := range srcs {
			p := r.site.Page(src)
			h.Write([]byte(src))
			h.Write([]byte{0})
			h.Write([]byte(p.Path))
			h.Write([]byte{0, byte(len(p.Outputs))})
			for _, o := range p.Outputs {
				h.Write([]byte(o))
			}
		}
		for _, a := range r.site.Assets {
			h.Write([]byte(a.Path))
			h.Write([]byte{0})
		}
		r.universeSum = h.Sum64()
	})
	return r.universeSum
}

// renderBody returns p's body rendered for one output (key names it in the
// cache), from the previous build's cache when the page and every link
// destination it resolved are unchanged (resolve maps a destination to what
// the renderer would print for it). Renderers are kept for many pages in a
// row (see bodySlot): newRenderer makes one whose link lookups read the page
// being rendered from the slot and record each destination and what it
// resolved to in slot.links, so that the next build can tell whether the
// body is still valid. out names the output in errors.
func (r *run) renderBody(key string, p *site.Page, resolve func(dest string) output.Link, out string, newRenderer func(*bodySlot) bodyRenderer) ([]byte, error) {
	r.mu.Lock()
	c, done := r.newCache[cacheKey{key, p.Source}] // by the bodies pass
	r.mu.Unlock()
	if done {
		return c.body, nil
	}
	if body, ok := r.cached(key, p, resolve); ok {
		return body, nil
	}
	doc := p.AST()
	if doc == nil {
		// Dropped after the bodies pass of the build that parsed it;
		// this build needs it again (a link now resolves differently).
		doc = p.Parse(r.parser())
	}
	pool := r.slotPool(key)
	slot, _ := pool.Get().(*bodySlot)
	if slot == nil {
		slot = &bodySlot{}
		slot.ren = newRenderer(slot)
	}
	slot.page, slot.links = p, slot.links[:0]
	w, buf := r.bufWriter()
	defer r.release(buf)
	defer r.releaseWriter(w)
	err := slot.ren.Render(w, p.Body(), doc)
	links := slices.Clone(slot.links) // exactly sized: it stays live in the cache
	slot.page = nil
	pool.Put(slot)
	if err != nil {
		return nil, fmt.Errorf("%s: rendering for %s: %w", p.File, out, err)
	}
	if err := w.Flush(); err != nil {
		return nil, fmt.Errorf("%s: rendering for %s: %w", p.File, out, err)
	}
	body := bytes.Clone(buf.Bytes()) // exactly sized: it stays live in the cache
	r.markRendered(p)
	r.remember(key, p, body, links)
	return body, nil
}

// bodySlot is a body renderer kept for many pages in a row by one goroutine
// at a time: making a goldmark renderer (its node-kind tables, the
// renderer's own state) for every page costs as much as a small page's
// rendering. The renderer's link callbacks read the current page from the
// slot.
type bodySlot struct {
	ren   bodyRenderer
	page  *site.Page   // the page being rendered
	links []linkRecord // what the page's link destinations resolved to
}

// record notes what a link destination of the current page resolved to.
func (s *bodySlot) record(dest string, got output.Link) {
	if len(s.links) <= 32 { // past that, a repeat costs less than the search
		for _, l := range s.links {
			if l.dest == dest {
				return // a destination always resolves alike within a build
			}
		}
	}
	s.links = append(s.links, linkRecord{dest, got})
}

// linkRecord is what a link destination of a page resolved to.
type linkRecord struct {
	dest string
	output.Link
}

// bodyRenderer renders a page's Markdown body (a goldmark renderer).
type bodyRenderer = goldrenderer.Renderer

// slotPool is the pool of body renderers for one output (key as in
// renderBody).
func (r *run) slotPool(key string) *sync.Pool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.slots == nil {
		r.slots = map[string]*sync.Pool{}
	}
	pool := r.slots[key]
	if pool == nil {
		pool = new(sync.Pool)
		r.slots[key] = pool
	}
	return pool
}

// markRemade notes that the finished output of the page from source was
// made in this build.
func (r *run) markRemade(source string) {
	r.mu.Lock()
	if r.remade == nil {
		r.remade = map[string]bool{}
	}
	r.remade[source] = true
	r.mu.Unlock()
}

func (r *run) markRendered(p *site.Page) {
	r.mu.Lock()
	if r.rendered == nil {
		r.rendered = map[string]bool{}
	}
	r.rendered[p.Source] = true
	r.mu.Unlock()
}

func (r *run) remember(out string, p *site.Page, body []byte, links []linkRecord) {
	r.mu.Lock()
	ws := append([]Warning(nil), r.byFile[p.File]...)
	r.newCache[cacheKey{out, p.Source}] = &rendered{gen: p.ParseID(), body: body, links: links, universe: r.universe(), warnings: ws}
	r.mu.Unlock()
}

// allPages lists every page, section intro and the home page.
func (r *run) allPages() []*site.Page {
	all := make([]*site.Page, 0, len(r.site.Pages)+len(r.site.Sections)+1)
	all = append(all, r.site.Pages...)
	for _, s := range r.site.Sections {
		if s.Index != nil {
			all = append(all, s.Index)
		}
	}
	if r.site.Home != nil {
		all = append(all, r.site.Home)
	}
	return all
}

// resolveContent maps a link destination written in page p to the content
// page it names, if it names one. It returns the page (nil for none), the
// destination's path made absolute within the site (for links to files), and
// whether the destination is a site-relative reference at all.
func (r *run) resolveContent(p *site.Page, dest string) (target *site.Page, sitePath string, local bool) {
	if dest == "" || strings.HasPrefix(dest, "#") || strings.HasPrefix(dest, "//") || output.HasScheme(dest) {
		return nil, "", false
	}
	clean := dest
	if i := strings.IndexAny(clean, "?#"); i >= 0 {
		clean = clean[:i]
	}
	if clean == "" {
		return nil, "", false
	}
	if u, err := url.PathUnescape(clean); err == nil {
		clean = u // my%20post.md names the file "my post.md"
	}
	var abs string
	if strings.HasPrefix(clean, "/") {
		abs = path.Clean(clean)
	} else {
		abs = path.Clean("/" + path.Dir(p.Source) + "/" + clean)
	}
	if site.IsPageFile(abs) {
		// Relative to the page, else from the content folder (Hugo's
		// ref "posts/x.md"), else by its name (Jekyll's post_url).
		if t := r.site.Page(abs[1:]); t != nil {
			return t, abs, true // the usual case, found before Find's tries are made
		}
		tries := []string{abs}
		if !strings.HasPrefix(clean, "/") {
			tries = append(tries, "/"+clean)
		}
		return r.site.Find(tries...), abs, true
	}
	if strings.HasSuffix(clean, "/") && abs != "/" {
		abs += "/"
	}
	if a := r.site.Asset(strings.TrimPrefix(abs, "/")); a != nil {
		// A file of content/ or static/: where the build puts it.
		return nil, "/" + a.Path, true
	}
	if t := r.pageAt(abs); t != nil {
		return t, abs, true
	}
	if !r.siteHasFile(abs) {
		// An old address of a dated post: /2015/02/13/some-title/.
		if t := r.site.ByOldAddress(abs); t != nil {
			return t, abs, true
		}
	}
	return nil, abs, true
}

// pageAt finds the page whose address is abs (with or without its
// trailing slash, or an .html ending as other generators write them), or,
// when none has it exactly, the one page whose address matches when case
// is ignored; nil for none.
func (r *run) pageAt(abs string) *site.Page {
	r.addrOnce.Do(func() {
		r.byAddr = map[string]*site.Page{}
		r.byFold = map[string]*site.Page{}
		for p := range r.site.All() {
			r.byAddr[p.Path] = p
			k := strings.ToLower(p.Path)
			if other, ok := r.byFold[k]; ok && other != nil {
				r.byFold[k] = nil // two pages: the case tells them apart
				continue
			}
			r.byFold[k] = p
		}
	})
	dir := strings.TrimSuffix(abs, "/")
	for _, ext := range []string{".html", ".htm"} {
		dir = strings.TrimSuffix(dir, ext)
	}
	dir += "/"
	if p := r.byAddr[dir]; p != nil {
		return p
	}
	if r.siteHasFile(abs) {
		return nil
	}
	return r.byFold[strings.ToLower(dir)]
}

// siteHasFile reports whether a site-absolute path names something the build
// makes or copies: an asset, a page or section address, a generated index,
// or a script in the CGI folder.
func (r *run) siteHasFile(abs string) bool {
	r.indexOnce.Do(func() {
		r.known = map[string]bool{"/": true}
		var sectionFeeds []string
		for _, o := range r.outs {
			l := o.Feeds()
			if l.Site != "" {
				r.known[l.Site] = true
			}
			if l.Sections != "" {
				sectionFeeds = append(sectionFeeds, l.Sections)
			}
		}
		for _, a := range r.site.Assets {
			r.known["/"+a.Path] = true
		}
		for p := range r.site.All() {
			r.known[p.Path] = true
		}
		for _, s := range r.site.Sections {
			r.known[s.Path] = true
			for _, f := range sectionFeeds {
				r.known[s.Path+f] = true
			}
		}
		for _, tax := range r.site.Taxonomies {
			if len(tax.Terms) > 0 {
				r.known[tax.Path()] = true
			}
			for _, t := range tax.Terms {
				r.known[t.Path()] = true
			}
		}
	})
	if r.known[abs] || r.known[abs+"/"] {
		return true
	}
	if cgi := r.cfg.CGIDir; cgi != "" && strings.HasPrefix(abs, "/"+cgi+"/") {
		return true
	}
	return false
}
