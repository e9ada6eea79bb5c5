package site

import "testing"

func TestTagSlug(t *testing.T) {
	for _, c := range []struct {
		name    string
		unicode bool
		want    string
	}{
		{"Short Wave", false, "short-wave"},
		{"café", false, "cafe"},
		{"café", true, "café"},
		{"Ærø Ø", false, "aero-o"},
		{"c++", false, "c++"},
		{"日本語", false, ""}, // tag- and a hash, checked below
		{"日本語", true, "日本語"},
		{"a/b?c#d%e.f", false, "abcdef"},
		{"   ", false, ""},
	} {
		got := Config{UnicodeSlugs: c.unicode}.TagSlug(c.name)
		if c.name == "日本語" && !c.unicode {
			// A hash: check its shape and that it is stable.
			if len(got) != len("tag-")+8 || got[:4] != "tag-" || got != (Config{}).TagSlug(c.name) {
				t.Errorf("TagSlug(%q): got %q, want tag- and 8 hex digits", c.name, got)
			}
			continue
		}
		if got != c.want {
			t.Errorf("TagSlug(%q, unicode %v): got %q, want %q", c.name, c.unicode, got, c.want)
		}
	}
}
