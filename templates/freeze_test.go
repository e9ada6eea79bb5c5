package templates

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

type freezeSite struct {
	Title  string
	Latest []freezePage
}

type freezePage struct{ Title string }

type freezeData struct {
	Site *freezeSite
	Page *freezePage
}

func TestFreeze(t *testing.T) {
	partials := `
{{- define "footer" }}=> / {{ .Site.Title | default "Home" | upper }}
{{ with .Site.Latest }}{{ range . }}- {{ .Title }}
{{ end }}{{ end }}{{ end -}}
{{- define "dollar" }}{{ $.Site.Title }}{{ end -}}
{{- define "braces" }}{{ "{{ not an action }}" }}{{ end -}}
{{- define "pageish" }}{{ .Page.Title }}{{ end -}}
{{- define "inrange" }}{{ .Title }}{{ end -}}
{{- define "calls" }}{{ template "footer" . }}{{ end -}}
{{- define "var" }}{{ $t := .Site.Title }}{{ $t }}{{ end -}}
{{- define "fails" }}{{ index .Site.Latest 9 }}{{ end -}}
{{- define "unused" }}{{ .Site.Title }}{{ end -}}`
	page := `{{ template "footer" . }}|{{ template "dollar" $ }}|{{ template "braces" . }}|{{ template "pageish" . }}|` +
		`{{ range .Site.Latest }}{{ template "inrange" . }}{{ end }}|{{ template "calls" . }}|{{ template "var" . }}|` +
		`{{ if eq .Page.Title "boom" }}{{ template "fails" . }}{{ end }}`
	theme := fstest.MapFS{
		"gemini/_partials.gmi": {Data: []byte(partials)},
		"gemini/page.gmi":      {Data: []byte(page)},
	}
	data := freezeData{
		Site: &freezeSite{Title: "Quiet", Latest: []freezePage{{"One"}, {"Two"}}},
		Page: &freezePage{"A page"},
	}
	set, err := Load("gemini", theme, "theme", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	fpBefore := set.Fingerprint()
	boom := freezeData{Site: data.Site, Page: &freezePage{"boom"}}
	want, err := set.Execute("page.gmi", data)
	if err != nil {
		t.Fatal(err)
	}

	got := set.Freeze("Site", freezeData{Site: data.Site})
	slices.Sort(got)
	if wantFrozen := []string{"braces", "dollar", "footer"}; !slices.Equal(got, wantFrozen) {
		t.Errorf("Freeze froze %q, want %q", got, wantFrozen)
	}
	after, err := set.Execute("page.gmi", data)
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(want) {
		t.Errorf("output after Freeze:\n%s\nwant\n%s", after, want)
	}
	if !strings.Contains(string(after), "{{ not an action }}") {
		t.Errorf("frozen output lost its braces: %s", after)
	}
	// What the frozen partials printed is part of the fingerprint: a page
	// cached by it is made again when the footer changes.
	fpFrozen := set.Fingerprint()
	if fpFrozen == fpBefore {
		t.Errorf("Fingerprint is %s before and after Freeze, want a change", fpFrozen)
	}
	for _, tc := range []struct {
		title string
		same  bool
	}{{"Quiet", true}, {"Loud", false}} {
		again, err := Load("gemini", theme, "theme", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		again.Freeze("Site", freezeData{Site: &freezeSite{Title: tc.title, Latest: data.Site.Latest}})
		if got := again.Fingerprint() == fpFrozen; got != tc.same {
			t.Errorf("site title %q: same fingerprint %v, want %v", tc.title, got, tc.same)
		}
	}
	// A partial that fails still fails where it is called.
	if _, err := set.Execute("page.gmi", boom); err == nil || !strings.Contains(err.Error(), "index") {
		t.Errorf("got error %v, want the failing partial's", err)
	}
}
