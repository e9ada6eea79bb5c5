package web

import (
	"bytes"
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
type Theme struct {
	pages  map[string]*template.Template
	source map[string]string
	assets map[string][]byte
}

// LoadTheme reads the html folder of theme (nil: the site has none; origin
// names it in messages) over that of fallback, the default theme. funcs
// are added to templates.Funcs, to safeHTML, which marks a rendered body
// as HTML not to escape, and to gemini, the address of a page on Gemini.
func LoadTheme(theme fs.FS, origin string, fallback fs.FS, funcs template.FuncMap) (*Theme, error) {
	type file struct {
		label string
		data  []byte
	}
	files := map[string]file{}
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
	// gemini gives a page's gemini:// address (a template.URL, since
	// html/template lets only http(s) and mailto through on its own); the
	// output sets it, and without a capsule it is empty.
	all["gemini"] = func(string) template.URL { return "" }
	for k, v := range funcs {
		all[k] = v
	}
	t := &Theme{pages: map[string]*template.Template{}, source: map[string]string{}, assets: map[string][]byte{}}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	base := template.New("").Funcs(all).Option("missingkey=zero")
	for _, n := range names {
		if strings.HasPrefix(n, "_") && strings.HasSuffix(n, ".html") {
			if _, err := base.New(n).Parse(string(files[n].data)); err != nil {
				return nil, fmt.Errorf("template %s: %w", files[n].label, err)
			}
		}
	}
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
				return nil, fmt.Errorf("template %s: %w", f.label, err)
			}
			t.pages[n] = page
			t.source[n] = f.label
		default:
			t.assets[n] = f.data
		}
	}
	return t, nil
}

// Has reports whether the theme has the page template name ("page.html").
func (t *Theme) Has(name string) bool { return t.pages[name] != nil }

// Execute runs the page template name with data. An error names the
// template's file.
func (t *Theme) Execute(name string, data any) ([]byte, error) {
	page := t.pages[name]
	if page == nil {
		return nil, fmt.Errorf("the theme has no template %s", name)
	}
	var b bytes.Buffer
	if err := page.ExecuteTemplate(&b, name, data); err != nil {
		return nil, fmt.Errorf("%s: %w", t.source[name], err)
	}
	return b.Bytes(), nil
}

// Assets returns the theme's files that are not templates, by name.
func (t *Theme) Assets() map[string][]byte { return t.assets }
