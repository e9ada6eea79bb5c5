package site

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Skip is a file the walk left out of the site, and why. The build reports
// each as a warning: nothing is left out without a word.
type Skip struct {
	// File is the path as the user knows it (e.g. "content/posts/x.md"),
	// quoted where it is not printable.
	File string
	// Reason says why, in a few words ("a FIFO, not a regular file").
	Reason string
}

// walker lists the regular files below one folder of the site (content/
// or static/). It never opens anything but folders, so a FIFO, socket or
// device cannot block it, and it decides once, for every folder it walks,
// which names and symlinks a site may publish.
type walker struct {
	siteDir string // the site folder, resolved: symlinks must stay below it
	// outside allows symlinks whose targets lie outside siteDir.
	outside bool
	root    int // which folder is walked (content, static), for skipped
	skipped []skipAt
	// links is set when the walk met a symlink (the root included): what
	// it leads to changes without an event on its path (see Reload).
	links bool
}

// skipAt is a Skip and where the walk met it: in which folder (0 for
// content/, 1 for static/) and at which path below it.
type skipAt struct {
	root int
	rel  string
	Skip
}

// walkFile is one regular file found by walk.
type walkFile struct {
	rel  string      // slash-separated, below the walked folder
	full string      // the path to open (a symlink's own path, not its target's)
	info fs.FileInfo // of the file itself (a symlink's target)
}

// newWalker returns a walker for the site in dir.
func newWalker(dir string, outside bool) *walker {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		real = dir
	}
	if abs, err := filepath.Abs(real); err == nil {
		real = abs
	}
	return &walker{siteDir: real, outside: outside}
}

// walk calls visit for every regular file below root, whose name is shown
// as display+rel in messages. Dotfiles and editor backups (name~) are
// passed over quietly; files the site cannot publish are recorded in
// w.skipped. A root that does not exist is an empty folder.
func (w *walker) walk(root, display string, visit func(walkFile) error) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == root {
				return fs.SkipDir
			}
			return fmt.Errorf("reading %s: %w", p, err)
		}
		if p == root {
			if d.Type()&fs.ModeSymlink != 0 {
				w.links = true
			}
			return nil
		}
		name := d.Name()
		if strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		shown := display + "/" + rel
		if why := badName(name); why != "" {
			w.skip(rel, shown, why)
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		var info fs.FileInfo
		switch t := d.Type(); {
		case t.IsRegular():
			if info, err = d.Info(); err != nil {
				return fmt.Errorf("reading %s: %w", shown, err)
			}
		case t&fs.ModeSymlink != 0:
			w.links = true
			if info = w.follow(p, rel, shown); info == nil {
				return nil
			}
		default:
			w.skip(rel, shown, "a "+kindOf(t)+", not a regular file")
			return nil
		}
		return visit(walkFile{rel: rel, full: p, info: info})
	})
}

// follow checks the symlink at p: it returns its target's FileInfo when
// the target is a regular file the site may publish, or records why not
// and returns nil.
func (w *walker) follow(p, rel, shown string) fs.FileInfo {
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		w.skip(rel, shown, "a symlink that leads nowhere")
		return nil
	}
	if abs, err := filepath.Abs(target); err == nil {
		target = abs
	}
	if !w.outside && !within(w.siteDir, target) {
		w.skip(rel, shown, fmt.Sprintf("a symlink to %s, outside the site (build.outside_symlinks = true allows it)", target))
		return nil
	}
	info, err := os.Stat(target)
	if err != nil {
		w.skip(rel, shown, fmt.Sprintf("a symlink to %s, which cannot be read: %v", target, err))
		return nil
	}
	if info.IsDir() {
		w.skip(rel, shown, "a symlink to a folder (symlinked folders are not followed)")
		return nil
	}
	if !info.Mode().IsRegular() {
		w.skip(rel, shown, "a symlink to a "+kindOf(info.Mode().Type())+", not a regular file")
		return nil
	}
	return info
}

func (w *walker) skip(rel, file, reason string) {
	w.skipped = append(w.skipped, skipAt{w.root, rel, Skip{File: quoteName(file), Reason: reason}})
}

// within reports whether path p is dir or below it (both absolute, clean).
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}

// badName says why a file or folder name cannot be published, or "".
// Names travel into gemtext link lines, Gopher menus (TAB-separated) and
// request lines: a control character in one would split or forge a line,
// and a name that is not UTF-8 has no address at all.
func badName(name string) string {
	if !utf8.ValidString(name) {
		return "its name is not valid UTF-8"
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return fmt.Sprintf("its name holds the control character %U", r)
		}
	}
	return ""
}

// kindOf names a file type for messages.
func kindOf(t fs.FileMode) string {
	switch {
	case t&fs.ModeNamedPipe != 0:
		return "FIFO"
	case t&fs.ModeSocket != 0:
		return "socket"
	case t&fs.ModeCharDevice != 0:
		return "character device"
	case t&fs.ModeDevice != 0:
		return "device"
	case t&fs.ModeIrregular != 0:
		return "special file"
	}
	return "special file"
}

// quoteName makes a path printable for messages: as it is when it is
// plain, quoted with Go escapes otherwise.
func quoteName(p string) string {
	if badName(p) == "" {
		return p
	}
	return fmt.Sprintf("%q", p)
}
