package web

import (
	"bytes"
	"log/slog"
	"os/exec"
	"strings"
	"testing"

	"github.com/gmkit/gmkit/serve/policy"
)

// curl runs the real curl against the server with args (-s and -S added)
// and returns what it printed (headers with -i/-I, then the body).
func curl(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("curl", append([]string{"-sS", "--max-time", "20"}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("curl %v: %v: %s", args, err, errb.String())
	}
	return strings.ReplaceAll(out.String(), "\r\n", "\n")
}

// TestCurlConformance checks the server's HTTP with curl, a client that
// reads answers strictly: conditional requests, ranges, HEAD, gzip,
// redirects, 404 and CGI.
func TestCurlConformance(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not installed (.ci/run installs it)")
	}
	_, c, _ := cgiFixture(t)
	pol := &policy.Policy{CGIMount: policy.DefaultCGIMount}
	tree := pol.Tree(site(), DefaultIndex, []policy.Redirect{{From: "/old/", To: "/posts/hello/"}})
	h := Headers(TreeHandler(tree, c, Options{}), HeaderOptions{})
	base := start(t, &Server{Handler: h, Logger: slog.New(slog.DiscardHandler)})

	head := curl(t, "-I", base+"/style.css")
	etag := headerOf(head, "etag")
	lastMod := headerOf(head, "last-modified")
	checks := []struct {
		name string
		args []string
		has  []string
		not  []string
	}{
		{"HEAD", []string{"-I", base + "/style.css"},
			[]string{"HTTP/1.1 200 OK", "content-type: text/css; charset=utf-8", "content-length: 21", "accept-ranges: bytes", "content-security-policy: default-src 'none'"},
			[]string{"max-width"}},
		{"If-None-Match", []string{"-i", "-H", "If-None-Match: " + etag, base + "/style.css"},
			[]string{"HTTP/1.1 304 Not Modified", "etag: " + etag}, []string{"max-width"}},
		{"If-Modified-Since", []string{"-i", "-H", "If-Modified-Since: " + lastMod, base + "/style.css"},
			[]string{"HTTP/1.1 304 Not Modified"}, []string{"max-width"}},
		{"range", []string{"-i", "-r", "3-5", base + "/digits.txt"},
			[]string{"HTTP/1.1 206 Partial Content", "content-range: bytes 3-5/10", "\n\n345"}, nil},
		{"multiple ranges", []string{"-i", "-r", "0-0,9-9", base + "/digits.txt"},
			[]string{"HTTP/1.1 206 Partial Content", "content-type: multipart/byteranges"}, nil},
		{"gzip", []string{"-i", "--compressed", base + "/"},
			[]string{"content-encoding: gzip", "vary: Accept-Encoding", "hello web hello web"}, nil},
		{"redirect folder", []string{"-i", base + "/posts/hello"},
			[]string{"HTTP/1.1 301 Moved Permanently", "location: /posts/hello/"}, nil},
		{"redirect alias followed", []string{"-i", "-L", base + "/old"},
			[]string{"HTTP/1.1 301 Moved Permanently", "location: /posts/hello/", "HTTP/1.1 200 OK", "<p>hello</p>"}, nil},
		{"404", []string{"-i", base + "/missing"},
			[]string{"HTTP/1.1 404 Not Found", "Nothing here."}, nil},
		{"CGI GET", []string{"-i", base + "/cgi-bin/env/x?y=1"},
			[]string{"HTTP/1.1 200 OK", "QUERY_STRING=y=1", "PATH_INFO=/x", "content-security-policy:"}, nil},
		{"CGI POST", []string{"-i", "--data", "a=1&b=2", base + "/cgi-bin/post"},
			[]string{"HTTP/1.1 200 OK", "got:a=1&b=2"}, nil},
		{"CGI status", []string{"-i", base + "/cgi-bin/status"},
			[]string{"HTTP/1.1 418", "x-script: yes"}, nil},
		{"path escape", []string{"-i", "--path-as-is", base + "/../../etc/passwd"},
			[]string{"HTTP/1.1 400 Bad Request"}, []string{"root:"}},
		{"method", []string{"-i", "-X", "DELETE", base + "/"},
			[]string{"HTTP/1.1 405 Method Not Allowed", "allow: GET, HEAD"}, nil},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			out := curl(t, c.args...)
			low := lowerHeaders(out)
			for _, s := range c.has {
				if !strings.Contains(low, s) {
					t.Errorf("answer lacks %q:\n%s", s, out)
				}
			}
			for _, s := range c.not {
				if strings.Contains(low, s) {
					t.Errorf("answer holds %q:\n%s", s, out)
				}
			}
		})
	}
}

// lowerHeaders lower-cases header names (HTTP/1.1 sends them canonical)
// so that the checks read like HTTP/2's.
func lowerHeaders(out string) string {
	var b strings.Builder
	inHead := false
	for _, line := range strings.SplitAfter(out, "\n") {
		switch {
		case strings.HasPrefix(line, "HTTP/"):
			inHead = true
		case strings.TrimSpace(line) == "":
			inHead = false
		case inHead:
			if k, v, ok := strings.Cut(line, ":"); ok {
				line = strings.ToLower(k) + ":" + v
			}
		}
		b.WriteString(line)
	}
	return b.String()
}

func headerOf(out, name string) string {
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
