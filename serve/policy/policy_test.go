package policy

import (
	"crypto/x509"
	"net"
	"path"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestParseURLPath(t *testing.T) {
	tests := []struct {
		in     string
		ok     bool
		name   string
		slash  bool
		hidden bool
	}{
		{"", true, ".", true, false},
		{"/", true, ".", true, false},
		{"/a", true, "a", false, false},
		{"/a/b/", true, "a/b", true, false},
		{"/caf%C3%A9/", true, "café", true, false},
		{"/with%20space.gmi", true, "with space.gmi", false, false},
		{"/.secret", true, ".secret", false, true},
		{"/a/.git/config", true, "a/.git/config", false, true},
		{"/%2esecret", true, ".secret", false, true},
		{"a", false, "", false, false},
		{"//a", false, "", false, false},
		{"/a//b", false, "", false, false},
		{"/..", false, "", false, false},
		{"/a/../b", false, "", false, false},
		{"/./a", false, "", false, false},
		{"/%2e%2e/a", false, "", false, false},
		{"/%2E%2E/", false, "", false, false},
		{"/a%2fb", false, "", false, false},
		{"/a%5cb", false, "", false, false},
		{"/a\\b", false, "", false, false},
		{"/a%00", false, "", false, false},
		{"/a%zz", false, "", false, false},
	}
	for _, tt := range tests {
		p, ok := ParseURLPath(tt.in)
		if ok != tt.ok {
			t.Errorf("ParseURLPath(%q): ok %v, want %v", tt.in, ok, tt.ok)
			continue
		}
		if ok && (p.Name() != tt.name || p.Slash() != tt.slash || p.Hidden() != tt.hidden) {
			t.Errorf("ParseURLPath(%q) = %q slash %v hidden %v, want %q %v %v", tt.in, p.Name(), p.Slash(), p.Hidden(), tt.name, tt.slash, tt.hidden)
		}
	}
}

func TestParseSelector(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		name string
	}{
		{"", true, "."}, {"/", true, "."}, {"a", true, "a"}, {"/a/b/", true, "a/b"},
		{"/a%2e%2e", true, "a%2e%2e"}, // selectors are not percent-encoded
		{"/../x", false, ""}, {"/a/./b", false, ""}, {"//a", false, ""}, {"/a\\b", false, ""}, {"/a\x00", false, ""},
	}
	for _, tt := range tests {
		p, ok := ParseSelector(tt.in)
		if ok != tt.ok || ok && p.Name() != tt.name {
			t.Errorf("ParseSelector(%q) = %q, %v; want %q, %v", tt.in, p.Name(), ok, tt.name, tt.ok)
		}
	}
}

func TestCGIScript(t *testing.T) {
	tests := []struct {
		mount, path string
		script      string
		ok          bool
	}{
		{"/cgi-bin", "/cgi-bin/a", "/a", true},
		{"/cgi-bin", "/cgi-bin/a/b/", "/a/b/", true},
		{"cgi-bin/", "/cgi-bin/a", "/a", true},
		{"/cgi-bin", "/cgi-bin", "", true},
		{"/cgi-bin", "/cgi-bin/", "/", true},
		{"/cgi-bin", "/cgi-binx/a", "", false},
		{"/cgi-bin", "/a/cgi-bin/x", "", false},
		{"", "/cgi-bin/a", "", false},
		{"/", "/a", "", false},
	}
	for _, tt := range tests {
		p, ok := ParseURLPath(tt.path)
		if !ok {
			t.Fatalf("ParseURLPath(%q) failed", tt.path)
		}
		script, ok := CGIScript(tt.mount, p)
		if script != tt.script || ok != tt.ok {
			t.Errorf("CGIScript(%q, %q) = %q, %v; want %q, %v", tt.mount, tt.path, script, ok, tt.script, tt.ok)
		}
	}
}

func TestDecide(t *testing.T) {
	fsys := fstest.MapFS{
		"index.gmi":        {Data: []byte("home")},
		"a.txt":            {Data: []byte("a")},
		"dir/index.gmi":    {Data: []byte("dir")},
		"bare/x.txt":       {Data: []byte("x")},
		"private/p.txt":    {Data: []byte("p")},
		"private/deep/q.x": {Data: []byte("q")},
	}
	now := time.Now()
	valid := &x509.Certificate{Raw: []byte("valid"), NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)}
	expired := &x509.Certificate{Raw: []byte("old"), NotBefore: now.Add(-2 * time.Hour), NotAfter: now.Add(-time.Hour)}
	pinned := &x509.Certificate{Raw: []byte("pinned"), NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)}
	pol := &Policy{
		CGIMount: DefaultCGIMount,
		Rules: []Rule{
			{Prefix: "/private/"},
			{Prefix: "/private/deep/", Fingerprints: []string{"SHA256:" + strings.ToLower(Fingerprint(pinned))}},
		},
	}
	tree := pol.Tree(fsys, "index.gmi", []Redirect{{From: "/old/", To: "/a.txt"}, {From: "/tmp", To: "/b", Temporary: true}})
	listing := (&Policy{Listing: true}).Tree(fsys, "index.gmi", nil)
	tests := []struct {
		t    *Tree
		path string
		c    *Client
		want Decision
	}{
		{tree, "/", nil, Decision{Kind: File, Name: "index.gmi"}},
		{tree, "/a.txt", nil, Decision{Kind: File, Name: "a.txt"}},
		{tree, "/a.txt/", nil, Decision{Kind: NotFound}},
		{tree, "/dir", nil, Decision{Kind: AddSlash, Name: "dir"}},
		{tree, "/dir/", nil, Decision{Kind: File, Name: "dir/index.gmi"}},
		{tree, "/bare/", nil, Decision{Kind: NotFound}},
		{listing, "/bare/", nil, Decision{Kind: Listing, Name: "bare"}},
		{listing, "/", nil, Decision{Kind: File, Name: "index.gmi"}},
		{tree, "/old", nil, Decision{Kind: Redirected, Target: "/a.txt"}},
		{tree, "/old/", nil, Decision{Kind: Redirected, Target: "/a.txt"}},
		{tree, "/tmp/", nil, Decision{Kind: Redirected, Target: "/b", Temporary: true}},
		{tree, "/cgi-bin/s/x", nil, Decision{Kind: CGI, Name: "/cgi-bin", Target: "/s/x"}},
		{tree, "/cgi-bin/.s", nil, Decision{Kind: NotFound}},
		{tree, "/private/p.txt", nil, Decision{Kind: CertRequired}},
		{tree, "/private", nil, Decision{Kind: CertRequired}},
		{tree, "/private/p.txt", &Client{}, Decision{Kind: CertRequired}},
		{tree, "/private/p.txt", &Client{Cert: expired}, Decision{Kind: CertNotValid}},
		{tree, "/private/p.txt", &Client{Cert: valid}, Decision{Kind: File, Name: "private/p.txt"}},
		{tree, "/private/deep/q.x", &Client{Cert: valid}, Decision{Kind: CertNotAuthorised}},
		{tree, "/private/deep/q.x", &Client{Cert: pinned}, Decision{Kind: File, Name: "private/deep/q.x"}},
		{tree, "/privatex", nil, Decision{Kind: NotFound}},
	}
	for _, tt := range tests {
		p, ok := ParseURLPath(tt.path)
		if !ok {
			t.Fatalf("ParseURLPath(%q) failed", tt.path)
		}
		got := tt.t.Decide(p, tt.c)
		info := got.Info
		got.Info = nil
		if got != tt.want {
			t.Errorf("Decide(%q): got %+v (%s), want %+v (%s)", tt.path, got, got.Kind, tt.want, tt.want.Kind)
		}
		if (got.Kind == File) != (info != nil) {
			t.Errorf("Decide(%q): Info %v for a decision %s", tt.path, info, got.Kind)
		}
		if info != nil && (info.IsDir() || info.Name() != path.Base(got.Name)) {
			t.Errorf("Decide(%q): Info names %q (folder %v), want the file %q", tt.path, info.Name(), info.IsDir(), got.Name)
		}
	}
}

func TestHostAllowed(t *testing.T) {
	loop := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1965}
	public := &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 1965}
	names := []string{"example.org", "alias.example."}
	tests := []struct {
		host string
		conn net.Addr
		want bool
	}{
		{"example.org", public, true}, {"EXAMPLE.org.", public, true}, {"alias.example", public, true},
		{"other.example", public, false}, {"localhost", public, false},
		{"localhost", loop, true}, {"127.0.0.1", loop, true}, {"::1", loop, true}, {"other.example", loop, false},
		{"localhost", nil, false},
	}
	for _, tt := range tests {
		if got := HostAllowed(names, tt.host, tt.conn); got != tt.want {
			t.Errorf("HostAllowed(%q, %v) = %v, want %v", tt.host, tt.conn, got, tt.want)
		}
	}
	if !HostAllowed(nil, "anything", public) {
		t.Error("no names should serve any host")
	}
	if !PortAllowed(0, 1965, 0, loop) || PortAllowed(70, 1965, 0, loop) || !PortAllowed(7000, 1965, 7000, loop) {
		t.Error("PortAllowed: wrong answer")
	}
}

func FuzzParseURLPath(f *testing.F) {
	f.Fuzz(func(t *testing.T, escaped string) {
		p, ok := ParseURLPath(escaped)
		if !ok {
			return
		}
		name := p.Name()
		if name == "." {
			return
		}
		for seg := range strings.SplitSeq(name, "/") {
			if seg == "" || seg == "." || seg == ".." || strings.ContainsAny(seg, "\\\x00") {
				t.Fatalf("ParseURLPath(%q) let segment %q through (name %q)", escaped, seg, name)
			}
			if strings.HasPrefix(seg, ".") && !p.Hidden() {
				t.Fatalf("ParseURLPath(%q): %q is hidden but Hidden is false", escaped, name)
			}
		}
		if q, ok := ParseURLPath(p.String()); !ok || q.Name() != name && !strings.Contains(name, "%") {
			t.Fatalf("ParseURLPath(%q) = %q, whose String %q parses to %q, %v", escaped, name, p.String(), q.Name(), ok)
		}
	})
}

func FuzzParseSelector(f *testing.F) {
	f.Fuzz(func(t *testing.T, sel string) {
		p, ok := ParseSelector(sel)
		if !ok || p.Name() == "." {
			return
		}
		for seg := range strings.SplitSeq(p.Name(), "/") {
			if seg == "" || seg == "." || seg == ".." || strings.ContainsAny(seg, "\\\x00") {
				t.Fatalf("ParseSelector(%q) let segment %q through", sel, seg)
			}
		}
	})
}
