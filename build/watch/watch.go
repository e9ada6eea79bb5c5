// Package watch tells when a site's sources change. It watches folders
// recursively (new folders are watched as they appear), ignores editor
// droppings (swap files, backups, temporary files), and batches a burst of
// events into one call, so that an editor's save (often a temporary file, a
// rename and a chmod) or a `git checkout` causes one rebuild, not twenty.
package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultDebounce is how long the watcher waits after the last event of a
// burst before reporting it.
const DefaultDebounce = 50 * time.Millisecond

// Config says what to watch.
type Config struct {
	// Dirs are watched recursively. Folders that do not exist yet are
	// watched from when they appear (their parent must exist).
	Dirs []string
	// Files are watched on their own (e.g. gmkit.toml), including being
	// created, replaced or removed.
	Files []string
	// Debounce is the quiet time that ends a burst. Zero means
	// DefaultDebounce.
	Debounce time.Duration
	// Logger receives watch errors. nil discards.
	Logger *slog.Logger
	// Ready, when set, is called once from Run's goroutine as soon as
	// every folder and file is watched, before any change is reported: a
	// caller that watches anew (new folders) checks there what changed
	// while nothing watched.
	Ready func(ctx context.Context)
}

// Run watches until ctx is done, calling onChange (from Run's goroutine,
// never concurrently) with the sorted, de-duplicated paths that changed in
// each burst: every path that changed since the call before, so that a
// caller can look at those paths alone. A change to a name that looks like
// an editor's temporary file (see ignored) does not start a burst, but is
// reported with the next one. When the watcher lost events (its queue
// overflowed) or failed, the paths include ".": anything may have changed.
// It returns nil when ctx ends, or the error that stopped it.
func Run(ctx context.Context, cfg Config, onChange func(ctx context.Context, paths []string)) error {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	debounce := cfg.Debounce
	if debounce <= 0 {
		debounce = DefaultDebounce
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("starting the file watcher: %w", err)
	}
	defer w.Close()

	roots := map[string]bool{}
	files := map[string]bool{}
	parents := map[string]bool{}
	for _, d := range cfg.Dirs {
		d = filepath.Clean(d)
		roots[d] = true
		parents[filepath.Dir(d)] = true
		if err := addTree(w, d); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	for _, f := range cfg.Files {
		f = filepath.Clean(f)
		files[f] = true
		parents[filepath.Dir(f)] = true
	}
	// Watch the parents too (not recursively), to see a watched folder or
	// file being created, replaced by a rename, or removed.
	for p := range parents {
		if err := w.Add(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("watching %s: %w", p, err)
		}
	}

	inScope := func(p string) bool {
		if files[p] || roots[p] {
			return true
		}
		for r := range roots {
			if strings.HasPrefix(p, r+string(filepath.Separator)) {
				return true
			}
		}
		return false
	}

	if cfg.Ready != nil {
		cfg.Ready(ctx)
	}
	pending := map[string]bool{}
	quiet := map[string]bool{} // ignored names, reported with the next burst
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			// An overflow means events were lost: rebuild to be safe.
			log.Warn("file watcher", "err", err)
			pending["."] = true
			timer.Reset(debounce)
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			p := filepath.Clean(ev.Name)
			if !inScope(p) {
				continue
			}
			if ignored(filepath.Base(p)) {
				// Not a reason to report a burst, but reported with
				// the next: a file that only looks like a temporary
				// one is a source all the same.
				quiet[p] = true
				continue
			}
			if ev.Has(fsnotify.Create) {
				if st, err := os.Lstat(p); err == nil && st.IsDir() {
					// A new folder (or one moved in): watch it and
					// everything already inside it.
					if err := addTree(w, p); err != nil {
						log.Warn("file watcher", "path", p, "err", err)
					}
				}
			}
			pending[p] = true
			timer.Reset(debounce)
		case <-timer.C:
			if len(pending) == 0 {
				continue
			}
			paths := make([]string, 0, len(pending)+len(quiet))
			for p := range pending {
				paths = append(paths, p)
			}
			for p := range quiet {
				if !pending[p] {
					paths = append(paths, p)
				}
			}
			slices.Sort(paths)
			clear(pending)
			clear(quiet)
			onChange(ctx, paths)
		}
	}
}

// addTree watches dir and every folder below it (hidden ones excepted).
func addTree(w *fsnotify.Watcher, dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			return fs.SkipDir
		}
		if err := w.Add(p); err != nil {
			return fmt.Errorf("watching %s: %w", p, err)
		}
		return nil
	})
}

// ignored reports whether a file name is an editor's or tool's temporary
// file rather than a source.
func ignored(name string) bool {
	switch {
	case name == "4913", // vim's write test
		strings.HasPrefix(name, ".#"), // emacs lock
		strings.HasSuffix(name, "~"),
		strings.HasSuffix(name, ".swp"), strings.HasSuffix(name, ".swx"),
		strings.HasSuffix(name, ".tmp"),
		strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp-"),
		strings.HasPrefix(name, "#") && strings.HasSuffix(name, "#"):
		return true
	}
	return false
}
