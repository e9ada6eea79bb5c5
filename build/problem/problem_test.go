package problem

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSortedOrdersByFileAndLine(t *testing.T) {
	l := List{
		{File: "b.md", Line: 2, Kind: Link, Msg: "x"},
		{File: "a.md", Line: 10, Kind: Link, Msg: "y"},
		{File: "a.md", Line: 9, Kind: Link, Msg: "z"},
		{File: "a.md", Line: 10, Kind: FrontMatter, Fatal: true, Msg: "w"},
		{File: "b.md", Line: 2, Kind: Link, Msg: "x"},
	}
	var got []string
	for _, p := range l.Sorted() {
		got = append(got, p.String())
	}
	want := []string{"a.md:9: z", "a.md:10: w", "a.md:10: y", "b.md:2: x"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("Sorted (-got +want):\n%s", diff)
	}
}

func TestReport(t *testing.T) {
	var l List
	for _, f := range []string{"a.md", "b.md", "c.md", "d.md", "e.md"} {
		l = append(l, Problem{File: f, Line: 1, Kind: Link, Msg: "link"})
	}
	l = append(l,
		Problem{File: "a.md", Line: 2, Kind: FrontMatter, Fatal: true, Msg: "bad"},
		Problem{File: "b.md", Line: 3, Kind: TemplateTag, Msg: "tag"},
		Problem{File: "e.md", Line: 3, Kind: LeftOut, Msg: "one"},
		Problem{File: "e.md", Line: 4, Kind: LeftOut, Msg: "two"},
		Problem{File: "e.md", Line: 5, Kind: LeftOut, Msg: "three"},
		Problem{File: "e.md", Line: 6, Kind: LeftOut, Msg: "four"},
	)
	l = l.Sorted()
	tests := []struct {
		verbose bool
		want    string
	}{
		{false, `
warning: a.md:1: link
error: a.md:2: bad
warning: b.md:1: link
warning: b.md:3: tag
warning: c.md:1: link
warning: e.md:3: one
warning: e.md:4: two
warning: e.md:5: three
warning: 1 more "left out" warning in 1 file not shown (--verbose lists every one)
warning: 2 more "link" warnings in 2 files not shown (--verbose lists every one)
`},
		{true, `
warning: a.md:1: link
error: a.md:2: bad
warning: b.md:1: link
warning: b.md:3: tag
warning: c.md:1: link
warning: d.md:1: link
warning: e.md:1: link
warning: e.md:3: one
warning: e.md:4: two
warning: e.md:5: three
warning: e.md:6: four
`},
	}
	for _, tt := range tests {
		var got []string
		for _, line := range Report(l, tt.verbose) {
			got = append(got, line.String())
		}
		want := strings.Split(strings.TrimSpace(tt.want), "\n")
		if diff := cmp.Diff(got, want); diff != "" {
			t.Errorf("verbose=%v (-got +want):\n%s", tt.verbose, diff)
		}
	}
}

func TestErrorCounts(t *testing.T) {
	e := &Error{Problems: List{
		{File: "a.md", Line: 2, Kind: FrontMatter, Fatal: true, Msg: "bad"},
		{File: "b.md", Kind: Address, Fatal: true, Msg: "taken"},
		{File: "c.md", Kind: Link, Msg: "link"},
	}}
	if got, want := e.Error(), "a.md:2: bad (and 1 more error)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := e.Summary(), "build failed: 2 errors, 1 warning"; got != want {
		t.Errorf("Summary() = %q, want %q", got, want)
	}
	e.Strict = true
	if got, want := e.Summary(), "build failed: 2 errors, 1 warning (--strict makes warnings errors)"; got != want {
		t.Errorf("Summary() = %q, want %q", got, want)
	}
}
