package build

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"github.com/gmkit/gmkit/build/output"
	"github.com/gmkit/gmkit/build/tree"
	"net/url"
	"path"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gmkit/gmkit/build/gemtext"
	"github.com/gmkit/gmkit/build/gophermap"
	"golang.org/x/net/html"
)

// checkOutput runs the checks every successful build must pass, whatever the
// site:
//
//   - every generated .gmi file passes gemtext.Check;
//   - every generated gophermap passes gophermap.Lint in strict mode;
//   - every item of every generated gophermap points at a selector that
//     exists in the output (or is an info line, an h item with a URL:
//     selector, an item on another server, or a CGI script);
//   - every local link line of every generated .gmi file points at
//     something in the output;
//   - every atom.xml parses as Atom, its links are absolute URLs of its own
//     output with the public host, its entries are newest first, its
//     updated time is its newest entry's, and every entry points at a page
//     of the output.
//
// The link checks are skipped for builds with warnings: a broken link is
// printed as written and reported as a warning, which fixtures check.
func checkOutput(t *testing.T, res *Result, cfg Config) {
	t.Helper()
	cfg = cfg.Defaults()
	out := res.Output
	links := len(res.Warnings) == 0
	for _, p := range out.Paths() {
		b, generated := out.File(p).Data(), out.File(p).Source() == ""
		if !generated {
			continue
		}
		switch {
		case strings.HasPrefix(p, "gemini/") && strings.HasSuffix(p, ".gmi"):
			if err := gemtext.Check(b); err != nil {
				t.Errorf("%s: %v", p, err)
			}
			if links {
				for _, prob := range geminiLinkProblems(out, cfg, b) {
					t.Errorf("%s: %s", p, prob)
				}
			}
		case strings.HasPrefix(p, "gopher/") && path.Base(p) == "gophermap":
			for _, prob := range gophermap.Lint(bytes.NewReader(b), true) {
				t.Errorf("%s:%d: %s", p, prob.Line, prob.Msg)
			}
			if links {
				for _, prob := range gopherLinkProblems(out, cfg, b) {
					t.Errorf("%s: %s", p, prob)
				}
			}
		case strings.HasPrefix(p, "html/") && strings.HasSuffix(p, ".html"):
			if links {
				for _, prob := range htmlLinkProblems(out, p, b) {
					t.Errorf("%s: %s", p, prob)
				}
			}
		case path.Base(p) == "atom.xml":
			for _, prob := range feedProblems(out, cfg, p, b, links) {
				t.Errorf("%s: %s", p, prob)
			}
		}
	}
}

// geminiExists reports whether a local gemini path (no query or fragment,
// percent-encoded) names a file or a folder with an index.gmi in the output.
func geminiExists(out *tree.Tree, u string) bool {
	// A server decodes the path before it looks for the file.
	if d, err := url.PathUnescape(u); err == nil {
		u = d
	}
	p := "gemini" + strings.TrimSuffix(u, "/")
	if strings.HasSuffix(u, "/") || u == "" {
		_, err := out.Stat(p + "/index.gmi")
		return err == nil
	}
	if fi, err := out.Stat(p); err == nil {
		if !fi.IsDir() {
			return true
		}
		_, err := out.Stat(p + "/index.gmi")
		return err == nil
	}
	return false
}

func isCGI(cfg Config, sel string) bool {
	return cfg.CGIDir != "" && strings.HasPrefix(sel, "/"+cfg.CGIDir+"/")
}

func geminiLinkProblems(out *tree.Tree, cfg Config, b []byte) []string {
	var probs []string
	pre := false
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "```") {
			pre = !pre
			continue
		}
		if pre || !strings.HasPrefix(line, "=>") {
			continue
		}
		fields := strings.Fields(strings.TrimPrefix(line, "=>"))
		if len(fields) == 0 {
			continue
		}
		u := fields[0]
		if output.HasScheme(u) || strings.HasPrefix(u, "//") {
			continue
		}
		if !strings.HasPrefix(u, "/") {
			probs = append(probs, fmt.Sprintf("line %d: link %q is relative", n, u))
			continue
		}
		if i := strings.IndexAny(u, "?#"); i >= 0 {
			u = u[:i]
		}
		if isCGI(cfg, u) {
			continue
		}
		if !geminiExists(out, u) {
			probs = append(probs, fmt.Sprintf("line %d: link %q points at nothing in the output", n, u))
		}
	}
	return probs
}

// gopherSelectorExists reports whether an item of type typ with selector sel
// on this server finds something in the output.
func gopherSelectorExists(out *tree.Tree, typ byte, sel string) bool {
	if !strings.HasPrefix(sel, "/") {
		return false
	}
	p := "gopher" + strings.TrimSuffix(sel, "/")
	fi, err := out.Stat(p)
	if err != nil {
		return false
	}
	if typ == '1' {
		// A menu: a folder (the server lists it, or sends its gophermap).
		return fi.IsDir()
	}
	return !fi.IsDir() && !strings.HasSuffix(sel, "/")
}

func gopherLinkProblems(out *tree.Tree, cfg Config, b []byte) []string {
	var probs []string
	for n, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		it, err := gophermap.ParseItem(line)
		if err != nil {
			probs = append(probs, fmt.Sprintf("line %d: %v", n+1, err))
			continue
		}
		switch {
		case it.Type == 'i' || it.Type == '3':
			continue
		case it.Type == 'h' && strings.HasPrefix(it.Selector, "URL:"):
			continue
		case it.Host != gopherHost(cfg) || it.Port != gopherPort(cfg):
			continue // another server
		case isCGI(cfg, it.Selector):
			continue
		}
		if !gopherSelectorExists(out, byte(it.Type), it.Selector) {
			probs = append(probs, fmt.Sprintf("line %d: item %c %q points at nothing in the output", n+1, it.Type, it.Selector))
		}
	}
	return probs
}

// atomFeed is what the checks read from an Atom document.
type atomFeed struct {
	XMLName xml.Name   `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string     `xml:"title"`
	ID      string     `xml:"id"`
	Updated string     `xml:"updated"`
	Links   []atomLink `xml:"link"`
	Entries []struct {
		Title   string   `xml:"title"`
		ID      string   `xml:"id"`
		Updated string   `xml:"updated"`
		Link    atomLink `xml:"link"`
	} `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
}

func parseAtom(b []byte) (*atomFeed, error) {
	var f atomFeed
	if err := xml.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// htmlExists reports whether a local web path (no query or fragment,
// percent-encoded) names a file or a folder with an index.html.
func htmlExists(out *tree.Tree, u string) bool {
	if d, err := url.PathUnescape(u); err == nil {
		u = d
	}
	p := "html" + strings.TrimSuffix(u, "/")
	if fi, err := out.Stat(p); err == nil && !fi.IsDir() && !strings.HasSuffix(u, "/") {
		return true
	}
	_, err := out.Stat(p + "/index.html")
	return err == nil
}

// htmlLinkProblems lists the local links (href, src) of a web page that
// point at nothing in the output.
func htmlLinkProblems(out *tree.Tree, file string, b []byte) []string {
	var probs []string
	z := html.NewTokenizer(bytes.NewReader(b))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return probs
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		for {
			k, v, more := z.TagAttr()
			if a := string(k); a == "href" || a == "src" {
				u := string(v)
				if i := strings.IndexAny(u, "?#"); i >= 0 {
					u = u[:i]
				}
				if u != "" && !output.HasScheme(u) && !strings.HasPrefix(u, "//") && !strings.HasPrefix(u, "/cgi-bin/") {
					if !strings.HasPrefix(u, "/") {
						u = path.Join("/"+path.Dir(strings.TrimPrefix(file, "html/")), u)
					}
					if !htmlExists(out, u) {
						probs = append(probs, fmt.Sprintf("link %q points at nothing in the output", string(v)))
					}
				}
			}
			if !more {
				break
			}
		}
	}
}

// outputBase is the absolute URL of an output's root.
func outputBase(cfg Config, output string) string {
	if output == "html" {
		host := cfg.Hostname
		if p := intSetting(cfg, "html", "port"); p != 0 && p != 443 {
			host += ":" + strconv.Itoa(p)
		}
		return "https://" + host + "/"
	}
	if output == "gemini" {
		host := cfg.Hostname
		if p := intSetting(cfg, "gemini", "port"); p != 0 && p != 1965 {
			host += ":" + strconv.Itoa(p)
		}
		return "gemini://" + host + "/"
	}
	host := gopherHost(cfg)
	if gopherPort(cfg) != 70 {
		host += ":" + strconv.Itoa(gopherPort(cfg))
	}
	return "gopher://" + host + "/"
}

// gopherHost and gopherPort are where the Gopher output's menus point.
func gopherHost(cfg Config) string {
	if h, ok := cfg.OutputSettings["gopher"]["host"].(string); ok && h != "" {
		return h
	}
	return cfg.Hostname
}

func gopherPort(cfg Config) int {
	if p := intSetting(cfg, "gopher", "port"); p != 0 {
		return p
	}
	return 70
}

// intSetting is a whole-number setting of an output, from Go or JSON.
func intSetting(cfg Config, out, key string) int {
	switch v := cfg.OutputSettings[out][key].(type) {
	case int:
		return v
	case float64:
		return int(v)
	}
	return 0
}

func feedProblems(out *tree.Tree, cfg Config, p string, b []byte, links bool) []string {
	var probs []string
	bad := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }
	f, err := parseAtom(b)
	if err != nil {
		return []string{fmt.Sprintf("not Atom: %v", err)}
	}
	output, _, _ := strings.Cut(p, "/")
	base := outputBase(cfg, output)
	// exists checks an absolute URL of this output.
	exists := func(u string) bool {
		rest, ok := strings.CutPrefix(u, base)
		if !ok {
			return false
		}
		switch output {
		case "gemini":
			return geminiExists(out, "/"+rest)
		case "html":
			return htmlExists(out, "/"+rest)
		}
		if rest == "" {
			return true
		}
		return gopherSelectorExists(out, rest[0], rest[1:])
	}
	if f.Title == "" {
		bad("feed has no title")
	}
	if f.ID == "" {
		bad("feed has no id")
	}
	for _, l := range f.Links {
		if !strings.HasPrefix(l.Href, base) {
			bad("link %q (rel %q) is not an absolute URL below %s", l.Href, l.Rel, base)
		} else if links && !exists(l.Href) {
			bad("link %q (rel %q) points at nothing in the output", l.Href, l.Rel)
		}
	}
	updated, err := time.Parse(time.RFC3339, f.Updated)
	if err != nil {
		bad("updated %q: %v", f.Updated, err)
	}
	var prev time.Time
	for i, e := range f.Entries {
		if !strings.HasPrefix(e.Link.Href, base) {
			bad("entry %d (%s): link %q is not an absolute URL below %s", i, e.Title, e.Link.Href, base)
		} else if links && !exists(e.Link.Href) {
			bad("entry %d (%s): link %q points at nothing in the output", i, e.Title, e.Link.Href)
		}
		if e.ID == "" {
			bad("entry %d (%s) has no id", i, e.Title)
		}
		t, err := time.Parse(time.RFC3339, e.Updated)
		if err != nil {
			bad("entry %d (%s): updated %q: %v", i, e.Title, e.Updated, err)
			continue
		}
		if i == 0 && !t.Equal(updated) {
			bad("feed updated %s, want the newest entry's %s", f.Updated, e.Updated)
		}
		if i > 0 && t.After(prev) {
			bad("entry %d (%s, %s) is newer than the one before it (%s)", i, e.Title, e.Updated, prev.Format(time.RFC3339))
		}
		prev = t
	}
	return probs
}
