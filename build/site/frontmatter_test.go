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
	return parseFrontMatter("content/x.md", format, text, line, []string{"gemini", "gopher"})
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
		{"categories string", "---\ncategories: news misc\n---\n", FrontMatter{Params: map[string]any{"categories": []any{"news", "misc"}}}},
		{"keywords commas", "---\nkeywords: a b, c\n---\n", FrontMatter{Params: map[string]any{"keywords": []any{"a b", "c"}}}},
		{"categories list", "---\nCategories: [x, 1]\n---\n", FrontMatter{Params: map[string]any{"Categories": []any{"x", "1"}}}},
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
