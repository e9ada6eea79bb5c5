package contentexample

import (
	"bytes"
	"fmt"
	"image/png"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gmkit/gmkit/build/markdown"
	toml "github.com/pelletier/go-toml/v2"
	"github.com/yuin/goldmark/ast"
	"go.yaml.in/yaml/v3"
)

// TestEmbedHasEveryFile checks that the embedded site is the site on disk,
// file for file, including section intros and dotfiles that matter.
func TestEmbedHasEveryFile(t *testing.T) {
	var want []string
	for _, top := range []string{"gmkit.toml", ".gitignore", "content", "static", "cgi-bin"} {
		err := filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() {
				want = append(want, filepath.ToSlash(p))
			}
			return nil
		})
		if err != nil {
			t.Fatalf("walking %s: %v", top, err)
		}
	}
	var got []string
	err := fs.WalkDir(FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			got = append(got, p)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking the embedded FS: %v", err)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("embedded files:\ngot  %q\nwant %q", got, want)
	}
}

// page is one Markdown file of the example with its front matter decoded.
type page struct {
	rel  string // path under content/, slash-separated
	fm   map[string]any
	body []byte
}

// loadPages reads and decodes every Markdown file under content/.
func loadPages(t *testing.T) []page {
	t.Helper()
	var pages []page
	err := fs.WalkDir(FS, "content", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".md") {
			return err
		}
		src, err := fs.ReadFile(FS, p)
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, "content/")
		fm, body, err := frontMatter(src)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		pages = append(pages, page{rel: rel, fm: fm, body: body})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pages
}

// frontMatter splits src into decoded front matter and body.
func frontMatter(src []byte) (map[string]any, []byte, error) {
	for _, f := range []struct {
		fence  string
		decode func([]byte, any) error
	}{{"---", yaml.Unmarshal}, {"+++", toml.Unmarshal}} {
		if !bytes.HasPrefix(src, []byte(f.fence+"\n")) {
			continue
		}
		rest := src[len(f.fence)+1:]
		end := bytes.Index(rest, []byte("\n"+f.fence+"\n"))
		if end < 0 {
			return nil, nil, fmt.Errorf("front matter opened with %s is never closed", f.fence)
		}
		var fm map[string]any
		if err := f.decode(rest[:end+1], &fm); err != nil {
			return nil, nil, fmt.Errorf("front matter: %w", err)
		}
		return fm, rest[end+len(f.fence)+2:], nil
	}
	return nil, src, fmt.Errorf("no front matter")
}

var datePrefix = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}-`)

// TestFrontMatter checks the type of every known key, and that the posts
// include the cases the build has to handle.
func TestFrontMatter(t *testing.T) {
	var published, drafts, datedByName, untitled, geminiOnly int
	for _, p := range loadPages(t) {
		for k, v := range p.fm {
			var ok bool
			switch k {
			case "title", "summary", "slug":
				_, ok = v.(string)
			case "draft":
				_, ok = v.(bool)
			case "weight":
				switch v.(type) {
				case int, int64:
					ok = true
				}
			case "date":
				switch d := v.(type) {
				case time.Time, toml.LocalDate:
					ok = true
				case string:
					_, err := time.Parse(time.DateOnly, d)
					ok = err == nil
				}
			case "tags", "aliases", "outputs":
				l, isList := v.([]any)
				ok = isList
				for _, e := range l {
					s, isString := e.(string)
					ok = ok && isString && (k != "outputs" || s == "gemini" || s == "gopher")
				}
			default:
				ok = true // a free-form parameter
			}
			if !ok {
				t.Errorf("%s: %s = %#v (%T): wrong type or value", p.rel, k, v, v)
			}
		}
		base := path.Base(p.rel)
		if !strings.HasPrefix(p.rel, "posts/") || strings.HasPrefix(base, "_") {
			continue
		}
		if p.fm["draft"] == true {
			drafts++
			continue
		}
		published++
		if _, ok := p.fm["date"]; !ok && datePrefix.MatchString(base) {
			datedByName++
		}
		if _, ok := p.fm["title"]; !ok {
			untitled++
			if !bytes.HasPrefix(bytes.TrimLeft(p.body, "\n"), []byte("# ")) {
				t.Errorf("%s has no title and does not start with a level-1 heading", p.rel)
			}
		}
		if o, ok := p.fm["outputs"].([]any); ok && len(o) == 1 && o[0] == "gemini" {
			geminiOnly++
		}
	}
	for _, c := range []struct {
		name     string
		got, min int
	}{
		{"published posts", published, 10},
		{"draft posts", drafts, 1},
		{"posts dated by file name", datedByName, 1},
		{"posts titled by their first heading", untitled, 1},
		{"Gemini-only posts", geminiOnly, 1},
	} {
		if c.got < c.min {
			t.Errorf("%s: got %d, want at least %d", c.name, c.got, c.min)
		}
	}
}

// TestLinks checks that every relative link names a file in content/, every
// rooted link a file in static/ or cgi-bin/, and that the posts together use
// every Markdown construct the renderers must handle.
func TestLinks(t *testing.T) {
	parser := markdown.Parser()
	seen := map[string]bool{}
	exists := func(name string) bool {
		_, err := fs.Stat(FS, name)
		return err == nil
	}
	for _, p := range loadPages(t) {
		doc := markdown.Parse(parser, p.body)
		err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			if !entering {
				return ast.WalkContinue, nil
			}
			seen[n.Kind().String()] = true
			var dest string
			switch x := n.(type) {
			case *ast.Heading:
				seen[fmt.Sprintf("Heading%d", x.Level)] = true
			case *ast.Link:
				dest = string(x.Destination)
			case *ast.Image:
				dest = string(x.Destination)
				if x.Parent().Kind() == ast.KindLink {
					seen["ImageInLink"] = true
				}
			case *ast.Text:
				seen["SoftBreak"] = seen["SoftBreak"] || x.SoftLineBreak()
				seen["HardBreak"] = seen["HardBreak"] || x.HardLineBreak()
			case *ast.List:
				seen[fmt.Sprintf("List ordered=%v tight=%v", x.IsOrdered(), x.IsTight)] = true
			case *ast.Blockquote:
				if x.Parent().Kind() == ast.KindBlockquote {
					seen["NestedBlockquote"] = true
				}
			}
			if dest == "" || strings.Contains(dest, ":") {
				return ast.WalkContinue, nil
			}
			file, _, _ := strings.Cut(dest, "#")
			var target string
			switch {
			case strings.HasPrefix(file, "/cgi-bin/"):
				target = path.Clean(file[1:])
			case strings.HasPrefix(file, "/"):
				target = path.Join("static", file)
			default:
				target = path.Join("content", path.Dir(p.rel), file)
			}
			if !exists(target) {
				t.Errorf("%s: link %q: no file %s", p.rel, dest, target)
			}
			return ast.WalkContinue, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"Heading1", "Heading2", "Heading3", "Heading4", "Heading5", "Heading6",
		"Paragraph", "SoftBreak", "HardBreak", "ThematicBreak",
		"Link", "AutoLink", "Image", "ImageInLink",
		"List ordered=true tight=true", "List ordered=true tight=false",
		"List ordered=false tight=true", "List ordered=false tight=false", "TaskCheckBox",
		"Blockquote", "NestedBlockquote", "FencedCodeBlock", "CodeBlock",
		"Table", "Emphasis", "Strikethrough", "CodeSpan", "RawHTML", "HTMLBlock",
		"FootnoteLink", "Footnote",
	}
	for _, k := range want {
		if !seen[k] {
			t.Errorf("no page uses %s", k)
		}
	}
}

// TestImage checks that the static image is a real, small PNG.
func TestImage(t *testing.T) {
	b, err := fs.ReadFile(FS, "static/images/random-wire.png")
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 10<<10 {
		t.Errorf("random-wire.png is %d bytes, want at most 10 KiB", len(b))
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Errorf("random-wire.png: %v", err)
	}
}

// runCGI runs a script from cgi-bin/ the way the servers do: in its folder,
// with only the given environment and a fixed PATH.
func runCGI(t *testing.T, script string, env ...string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("CGI scripts need a POSIX shell")
	}
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh on this machine")
	}
	cmd := exec.Command("./" + script)
	cmd.Dir = "cgi-bin"
	cmd.Env = append([]string{"PATH=/usr/local/bin:/usr/bin:/bin", "GATEWAY_INTERFACE=CGI/1.1",
		"SERVER_NAME=localhost", "SCRIPT_NAME=/cgi-bin/" + script, "REMOTE_ADDR=127.0.0.1"}, env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("%s %q: %v, stderr %q", script, env, err, stderr.String())
	}
	return string(out)
}

// checkMenu checks that out is a complete gophermap: CRLF lines of four
// fields with a numeric port, ended by a lone dot.
func checkMenu(t *testing.T, out string) {
	t.Helper()
	if !strings.HasSuffix(out, "\r\n.\r\n") {
		t.Errorf("menu does not end with .CRLF: %q", out)
		return
	}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\r\n.\r\n"), "\r\n") {
		f := strings.Split(line, "\t")
		if len(f) != 4 || f[0] == "" || !regexp.MustCompile(`^[0-9]+$`).MatchString(f[3]) || strings.ContainsAny(line, "\r\n") {
			t.Errorf("bad menu line %q", line)
		}
	}
}

func TestCGIExecutable(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no file modes")
	}
	for _, s := range []string{"hello", "search"} {
		fi, err := os.Stat(filepath.Join("cgi-bin", s))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o111 == 0 {
			t.Errorf("cgi-bin/%s: mode %v, want executable", s, fi.Mode())
		}
	}
}

func TestHello(t *testing.T) {
	t.Parallel()
	for _, proto := range []string{"GEMINI", "GUPPY"} {
		out := runCGI(t, "hello", "SERVER_PROTOCOL="+proto, "SERVER_PORT=1965",
			"AUTH_TYPE=Certificate", "REMOTE_USER=ines\n=> /evil", "TLS_CLIENT_HASH=SHA256:AB")
		if !strings.HasPrefix(out, "20 text/gemini; charset=utf-8\r\n") {
			t.Errorf("%s: header: got %q", proto, out)
		}
		if !strings.Contains(out, "* Protocol: "+proto+"\n") {
			t.Errorf("%s: protocol line missing from %q", proto, out)
		}
		if strings.Contains(out, "\n=> /evil") {
			t.Errorf("%s: a newline in a variable started a new line: %q", proto, out)
		}
	}
	checkMenu(t, runCGI(t, "hello", "SERVER_PROTOCOL=GOPHER", "SERVER_PORT=7070"))

	// Over HTTP: CGI headers, then HTML with every value escaped.
	out := runCGI(t, "hello", "SERVER_PROTOCOL=HTTP/1.1", "SERVER_PORT=8080", `QUERY_STRING=<script>"x"&y`)
	if !strings.HasPrefix(out, "Content-Type: text/html; charset=utf-8\r\n\r\n<!doctype html>") {
		t.Errorf("HTTP: header: got %q", out)
	}
	if !strings.Contains(out, "<li>Query string: &lt;script&gt;&quot;x&quot;&amp;y</li>") || strings.Contains(out, "<script>") {
		t.Errorf("HTTP: the query is not escaped in %q", out)
	}
}

func TestSearch(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "marker")
	tests := []struct {
		name, proto, query string
		want               []string // substrings of the output, in order
		not                []string
	}{
		{"gemini prompt", "GEMINI", "", []string{"10 Search post titles for\r\n"}, nil},
		{"guppy prompt", "GUPPY", "", []string{"10 "}, nil},
		{"gemini match", "GEMINI", "QUERY_STRING=ANTENNA",
			[]string{"20 text/gemini", "=> /posts/random-wire/ 2025-04-18 A random wire antenna"}, nil},
		{"encoded query", "GEMINI", "QUERY_STRING=pocket%20guide",
			[]string{"=> /posts/band-guide/ 2025-08-24 A pocket guide"}, nil},
		{"date prefix stripped", "GEMINI", "QUERY_STRING=listening%20log",
			[]string{"=> /posts/plain-text-logbook/ 2025-05-30 "}, nil},
		{"newest first", "GEMINI", "QUERY_STRING=the",
			[]string{"/posts/solar-cycle/", "/posts/what-survives-gemtext/", "/posts/random-wire/"}, nil},
		{"drafts hidden", "GEMINI", "QUERY_STRING=loop", []string{"None found"}, []string{"magnetic"}},
		{"gemini-only post on gemini", "GEMINI", "QUERY_STRING=certificates",
			[]string{"/posts/client-certificates/"}, nil},
		{"shell syntax is only text", "GEMINI", "QUERY_STRING=%24(touch%20" + marker + ")%60touch%20" + marker + "%60",
			[]string{"None found"}, nil},
		{"newline cannot start a line", "GEMINI", "QUERY_STRING=x%0D%0A%3D%3E%20%2Fevil",
			[]string{"None found"}, []string{"\n=> /evil"}},
		{"too long", "GEMINI", "QUERY_STRING=" + strings.Repeat("a", 101), []string{"10 "}, []string{"20 "}},
		{"invalid utf-8", "GEMINI", "QUERY_STRING=%FF%FE", []string{"10 "}, []string{"20 "}},
		{"gopher without query", "GOPHER", "", []string{"7Search post titles\t/cgi-bin/search\tlocalhost\t7070\r\n"}, nil},
		{"gopher match", "GOPHER", "SEARCHREQUEST=antenna",
			[]string{"12025-04-18 A random wire antenna for the price of a pizza\t/posts/random-wire/\tlocalhost\t7070\r\n"}, nil},
		{"gemini-only post not on gopher", "GOPHER", "SEARCHREQUEST=certificates", []string{"None found"}, nil},
		{"gopher tab in query", "GOPHER", "SEARCHREQUEST=a\tb", []string{"contain \"ab\""}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := []string{"SERVER_PROTOCOL=" + tc.proto, "SERVER_PORT=7070"}
			if tc.query != "" {
				env = append(env, tc.query)
			}
			out := runCGI(t, "search", env...)
			rest := out
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("got %q, want it to contain %q (in order)", out, w)
				}
				rest = rest[i+len(w):]
			}
			for _, n := range tc.not {
				if strings.Contains(out, n) {
					t.Errorf("got %q, want no %q", out, n)
				}
			}
			if tc.proto == "GOPHER" {
				checkMenu(t, out)
			}
			if _, err := os.Stat(marker); err == nil {
				t.Fatalf("the query was run as a command")
			}
		})
	}
}
