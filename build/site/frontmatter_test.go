package site

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// readFrontMatter splits and decodes a whole file's front matter.
func readFrontMatter(t *testing.T, src string) (FrontMatter, error) {
	t.Helper()
	format, text, _, line, err := splitFrontMatter([]byte(src))
	if err != nil {
		t.Fatalf("splitting %q: %v", src, err)
	}
	return parseFrontMatter("content/x.md", format, text, line, []string{"gemini", "gopher"}, nil)
}

func TestFrontMatterAccepts(t *testing.T) {
	utc := func(y int, m time.Month, d, h, mi, s int) time.Time { return time.Date(y, m, d, h, mi, s, 0, time.UTC) }
	plus2 := time.FixedZone("", 2*3600)
	cases := []struct {
		name, src string
		want      FrontMatter
	}{
		{"empty description", "---\ntitle: T\ndescription:\n---\n", FrontMatter{Title: "T"}},
		{"empty keys", "---\ntitle:\ndate:\ntags:\nweight:\ndraft:\noutputs:\nslug:\naliases:\ncustom:\n---\n", FrontMatter{}},
		{"null", "---\nsummary: null\ntitle: ~\n---\n", FrontMatter{}},

		{"date only", "---\ndate: 2017-08-20\n---\n", FrontMatter{Date: utc(2017, 8, 20, 0, 0, 0)}},
		{"date quoted", "---\ndate: \"2017-08-20\"\n---\n", FrontMatter{Date: utc(2017, 8, 20, 0, 0, 0)}},
		{"date space time", "---\ndate: 2017-08-20 00:23:00\n---\n", FrontMatter{Date: utc(2017, 8, 20, 0, 23, 0)}},
		{"date space time offset", "---\ndate: 2017-08-20 00:23:00 +0200\n---\n", FrontMatter{Date: time.Date(2017, 8, 20, 0, 23, 0, 0, plus2)}},
		{"date space time colon offset", "---\ndate: 2017-08-20 00:23:00 +02:00\n---\n", FrontMatter{Date: time.Date(2017, 8, 20, 0, 23, 0, 0, plus2)}},
		{"date minutes", "---\ndate: 2017-08-20 00:23\n---\n", FrontMatter{Date: utc(2017, 8, 20, 0, 23, 0)}},
		{"date minutes offset", "---\ndate: 2017-08-20 00:23 +0200\n---\n", FrontMatter{Date: time.Date(2017, 8, 20, 0, 23, 0, 0, plus2)}},
		{"rfc3339", "---\ndate: 2017-08-20T00:23:00+02:00\n---\n", FrontMatter{Date: time.Date(2017, 8, 20, 0, 23, 0, 0, plus2)}},
		{"rfc3339 Z", "---\ndate: 2017-08-20T00:23:00Z\n---\n", FrontMatter{Date: utc(2017, 8, 20, 0, 23, 0)}},
		{"rfc3339 no offset", "---\ndate: 2017-08-20T00:23:00\n---\n", FrontMatter{Date: utc(2017, 8, 20, 0, 23, 0)}},
		{"rfc3339 short offset", "---\ndate: \"2017-08-20T00:23:00+0200\"\n---\n", FrontMatter{Date: time.Date(2017, 8, 20, 0, 23, 0, 0, plus2)}},
		{"rfc1123", "---\ndate: \"Sun, 20 Aug 2017 00:23:00 +0200\"\n---\n", FrontMatter{Date: time.Date(2017, 8, 20, 0, 23, 0, 0, plus2)}},
		{"rfc1123 GMT", "---\ndate: \"Sun, 20 Aug 2017 00:23:00 GMT\"\n---\n", FrontMatter{Date: time.Date(2017, 8, 20, 0, 23, 0, 0, time.FixedZone("GMT", 0))}},
		{"long form", "---\ndate: August 20, 2017\n---\n", FrontMatter{Date: utc(2017, 8, 20, 0, 0, 0)}},
		{"toml local date", "+++\ndate = 2017-08-20\n+++\n", FrontMatter{Date: utc(2017, 8, 20, 0, 0, 0)}},
		{"toml local date time", "+++\ndate = 2017-08-20T00:23:00\n+++\n", FrontMatter{Date: utc(2017, 8, 20, 0, 23, 0)}},
		{"toml string date", "+++\ndate = \"2017-08-20 00:23:00 +0200\"\n+++\n", FrontMatter{Date: time.Date(2017, 8, 20, 0, 23, 0, 0, plus2)}},

		{"number title", "---\ntitle: 1984\n---\n", FrontMatter{Title: "1984"}},
		{"float title", "---\ntitle: 3.14\n---\n", FrontMatter{Title: "3.14"}},
		{"bool title", "---\ntitle: true\n---\n", FrontMatter{Title: "true"}},
		{"date title", "---\ntitle: 2017-08-20\n---\n", FrontMatter{Title: "2017-08-20"}},
		{"number slug", "---\nslug: 404\n---\n", FrontMatter{Slug: "404"}},
		{"number description", "---\ndescription: 42\n---\n", FrontMatter{Summary: "42"}},
		{"string weight", "---\nweight: \"10\"\n---\n", FrontMatter{Weight: 10}},
		{"float weight", "---\nweight: 10.0\n---\n", FrontMatter{Weight: 10}},
		{"toml string weight", "+++\nweight = \" 7 \"\n+++\n", FrontMatter{Weight: 7}},
		{"string draft", "---\ndraft: \"true\"\n---\n", FrontMatter{Draft: true}},
		{"string draft false", "---\ndraft: \"False\"\n---\n", FrontMatter{}},
		{"yes draft", "---\ndraft: yes\n---\n", FrontMatter{Draft: true}},

		{"tags commas", "---\ntags: go, gemini , small web\n---\n", FrontMatter{Tags: []string{"go", "gemini", "small web"}}},
		{"tags spaces", "---\ntags: go gemini  web\n---\n", FrontMatter{Tags: []string{"go", "gemini", "web"}}},
		{"tags one", "---\ntags: go\n---\n", FrontMatter{Tags: []string{"go"}}},
		{"tags empty string", "---\ntags: \"\"\n---\n", FrontMatter{Tags: []string{}}},
		{"tags numbers", "---\ntags: [2017, go]\n---\n", FrontMatter{Tags: []string{"2017", "go"}}},
		{"toml tags string", "+++\ntags = \"a, b\"\n+++\n", FrontMatter{Tags: []string{"a", "b"}}},
		{"categories string", "---\ncategories: news misc\n---\n", FrontMatter{Terms: map[string][]string{"categories": {"news", "misc"}}, Params: map[string]any{"categories": []any{"news", "misc"}}}},
		{"keywords commas", "---\nkeywords: a b, c\n---\n", FrontMatter{Params: map[string]any{"keywords": []any{"a b", "c"}}}},
		{"categories list", "---\nCategories: [x, 1]\n---\n", FrontMatter{Terms: map[string][]string{"categories": {"x", "1"}}, Params: map[string]any{"Categories": []any{"x", "1"}}}},

		{"json", "{\n  \"title\": \"J\",\n  \"date\": \"2017-08-20\",\n  \"tags\": [\"a\", \"b\"],\n  \"weight\": 3,\n  \"draft\": false\n}\nBody.\n",
			FrontMatter{Title: "J", Date: utc(2017, 8, 20, 0, 0, 0), Tags: []string{"a", "b"}, Weight: 3}},
		{"json one line", `{"title": "One", "custom": {"n": 1.5, "m": [2]}}`, FrontMatter{Title: "One", Params: map[string]any{"custom": map[string]any{"n": 1.5, "m": []any{int64(2)}}}}},
		{"json braces in strings", `{"title": "a } b { \" c"}`, FrontMatter{Title: `a } b { " c`}},
		{"json empty", "{}\nBody.\n", FrontMatter{}},
		{"json after blank lines", "\n\n{\"title\": \"Late\"}\n", FrontMatter{Title: "Late"}},
		{"json null", `{"title": null, "weight": "4"}`, FrontMatter{Weight: 4}},

		{"publishDate", "---\npublishDate: 2030-01-02\n---\n", FrontMatter{Date: utc(2030, 1, 2, 0, 0, 0), PublishDate: utc(2030, 1, 2, 0, 0, 0)}},
		{"publishDate and date", "---\ndate: 2020-01-01\npublishdate: 2030-01-02\n---\n", FrontMatter{Date: utc(2020, 1, 1, 0, 0, 0), PublishDate: utc(2030, 1, 2, 0, 0, 0)}},
		{"pubdate", "+++\npubdate = 2030-01-02\n+++\n", FrontMatter{Date: utc(2030, 1, 2, 0, 0, 0), PublishDate: utc(2030, 1, 2, 0, 0, 0)}},
		{"publishDate before pubdate", "---\npubdate: 2031-01-01\npublishDate: 2030-01-02\n---\n", FrontMatter{Date: utc(2030, 1, 2, 0, 0, 0), PublishDate: utc(2030, 1, 2, 0, 0, 0)}},
		{"published date", "---\npublished: 2030-01-02 10:00\n---\n", FrontMatter{Date: utc(2030, 1, 2, 10, 0, 0), PublishDate: utc(2030, 1, 2, 10, 0, 0)}},
		{"published false", "---\npublished: false\n---\n", FrontMatter{Draft: true}},
		{"published true", "---\npublished: true\n---\n", FrontMatter{}},
		{"published string false", "---\npublished: \"false\"\n---\n", FrontMatter{Draft: true}},
		{"expiryDate", "---\nexpiryDate: 2020-01-02\n---\n", FrontMatter{ExpiryDate: utc(2020, 1, 2, 0, 0, 0)}},
		{"unpublishdate", "---\nunpublishdate: 2020-01-02\n---\n", FrontMatter{ExpiryDate: utc(2020, 1, 2, 0, 0, 0)}},
		{"expiryDate wins", "---\nunpublishdate: 2021-01-01\nexpirydate: 2020-01-02\n---\n", FrontMatter{ExpiryDate: utc(2020, 1, 2, 0, 0, 0)}},

		{"headless", "---\nheadless: true\n---\n", FrontMatter{Headless: true}},
		{"_build render never", "---\n_build:\n  render: never\n---\n", FrontMatter{Headless: true}},
		{"build render false", "+++\n[build]\nrender = false\npublishResources = false\n+++\n", FrontMatter{Headless: true}},
		{"_build render link", "---\n_build: {render: link}\n---\n", FrontMatter{Headless: true}},
		{"_build list never", "---\n_build:\n  list: never\n  render: always\n---\n", FrontMatter{Unlisted: true}},
		{"_build list local", "---\n_build: {list: local}\n---\n", FrontMatter{ListLocal: true}},
		{"json _build", `{"_build": {"list": false}}`, FrontMatter{Unlisted: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := readFrontMatter(t, c.src)
			if err != nil {
				t.Fatalf("front matter %q: got error %v", c.src, err)
			}
			if diff := cmp.Diff(c.want, got, sameTime, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("front matter %q (-want +got):\n%s", c.src, diff)
			}
		})
	}
}

func TestFrontMatterErrors(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"list title", "---\ntitle: [a, b]\n---\n", `content/x.md:2: front matter key "title": want a string`},
		{"bad date", "---\ntitle: T\ndate: soon\n---\n", `content/x.md:3: front matter key "date": want a date`},
		{"bad weight", "---\nweight: heavy\n---\n", `content/x.md:2: front matter key "weight": want a whole number`},
		{"fractional weight", "+++\nweight = 1.5\n+++\n", `content/x.md:2: front matter key "weight": want a whole number`},
		{"bad draft", "---\n\ndraft: maybe\n---\n", `content/x.md:3: front matter key "draft": want true or false`},
		{"map tags", "---\ntags: {a: b}\n---\n", `content/x.md:2: front matter key "tags": want a list of strings`},
		{"nested tags", "---\ntags: [[a]]\n---\n", `content/x.md:2: front matter key "tags": want a list of strings`},
		{"map categories", "---\ncategories: {a: b}\n---\n", `content/x.md:2: front matter key "categories": want a list of strings`},
		{"slug slash", "---\nslug: a/b\n---\n", `content/x.md:2: front matter key "slug": want a name without slashes`},
		{"json syntax", "{\n  \"title\": \"T\",\n  \"draft\": tru\n}\n", `content/x.md:3: front matter (JSON): invalid character`},
		{"json trailing comma", "{\n  \"title\": \"T\",\n}\n", `content/x.md:3: front matter (JSON): invalid character '}'`},
		{"json type", "\n{\n  \"title\": \"T\",\n  \"draft\": \"maybe\"\n}\n", `content/x.md:4: front matter key "draft": want true or false`},
		{"json one line type", `{"title": "T", "weight": "heavy"}`, `content/x.md:1: front matter key "weight": want a whole number`},
		{"bad publishDate", "---\npublishDate: someday\n---\n", `content/x.md:2: front matter key "publishDate": want a date`},
		{"bad published", "---\npublished: someday\n---\n", `content/x.md:2: front matter key "published": want true, false or a date`},
		{"bad expiryDate", "---\ntitle: T\nexpiryDate: [1]\n---\n", `content/x.md:3: front matter key "expiryDate": want a date`},
		{"bad headless", "---\nheadless: sometimes\n---\n", `content/x.md:2: front matter key "headless": want true or false`},
		{"_build not a table", "---\n_build: never\n---\n", `content/x.md:2: front matter key "_build": want a table`},
		{"_build bad render", "---\ntitle: T\n_build:\n  render: sometimes\n---\n", `content/x.md:3: front matter key "_build": render: want always, never or link, got sometimes`},
		{"build bad list", "+++\n[build]\nlist = 3\n+++\n", `content/x.md:2: front matter key "build": list: want always, never or local, got 3`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := readFrontMatter(t, c.src)
			if err == nil {
				t.Fatalf("front matter %q: got no error, want %q", c.src, c.want)
			}
			if got := err.Error(); len(got) < len(c.want) || got[:len(c.want)] != c.want {
				t.Errorf("front matter %q: got error %q, want it to start %q", c.src, got, c.want)
			}
		})
	}
}

func TestFrontMatterOutputs(t *testing.T) {
	cases := []struct {
		src          string
		want, ignore []string
	}{
		{"---\noutputs: [gemini]\n---\n", []string{"gemini"}, nil},
		{"---\noutputs: [html, rss]\n---\n", nil, []string{"html", "rss"}},
		{"---\noutputs: HTML\n---\n", nil, []string{"html"}},
		{"---\noutputs: [gemtext]\n---\n", []string{"gemini"}, nil},
		{"---\noutputs: [Gemtext, GOPHER, html, gemini]\n---\n", []string{"gemini", "gopher"}, []string{"html"}},
		{"---\noutputs: [html, HTML, Html]\n---\n", nil, []string{"html"}},
		{"---\noutputs: []\n---\n", nil, nil},
		{"+++\noutputs = [\"html\", \"gemtext\"]\n+++\n", []string{"gemini"}, []string{"html"}},
	}
	for _, c := range cases {
		got, err := readFrontMatter(t, c.src)
		if err != nil {
			t.Errorf("front matter %q: got error %v", c.src, err)
			continue
		}
		if diff := cmp.Diff(c.want, got.Outputs, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("front matter %q: outputs (-want +got):\n%s", c.src, diff)
		}
		if diff := cmp.Diff(c.ignore, got.IgnoredOutputs, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("front matter %q: ignored outputs (-want +got):\n%s", c.src, diff)
		}
	}
}

// TestLoadWarnsOncePerIgnoredOutput: an outputs value that names no output
// is reported once for the whole site, at the first file that has it, and
// the pages that name it still load.
func TestLoadWarnsOncePerIgnoredOutput(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"content/a.md":       "---\noutputs: [html, rss]\n---\nA.\n",
		"content/b.md":       "---\noutputs: [HTML, gemtext]\n---\nB.\n",
		"content/posts/c.md": "---\noutputs: html\n---\nC.\n",
	})
	s, err := Load(context.Background(), Config{Dir: dir, ContentDir: "content", StaticDir: "static", Outputs: []string{"gemini", "gopher"}}, nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := []Skip{
		{File: filepath.Join("content", "a.md"), Reason: `outputs value "html", which names no output here (in 3 pages)`},
		{File: filepath.Join("content", "a.md"), Reason: `outputs value "rss", which names no output here`},
	}
	if diff := cmp.Diff(want, s.Skipped); diff != "" {
		t.Errorf("Skipped (-want +got):\n%s", diff)
	}
	if got := len(s.Pages); got != 3 {
		t.Errorf("got %d pages, want 3", got)
	}
	if b := s.Page("b.md"); b == nil || !slices.Equal(b.Outputs, []string{"gemini"}) {
		t.Errorf("b.md: got %v, want a page for gemini only", b)
	}
}

// TestSplitJSON: JSON front matter is one object at the start of the
// file; the body starts on the line after its closing brace, and a body
// that starts with a template tag is not taken for JSON.
func TestSplitJSON(t *testing.T) {
	cases := []struct {
		src, format, fm, body string
		line                  int
	}{
		{"{\"title\": \"T\"}\nBody.\n", "json", `{"title": "T"}`, "Body.\n", 1},
		{"{\"title\": \"T\"}  \r\n\nBody.\n", "json", `{"title": "T"}`, "\nBody.\n", 1},
		{"\n {\n\"a\": \"}\"\n}\nB", "json", "{\n\"a\": \"}\"\n}", "B", 2},
		{"{\"title\": \"T\"} trailing\n", "json", `{"title": "T"}`, " trailing\n", 1},
		{"{}", "json", "{}", "", 1},
		{"{{< toc >}}\n\nBody.\n", "", "", "{{< toc >}}\n\nBody.\n", 0},
		{"{% include x.html %}\n", "", "", "{% include x.html %}\n", 0},
		{"{: .class}\n", "", "", "{: .class}\n", 0},
	}
	for _, c := range cases {
		format, fm, body, line, err := splitFrontMatter([]byte(c.src))
		if err != nil {
			t.Errorf("split %q: %v", c.src, err)
			continue
		}
		if format != c.format || string(fm) != c.fm || string(body) != c.body || line != c.line {
			t.Errorf("split %q: got %q, %q, %q, line %d; want %q, %q, %q, line %d", c.src, format, fm, body, line, c.format, c.fm, c.body, c.line)
		}
	}
	if _, _, _, line, err := splitFrontMatter([]byte("\n{\"title\": \"{\"\n")); err == nil || line != 2 {
		t.Errorf("unclosed JSON object: got line %d, error %v; want line 2 and an error", line, err)
	}
}

// TestLoadPublishes: drafts, `published: false`, future publication dates
// and past expiry dates keep a page out, judged against Config.Now,
// unless the configuration includes them; headless pages are never
// written; unlisted pages are published but listed nowhere.
func TestLoadPublishes(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"content/posts/plain.md":      "---\ndate: 2026-01-01\n---\nP.\n",
		"content/posts/draft.md":      "---\ndraft: true\n---\nD.\n",
		"content/posts/unpub.md":      "---\npublished: false\n---\nU.\n",
		"content/posts/future.md":     "---\ndate: 2026-07-01\n---\nF.\n",
		"content/posts/pubfuture.md":  "---\ndate: 2026-01-01\npublishDate: 2026-06-01T00:00:01Z\n---\nF.\n",
		"content/posts/pubpast.md":    "---\ndate: 2027-01-01\npublishDate: 2026-01-01\n---\nP.\n",
		"content/posts/expired.md":    "---\ndate: 2026-01-01\nexpiryDate: 2026-05-31\n---\nE.\n",
		"content/posts/notexpired.md": "---\ndate: 2026-01-01\nunpublishdate: 2026-06-02\n---\nE.\n",
		"content/posts/headless.md":   "---\nheadless: true\n---\nH.\n",
		"content/posts/unlisted.md":   "---\ndate: 2026-02-01\ntags: [t]\n_build: {list: never}\n---\nU.\n",
		"content/posts/local.md":      "---\ndate: 2026-02-02\ntags: [t]\n_build: {list: local}\n---\nL.\n",
	})
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	load := func(cfg Config) *Site {
		t.Helper()
		cfg.Dir, cfg.ContentDir, cfg.StaticDir, cfg.Now = dir, "content", "static", now
		s, err := Load(context.Background(), cfg, nil)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		return s
	}
	names := func(ps []*Page) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Source)
		}
		slices.Sort(out)
		return out
	}
	cases := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"default", Config{}, []string{"posts/local.md", "posts/notexpired.md", "posts/plain.md", "posts/pubpast.md", "posts/unlisted.md"}},
		{"drafts", Config{Drafts: true}, []string{"posts/draft.md", "posts/local.md", "posts/notexpired.md", "posts/plain.md", "posts/pubpast.md", "posts/unlisted.md", "posts/unpub.md"}},
		{"future", Config{Future: true}, []string{"posts/future.md", "posts/local.md", "posts/notexpired.md", "posts/plain.md", "posts/pubfuture.md", "posts/pubpast.md", "posts/unlisted.md"}},
		{"expired", Config{Expired: true}, []string{"posts/expired.md", "posts/local.md", "posts/notexpired.md", "posts/plain.md", "posts/pubpast.md", "posts/unlisted.md"}},
	}
	for _, c := range cases {
		s := load(c.cfg)
		if diff := cmp.Diff(c.want, names(s.Pages)); diff != "" {
			t.Errorf("%s: pages (-want +got):\n%s", c.name, diff)
		}
	}
	s := load(Config{})
	if diff := cmp.Diff([]string{"posts/local.md", "posts/notexpired.md", "posts/plain.md", "posts/pubpast.md"}, names(s.Section("posts").Pages)); diff != "" {
		t.Errorf("section pages (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"posts/notexpired.md", "posts/plain.md", "posts/pubpast.md"}, names(s.Posts())); diff != "" {
		t.Errorf("posts (-want +got):\n%s", diff)
	}
	if len(s.Tags) != 0 {
		t.Errorf("got tags %v, want none: the only tagged pages are unlisted or local", s.Tags)
	}
}
