package web

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/gmkit/gmkit/templates"
)

// Dir is the folder of a theme holding its web templates and assets.
const Dir = "html"

// Theme is the web templates of a theme (html/template, so every value is
// escaped for where it lands in the page) and its assets (the stylesheet).
// A file in the site's theme replaces the default theme's file of the same
// name. Files named *.html are templates: those whose names start with "_"
// are partials every template can call; each other one is a page template
// that may redefine a partial's blocks ({{define "title"}}) for itself
// alone. Every other file is an asset, copied into the output as it is.
// A Theme is safe for use by many goroutines at once.
type Theme struct {
	pages       map[string]*template.Template
	source      map[string]string
	assets      map[string][]byte
	skipped     []string
	fingerprint string
}

// LoadTheme reads the html folder of theme (nil: the site has none; origin
// names it in messages) over that of fallback, the default theme. funcs
// are added to templates.Funcs and to safeHTML, which marks a rendered
// body as HTML not to escape, and safeURL, which marks an address the
// build made (a gemini:// one: html/template lets only http, https and
// mailto through on its own) as one to print as it is.
func LoadTheme(theme fs.FS, origin string, fallback fs.FS, funcs template.FuncMap) (*Theme, error) {
	type file struct {
		label string
		data  []byte
	}
	files := map[string]file{}
	var skipped []string
	collect := func(fsys fs.FS, label string) error {
		if fsys == nil {
			return nil
		}
		ents, err := fs.ReadDir(fsys, Dir)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading theme %s: %w", path.Join(label, Dir), err)
		}
		for _, e := range ents {
			if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			l := path.Join(label, Dir, e.Name())
			if !e.Type().IsRegular() {
				// A FIFO or device would block the read; a symlink
				// counts when it leads to a regular file.
				fi, err := fs.Stat(fsys, path.Join(Dir, e.Name()))
				if err != nil || !fi.Mode().IsRegular() {
					skipped = append(skipped, l)
					continue
				}
			}
			b, err := fs.ReadFile(fsys, path.Join(Dir, e.Name()))
			if err != nil {
				return fmt.Errorf("reading %s: %w", l, err)
			}
			files[e.Name()] = file{label: l, data: b}
		}
		return nil
	}
	if err := collect(fallback, "default theme"); err != nil {
		return nil, err
	}
	if err := collect(theme, origin); err != nil {
		return nil, err
	}
	all := template.FuncMap(templates.Funcs())
	all["safeHTML"] = func(s string) template.HTML { return template.HTML(s) }
	all["safeURL"] = func(s string) template.URL { return template.URL(s) }
	for k, v := range funcs {
		all[k] = v
	}
	t := &Theme{pages: map[string]*template.Template{}, source: map[string]string{}, assets: map[string][]byte{}, skipped: skipped}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	h := sha256.New()
	base := template.New("").Funcs(all).Option("missingkey=zero")
	// Every template is parsed, so that one load reports every file that
	// does not parse (*templates.Error, joined), each at its line.
	var errs []error
	for _, n := range names {
		f := files[n]
		fmt.Fprintf(h, "%s\x00%d\x00", f.label, len(f.data))
		h.Write(f.data)
		if strings.HasSuffix(n, ".html") {
			t.source[n] = f.label
		}
		if strings.HasPrefix(n, "_") && strings.HasSuffix(n, ".html") {
			if _, err := base.New(n).Parse(string(f.data)); err != nil {
				errs = append(errs, templates.ErrorOf(t.source, n, err))
			}
		}
	}
	t.fingerprint = fmt.Sprintf("%x", h.Sum(nil))
	for _, n := range names {
		f := files[n]
		switch {
		case strings.HasPrefix(n, "_") && strings.HasSuffix(n, ".html"):
		case strings.HasSuffix(n, ".html"):
			page, err := base.Clone()
			if err == nil {
				_, err = page.New(n).Parse(string(f.data))
			}
			if err != nil {
				errs = append(errs, templates.ErrorOf(t.source, n, err))
				continue
			}
			t.pages[n] = page
		default:
			t.assets[n] = f.data
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return t, nil
}

// Has reports whether the theme has the page template name ("page.html").
func (t *Theme) Has(name string) bool { return t.pages[name] != nil }

// Execute runs the page template name with data. An error is a
// *templates.Error naming the template's file and line.
func (t *Theme) Execute(name string, data any) ([]byte, error) {
	var b bytes.Buffer
	if err := t.ExecuteTo(&b, name, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// ExecuteTo runs the page template name with data, appending to buf.
func (t *Theme) ExecuteTo(buf *bytes.Buffer, name string, data any) error {
	page := t.pages[name]
	if page == nil {
		return fmt.Errorf("no template %q in the theme or the default theme", name)
	}
	if err := page.ExecuteTemplate(buf, name, data); err != nil {
		return templates.ErrorOf(t.source, name, err)
	}
	return nil
}

// Source names the file the template file name came from.
func (t *Theme) Source(name string) string { return t.source[name] }

// Fingerprint changes whenever the text of any of the theme's files does.
func (t *Theme) Fingerprint() string { return t.fingerprint }

// Skipped names the files of the theme's folder left out because they are
// not regular files (a read could block).
func (t *Theme) Skipped() []string { return t.skipped }

// Assets returns the theme's files that are not templates, by name.
func (t *Theme) Assets() map[string][]byte { return t.assets }
