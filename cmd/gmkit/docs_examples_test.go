package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// docExample is a worked example in the docs: the files it shows, and the
// files it says `gmkit build` writes from them.
type docExample struct {
	doc, path   string
	section     string
	files, want map[string]string
}

var (
	// A line ending in "`path`:" (and no other code span), then a fenced
	// block: a file of the example.
	docFileRe = regexp.MustCompile("(?m)^[^`\\n]*`([^`]+)`:\\n\\n```[a-z]*\\n((?s:.*?))```\\n")
	// "`gmkit build` writes `path`:", then a fenced block: what the build
	// must write.
	docOutputRe = regexp.MustCompile("(?m)^`gmkit build` writes `([^`]+)`:\\n\\n```[a-z]*\\n((?s:.*?))```\\n")
)

// docExamples extracts the worked examples of every page under docs/: each
// "## " section that says what `gmkit build` writes.
func docExamples(t *testing.T) []docExample {
	t.Helper()
	pages, err := filepath.Glob(filepath.Join("..", "..", "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	var out []docExample
	for _, page := range append(pages, filepath.Join("..", "..", "README.md")) {
		text := readFile(t, page)
		for _, sec := range sections(text) {
			outs := docOutputRe.FindAllStringSubmatch(sec, -1)
			if len(outs) == 0 {
				continue
			}
			ex := docExample{doc: filepath.Base(page), path: page, section: strings.SplitN(sec, "\n", 2)[0], files: map[string]string{}, want: map[string]string{}}
			for _, m := range docFileRe.FindAllStringSubmatch(sec, -1) {
				ex.files[m[1]] = m[2]
			}
			for _, m := range outs {
				ex.want[m[1]] = m[2]
			}
			out = append(out, ex)
		}
	}
	return out
}

// TestDocExamples builds every worked example in the docs and compares
// what it writes with what the docs say it writes.
func TestDocExamples(t *testing.T) {
	examples := docExamples(t)
	if len(examples) == 0 {
		t.Fatal("found no worked examples in docs/ (a line \"`gmkit build` writes `PATH`:\" and a fenced block)")
	}
	for _, ex := range examples {
		t.Run(ex.doc+"/"+ex.section, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range ex.files {
				writeFile(t, filepath.Join(dir, filepath.FromSlash(name)), data, 0o644)
			}
			if code, _, errOut := gmkit(t, "build", "--site", dir); code != 0 {
				t.Fatalf("gmkit build: status %d: %s", code, errOut)
			}
			for name, want := range ex.want {
				got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				if string(got) == want {
					continue
				}
				if *update {
					updateDocExample(t, ex.path, name, want, string(got))
					continue
				}
				t.Errorf("%s, %s: the build writes\n%s\nthe docs say\n%s\n(go test ./cmd/gmkit -run TestDocExamples -update rewrites the docs)", ex.doc, name, got, want)
			}
		})
	}
}

// sections splits a Markdown page at its "## " headings (not at lines in
// fenced blocks that look like one); each section starts with its heading's
// text.
func sections(text string) []string {
	var out []string
	var cur *strings.Builder
	fenced := false
	for _, line := range strings.SplitAfter(text, "\n") {
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
		}
		if !fenced && strings.HasPrefix(line, "## ") {
			if cur != nil {
				out = append(out, cur.String())
			}
			cur = &strings.Builder{}
			line = strings.TrimPrefix(line, "## ")
		}
		if cur != nil {
			cur.WriteString(line)
		}
	}
	if cur != nil {
		out = append(out, cur.String())
	}
	return out
}

// updateDocExample rewrites, in the doc at path, the block that says what
// the build writes to name.
func updateDocExample(t *testing.T, path, name, old, new string) {
	t.Helper()
	text := readFile(t, path)
	head := "`gmkit build` writes `" + name + "`:\n\n```\n"
	i := strings.Index(text, head+old+"```\n")
	if i < 0 {
		t.Fatalf("%s: cannot find the block for %s to update", path, name)
	}
	text = text[:i] + head + new + text[i+len(head)+len(old):]
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
