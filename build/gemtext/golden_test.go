package gemtext

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gmkit/gmkit/build/markdown"
	"github.com/google/go-cmp/cmp"
	"github.com/yuin/goldmark/parser"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// testParser is the site's parser, built once for all tests.
var testParser = sync.OnceValue(func() parser.Parser { return markdown.Parser() })

// render parses src with the site's parser and renders it with New(opts...).
func render(t testing.TB, src []byte, opts ...Option) []byte {
	t.Helper()
	doc := markdown.Parse(testParser(), src)
	var buf bytes.Buffer
	if err := New(opts...).Render(&buf, src, doc); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return buf.Bytes()
}

// testRewriter maps links the way a site build would: "name.md" and
// "name.md#frag" to "/name/", "missing.md" to nothing, the rest unchanged.
func testRewriter(dest string) string {
	path, _, _ := strings.Cut(dest, "#")
	switch {
	case path == "missing.md":
		return ""
	case strings.HasSuffix(path, ".md") && !strings.Contains(path, "://"):
		return "/" + strings.TrimSuffix(path, ".md") + "/"
	}
	return dest
}

// goldenOptions reads the options of a golden input from its first line,
// an HTML comment (dropped by the renderer) like
//
//	<!-- options: link-mode=at-end keep-markers=true -->
func goldenOptions(t *testing.T, src []byte) []Option {
	t.Helper()
	first, _, _ := bytes.Cut(src, []byte("\n"))
	line := strings.TrimSpace(string(first))
	if !strings.HasPrefix(line, "<!-- options:") {
		return nil
	}
	line = strings.TrimSuffix(strings.TrimPrefix(line, "<!-- options:"), "-->")
	var opts []Option
	for _, kv := range strings.Fields(line) {
		k, v, _ := strings.Cut(kv, "=")
		v = strings.ReplaceAll(v, "_", " ")
		b, berr := strconv.ParseBool(v)
		switch k {
		case "link-mode":
			m, err := ParseLinkMode(v)
			if err != nil {
				t.Fatal(err)
			}
			opts = append(opts, WithLinkMode(m))
		case "rewrite":
			opts = append(opts, WithLinkRewriter(testRewriter))
			continue
		case "thematic-break":
			opts = append(opts, WithThematicBreak(v))
			continue
		case "nested-marker":
			opts = append(opts, WithNestedListMarker(v))
			continue
		case "keep-markers":
			opts = append(opts, WithKeepMarkers(b))
		case "keep-html":
			opts = append(opts, WithKeepHTML(b))
		case "ordered-numbers":
			opts = append(opts, WithOrderedNumbers(b))
		case "ascii-tables":
			opts = append(opts, WithASCIITables(b))
		default:
			t.Fatalf("unknown golden option %q", k)
		}
		if k != "link-mode" && berr != nil {
			t.Fatalf("option %s: %v", k, berr)
		}
	}
	return opts
}

// TestGolden renders every testdata/golden/*.md and compares the output
// with the .gmi beside it. Run with -update to rewrite the .gmi files.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden inputs under testdata/golden")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".md")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got := render(t, src, goldenOptions(t, src)...)
			if err := Check(got); err != nil {
				t.Errorf("Check(output of %s) = %v, want nil; output:\n%s", file, err, got)
			}
			want := strings.TrimSuffix(file, ".md") + ".gmi"
			if *update {
				if err := os.WriteFile(want, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			wantB, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
			}
			if diff := cmp.Diff(string(wantB), string(got)); diff != "" {
				t.Errorf("render %s mismatch (-want +got):\n%s", file, diff)
			}
		})
	}
}
