package site

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gmkit/gmkit/build/record"
)

// roundTrip writes p's state and reads it back.
func roundTrip(t *testing.T, p *Page) *Page {
	t.Helper()
	var w record.Writer
	if !p.WriteState(&w) {
		t.Fatalf("%s: WriteState refused the page", p.Source)
	}
	r := record.NewReader(w.Data())
	got := ReadState(r)
	if err := r.Done(); err != nil {
		t.Fatalf("%s: %v", p.Source, err)
	}
	return got
}

// comparePages compares everything Load knows of a page but its AST, its
// parse and its neighbours (which the next Load sets).
var comparePages = cmp.Options{
	cmp.AllowUnexported(Page{}),
	cmpopts.IgnoreFields(Page{}, "doc", "gen", "Prev", "Next"),
	cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) && a.Location().String() == b.Location().String() }),
}

func TestPageStateRoundTrip(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"content/_index.md":                 "# Home\n\nWelcome.\n",
		"content/posts/_index.md":           "---\ntitle: Posts\n---\nAll of them.\n",
		"content/posts/yaml.md":             "---\ntitle: YAML\ndate: 2024-01-02T10:00:00+02:00\ntags: [a, b]\naliases: [/old/]\nweight: 3\noutputs: [gemini, html]\nextra: {n: 1, f: 2.5, on: true, list: [x, 2], when: 2024-05-06}\n---\n# YAML\n\nSee {{< unknown >}} and [that](toml.md).\n",
		"content/posts/toml.md":             "+++\ntitle = \"TOML\"\ndate = 2024-01-03\ndraft = false\n[params]\nbig = 9007199254740993\n+++\nText.\n",
		"content/posts/bom.md":              "\xef\xbb\xbfNo front matter, a byte order mark.\n",
		"content/posts/2024-02-03-dated.md": "Dated by its name.\n",
		"content/posts/written.gmi":         "---\ntitle: Written\n---\n# Written\n\n=> /posts/ As it is\n",
		"content/page.md":                   "---\nsummary: Said here.\nslug: elsewhere\n---\nBody.\n",
	})
	s, err := Load(context.Background(), Config{Dir: dir, ContentDir: "content", StaticDir: "static", Outputs: []string{"gemini", "gopher"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for p := range s.All() {
		n++
		got := roundTrip(t, p)
		if diff := cmp.Diff(p, got, comparePages); diff != "" {
			t.Errorf("%s (-loaded +restored):\n%s", p.Source, diff)
		}
		if got.ParseID() == nil || got.ParseID() == p.ParseID() {
			t.Errorf("%s: restored page has ParseID %p (loaded %p), want a new one", p.Source, got.ParseID(), p.ParseID())
		}
	}
	if n != 8 {
		t.Fatalf("loaded %d pages, want 8", n)
	}

	// Load reuses a restored page whose file is unchanged, as it does a
	// page of the previous Load.
	var restored []*Page
	for p := range s.All() {
		restored = append(restored, roundTrip(t, p))
	}
	again, err := Load(context.Background(), s.Config, Restored(restored))
	if err != nil {
		t.Fatal(err)
	}
	for p := range again.All() {
		if p.AST() != nil {
			t.Errorf("%s: parsed again, want the restored page reused (files unchanged)", p.Source)
		}
	}
}

// TestPageStateEveryField sets every field of FrontMatter and checks that
// it survives: a field added to FrontMatter must be added to WriteState
// and ReadState too.
func TestPageStateEveryField(t *testing.T) {
	p := &Page{Source: "posts/x.md", File: "content/posts/x.md", Kind: KindPage, Section: "posts", Path: "/posts/x/",
		raw: []byte("---\n---\nbody\n"), size: 13, modTime: time.Unix(1e9, 5), statAt: time.Unix(1e9+10, 0), dropHeading: true, cutMore: true}
	p.body = p.raw[8:]
	fv := reflect.ValueOf(&p.FrontMatter).Elem()
	for i := range fv.NumField() {
		f := fv.Field(i)
		switch f.Interface().(type) {
		case string:
			f.SetString("v" + fv.Type().Field(i).Name)
		case bool:
			f.SetBool(true)
		case int:
			f.SetInt(int64(i + 1))
		case time.Time:
			f.Set(reflect.ValueOf(time.Date(2024, 3, 4, 5, 6, 7, 8, time.FixedZone("", 3600))))
		case []string:
			f.Set(reflect.ValueOf([]string{"one", ""}))
		case map[string][]string:
			f.Set(reflect.ValueOf(map[string][]string{"categories": {"news", "x y"}, "series": {}}))
		case map[string]any:
			f.Set(reflect.ValueOf(map[string]any{
				"s": "x", "i": 1, "i64": int64(2), "u": uint64(3), "f": 1.5, "b": false, "nil": nil,
				"t": time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), "local": time.Date(2024, 1, 1, 0, 0, 0, 0, time.Local),
				"list": []any{"a", 2, []any{}}, "strings": []string{"q"}, "map": map[string]any{"k": []any{nil}},
			}))
		default:
			t.Fatalf("FrontMatter.%s is a %s: teach WriteState, ReadState and this test about it", fv.Type().Field(i).Name, f.Type())
		}
	}
	got := roundTrip(t, p)
	if diff := cmp.Diff(p, got, comparePages); diff != "" {
		t.Errorf("(-set +restored):\n%s", diff)
	}
}

// TestPageStateRefused: a front matter value the cache cannot write
// exactly keeps the page out of it.
func TestPageStateRefused(t *testing.T) {
	for _, v := range []any{
		struct{}{},
		int32(1),
		map[any]any{"k": 1},
		time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("CET", 3600)),
	} {
		p := &Page{Source: "x.md"}
		p.Params = map[string]any{"k": []any{v}}
		var w record.Writer
		if p.WriteState(&w) {
			t.Errorf("%T %v: WriteState took it", v, v)
		}
	}
}
