package templates

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestThemeOverridesDefault(t *testing.T) {
	def := fstest.MapFS{
		"gemini/_partials.gmi": {Data: []byte(`{{ define "footer" }}default footer{{ end }}`)},
		"gemini/page.gmi":      {Data: []byte(`default page {{ template "footer" }}`)},
		"gemini/home.gmi":      {Data: []byte(`default home {{ template "footer" }}`)},
	}
	theme := fstest.MapFS{
		"gemini/_footer.gmi": {Data: []byte(`{{ define "footer" }}theme footer{{ end }}`)},
		"gemini/page.gmi":    {Data: []byte(`theme page {{ template "footer" }} {{ upper "x" }} {{ shout }}`)},
	}
	set, err := Load("gemini", theme, "themes/mine", def, map[string]any{"shout": func() string { return "HEY" }})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, want, from string }{
		{"page.gmi", "theme page theme footer X HEY", "themes/mine/gemini/page.gmi"},
		{"home.gmi", "default home theme footer", "default theme/gemini/home.gmi"},
	} {
		got, err := set.Execute(c.name, nil)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
		if src := set.Source(c.name); src != c.from {
			t.Errorf("%s: got source %q, want %q", c.name, src, c.from)
		}
	}
}

func TestErrorsNameTheFile(t *testing.T) {
	theme := fstest.MapFS{"gemini/page.gmi": {Data: []byte("line one\n{{ .Nope.Deeper }}\n{{ if }}")}}
	_, err := Load("gemini", theme, "themes/mine", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "themes/mine/gemini/page.gmi") || !strings.Contains(err.Error(), ":3") {
		t.Errorf("got %v, want a parse error naming themes/mine/gemini/page.gmi line 3", err)
	}
	theme = fstest.MapFS{"gemini/page.gmi": {Data: []byte("{{ index .Missing 3 }}")}}
	set, err := Load("gemini", theme, "themes/mine", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = set.Execute("page.gmi", map[string]any{"Missing": []int{}})
	if err == nil || !strings.Contains(err.Error(), "themes/mine/gemini/page.gmi") {
		t.Errorf("got %v, want an execution error naming the file", err)
	}
	if _, err := set.Execute("nope.gmi", nil); err == nil {
		t.Error("executing a missing template succeeded")
	}
}

func TestTruncate(t *testing.T) {
	for _, c := range []struct {
		n        int
		in, want string
	}{
		{10, "short", "short"},
		{10, "a longer title here", "a longer…"},
		{5, "日本語の題名", "日本…"},
	} {
		if got := Truncate(c.n, c.in); got != c.want {
			t.Errorf("Truncate(%d, %q): got %q, want %q", c.n, c.in, got, c.want)
		}
	}
}
