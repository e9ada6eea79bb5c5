package site

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// sameTime compares times by instant and zone, as the front matter code
// reads them.
var sameTime = cmp.Comparer(func(a, b time.Time) bool {
	an, ao := a.Zone()
	bn, bo := b.Zone()
	return a.Equal(b) && an == bn && ao == bo
})

// checkFastYAML fails t when fastYAML accepts text and decodes it to
// anything but what yaml.v3 makes of it.
func checkFastYAML(t *testing.T, text string) (accepted bool) {
	t.Helper()
	fast := map[string]any{}
	if !fastYAML([]byte(text), fast) {
		if len(fast) != 0 {
			t.Errorf("fastYAML(%q) refused the text but filled the map: %v", text, fast)
		}
		return false
	}
	slow := map[string]any{}
	if err := yaml.Unmarshal([]byte(text), &slow); err != nil {
		t.Fatalf("fastYAML(%q) accepted text that yaml.v3 refuses: %v", text, err)
	}
	if diff := cmp.Diff(fast, slow, sameTime); diff != "" {
		t.Errorf("fastYAML(%q) differs from yaml.v3 (-fast +yaml.v3):\n%s", text, diff)
	}
	return true
}

var fastYAMLCases = []struct {
	text string
	fast bool // whether the fast path should take it
}{
	{"title: \"Post 0: antenna coil\"\ndate: 2020-01-01T08:00:00Z\ntags: [tag-00, tag-03]\n", true},
	{"title: Hello world\ndate: 2026-11-20\n", true},
	{"title: 'single quoted'\nslug: my-slug\n", true},
	{"title: \"Ünïcödé — 🚀\"\n", true},
	{"date: 2026-11-20T15:04:05.123+02:00\n", true},
	{"date: 2026-11-20T15:04:05-07:00\n", true},
	{"tags: []\n", true},
	{"tags: [\"a, b\", c]\n", false},
	{"tags: ['x]', b]\n", true},
	{"tags: [a b, c]\n", true},
	{"tags: [2026-01-02, a]\n", true},
	{"title: Done (mostly)!\nmood: ok?\n", true},
	{"draft: true\n", false},
	{"draft: no\n", false},
	{"weight: 3\n", false},
	{"x: null\n", false},
	{"x: ~\n", false},
	{"title: a # comment\n", false},
	{"title: \"with \\\"escape\\\"\"\n", false},
	{"title: 'it''s'\n", false},
	{"title:\n  nested: 1\n", false},
	{"title: one\ntitle: two\n", false},
	{"title: x\r\n", false},
	{"title: x\n  continued\n", false},
	{"title: &anchor x\n", false},
	{"title: *alias\n", false},
	{"title: !!str 3\n", false},
	{"title: |\n  block\n", false},
	{"date: 2026-13-01\n", false},
	{"date: 2026-1-1\n", false},
	{"date: 2026-11-20 10:00\n", false},
	{"true: x\n", false},
	{"key:value\n", false},
	{"- a\n- b\n", false},
	{"", false},
	{"\n\n", false},
	{"title: \"tab\there\"\n", false},
	{"title: \"\u2028\"\n", false},
	{"tags: [a, ]\n", false},
	{"tags: [a, [b]]\n", false},
	{"tags: {a: b}\n", false},
	{"a-b_c: d.e/f\n", true},
}

func TestFastYAML(t *testing.T) {
	for _, c := range fastYAMLCases {
		if got := checkFastYAML(t, c.text); got != c.fast {
			t.Errorf("fastYAML(%q) took it: %v, want %v", c.text, got, c.fast)
		}
	}
}

// TestFastYAMLFrontMatter checks that pages read through the fast path get
// the same fields as through yaml.v3.
func TestFastYAMLFrontMatter(t *testing.T) {
	for _, c := range fastYAMLCases {
		if !c.fast {
			continue
		}
		got, gotErr := parseFrontMatter("x.md", "yaml", []byte(c.text), 2, nil, nil)
		// A comment line first makes the fast path refuse the text, so
		// this goes through yaml.v3 (its lines are one further down).
		want, wantErr := parseFrontMatter("x.md", "yaml", []byte("# slow path\n"+c.text), 1, nil, nil)
		if (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
			t.Errorf("front matter %q: got error %v, want %v", c.text, gotErr, wantErr)
			continue
		}
		if diff := cmp.Diff(got, want, sameTime); diff != "" {
			t.Errorf("front matter %q (-fast +yaml.v3):\n%s", c.text, diff)
		}
	}
}

func FuzzFastYAML(f *testing.F) {
	for _, c := range fastYAMLCases {
		f.Add(c.text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkFastYAML(t, text)
	})
}

func BenchmarkFrontMatter(b *testing.B) {
	text := []byte("title: \"Post 0: antenna coil\"\ndate: 2020-01-01T08:00:00Z\ntags: [tag-00, tag-03]\n")
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := parseFrontMatter("x.md", "yaml", text, 2, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("yaml.v3", func(b *testing.B) {
		slow := append([]byte("# slow path\n"), text...)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := parseFrontMatter("x.md", "yaml", slow, 2, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}
