// Package problem is what a build found wrong with a site: every problem,
// fatal or not, named by file and line, in one order that never depends on
// timing, and the report a user reads, where warnings of one kind over many
// files are counted past the first few.
package problem

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Kind says what sort of problem a Problem is; the report counts warnings
// by kind. It is a struct, not a string, so that a message can never be
// passed where a kind is wanted.
type Kind struct {
	// Name is what a report calls the kind ("link", "front matter").
	Name string
}

// String is the kind's name.
func (k Kind) String() string { return k.Name }

// The kinds of problem a build reports.
var (
	// FrontMatter is front matter that cannot be read (fatal).
	FrontMatter = Kind{"front matter"}
	// Read is a source that cannot be read (fatal).
	Read = Kind{"read"}
	// Address is two sources that make one address (fatal).
	Address = Kind{"address"}
	// Template is a theme template that does not parse or run (fatal).
	Template = Kind{"template"}
	// Render is a page body an output cannot render (fatal).
	Render = Kind{"render"}
	// Link is a link to a page or file the site does not have.
	Link = Kind{"link"}
	// LeftOut is a file or value left out of the site, and why.
	LeftOut = Kind{"left out"}
	// TemplateTag is a template tag of another generator removed from a
	// page because its meaning is unknown.
	TemplateTag = Kind{"template tag"}
	// Gophermap is a doubtful line in a hand-written gophermap.
	Gophermap = Kind{"gophermap"}
)

// Problem is one thing wrong with a site. Fatal problems fail the build;
// the others are warnings (which Config.Strict makes fatal).
type Problem struct {
	// File is the file as the user knows it ("content/posts/a.md",
	// "themes/mine/gemini/page.gmi").
	File string
	// Line is the 1-based line in File; 0 when unknown or the whole file.
	Line  int
	Kind  Kind
	Fatal bool
	Msg   string
}

// String is "file:line: message" (without the line when it is unknown).
func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// Compare orders problems by file, then line, fatal before not, then kind
// and message: the order of every report.
func Compare(a, b Problem) int {
	if c := strings.Compare(a.File, b.File); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Line, b.Line); c != 0 {
		return c
	}
	if a.Fatal != b.Fatal {
		if a.Fatal {
			return -1
		}
		return 1
	}
	if c := strings.Compare(a.Kind.Name, b.Kind.Name); c != 0 {
		return c
	}
	return strings.Compare(a.Msg, b.Msg)
}

// List is a set of problems.
type List []Problem

// Sorted returns l in the order of Compare, each problem once.
func (l List) Sorted() List {
	out := slices.Clone(l)
	slices.SortFunc(out, Compare)
	return slices.Compact(out)
}

// Fatal counts the fatal problems.
func (l List) Fatal() int {
	n := 0
	for _, p := range l {
		if p.Fatal {
			n++
		}
	}
	return n
}

// Error is the error of a build that found fatal problems: it holds every
// problem the build found, fatal or not, sorted.
type Error struct {
	Problems List
	// Strict says that warnings were made fatal (and are among the
	// problems as such).
	Strict bool
}

// Error names the first fatal problem and counts the rest.
func (e *Error) Error() string {
	n := e.Problems.Fatal()
	var first Problem
	for _, p := range e.Problems {
		if p.Fatal {
			first = p
			break
		}
	}
	switch n {
	case 0:
		return "build failed"
	case 1:
		return first.String()
	}
	return fmt.Sprintf("%s (and %s)", first, count(n-1, "more error"))
}

// Summary is the line that ends the report of a failed build: "build
// failed: " and Counts.
func (e *Error) Summary() string { return "build failed: " + e.Counts() }

// Counts says how many errors and warnings the build found: "2 errors, 1
// warning".
func (e *Error) Counts() string {
	n := e.Problems.Fatal()
	s := count(n, "error")
	if w := len(e.Problems) - n; w > 0 {
		s += ", " + count(w, "warning")
	}
	if e.Strict {
		s += " (--strict makes warnings errors)"
	}
	return s
}

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// Shown is how many warnings of one kind a report shows before it counts
// the rest.
const Shown = 3

// Line is one line of a report: a problem, or a count of the warnings of
// one kind not shown.
type Line struct {
	Fatal bool
	Text  string
}

// String is the line as a terminal shows it: "error: " or "warning: " and
// the text.
func (l Line) String() string {
	if l.Fatal {
		return "error: " + l.Text
	}
	return "warning: " + l.Text
}

// Report is what a user reads of l, in l's order (sort it first). Every
// fatal problem is a line; of the warnings of one kind, the first Shown
// are, and one line at the end counts the rest, kind by kind, unless
// verbose.
func Report(l List, verbose bool) []Line {
	var lines []Line
	seen := map[Kind]int{}
	files := map[Kind]map[string]bool{}
	for _, p := range l {
		if !p.Fatal {
			seen[p.Kind]++
			if !verbose && seen[p.Kind] > Shown {
				if files[p.Kind] == nil {
					files[p.Kind] = map[string]bool{}
				}
				files[p.Kind][p.File] = true
				continue
			}
		}
		lines = append(lines, Line{Fatal: p.Fatal, Text: p.String()})
	}
	kinds := make([]Kind, 0, len(files))
	for k := range files {
		kinds = append(kinds, k)
	}
	slices.SortFunc(kinds, func(a, b Kind) int { return strings.Compare(a.Name, b.Name) })
	for _, k := range kinds {
		more := seen[k] - Shown
		lines = append(lines, Line{Text: fmt.Sprintf("%d more %q %s in %s not shown (--verbose lists every one)",
			more, k.Name, plural(more, "warning"), count(len(files[k]), "file"))})
	}
	return lines
}

func plural(n int, what string) string {
	if n == 1 {
		return what
	}
	return what + "s"
}

// Error makes a Problem an error, so that a step of the build can return
// one: "file:line: message".
func (p Problem) Error() string { return p.String() }
