package nex

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gmkit/gmkit/build"
	"github.com/gmkit/gmkit/serve/policy"
)

// TestCrawlContentExample builds the example site into memory, serves its
// capsule over Nex on loopback and crawls it from the root as a Nex client
// does: every directory (a path ending in "/") is read for its "=> "
// lines, and every link on this server must be answered with something
// other than an error message; links to scripts must not be offered.
func TestCrawlContentExample(t *testing.T) {
	site, err := filepath.Abs(filepath.Join("..", "..", "content-example"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := build.NewBuilder(build.Config{Dir: site, Hostname: "localhost"}).Build(t.Context())
	if err != nil {
		t.Fatalf("building %s: %v", site, err)
	}
	capsule, err := res.Output.Sub("gemini")
	if err != nil {
		t.Fatal(err)
	}
	pol := &policy.Policy{CGIMount: policy.DefaultCGIMount}
	addr := startServer(t, &Server{Handler: TreeHandler(pol.Tree(capsule, DefaultIndex, nil), Options{})})

	queue := []string{""}
	from := map[string]string{"": "(start)"}
	dirs, files := 0, 0
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		body := mustGet(t, addr, p+"\n")
		if body == NotFoundText || body == BadPathText || strings.HasPrefix(body, "Bad request") || body == CertMessage+"\n" {
			t.Errorf("%q (linked from %s): %q", p, from[p], body)
			continue
		}
		if p != "" && !strings.HasSuffix(p, "/") {
			files++
			continue
		}
		dirs++
		for line := range strings.SplitSeq(body, "\n") {
			rest, ok := strings.CutPrefix(line, "=> ")
			if !ok {
				continue
			}
			target, _, _ := strings.Cut(rest, " ")
			u, err := url.Parse(target)
			if err != nil {
				t.Errorf("%q: unparsable link %q", p, line)
				continue
			}
			if u.Scheme != "" || u.Host != "" {
				continue // another protocol or server
			}
			if !strings.HasPrefix(u.Path, "/") {
				t.Errorf("%q: link %q is not absolute", p, line)
				continue
			}
			if strings.HasPrefix(u.Path, "/cgi-bin/") {
				t.Errorf("%q offers the script %q, which Nex cannot run", p, line)
			}
			next := u.EscapedPath() // as a client sends the path of a nex:// URL
			if _, seen := from[next]; !seen {
				from[next] = p
				queue = append(queue, next)
			}
		}
	}
	t.Logf("crawled %d directories and %d files of the example capsule over Nex", dirs, files)
	if dirs < 20 {
		t.Errorf("crawled %d directories; want the whole example (20 pages and more)", dirs)
	}
}
