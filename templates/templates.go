// Package templates loads a theme's text/template files for one output, with
// the embedded default theme filling in every template the theme lacks, and
// holds the functions every template can call.
//
// A theme is a folder with one subfolder per output ("gemini", "gopher").
// Each file in such a subfolder is a template named by its file name
// ("page.gmi"); files whose names start with "_" are partials, parsed so
// that any template can call what they {{define}} but never looked up by
// name. A file in the site's theme replaces the default theme's file of the
// same name; a partial defined in both comes from the site's theme.
package templates

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"text/template"
)

// Set is the templates of one output of one theme.
type Set struct {
	tmpl        *template.Template
	source      map[string]string // template name -> where it came from, for messages
	fingerprint string
	skipped     []string // files of the theme that are not regular files
}

// Load parses the templates in folder dir ("gemini", "gopher") of theme,
// falling back to fallback for files the theme lacks. theme may be nil (the
// site has no theme of its own). origin names the theme folder in messages.
// funcs are added to the common functions (Funcs) and may override them.
func Load(dir string, theme fs.FS, origin string, fallback fs.FS, funcs template.FuncMap) (*Set, error) {
	type file struct {
		name, label string
		fsys        fs.FS
		own         bool // from the site's theme, not the default one
	}
	files := map[string]file{}
	var skipped []string
	collect := func(fsys fs.FS, label string, own bool) error {
		if fsys == nil {
			return nil
		}
		ents, err := fs.ReadDir(fsys, dir)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return fmt.Errorf("reading templates in %s: %w", path.Join(label, dir), err)
		}
		for _, e := range ents {
			if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			if t := e.Type(); !t.IsRegular() {
				// A FIFO or device would block the read below; a symlink
				// counts when it leads to a regular file.
				fi, err := fs.Stat(fsys, path.Join(dir, e.Name()))
				if err != nil || !fi.Mode().IsRegular() {
					skipped = append(skipped, path.Join(label, dir, e.Name()))
					continue
				}
			}
			files[e.Name()] = file{name: e.Name(), label: path.Join(label, dir, e.Name()), fsys: fsys, own: own}
		}
		return nil
	}
	if err := collect(fallback, "default theme", false); err != nil {
		return nil, err
	}
	if err := collect(theme, origin, true); err != nil {
		return nil, err
	}
	all := Funcs()
	for k, v := range funcs {
		all[k] = v
	}
	s := &Set{tmpl: template.New("").Funcs(all).Option("missingkey=zero"), source: map[string]string{}, skipped: skipped}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	// Parse order decides which {{define}} wins when two files define the
	// same name (the last one parsed): the default theme's partials, then
	// the site theme's partials, then the page templates. It never depends
	// on map order.
	rank := func(n string) int {
		f := files[n]
		switch {
		case strings.HasPrefix(n, "_") && !f.own:
			return 0
		case strings.HasPrefix(n, "_"):
			return 1
		}
		return 2
	}
	slices.SortFunc(names, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	h := sha256.New()
	// Every file is parsed, so that one load reports every template that
	// does not parse.
	var errs []error
	for _, n := range names {
		f := files[n]
		b, err := fs.ReadFile(f.fsys, path.Join(dir, f.name))
		if err != nil {
			errs = append(errs, &Error{File: f.label, Msg: fmt.Sprintf("reading the template: %v", err), Err: err})
			continue
		}
		fmt.Fprintf(h, "%s\x00%d\x00", f.label, len(b))
		h.Write(b)
		s.source[f.name] = f.label
		if _, err := s.tmpl.New(f.name).Parse(string(b)); err != nil {
			errs = append(errs, s.templateErr(f.name, err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	s.fingerprint = fmt.Sprintf("%x", h.Sum(nil))
	return s, nil
}

// Error is a template file that does not parse or run, at a line of it
// when one is known.
type Error struct {
	File string // the template's file, as Set.Source names it
	Line int    // 1-based; 0 when unknown
	Msg  string // what is wrong, without the file and line
	Err  error  // the error as text/template (or the file system) gave it
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("template %s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("template %s: %s", e.File, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// templateErr turns an error of text/template into an *Error (see
// ErrorOf).
func (s *Set) templateErr(name string, err error) *Error {
	return ErrorOf(s.source, name, err)
}

// ErrorOf turns an error of text/template or html/template, which starts
// "template: NAME:LINE[:COL]: " (or "html/template:NAME:LINE[:COL]: " for
// one found escaping), into an *Error naming the file that holds NAME:
// source maps the templates' names to their files as users know them. A
// template defined in a partial is named by the file that defines it;
// name, the template that was parsed or run, names the file when err
// names none of source.
func ErrorOf(source map[string]string, name string, err error) *Error {
	msg := err.Error()
	if m, ok := strings.CutPrefix(msg, "html/template:"); ok {
		msg = strings.TrimPrefix(m, " ")
	} else {
		msg = strings.TrimPrefix(msg, "template: ")
	}
	e := &Error{File: source[name], Msg: msg, Err: err}
	file, rest, ok := strings.Cut(e.Msg, ":")
	if !ok {
		return e
	}
	if src, ok := source[file]; ok {
		e.File = src
	} else if file != name {
		return e
	}
	num, rest, ok := strings.Cut(rest, ":")
	line, convErr := strconv.Atoi(num)
	if !ok || convErr != nil || line <= 0 {
		e.Msg = strings.TrimSpace(strings.TrimPrefix(e.Msg, file+":"))
		return e
	}
	if col, after, ok := strings.Cut(rest, ":"); ok {
		if _, err := strconv.Atoi(col); err == nil {
			rest = after
		}
	}
	e.Line, e.Msg = line, strings.TrimSpace(rest)
	return e
}

// Skipped names the files of the theme's folder that Load left out because
// they are not regular files (FIFOs, sockets, devices, symlinks to
// nothing): reading one could block. The caller reports them.
func (s *Set) Skipped() []string { return s.skipped }

// Has reports whether the set has a template of that name.
func (s *Set) Has(name string) bool { return s.tmpl.Lookup(name) != nil }

// Source names the file a template came from.
func (s *Set) Source(name string) string { return s.source[name] }

// Execute runs the named template with data and returns its output. An
// error names the template's file.
func (s *Set) Execute(name string, data any) ([]byte, error) {
	var buf bytes.Buffer
	if err := s.ExecuteTo(&buf, name, data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ExecuteTo runs the named template with data, appending to buf.
func (s *Set) ExecuteTo(buf *bytes.Buffer, name string, data any) error {
	t := s.tmpl.Lookup(name)
	if t == nil {
		return fmt.Errorf("no template %q in the theme or the default theme", name)
	}
	if err := t.Execute(buf, data); err != nil {
		return s.templateErr(name, err)
	}
	return nil
}

// Fingerprint identifies what the set prints for given data: it changes
// whenever any template file's text does, or, after Freeze, what a frozen
// template printed.
func (s *Set) Fingerprint() string { return s.fingerprint }
