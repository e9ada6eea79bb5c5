package site

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"
)

// walked is what a walk of the content and static folders found, each
// list in the order of the walk (see walkCmp). A site keeps it, so that a
// load told which paths changed (Reload) can update it instead of walking
// again.
type walked struct {
	md      []mdFile // Markdown and gemtext files of content/
	content []Asset  // the other files of content/, not yet placed
	static  []Asset  // the files of static/
	skipped []skipAt // content's, then static's
	// links is set when the walk met a symlink: what a symlink leads to
	// changes without an event on its own path, so only a walk sees it.
	links bool
}

// Folders of a site's sources, as skipAt.root names them.
const (
	contentRoot = iota
	staticRoot
)

// roots are the folders a walk lists: content/ and static/ (not made
// absolute: paths in the site keep the form the configuration gives).
func (c Config) roots() [2]string {
	return [2]string{filepath.Join(c.Dir, c.ContentDir), filepath.Join(c.Dir, c.StaticDir)}
}

// display is how messages name the folder root (see roots).
func (c Config) display(root int) string {
	if root == contentRoot {
		return filepath.ToSlash(c.ContentDir)
	}
	return filepath.ToSlash(c.StaticDir)
}

// walkSources walks the content and static folders.
func walkSources(cfg Config) (*walked, error) {
	found := &walked{}
	roots := cfg.roots()
	w := newWalker(cfg.Dir, cfg.OutsideSymlinks)
	err := w.walk(roots[contentRoot], cfg.display(contentRoot), func(f walkFile) error {
		if IsPageFile(f.rel) {
			found.md = append(found.md, mdFile{f.rel, f.info.Size(), f.info.ModTime()})
			return nil
		}
		found.content = append(found.content, newAsset(f.rel, f.full, f.info))
		return nil
	})
	if err != nil {
		return nil, err
	}
	w.root = staticRoot
	err = w.walk(roots[staticRoot], cfg.display(staticRoot), func(f walkFile) error {
		found.static = append(found.static, newAsset(f.rel, f.full, f.info))
		return nil
	})
	if err != nil {
		return nil, err
	}
	found.skipped, found.links = w.skipped, w.links
	return found, nil
}

func newAsset(rel, full string, info fs.FileInfo) Asset {
	return Asset{Path: rel, Source: rel, Src: full, Size: info.Size(), ModTime: info.ModTime()}
}

// Reload is Load for a site whose sources changed, since prev was loaded,
// only at the paths in changed: files and folders as a file watcher names
// them (absolute, or relative to the working folder). It looks again at
// those paths alone, reads again the pages among them, and takes every
// other page and file from prev as it was.
//
// Whatever the paths cannot say for certain makes it walk everything, as
// Load does: no prev (or one read from a build cache), a configuration
// other than prev's, a site with symlinks (what they lead to changes
// without an event on their path), and a path that is, or was, a folder,
// that is no file below content/ or static/, or that the walk would report
// as left out for its folder's name. So changed must hold every path that
// changed since prev's load began; a watcher that lost events must say so
// (a path such as ".", outside both folders).
func Reload(ctx context.Context, cfg Config, prev *Site, changed []string) (*Site, error) {
	cfg, err := cfg.checked()
	if err != nil {
		return nil, err
	}
	if prev == nil || prev.found == nil || prev.found.links || !sameSources(prev.Config, cfg) {
		return Load(ctx, cfg, prev)
	}
	statAt := time.Now()
	found, touched, ok := prev.found.update(cfg, changed)
	if !ok {
		return Load(ctx, cfg, prev)
	}
	return assembleSite(ctx, cfg, found, prev.loaded, func(rel string) bool { return !touched[rel] }, statAt)
}

// sameSources reports whether sites loaded with a and b read the same
// files the same way: all but Now is the same.
func sameSources(a, b Config) bool {
	a.Now, b.Now = time.Time{}, time.Time{}
	return reflect.DeepEqual(a, b)
}

// update returns what is found after the changes at paths (see Reload), and
// the Markdown sources among them; ok is false when a walk is needed.
func (s *walked) update(cfg Config, paths []string) (next *walked, touched map[string]bool, ok bool) {
	var roots [2]string
	for i, r := range cfg.roots() {
		abs, err := filepath.Abs(r)
		if err != nil {
			return nil, nil, false
		}
		roots[i] = abs
	}
	next = &walked{md: slices.Clone(s.md), content: slices.Clone(s.content), static: slices.Clone(s.static), skipped: slices.Clone(s.skipped)}
	touched = map[string]bool{}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil || p == "" || p == "." {
			return nil, nil, false
		}
		inside := false
		for root, dir := range roots {
			if abs == dir {
				return nil, nil, false
			}
			if !within(dir, abs) {
				continue
			}
			inside = true
			rel, err := filepath.Rel(dir, abs)
			if err != nil {
				return nil, nil, false
			}
			rel = filepath.ToSlash(rel)
			if !next.look(cfg, root, rel, filepath.Join(cfg.roots()[root], filepath.FromSlash(rel))) {
				return nil, nil, false
			}
			if root == contentRoot && IsPageFile(rel) {
				touched[rel] = true
			}
		}
		if !inside {
			return nil, nil, false
		}
	}
	return next, touched, true
}

// look updates s with what is now at rel, a path below the folder root
// whose file is full, as a walk would have found it. It reports false when
// only a walk can tell: rel is, or was, a folder; it is a symlink; or a
// name on its way would be left out with a warning.
func (s *walked) look(cfg Config, root int, rel, full string) bool {
	for part := range strings.SplitSeq(rel, "/") {
		if strings.HasPrefix(part, ".") || strings.HasSuffix(part, "~") {
			return true // never walked into or listed
		}
		if badName(part) != "" {
			return false
		}
	}
	if s.holds(root, rel+"/") {
		return false // a folder that was
	}
	s.remove(root, rel)
	info, err := os.Lstat(full)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return true // removed
	case err != nil, info.IsDir(), info.Mode()&fs.ModeSymlink != 0:
		return false
	case !info.Mode().IsRegular():
		shown := cfg.display(root) + "/" + rel
		sk := skipAt{root, rel, Skip{File: quoteName(shown), Reason: "a " + kindOf(info.Mode().Type()) + ", not a regular file"}}
		i, _ := slices.BinarySearchFunc(s.skipped, sk, func(a, b skipAt) int {
			if a.root != b.root {
				return a.root - b.root
			}
			return walkCmp(a.rel, b.rel)
		})
		s.skipped = slices.Insert(s.skipped, i, sk)
	case root == contentRoot && IsPageFile(rel):
		md := mdFile{rel, info.Size(), info.ModTime()}
		i, _ := slices.BinarySearchFunc(s.md, rel, func(m mdFile, rel string) int { return walkCmp(m.rel, rel) })
		s.md = slices.Insert(s.md, i, md)
	default:
		list := &s.content
		if root == staticRoot {
			list = &s.static
		}
		i, _ := slices.BinarySearchFunc(*list, rel, func(a Asset, rel string) int { return walkCmp(a.Source, rel) })
		*list = slices.Insert(*list, i, newAsset(rel, full, info))
	}
	return true
}

// holds reports whether s lists a file or a left-out name of the folder
// root whose path begins with prefix.
func (s *walked) holds(root int, prefix string) bool {
	for _, sk := range s.skipped {
		if sk.root == root && strings.HasPrefix(sk.rel, prefix) {
			return true
		}
	}
	if root == contentRoot {
		return slices.ContainsFunc(s.md, func(m mdFile) bool { return strings.HasPrefix(m.rel, prefix) }) ||
			slices.ContainsFunc(s.content, func(a Asset) bool { return strings.HasPrefix(a.Source, prefix) })
	}
	return slices.ContainsFunc(s.static, func(a Asset) bool { return strings.HasPrefix(a.Source, prefix) })
}

// remove takes the file (or left-out name) at rel of the folder root out
// of s.
func (s *walked) remove(root int, rel string) {
	s.skipped = slices.DeleteFunc(s.skipped, func(sk skipAt) bool { return sk.root == root && sk.rel == rel })
	if root == contentRoot {
		s.md = slices.DeleteFunc(s.md, func(m mdFile) bool { return m.rel == rel })
		s.content = slices.DeleteFunc(s.content, func(a Asset) bool { return a.Source == rel })
		return
	}
	s.static = slices.DeleteFunc(s.static, func(a Asset) bool { return a.Source == rel })
}

// walkCmp orders slash-separated paths as a walk meets them: by folder,
// each folder's names in byte order (so "a/b" comes before "a-b", whose
// folder "a" sorts first).
func walkCmp(a, b string) int {
	for {
		ai, bi := strings.IndexByte(a, '/'), strings.IndexByte(b, '/')
		an, bn := a, b
		if ai >= 0 {
			an = a[:ai]
		}
		if bi >= 0 {
			bn = b[:bi]
		}
		if c := strings.Compare(an, bn); c != 0 {
			return c
		}
		switch {
		case ai < 0 && bi < 0:
			return 0
		case ai < 0:
			return -1 // a is a folder of b's: met first
		case bi < 0:
			return 1
		}
		a, b = a[ai+1:], b[bi+1:]
	}
}

// Stale walks the sources of the site prev was loaded from and lists the
// paths (files, made absolute) that changed since prev's load began, to be
// told to Reload: a file added, removed, or of another size or time, or
// whose time was too close to that load to tell an edit by (see
// racyWindow). ok is false when Reload would walk anyway (see Reload), or
// when a file is left out otherwise than before.
func Stale(ctx context.Context, cfg Config, prev *Site) (paths []string, ok bool) {
	cfg, err := cfg.checked()
	if err != nil || prev == nil || prev.found == nil || prev.found.links || !sameSources(prev.Config, cfg) {
		return nil, false
	}
	now, err := walkSources(cfg)
	if err != nil || now.links || !slices.Equal(now.skipped, prev.found.skipped) {
		return nil, false
	}
	roots := cfg.roots()
	var out []string
	add := func(root int, rel string) {
		abs, err := filepath.Abs(filepath.Join(roots[root], filepath.FromSlash(rel)))
		if err != nil {
			ok = false
		}
		out = append(out, abs)
	}
	ok = true
	diff(prev.found.md, now.md, func(m mdFile) string { return m.rel }, func(a, b mdFile) bool {
		p := prev.loaded[a.rel]
		return p != nil && a.size == b.size && a.modTime.Equal(b.modTime) && b.modTime.Before(p.statAt.Add(-racyWindow))
	}, func(rel string) { add(contentRoot, rel) })
	same := func(a, b Asset) bool { return a.Size == b.Size && a.ModTime.Equal(b.ModTime) }
	src := func(a Asset) string { return a.Source }
	diff(prev.found.content, now.content, src, same, func(rel string) { add(contentRoot, rel) })
	diff(prev.found.static, now.static, src, same, func(rel string) { add(staticRoot, rel) })
	if ctx.Err() != nil {
		return nil, false
	}
	return out, ok
}

// diff calls changed with the path of every entry of a or b (both in walk
// order, paths given by key) that is in one only, or in both but not the
// same.
func diff[T any](a, b []T, key func(T) string, same func(a, b T) bool, changed func(string)) {
	for len(a) > 0 || len(b) > 0 {
		var c int
		switch {
		case len(a) == 0:
			c = 1
		case len(b) == 0:
			c = -1
		default:
			c = walkCmp(key(a[0]), key(b[0]))
		}
		switch {
		case c < 0:
			changed(key(a[0]))
			a = a[1:]
		case c > 0:
			changed(key(b[0]))
			b = b[1:]
		default:
			if !same(a[0], b[0]) {
				changed(key(a[0]))
			}
			a, b = a[1:], b[1:]
		}
	}
}
