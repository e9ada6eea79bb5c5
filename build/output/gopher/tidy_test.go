package gopher

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gmkit/gmkit/build/gopher"
	"github.com/gmkit/gmkit/build/gophermap"
	"github.com/gmkit/gmkit/build/output"
)

func TestTidyMenuAround(t *testing.T) {
	info := "iTitle\t\texample.org\t70\n"
	body := "iBody line\t\texample.org\t70\n1Link\t/x/\texample.org\t70\n"
	broken := "a line without tabs\n"
	tests := []struct {
		name, out, body string
		wantLine        int // 0: no error
	}{
		{"clean", info + body + info, body, 0},
		{"body first", body + info, body, 0},
		{"broken before the body", info + broken + body, body, 2},
		{"broken after the body", info + body + info + broken, body, 5},
		{"body not whole", info + body[:10] + "\n" + info, body, 2},
		{"no body", info + broken, "", 2},
	}
	for _, tt := range tests {
		_, err := tidyMenuAround([]byte(tt.out), []byte(tt.body), "page.gophermap")
		switch {
		case tt.wantLine == 0 && err != nil:
			t.Errorf("%s: got error %v, want none", tt.name, err)
		case tt.wantLine != 0 && (err == nil || !strings.Contains(err.Error(), fmt.Sprintf("menu line %d:", tt.wantLine))):
			t.Errorf("%s: got error %v, want one about line %d", tt.name, err, tt.wantLine)
		}
	}
	if probs := gophermap.LintBytes(nil, true); len(probs) != 0 {
		t.Errorf("LintBytes(nil): got %v, want no problems", probs)
	}
}

// TestInfoShortcut checks that the info template function's shortcut for
// short plain text gives what wrapping gives.
func TestInfoShortcut(t *testing.T) {
	o, err := New(output.Settings{Site: output.SiteSettings{Hostname: "example.org"}, Own: map[string]any{"width": 30}})
	if err != nil {
		t.Fatal(err)
	}
	info := o.Funcs()["info"].(func(string) string)
	want := func(text string) string {
		var b strings.Builder
		for _, l := range gopher.Wrap(text, 30) {
			it := gophermap.Info(l)
			it.Host, it.Port = "example.org", 70
			b.WriteString(it.String() + "\n")
		}
		return b.String()
	}
	for _, text := range []string{
		"Tags:", "A", "2026-01-10 · Someone", "exactly thirty characters long",
		"thirty-one characters long here", "two  spaces", " leading", "trailing ",
		"tab\there", "UPPER CASE TITLE", "ünïcode", strings.Repeat("x", 40),
	} {
		if got := info(text); got != want(text) {
			t.Errorf("info(%q) = %q, want %q", text, got, want(text))
		}
	}
}
