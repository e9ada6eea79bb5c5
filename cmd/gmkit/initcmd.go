package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gmkit/gmkit/build/slug"
	contentexample "github.com/gmkit/gmkit/content-example"
)

func newInitCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "init DIR",
		Short: "Create a new site from the example",
		Long: `Init creates DIR (which must not exist or be empty) and copies the example
site into it: gmkit.toml, content/ with a few posts and pages, static/,
cgi-bin/ with two scripts, and a .gitignore that keeps public/ (and the
previous output kept beside it) and the private .gmkit/ state folder out of
version control.`,
		Example: `  gmkit init mysite && cd mysite && gmkit serve --watch`,
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
				return fmt.Errorf("%s already exists and is not empty; pick a new folder", dir)
			} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("checking %s: %w", dir, err)
			}
			if err := extractExample(dir); err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "Created a new site in %s.\nNext:\n  cd %s\n  gmkit serve --watch\n", dir, dir)
			return nil
		},
	}
}

// extractExample writes the embedded example site into dir, making CGI
// scripts executable.
func extractExample(dir string) error {
	return fs.WalkDir(contentexample.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == "embed.go" {
			return nil
		}
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return fmt.Errorf("creating %s: %w", dst, err)
			}
			return nil
		}
		b, err := fs.ReadFile(contentexample.FS, p)
		if err != nil {
			return err
		}
		mode := fs.FileMode(0o644)
		if strings.HasPrefix(p, "cgi-bin/") {
			mode = 0o755
		}
		if err := os.WriteFile(dst, b, mode); err != nil {
			return fmt.Errorf("writing %s: %w", dst, err)
		}
		return os.Chmod(dst, mode)
	})
}

func newNewCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "new (PATH.md | post TITLE | page TITLE | SECTION TITLE)",
		Short: "Create a post or page with its front matter filled in",
		Long: `New creates a Markdown file under content/ with front matter filled in:
a title, today's date and an empty tag list.

  gmkit new posts/my-first-post.md   creates that file; the title comes from the name
  gmkit new post "My First Post"     creates content/posts/my-first-post.md
  gmkit new page "About Me"          creates content/about-me.md (a page, no date)
  gmkit new notes "A Note"           creates content/notes/a-note.md

File names are ASCII, so that every client can open the address: accents
are dropped ("Ça va?" is ca-va.md) and a title with no Latin letters or
digits is named by today's date (2025-03-01.md). build.unicode_slugs = true
in gmkit.toml keeps the letters as they are.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 1 || len(args) > 2 {
				return &usageError{fmt.Errorf("gmkit new takes a path, or a kind and a title")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := g.needSite(); err != nil {
				return err
			}
			v, _, err := newViper(g.site, g.config, nil)
			if err != nil {
				return err
			}
			now := time.Now()
			rel, title, dated, err := newTarget(args, v.GetBool("build.unicode_slugs"), now)
			if err != nil {
				return &usageError{err}
			}
			content := filepath.Join(g.site, v.GetString("build.content"))
			if rel, err = dateSlugFree(content, rel, now); err != nil {
				return err
			}
			file := filepath.Join(content, filepath.FromSlash(rel))
			if _, err := os.Stat(file); err == nil {
				return fmt.Errorf("%s already exists", file)
			}
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				return fmt.Errorf("creating %s: %w", filepath.Dir(file), err)
			}
			var b strings.Builder
			fmt.Fprintf(&b, "---\ntitle: %q\n", title)
			if dated {
				fmt.Fprintf(&b, "date: %s\ntags: []\n", time.Now().Format("2006-01-02"))
			}
			b.WriteString("draft: false\n---\n\nWrite here.\n")
			f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if err != nil {
				return fmt.Errorf("creating %s: %w", file, err)
			}
			if _, err := f.WriteString(b.String()); err != nil {
				f.Close()
				return fmt.Errorf("writing %s: %w", file, err)
			}
			if err := f.Close(); err != nil {
				return fmt.Errorf("writing %s: %w", file, err)
			}
			fmt.Fprintf(g.stdout, "Created %s\n", file)
			return nil
		},
	}
}

// newTarget works out the file to create (below content/), its title and
// whether it gets a date.
// A title with no letters or digits that make an ASCII name (日本語)
// is named by its date, now's: 2025-03-01.md (see dateSlugFree). With unicodeSlugs, the name
// keeps the title's letters as they are.
func newTarget(args []string, unicodeSlugs bool, now time.Time) (rel, title string, dated bool, err error) {
	if len(args) == 1 {
		rel = path.Clean(filepath.ToSlash(args[0]))
		if !strings.HasSuffix(rel, ".md") {
			return "", "", false, fmt.Errorf("%q: give a path ending in .md, or a kind and a title", args[0])
		}
		if strings.HasPrefix(rel, "../") || strings.HasPrefix(rel, "/") || rel == ".." {
			return "", "", false, fmt.Errorf("%q: give a path inside content/", args[0])
		}
		rel = strings.TrimPrefix(rel, "content/")
		base := strings.TrimSuffix(path.Base(rel), ".md")
		base = datePrefixRe.ReplaceAllString(base, "")
		title = strings.ReplaceAll(base, "-", " ")
		if title != "" {
			title = strings.ToUpper(title[:1]) + title[1:]
		}
		return rel, title, strings.Contains(rel, "/"), nil
	}
	kind, title := args[0], strings.TrimSpace(args[1])
	if title == "" {
		return "", "", false, fmt.Errorf("give a title: gmkit new %s \"My Title\"", kind)
	}
	name := slug.Make(title, unicodeSlugs)
	if name == "" {
		name = now.Format("2006-01-02")
	}
	switch kind {
	case "post", "posts":
		return "posts/" + name + ".md", title, true, nil
	case "page":
		return name + ".md", title, false, nil
	}
	if strings.ContainsAny(kind, `/\.`) {
		return "", "", false, fmt.Errorf("section %q: give a folder name without slashes", kind)
	}
	return kind + "/" + name + ".md", title, true, nil
}

var datePrefixRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}-`)

// dateSlugFree makes a file named by a date (see newTarget) unique: a
// second post of the day is 2025-03-01_2.md, and so on (not -2, which
// would read as a date prefix and leave the address /posts/2/). Other names are
// returned as they are.
func dateSlugFree(content, rel string, now time.Time) (string, error) {
	day := now.Format("2006-01-02")
	if path.Base(rel) != day+".md" {
		return rel, nil
	}
	dir := path.Dir(rel)
	for n := 1; n < 1000; n++ {
		name := day
		if n > 1 {
			name = fmt.Sprintf("%s_%d", day, n)
		}
		cand := path.Join(dir, name+".md")
		if _, err := os.Stat(filepath.Join(content, filepath.FromSlash(cand))); errors.Is(err, fs.ErrNotExist) {
			return cand, nil
		}
	}
	return "", fmt.Errorf("%s: a thousand files named by today's date already; give the post a title with Latin letters or digits", filepath.Join(content, dir))
}
