package build

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gmkit/gmkit/build/site"
	"github.com/pelletier/go-toml/v2"
	"go.yaml.in/yaml/v3"
)

var (
	rebuildSeed  = flag.Uint64("rebuild.seed", 1, "seed of TestRebuildEqualsFresh's edits (0: from the clock)")
	rebuildRuns  = flag.Int("rebuild.runs", 1, "edit sequences per site in TestRebuildEqualsFresh")
	rebuildSteps = flag.Int("rebuild.steps", 12, "edits per sequence in TestRebuildEqualsFresh")
)

// TestRebuildEqualsFresh is the property that makes `serve --watch`
// trustworthy: whatever is edited, a rebuild by the same Builder gives
// exactly what a fresh build of the same files gives (the same files,
// bytes, modes, times and warnings, or the same error). It applies random
// sequences of edits (posts added, deleted and renamed; titles, dates,
// publication and expiry dates, tags, drafts, build options, weights,
// outputs, slugs and bodies changed; templates
// written, broken and removed; config changed) to every site fixture, each
// as it is and with a theme whose templates reach every field, view and
// function templates can reach (see reachTheme), and to a generated site
// whose lists are long. The rebuilding Builder is told every path the
// edits touched, as `serve --watch`'s file watcher tells it, and loads the
// site from those paths alone (see Builder.Track); now and then it is told
// that events were lost. A config change makes a new Builder, as `serve
// --watch` does.
//
// It is seeded: a failure prints the seed and the edits that led to it.
// For a longer run:
//
//	go test ./build -run TestRebuildEqualsFresh -rebuild.seed 0 -rebuild.runs 20 -rebuild.steps 40
func TestRebuildEqualsFresh(t *testing.T) {
	seed := *rebuildSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	files, err := filepath.Glob(filepath.Join(fixtureDir, "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures in %s (%v)", fixtureDir, err)
	}
	type site struct {
		name  string
		reach bool
		load  func(t *testing.T) Config
	}
	var sites []site
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		load := func(t *testing.T) Config { return loadFixture(t, file).cfg }
		sites = append(sites, site{name, false, load}, site{name + "/reach", true, load})
	}
	// A section longer than bindLimit: its lists are handed out unbound.
	long := func(t *testing.T) Config {
		dir := t.TempDir()
		for i := range bindLimit + 6 {
			post := fmt.Sprintf("---\ntitle: Post %d\ndate: %s\ntags: [%s]\n---\nPost %d, after [the one before](p-%02d.md).\n",
				i, date(2026, 1, 1).AddDate(0, 0, i).Format(time.DateOnly), pickOf(nil, i, "radio", "go", "night"), i, i-1)
			writeSiteFile(t, dir, fmt.Sprintf("content/posts/p-%02d.md", i), []byte(post))
		}
		cfg := Config{Dir: dir, Title: "Long", Hostname: "example.org"}
		// Lists are bound (or not) by the build alike for every output;
		// the fixtures hold the web to its rebuilds. Two outputs keep
		// this, the slowest site, within the race detector's time.
		cfg.Set("html", "enabled", false)
		return cfg
	}
	sites = append(sites, site{"long", false, long}, site{"long/reach", true, long})

	for _, s := range sites {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			for run := range *rebuildRuns {
				h := fnv.New64a()
				fmt.Fprintf(h, "%s/%d", s.name, run)
				rng := rand.New(rand.NewPCG(seed, h.Sum64()))
				cfg := s.load(t)
				if s.reach {
					writeReachTheme(t, cfg.Dir)
					cfg.Theme = "reach"
				}
				e := &editor{t: t, rng: rng, cfg: cfg.Defaults(), original: cfg.Theme}
				e.sequence(fmt.Sprintf("-rebuild.seed %d -run 'TestRebuildEqualsFresh/%s$' (run %d)", seed, s.name, run))
			}
		})
	}
}

// editor applies random edits to a site folder.
type editor struct {
	t        *testing.T
	rng      *rand.Rand
	cfg      Config
	original string // the site's own theme
	n        int    // for new file names
	aged     int    // files given an old time (see age)
	// changed are the paths the edits touched since they were last told
	// to the builder (see changing).
	changed []string
}

// changing records that the file at full is about to be written, removed
// or renamed, with every folder the write will make: the paths a file
// watcher reports.
func (e *editor) changing(full string) {
	for d := filepath.Dir(full); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); !errors.Is(err, fs.ErrNotExist) || d == filepath.Dir(d) {
			break
		}
		e.changed = append(e.changed, d)
	}
	e.changed = append(e.changed, full)
}

// tell tells the builder what the edits changed, as a file watcher does:
// at times in two bursts, at times with events lost.
func (e *editor) tell(b *Builder) {
	switch e.pick(8) {
	case 0:
		b.Changed(append(e.changed, ".")) // the watcher's queue overflowed
	case 1:
		half := len(e.changed) / 2
		b.Changed(e.changed[:half])
		b.Changed(e.changed[half:])
	default:
		b.Changed(e.changed)
	}
	e.changed = nil
}

// sequence builds the site, then edits and rebuilds it, comparing each
// rebuild with a fresh build.
func (e *editor) sequence(repeat string) {
	t := e.t
	ctx := context.Background()
	var history []string
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("rebuild differs from a fresh build (repeat with %s)\nedits:\n  %s\n%s",
			repeat, strings.Join(history, "\n  "), fmt.Sprintf(format, args...))
	}
	// The in-memory caches: one Builder for the whole sequence. The
	// build cache: a new Builder for every build, as `gmkit build` makes,
	// starting from the file the one before saved.
	cacheDir := t.TempDir()
	cached := func() (*Result, error) {
		b := NewBuilder(e.cfg)
		b.UseCache(cacheDir, func(err error) { fail("build cache not used: %v", err) })
		res, err := b.Build(ctx)
		if err == nil {
			if err := b.SaveCache(); err != nil {
				fail("saving the build cache: %v", err)
			}
		}
		return res, err
	}
	e.age()
	b := NewBuilder(e.cfg)
	_, _ = b.Build(ctx) // a fixture may fail to build: so may the rebuilds
	b.Track(ctx)
	_, _ = cached()
	for range *rebuildSteps {
		what, newConfig := e.edit()
		history = append(history, what)
		e.age()
		if newConfig {
			b = NewBuilder(e.cfg) // as serve --watch does on a config change
			b.Track(ctx)
		}
		e.tell(b)
		want, wantErr := NewBuilder(e.cfg).Build(ctx)
		for _, side := range []struct {
			name  string
			build func() (*Result, error)
		}{{"rebuild", func() (*Result, error) { return b.Build(ctx) }}, {"cached build", cached}} {
			got, gotErr := side.build()
			switch {
			case gotErr != nil || wantErr != nil:
				if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
					fail("%s error: %v\nfresh error:   %v", side.name, gotErr, wantErr)
				}
				continue
			}
			if diff := cmp.Diff(snapOutput(t, got.Output), snapOutput(t, want.Output)); diff != "" {
				fail("output (-%s +fresh):\n%s", side.name, diff)
			}
			if diff := cmp.Diff(got.Warnings, want.Warnings); diff != "" {
				fail("warnings (-%s +fresh):\n%s", side.name, diff)
			}
			if g, w := [4]int{got.Pages, got.Sections, got.Tags, got.Feeds}, [4]int{want.Pages, want.Sections, want.Tags, want.Feeds}; g != w {
				fail("pages, sections, tags, feeds: %s %v, fresh %v", side.name, g, w)
			}
		}
	}
}

// age gives every content file written since the last call a time of its
// own, an hour ago and later than any it gave before: older than the racy
// window, so that the builds judge an unchanged file by its size and time
// alone (see site.racyWindow), as they do a site edited a while ago.
func (e *editor) age() {
	now := time.Now()
	err := filepath.WalkDir(e.contentDir(), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if now.Sub(info.ModTime()) < 30*time.Minute {
			e.changing(p)
			e.aged++
			at := now.Add(-time.Hour).Add(time.Duration(e.aged) * time.Second)
			return os.Chtimes(p, at, at)
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// edit applies one random edit and describes it; newConfig is set when it
// changed the configuration.
func (e *editor) edit() (what string, newConfig bool) {
	for {
		switch e.rng.IntN(12) {
		case 0, 1:
			return e.addPost(), false
		case 2:
			if w := e.deletePost(); w != "" {
				return w, false
			}
		case 3:
			if w := e.renamePost(); w != "" {
				return w, false
			}
		case 4, 5, 6, 7:
			if w := e.changeField(); w != "" {
				return w, false
			}
		case 8:
			if w := e.changeBody(); w != "" {
				return w, false
			}
		case 9, 10:
			return e.changeTemplate(), false
		case 11:
			return e.changeConfig(), true
		}
	}
}

func (e *editor) pick(n int) int { return e.rng.IntN(n) }

// pickOf picks one of xs at random, or the i-th (round) without an editor.
func pickOf[T any](e *editor, i int, xs ...T) T {
	if e != nil {
		i = e.rng.IntN(len(xs))
	}
	return xs[i%len(xs)]
}

func (e *editor) contentDir() string { return filepath.Join(e.cfg.Dir, e.cfg.ContentDir) }

// sources lists the site's Markdown files, slash-separated below content/.
func (e *editor) sources() []string {
	var out []string
	_ = filepath.WalkDir(e.contentDir(), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".md") || strings.HasSuffix(p, ".markdown")) {
			rel, _ := filepath.Rel(e.contentDir(), p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(out)
	return out
}

func (e *editor) randomSource() string {
	srcs := e.sources()
	if len(srcs) == 0 {
		return ""
	}
	return srcs[e.pick(len(srcs))]
}

// newName is a file name for a post not yet in the site.
func (e *editor) newName() string {
	e.n++
	sec := pickOf(e, 0, "posts/", "posts/", "gear/", "notes/", "", "posts/travel/", "posts/travel/2026/")
	switch e.pick(7) {
	case 0:
		return sec + "_index.md" // a nested section below posts/
	case 1:
		return fmt.Sprintf("%s2026-03-%02d-dated-%d.md", sec, 1+e.pick(28), e.n)
	case 2:
		return fmt.Sprintf("%sBundle-%d/index.md", sec, e.n) // a page bundle
	}
	return fmt.Sprintf("%snew-%d.md", sec, e.n)
}

// read returns a source's front matter, as keys and values, and body; a
// file whose front matter does not parse is all body.
func (e *editor) read(src string) (map[string]any, []byte) {
	raw, err := os.ReadFile(filepath.Join(e.contentDir(), filepath.FromSlash(src)))
	if err != nil {
		e.t.Fatal(err)
	}
	fm := map[string]any{}
	for _, fence := range []string{"---", "+++"} {
		head, rest, ok := strings.Cut(string(raw), fence+"\n")
		if !ok || head != "" {
			continue
		}
		text, body, ok := strings.Cut(rest, "\n"+fence+"\n")
		if !ok {
			break
		}
		if fence == "---" && yaml.Unmarshal([]byte(text), &fm) != nil || fence == "+++" && toml.Unmarshal([]byte(text), &fm) != nil {
			return map[string]any{}, []byte(body)
		}
		for k, v := range fm {
			switch d := v.(type) {
			case toml.LocalDate:
				fm[k] = d.AsTime(time.UTC)
			case toml.LocalDateTime:
				fm[k] = d.AsTime(time.UTC)
			}
		}
		return fm, []byte(body)
	}
	return fm, raw
}

// write writes a source with YAML front matter (none when fm is empty).
func (e *editor) write(src string, fm map[string]any, body []byte) {
	out := body
	if len(fm) > 0 {
		text, err := yaml.Marshal(fm)
		if err != nil {
			e.t.Fatal(err)
		}
		out = slices.Concat([]byte("---\n"), text, []byte("---\n"), body)
	}
	full := filepath.Join(e.contentDir(), filepath.FromSlash(src))
	e.changing(full)
	if _, err := os.Stat(full); err == nil && e.pick(3) == 0 {
		// As many editors save: a temporary file renamed over the file.
		tmp := filepath.Join(filepath.Dir(full), "."+filepath.Base(full)+".tmp-1")
		e.changing(tmp)
		writeSiteFile(e.t, filepath.Dir(tmp), filepath.Base(tmp), out)
		if err := os.Rename(tmp, full); err != nil {
			e.t.Fatal(err)
		}
		return
	}
	writeSiteFile(e.t, e.contentDir(), src, out)
}

// set sets a front matter key, or removes it for a zero value.
func set(fm map[string]any, key string, v any) {
	switch x := v.(type) {
	case string:
		if x == "" {
			delete(fm, key)
			return
		}
	case time.Time:
		if x.IsZero() {
			delete(fm, key)
			return
		}
	case map[string]any:
		if x == nil {
			delete(fm, key)
			return
		}
	case []string:
		if x == nil {
			delete(fm, key)
			return
		}
	case int:
		if x == 0 {
			delete(fm, key)
			return
		}
	case bool:
		if !x {
			delete(fm, key)
			return
		}
	}
	fm[key] = v
}

var (
	editTitles = []string{"Alpha", "Gamma", "Beta post", "Ünïcödé 日本語", "Tab\there", "", "First post", "A very long title that goes on and on, past the width of a Gopher menu line"}
	editDates  = []time.Time{{}, date(2025, 12, 31), date(2026, 1, 5), date(2026, 2, 10), date(2026, 2, 10).Add(14 * time.Hour), date(2030, 1, 1),
		time.Date(2026, 2, 10, 12, 0, 0, 0, time.FixedZone("", 2*3600))}
	editTags = []string{"radio", "Radio", "Night Owl", "go", "new-tag", "ünï"}
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func (e *editor) randomTags() []string {
	if e.pick(4) == 0 {
		return nil
	}
	var tags []string
	for _, t := range editTags {
		if e.pick(3) == 0 {
			tags = append(tags, t)
		}
	}
	return tags
}

// randomBody is a few paragraphs, some with links to other sources (as
// relative paths from src), missing pages or site paths.
func (e *editor) randomBody(src, title string) []byte {
	var b strings.Builder
	if title != "" && e.pick(4) == 0 {
		fmt.Fprintf(&b, "# %s\n\n", title) // the renderers leave it out
	}
	for range 1 + e.pick(3) {
		switch e.pick(6) {
		case 0:
			if other := e.randomSource(); other != "" {
				rel, _ := filepath.Rel(filepath.Dir(filepath.FromSlash(src)), filepath.FromSlash(other))
				fmt.Fprintf(&b, "See [another page](%s) for more.\n\n", filepath.ToSlash(rel))
				continue
			}
			b.WriteString("Nothing to link.\n\n")
		case 1:
			b.WriteString("A [missing page](nowhere.md) and [a file](/robots.txt).\n\n")
		case 2:
			b.WriteString("* one\n* two with *emphasis*\n\n")
		case 3:
			b.WriteString("```\ncode\n```\n\n")
		case 4:
			b.WriteString("Some words that make a paragraph long enough to be wrapped in a Gopher menu at seventy columns wide.\n\n")
		default:
			fmt.Fprintf(&b, "Paragraph %d.\n\n", e.pick(100))
		}
	}
	return []byte(b.String())
}

func (e *editor) addPost() string {
	src := e.newName()
	fm := map[string]any{}
	set(fm, "title", pickOf(e, 0, editTitles...))
	set(fm, "date", pickOf(e, 0, editDates...))
	set(fm, "tags", e.randomTags())
	set(fm, "weight", e.pick(3))
	set(fm, "draft", e.pick(5) == 0)
	if e.pick(5) == 0 {
		set(fm, "outputs", []string{pickOf(e, 0, "gemini", "gopher", "html")})
	}
	title, _ := fm["title"].(string)
	e.write(src, fm, e.randomBody(src, title))
	return fmt.Sprintf("add %s %v", src, fm)
}

func (e *editor) deletePost() string {
	src := e.randomSource()
	if src == "" {
		return ""
	}
	full := filepath.Join(e.contentDir(), filepath.FromSlash(src))
	e.changing(full)
	if err := os.Remove(full); err != nil {
		e.t.Fatal(err)
	}
	return "delete " + src
}

func (e *editor) renamePost() string {
	src := e.randomSource()
	if src == "" {
		return ""
	}
	dst := e.newName()
	full := filepath.Join(e.contentDir(), filepath.FromSlash(dst))
	from := filepath.Join(e.contentDir(), filepath.FromSlash(src))
	e.changing(from)
	e.changing(full)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.Rename(from, full); err != nil {
		e.t.Fatal(err)
	}
	return "rename " + src + " to " + dst
}

func (e *editor) changeField() string {
	src := e.randomSource()
	if src == "" {
		return ""
	}
	fm, body := e.read(src)
	var what string
	change := func(key string, v any) {
		set(fm, key, v)
		what += fmt.Sprintf(" %s %#v", key, v)
	}
	switch e.pick(12) {
	case 9:
		switch e.pick(4) {
		case 0:
			change("publishDate", pickOf(e, 0, editDates...))
		case 1:
			change("expiryDate", pickOf(e, 0, editDates...))
		case 2:
			published, _ := fm["published"].(bool)
			if _, set := fm["published"]; !set {
				published = true
			}
			change("published", !published)
		default:
			change("pubdate", pickOf(e, 0, editDates...))
		}
	case 11:
		change("categories", pickOf(e, 0, []string(nil), []string{"News"}, []string{"news", "Field Notes"}, []string{"misc"}))
	case 10:
		change("_build", pickOf(e, 0, map[string]any(nil), map[string]any{"list": "never"}, map[string]any{"list": "local"}, map[string]any{"render": "never"}))
		change("headless", e.pick(6) == 0)
	case 0:
		change("title", pickOf(e, 0, editTitles...))
	case 1:
		change("date", pickOf(e, 0, editDates...))
	case 2, 3:
		change("tags", e.randomTags())
	case 4:
		draft, _ := fm["draft"].(bool)
		change("draft", !draft)
	case 5:
		change("weight", e.pick(4)-1)
	case 6:
		change("outputs", pickOf(e, 0, []string(nil), []string{"gemini"}, []string{"gopher"}))
	case 7:
		change("slug", pickOf(e, 0, "", "custom-slug", "first"))
	default:
		change("summary", pickOf(e, 0, "", "A summary.", "Another summary."))
		change("custom", pickOf(e, 0, "x", "y"))
	}
	e.write(src, fm, body)
	return "set " + src + what
}

func (e *editor) changeBody() string {
	src := e.randomSource()
	if src == "" {
		return ""
	}
	fm, _ := e.read(src)
	title, _ := fm["title"].(string)
	body := e.randomBody(src, title)
	e.write(src, fm, body)
	return fmt.Sprintf("body of %s: %q", src, body)
}

// changeTemplate writes, breaks or removes a template of the site's
// theme; for a site on the default theme, the folder themes/default
// overrides the embedded one.
func (e *editor) changeTemplate() string {
	dir := filepath.Join(e.cfg.Dir, e.cfg.ThemesDir, e.cfg.Theme)
	out := pickOf(e, 0, "gemini", "gopher", "html")
	names := []string{"page", "home", "section", "tag", "tags"}
	ext := templateExt(out)
	switch out {
	case "gopher":
		names = append(names, "page.txt")
	case "html":
		names = append(names, "404")
	}
	name := pickOf(e, 0, names...)
	if !strings.Contains(name, ".") {
		name += ext
	}
	full := filepath.Join(dir, out, name)
	e.changing(full)
	e.changing(filepath.Join(dir, out, "_reach"+ext))
	switch e.pick(8) {
	case 0:
		os.Remove(full)
		return "remove template " + full
	case 1:
		writeSiteFile(e.t, dir, out+"/"+name, []byte("{{ .Page.Title "))
		return "break template " + full
	}
	parts := reachParts(e.rng)
	writeSiteFile(e.t, dir, out+"/"+name, []byte(reachTemplate(out, parts)))
	partials := filepath.Join(dir, out, "_reach"+ext)
	if _, err := os.Stat(partials); err != nil || e.pick(3) == 0 {
		writeSiteFile(e.t, dir, out+"/_reach"+ext, []byte(reachPartials(out, e.pick(2) == 0)))
	}
	return fmt.Sprintf("template %s/%s with %q", out, name, parts)
}

func (e *editor) changeConfig() string {
	c := &e.cfg
	var what string
	switch e.pick(16) {
	case 15:
		c.Taxonomies = pickOf(e, 0, nil, []site.Taxonomy{}, []site.Taxonomy{{Singular: "tag", Plural: "tags"}},
			[]site.Taxonomy{{Singular: "category", Plural: "categories"}, {Singular: "series", Plural: "series"}})
		what = fmt.Sprintf("taxonomies %v", c.Taxonomies)
	case 14:
		c.Future, c.Expired = e.pick(2) == 0, e.pick(2) == 0
		// The clock, or a time before some of editDates and after others.
		c.Now = pickOf(e, 0, time.Time{}, date(2026, 1, 6), date(2026, 2, 10).Add(13*time.Hour))
		what = fmt.Sprintf("future %v, expired %v, now %v", c.Future, c.Expired, c.Now)
	case 0:
		c.Title = pickOf(e, 0, "Test Site", "Other", "")
		what = fmt.Sprintf("title %q", c.Title)
	case 1:
		c.Author, c.Description = pickOf(e, 0, "Ann", "Bob", ""), pickOf(e, 0, "", "About things.")
		what = fmt.Sprintf("author %q, description %q", c.Author, c.Description)
	case 2:
		c.LatestPosts = pickOf(e, 0, 1, 2, 10)
		what = fmt.Sprintf("latest posts %d", c.LatestPosts)
	case 3:
		c.FeedLimit = pickOf(e, 0, 1, 50)
		what = fmt.Sprintf("feed limit %d", c.FeedLimit)
	case 4:
		c.UglyURLs = !c.UglyURLs
		what = fmt.Sprintf("ugly URLs %v", c.UglyURLs)
	case 5:
		mode := pickOf(e, 0, "menu", "text")
		c.Set("gopher", "mode", mode)
		what = "gopher mode " + mode
	case 6:
		c.Links = pickOf(e, 0, "paragraph", "at-end", "copy", "off")
		what = "links " + c.Links
	case 7:
		c.Drafts = !c.Drafts
		what = fmt.Sprintf("drafts %v", c.Drafts)
	case 8:
		c.KeepMarkers = !c.KeepMarkers
		what = fmt.Sprintf("keep markers %v", c.KeepMarkers)
	case 9:
		c.Params = pickOf(e, 0, map[string]any(nil), map[string]any{"custom": "x"}, map[string]any{"custom": "y", "n": 2})
		what = fmt.Sprintf("params %v", c.Params)
	case 10:
		width := pickOf(e, 0, 40, 70)
		c.Lang = pickOf(e, 0, "", "en")
		c.Set("gopher", "width", width)
		what = fmt.Sprintf("lang %q, gopher width %d", c.Lang, width)
	case 11:
		gem, hole := pickOf(e, 0, 0, 1966), pickOf(e, 0, 70, 7070)
		c.Set("gemini", "port", gem)
		c.Set("gopher", "port", hole)
		what = fmt.Sprintf("ports %d, %d", gem, hole)
	case 12:
		unsafe, port := pickOf(e, 0, false, true), pickOf(e, 0, 0, 8443)
		c.Set("html", "unsafe", unsafe)
		c.Set("html", "port", port)
		what = fmt.Sprintf("html unsafe %v, port %d", unsafe, port)
	default:
		c.Theme = pickOf(e, 0, e.original, "reach")
		if _, err := os.Stat(filepath.Join(c.Dir, c.ThemesDir, "reach")); errors.Is(err, fs.ErrNotExist) {
			writeReachTheme(e.t, c.Dir)
		}
		what = "theme " + c.Theme
	}
	return "config " + what
}

// The reach theme's templates print everything a template can reach:
// every field and method of every view, through every path (the page's
// own, its neighbours', its tags', the site's lists, sections and tags),
// and every function, in both outputs. Gopher lines are made with the
// menu functions, as a menu must be.

// reachAll names every part a reach template can have.
var reachAll = []string{"site", "lists", "fields", "links", "prev", "sections", "tags", "taxa", "funcs", "menu", "content", "footer", "with-site", "vars", "alternates"}

// reachParts picks some parts, in order.
func reachParts(rng *rand.Rand) []string {
	var parts []string
	for _, p := range reachAll {
		if rng.IntN(2) == 0 {
			parts = append(parts, p)
		}
	}
	return parts
}

// writeReachTheme writes themes/reach with every part in every template.
func writeReachTheme(t testing.TB, dir string) {
	for _, out := range []string{"gemini", "gopher", "html"} {
		ext := templateExt(out)
		names := []string{"page", "home", "section", "tag", "tags"}
		switch out {
		case "gopher":
			names = append(names, "page.txt")
		case "html":
			names = append(names, "404")
		}
		for _, n := range names {
			if !strings.Contains(n, ".") {
				n += ext
			}
			writeSiteFile(t, dir, path.Join("themes/reach", out, n), []byte(reachTemplate(out, reachAll)))
		}
		writeSiteFile(t, dir, path.Join("themes/reach", out, "_reach"+ext), []byte(reachPartials(out, true)))
	}
}

// templateExt is the file name extension of out's templates.
func templateExt(out string) string {
	switch out {
	case "gopher":
		return ".gophermap"
	case "html":
		return ".html"
	}
	return ".gmi"
}

// line is a template action printing expr as one line of out.
func line(out, expr string) string {
	if out == "gopher" {
		return "{{ info (print " + expr + ") }}"
	}
	return "{{ print " + expr + " }}\n"
}

// reachPartials defines the partials the reach templates call; the
// footer reads only the site (and so is frozen), listing every tag with
// its count, or, without tags, the site's title.
func reachPartials(out string, tagsInFooter bool) string {
	l := func(expr string) string { return line(out, expr) }
	footer := l(`"footer" .Site.Title`)
	if tagsInFooter {
		footer = `{{ with .Site }}{{ range .Tags }}` + l(`(printf "%s (%d)" .Name (len .Pages))`) + `{{ end }}{{ end }}`
	}
	return `{{ define "fields" }}` +
		l(`(printf "%s|%s|%s|%t|%s|%s|%s|%v|%v|%d|%v" .Title (date .Date) (dateFormat "2006-01-02T15:04:05Z07:00 MST" .Date) .Draft (join "," .Tags) .Summary .Slug .Aliases .Outputs .Weight .Params)`) +
		l(`(printf "%s|%s|%s|%s|%s|%s|%s|%s|%t|%t|%t|%t" .Source .File .Kind .Section .Path .URL .Permalink .Type .IsDated (.HasOutput "gemini") (.HasOutput "gopher") (.HasOutput "html"))`) +
		`{{ end }}` +
		`{{ define "links" }}` +
		`{{ with .Prev }}` + l(`"older" .Title .URL`) + `{{ end }}` +
		`{{ with .Next }}` + l(`"newer" .Title .URL`) + `{{ end }}` +
		`{{ range .TagLinks }}` + l(`(printf "tag %s %s %s %d" .Name .Slug .URL (len .Pages))`) +
		`{{ range .Pages }}` + l(`"  " .Title (date .Date)`) + `{{ end }}{{ end }}` +
		`{{ end }}` +
		`{{ define "footer" }}` + footer + `{{ end }}`
}

// reachTemplate is a page, home, section or tag template made of parts.
func reachTemplate(out string, parts []string) string {
	l := func(expr string) string { return line(out, expr) }
	var b strings.Builder
	for _, p := range parts {
		switch p {
		case "site":
			b.WriteString(l(`(printf "%s|%s|%s|%s|%s|%v|%s" .Site.Title .Site.Author .Site.Description .Site.Hostname .Site.Lang .Site.Params .Site.BaseURL)`))
		case "lists":
			b.WriteString(`{{ range .Site.Pages }}` + l(`"page" .Title .URL`) + `{{ end }}`)
			b.WriteString(`{{ range limit 3 .Site.Posts }}` + l(`"post" .Title .URL`) + `{{ end }}`)
			b.WriteString(`{{ range .Site.Latest }}{{ template "fields" . }}{{ end }}`)
		case "fields":
			b.WriteString(`{{ with .Page }}{{ template "fields" . }}{{ end }}`)
		case "links":
			b.WriteString(`{{ with .Page }}{{ template "links" . }}{{ end }}`)
		case "prev":
			b.WriteString(`{{ with .Page }}{{ with .Prev }}{{ template "fields" . }}{{ template "links" . }}{{ end }}{{ with .Next }}{{ with .Next }}{{ template "fields" . }}{{ end }}{{ end }}{{ end }}`)
		case "sections":
			b.WriteString(`{{ range .Site.Sections }}` + l(`(printf "section %s %s %s %d" .Name .Title .URL (len .Pages))`) +
				`{{ with .Index }}{{ template "fields" . }}{{ end }}{{ range .Pages }}` + l(`"  " .Title`) + `{{ end }}` +
				`{{ range .Sections }}` + l(`(printf "  subsection %s %s %s %s %d" .Name .Dir .Title .URL (len .Pages))`) +
				`{{ with .Parent }}` + l(`"  parent" .Dir`) + `{{ end }}{{ range .Sections }}` + l(`"    sub" .Dir`) + `{{ end }}{{ end }}{{ end }}`)
			b.WriteString(`{{ with .Section }}` + l(`"this section" .Name .Dir .Title`) + `{{ range .Pages }}{{ template "links" . }}{{ end }}` +
				`{{ with .Parent }}` + l(`"parent" .Dir .Title`) + `{{ end }}{{ range .Sections }}` + l(`"sub" .Dir .Title .URL`) + `{{ end }}{{ end }}`)
		case "tags":
			b.WriteString(`{{ range .Site.Tags }}` + l(`(printf "tag %s %s %s %d" .Name .Slug .URL (len .Pages))`) + `{{ end }}`)
			b.WriteString(`{{ with .Tag }}` + l(`"this tag" .Name`) + `{{ range .Pages }}{{ template "fields" . }}{{ end }}{{ end }}`)
		case "taxa":
			b.WriteString(`{{ range .Site.Taxonomies }}` + l(`(printf "taxonomy %s %s %s %s %d" .Name .Singular .Title .URL (len .Terms))`) +
				`{{ range .Terms }}` + l(`"  " .Taxonomy .Name .URL (len .Pages)`) + `{{ end }}{{ end }}`)
			b.WriteString(`{{ range .Site.Terms "categories" }}` + l(`"category" .Name`) + `{{ range .Pages }}` + l(`"  " .Title`) + `{{ end }}{{ end }}`)
			b.WriteString(`{{ with .Taxonomy }}` + l(`"this taxonomy" .Name .Title`) + `{{ end }}{{ with .Term }}` + l(`"this term" .Name`) + `{{ range .Pages }}{{ template "fields" . }}{{ end }}{{ end }}`)
			b.WriteString(`{{ with .Page }}{{ range .Taxonomies }}` + l(`.Name .Singular .Title .URL`) + `{{ range .Terms }}` + l(`"  " .Name .URL`) +
				`{{ range .Pages }}{{ with .Next }}` + l(`"  next" .Title`) + `{{ end }}{{ end }}{{ end }}{{ end }}` +
				`{{ range .Terms "categories" }}` + l(`"cat" .Name (len .Pages)`) + `{{ end }}{{ end }}`)
		case "funcs":
			b.WriteString(`{{ with .Page }}` +
				l(`(upper .Title) (lower .Title) (trim "  x  ") (truncate 8 .Title) (pad 12 .Slug) (repeat 2 "=") (width .Title) (default "none" .Summary)`) +
				`{{ range limit 1 .Tags }}` + l(`.`) + `{{ end }}{{ end }}`)
		case "menu":
			if out == "gopher" {
				b.WriteString(`{{ rule }}{{ heading "Heading" }}{{ item "1" "Home" "/" }}{{ link "Web" "https://example.com/" }}{{ link "Hole" "gopher://other.example/1/x" }}`)
				b.WriteString(`{{ with .Page }}{{ with .Prev }}{{ page . }}{{ page . "Older:" .Title }}{{ end }}{{ end }}{{ range .Site.Latest }}{{ page . }}{{ end }}`)
			} else if out == "html" {
				b.WriteString(`<a href="/">Home</a>{{ with .Page }}<a href="{{ .URL }}">{{ .Title }}</a>{{ end }}` + "\n")
			} else {
				b.WriteString("=> / Home\n")
			}
		case "content":
			if out == "gopher" {
				b.WriteString("{{ .Content }}")
			} else {
				b.WriteString("{{ .Content }}\n")
			}
		case "footer":
			b.WriteString(`{{ template "footer" . }}`)
		case "with-site":
			b.WriteString(`{{ with .Site }}{{ range .Tags }}` + l(`(printf "%s %d" .Name (len .Pages))`) + `{{ end }}{{ range .Sections }}{{ with .Index }}` + l(`.Title`) + `{{ end }}{{ end }}{{ end }}`)
		case "alternates":
			b.WriteString(`{{ range $out, $url := .Alternates }}` + l(`"also" $out $url`) + `{{ end }}`)
		case "vars":
			b.WriteString(`{{ $p := .Page }}{{ $s := .Site }}{{ with $p }}{{ range .TagLinks }}{{ range .Pages }}{{ with .Prev }}` + l(`"before" .Title`) + `{{ end }}{{ end }}{{ end }}{{ end }}{{ range $s.Latest }}{{ if and $p (eq .URL $p.URL) }}` + l(`"this one"`) + `{{ end }}{{ end }}`)
		}
	}
	if b.Len() == 0 {
		return l(`"empty"`)
	}
	return b.String()
}
