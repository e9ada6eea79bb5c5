package build

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/gmkit/gmkit/build/site"
)

// A Builder that is told every change to the site's sources (Track, then
// Changed for each) loads the site again by looking at the changed paths
// alone (site.Reload) instead of walking content/ and static/ with a stat
// per file. One that is never told walks every time.

// changes is what a Builder was told changed since its site was loaded.
type changes struct {
	tracking bool            // Track was called: every change is told
	all      bool            // anything may have changed: walk
	paths    map[string]bool // absolute
}

// Track tells the builder that from now on every change to the site's
// sources (content, static and theme files, and the configuration) is
// told to it with Changed: a file watcher is ready. So that the next build
// needs no walk, Track walks the sources now and notes what changed since
// the last build's load began (nothing, after a build just made).
func (b *Builder) Track(ctx context.Context) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.changes.tracking && !b.changes.all {
		return
	}
	b.changes = changes{tracking: true, paths: map[string]bool{}}
	if b.site == nil {
		return // the next build walks all the same
	}
	paths, ok := site.Stale(ctx, b.cfg.siteConfig(), b.site)
	b.changes.all = !ok
	for _, p := range paths {
		b.changes.paths[p] = true
	}
}

// Changed tells a tracking builder (see Track) that the files or folders
// at paths changed (were written, created, removed or renamed): absolute,
// or relative to the working folder. "." says that anything may have
// changed (a file watcher that lost events). The next build looks at those
// paths again; a path it cannot judge alone (a folder, a symlink, a file
// outside the site's source folders) makes it walk everything. A builder
// that is not tracking walks everything anyway and ignores this.
func (b *Builder) Changed(paths []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.changes.tracking {
		return
	}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if p == "" || p == "." || err != nil {
			b.changes.all = true
			continue
		}
		b.changes.paths[abs] = true
	}
}

// loadSite loads the site for a build, from the changes told when it can,
// and takes them: restore puts them back when the build fails, as its
// site is then not kept.
func (b *Builder) loadSite(ctx context.Context, cfg Config) (s *site.Site, restore func(), err error) {
	told := b.changes
	restore = func() {
		for p := range told.paths {
			b.changes.paths[p] = true
		}
		b.changes.all = b.changes.all || told.all
	}
	if !told.tracking {
		s, err = site.Load(ctx, cfg.siteConfig(), b.site)
		return s, func() {}, err
	}
	b.changes = changes{tracking: true, paths: map[string]bool{}}
	if told.all || b.site == nil {
		s, err = site.Load(ctx, cfg.siteConfig(), b.site)
		return s, restore, err
	}
	// Templates are read anew by every build: a theme's files are not
	// the site's, unless the folders overlap.
	themes := absJoin(cfg.Dir, cfg.ThemesDir)
	for _, d := range []string{absJoin(cfg.Dir, cfg.ContentDir), absJoin(cfg.Dir, cfg.StaticDir)} {
		if themes == "" || d == "" || below(d, themes) || below(themes, d) {
			themes = ""
		}
	}
	var paths []string
	for p := range told.paths {
		if themes == "" || !below(themes, p) {
			paths = append(paths, p)
		}
	}
	s, err = site.Reload(ctx, cfg.siteConfig(), b.site, paths)
	return s, restore, err
}

// absJoin is filepath.Join(dir, name) made absolute, or "".
func absJoin(dir, name string) string {
	abs, err := filepath.Abs(filepath.Join(dir, name))
	if err != nil {
		return ""
	}
	return abs
}

// below reports whether path p is dir or inside it (both absolute, clean).
func below(dir, p string) bool {
	return p == dir || strings.HasPrefix(p, dir+string(filepath.Separator)) || dir == string(filepath.Separator)
}
