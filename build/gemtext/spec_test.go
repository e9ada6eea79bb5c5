package gemtext

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gmkit/gmkit/build/markdown"
	"github.com/google/go-cmp/cmp"
	"github.com/yuin/goldmark/ast"
)

// specExample is one example of the CommonMark specification, as kept in
// testdata/commonmark/spec.json (see the README there for its origin and
// licence).
type specExample struct {
	Example  int    `json:"example"`
	Section  string `json:"section"`
	Markdown string `json:"markdown"`
}

var (
	specFile   = filepath.Join("testdata", "commonmark", "spec.json")
	specOutput = filepath.Join("testdata", "commonmark", "spec-output.txt")
)

// loadSpec reads the spec examples; with -update it first regenerates the
// file from the goldmark module's copy of the specification.
func loadSpec(t testing.TB) []specExample {
	t.Helper()
	if *update {
		regenerateSpec(t)
	}
	b, err := os.ReadFile(specFile)
	if err != nil {
		t.Fatalf("read %s: %v", specFile, err)
	}
	var ex []specExample
	if err := json.Unmarshal(b, &ex); err != nil {
		t.Fatalf("parse %s: %v", specFile, err)
	}
	if len(ex) < 600 {
		t.Fatalf("%s holds %d examples, want the whole specification (600+)", specFile, len(ex))
	}
	return ex
}

func regenerateSpec(t testing.TB) {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/yuin/goldmark").Output()
	if err != nil {
		t.Fatalf("go list goldmark: %v", err)
	}
	src := filepath.Join(strings.TrimSpace(string(out)), "_test", "spec.json")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatalf("read %s: %v", src, err)
	}
	var ex []specExample
	if err := json.Unmarshal(b, &ex); err != nil {
		t.Fatalf("parse %s: %v", src, err)
	}
	b, err = json.MarshalIndent(ex, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(specFile, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSpecExamples runs every CommonMark spec example through the renderer
// with each link mode: no panic, the output passes Check, and every link
// and image destination shows up on a link line. The default mode's output
// of all examples is kept as a golden file for review.
func TestSpecExamples(t *testing.T) {
	examples := loadSpec(t)
	var all bytes.Buffer
	for _, mode := range []LinkMode{LinkParagraph, LinkAtEnd, LinkCopy, LinkOff} {
		for _, ex := range examples {
			src := []byte(ex.Markdown)
			got := render(t, src, WithLinkMode(mode), WithKeepHTML(mode == LinkCopy), WithKeepMarkers(mode == LinkAtEnd))
			if err := Check(got); err != nil {
				t.Errorf("example %d (%s), mode %v: Check = %v; output:\n%s", ex.Example, ex.Section, mode, err, got)
			}
			// With HTML kept as written, links in HTML make no link line.
			if mode != LinkOff && !bytes.Contains(got, []byte("```html")) {
				for _, url := range linkURLs(src) {
					if !bytes.Contains(got, []byte("=> "+url)) {
						t.Errorf("example %d (%s), mode %v: got no link line for %q; output:\n%s", ex.Example, ex.Section, mode, url, got)
					}
				}
			}
			if mode == LinkParagraph {
				fmt.Fprintf(&all, "==== example %d (%s)\n%s", ex.Example, ex.Section, got)
			}
		}
	}
	if *update {
		if err := os.WriteFile(specOutput, all.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(specOutput)
	if err != nil {
		t.Fatalf("%v (run go test -run TestSpecExamples -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), all.String()); diff != "" {
		t.Errorf("spec output mismatch (-want +got):\n%s", diff)
	}
}

// linkURLs lists the addresses of the links, images and autolinks in src
// that must reach a link line: every one with a destination, images inside
// links excepted (the link carries them).
func linkURLs(src []byte) []string {
	doc := markdown.Parse(testParser(), src)
	var urls []string
	s := &state{cfg: &config{}, src: src}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		var u string
		switch n := n.(type) {
		case *ast.Link:
			u = s.dest(n.Destination)
		case *ast.Image:
			u = s.dest(n.Destination)
		case *ast.AutoLink:
			u = s.autoLinkURL(n)
		default:
			return ast.WalkContinue, nil
		}
		if u != "" {
			urls = append(urls, u)
		}
		// Images inside a link are not links of their own.
		return ast.WalkSkipChildren, nil
	})
	return urls
}
