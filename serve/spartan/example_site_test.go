package spartan

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gmkit/gmkit/build"
	"github.com/gmkit/gmkit/serve/cgi"
	"github.com/gmkit/gmkit/serve/policy"
)

// TestCrawlContentExample builds the example site into memory, serves its
// capsule over Spartan on loopback with the example's CGI scripts and
// crawls it from the root with the test client: every link on this host
// ("=>" lines) and every input line ("=:", answered with a word) must be
// answered with a success, after at most a redirect.
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
	pol := &policy.Policy{Hostnames: []string{"localhost"}, CGIMount: policy.DefaultCGIMount}
	h := TreeHandler(pol.Tree(capsule, DefaultIndex, nil), &CGIHandler{Runner: &cgi.Runner{Dir: filepath.Join(site, "cgi-bin")}}, Options{})
	addr := startServer(t, &Server{Handler: h, HostAllowed: pol.HostAllowed})

	type link struct{ path, from, input string }
	queue := []link{{path: "/"}}
	seen := map[string]bool{"/": true}
	pages, inputs := 0, 0
	for len(queue) > 0 {
		l := queue[0]
		queue = queue[1:]
		rep := mustGet(t, addr, "localhost", l.path, []byte(l.input))
		for hops := 0; rep.Status == StatusRedirect && hops < 5; hops++ {
			rep = mustGet(t, addr, "localhost", rep.Meta, nil)
		}
		if rep.Status != StatusSuccess {
			t.Errorf("%s (linked from %s, input %q): %d %s", l.path, l.from, l.input, rep.Status, rep.Meta)
			continue
		}
		pages++
		if !strings.HasPrefix(rep.Meta, "text/gemini") {
			continue
		}
		base := &url.URL{Path: l.path}
		for line := range strings.SplitSeq(string(rep.Body), "\n") {
			var input string
			switch {
			case strings.HasPrefix(line, "=>"):
			case strings.HasPrefix(line, "=:"):
				input = "antenna"
				inputs++
			default:
				continue
			}
			target := strings.Fields(line[2:])
			if len(target) == 0 {
				continue
			}
			u, err := url.Parse(target[0])
			if err != nil {
				t.Errorf("%s: unparsable link %q", l.path, line)
				continue
			}
			if u.Scheme != "" || u.Host != "" {
				continue // another protocol or host: not this server's to answer
			}
			abs := base.ResolveReference(u)
			p := abs.EscapedPath()
			if abs.RawQuery != "" {
				p += "?" + abs.RawQuery
			}
			key := p + "\x00" + input
			if !seen[key] {
				seen[key] = true
				queue = append(queue, link{path: p, from: l.path, input: input})
			}
		}
	}
	t.Logf("crawled %d answers from the example capsule over Spartan, %d through input lines", pages, inputs)
	if pages < 20 || inputs == 0 {
		t.Errorf("crawled %d answers and %d input lines; want the whole example (20 pages and more) and its search", pages, inputs)
	}
}
