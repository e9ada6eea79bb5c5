package gopher

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWrap(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		width int
		want  []string
	}{
		{"fits", "short text", 20, []string{"short text"}},
		{"greedy", "aaaa bbbb cccc dddd eeee ffff", 20, []string{"aaaa bbbb cccc dddd", "eeee ffff"}},
		{"exact width", "aaaaaaaaa bbbbbbbbbb", 20, []string{"aaaaaaaaa bbbbbbbbbb"}},
		{"spaces collapse", "  a    b\t c  ", 20, []string{"a b c"}},
		{"long word alone", "a " + strings.Repeat("x", 25) + " b", 20, []string{"a", strings.Repeat("x", 25), "b"}},
		{"word that fits is not split", "aaaaaaaaaaaaaaa bbbbbbbbbbbbbbbbbbbb", 20, []string{"aaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbb"}},
		{"newline", "one\ntwo three", 20, []string{"one", "two three"}},
		{"CRLF", "one\r\ntwo", 20, []string{"one", "two"}},
		{"empty", "", 20, []string{""}},
		{"CJK breaks between characters", "漢字漢字漢字漢字漢字漢字", 20, []string{"漢字漢字漢字漢字漢字", "漢字"}},
		{"CJK keeps closing punctuation", "漢字漢字漢字漢字漢字。字", 20, []string{"漢字漢字漢字漢字漢", "字。字"}},
		{"CJK keeps opening punctuation", "漢字漢字漢字漢字漢「字", 20, []string{"漢字漢字漢字漢字漢", "「字"}},
		{"emoji two columns", "😀 😀 😀 😀 😀 😀 😀 😀", 20, []string{"😀 😀 😀 😀 😀 😀 😀", "😀"}},
		{"ZWJ sequence is one cluster", "👩‍👩‍👧 👩‍👩‍👧 👩‍👩‍👧 👩‍👩‍👧 👩‍👩‍👧 👩‍👩‍👧 👩‍👩‍👧 👩‍👩‍👧", 20, []string{"👩‍👩‍👧 👩‍👩‍👧 👩‍👩‍👧 👩‍👩‍👧 👩‍👩‍👧 👩‍👩‍👧 👩‍👩‍👧", "👩‍👩‍👧"}},
		{"no-break space", "aaaaaaaaaaaaaaa 10\u00a0km", 20, []string{"aaaaaaaaaaaaaaa", "10\u00a0km"}},
		{"controls dropped", "a\x1b[1mb\x7f", 20, []string{"a[1mb"}},
		{"small width raised", "aaaa bbbb cccc dddd eeee", 5, []string{"aaaa bbbb cccc dddd", "eeee"}},
	}
	for _, tt := range tests {
		got := Wrap(tt.text, tt.width)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: Wrap(%q, %d) (-want +got):\n%s", tt.name, tt.text, tt.width, diff)
		}
	}
}

func TestWrapPrefixes(t *testing.T) {
	got := wrap(newWidth(), []byte("one two three four five six"), "* ", "  ", 20)
	want := []wrapped{{"* one two three four", 2}, {"  five six", 2}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(wrapped{})); diff != "" {
		t.Errorf("hanging indent (-want +got):\n%s", diff)
	}
	got = wrap(newWidth(), []byte("a\x00[1] b"), "", "", 20)
	if len(got) != 1 || got[0].text != "a [1] b" {
		t.Errorf("glue: got %+v, want one line %q", got, "a [1] b")
	}
	got = wrap(newWidth(), []byte(strings.Repeat("x", 17)+" a\x00[12]"), "", "", 20)
	if len(got) != 2 || got[1].text != "a [12]" {
		t.Errorf("glued reference moves with its word: got %+v", got)
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a\tb", "a b"},
		{"a\x00b", "a\ufffdb"},
		{"a\nb", "a b"},
		{"\xffx", "\ufffdx"},
		{"a\u0085b\u00a9", "ab\u00a9"},
	}
	for _, tt := range tests {
		if got := clean(tt.in, false); got != tt.want {
			t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
