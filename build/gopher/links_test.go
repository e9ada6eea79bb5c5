package gopher

import (
	"strings"
	"testing"

	"github.com/gmkit/gmkit/build/gophermap"
)

func TestResolve(t *testing.T) {
	c := newConfig([]Option{WithHost("me.example", 7070)})
	withResolver := newConfig([]Option{WithHost("me.example", 7070), WithLinkResolver(testResolver)})
	long := "https://example.org/" + strings.Repeat("a", 250)
	tests := []struct {
		name   string
		c      config
		dest   string
		want   Item
		url    string
		status linkStatus
	}{
		{"https", c, "https://example.org/x?y=1", Item{Type: 'h', Selector: "URL:https://example.org/x?y=1", Host: "me.example", Port: 7070}, "https://example.org/x?y=1", linkOK},
		{"gemini", c, "gemini://example.org/", Item{Type: 'h', Selector: "URL:gemini://example.org/", Host: "me.example", Port: 7070}, "gemini://example.org/", linkOK},
		{"mailto", c, "mailto:a@b.example", Item{Type: 'h', Selector: "URL:mailto:a@b.example", Host: "me.example", Port: 7070}, "mailto:a@b.example", linkOK},
		{"gopher root", c, "gopher://example.org", Item{Type: '1', Host: "example.org", Port: 70}, "gopher://example.org", linkOK},
		{"gopher typed", c, "gopher://example.org:7071/0/a%20b.txt", Item{Type: '0', Selector: "/a b.txt", Host: "example.org", Port: 7071}, "gopher://example.org:7071/0/a%20b.txt", linkOK},
		{"gopher query", c, "gopher://example.org/1/cgi?x=1#frag", Item{Type: '1', Selector: "/cgi?x=1", Host: "example.org", Port: 70}, "gopher://example.org/1/cgi?x=1#frag", linkOK},
		{"gopher search", c, "gopher://example.org/7/s%09words", Item{Type: '7', Selector: "/s", Host: "example.org", Port: 70}, "gopher://example.org/7/s%09words", linkOK},
		{"gopher ipv6", c, "gopher://[::1]/1/", Item{Type: '1', Selector: "/", Host: "::1", Port: 70}, "gopher://[::1]/1/", linkOK},
		{"gopher upper scheme", c, "GOPHER://example.org/9/f.zip", Item{Type: '9', Selector: "/f.zip", Host: "example.org", Port: 70}, "GOPHER://example.org/9/f.zip", linkOK},
		{"gopher bad port", c, "gopher://example.org:0/1/", Item{Type: 'h', Selector: "URL:gopher://example.org:0/1/", Host: "me.example", Port: 7070}, "gopher://example.org:0/1/", linkOK},
		{"gopher info type", c, "gopher://example.org/i/x", Item{Type: 'h', Selector: "URL:gopher://example.org/i/x", Host: "me.example", Port: 7070}, "gopher://example.org/i/x", linkOK},
		{"gopher no host", c, "gopher:///1/x", Item{Type: 'h', Selector: "URL:gopher:///1/x", Host: "me.example", Port: 7070}, "gopher:///1/x", linkOK},
		{"relative", c, "notes/a.txt#top", Item{Type: '0', Selector: "notes/a.txt", Host: "me.example", Port: 7070}, "gopher://me.example:7070/0notes/a.txt", linkOK},
		{"absolute path", c, "/img/a%20b.png", Item{Type: 'I', Selector: "/img/a b.png", Host: "me.example", Port: 7070}, "gopher://me.example:7070/I/img/a%20b.png", linkOK},
		{"fragment", c, "#part", Item{}, "", linkNone},
		{"empty", c, "  ", Item{}, "", linkNone},
		{"scheme relative", c, "//example.org/x", Item{}, "", linkNone},
		{"too long", c, long, Item{Type: 'h', Selector: "URL:" + long, Host: "me.example", Port: 7070}, long, linkUnfit},
		{"resolver claims", withResolver, "../posts/x.md#frag", Item{Type: '1', Selector: "/posts/x/", Host: "me.example", Port: 7070}, "gopher://me.example:7070/1/posts/x/", linkOK},
		{"resolver zero type", withResolver, "/img/a.gif", Item{Type: 'g', Selector: "/static/img/a.gif", Host: "me.example", Port: 7070}, "gopher://me.example:7070/g/static/img/a.gif", linkOK},
		{"resolver declines", withResolver, "https://example.org/", Item{Type: 'h', Selector: "URL:https://example.org/", Host: "me.example", Port: 7070}, "https://example.org/", linkOK},
		{"invalid UTF-8", c, "a\xff.txt", Item{Type: '0', Selector: "a\ufffd.txt", Host: "me.example", Port: 7070}, "gopher://me.example:7070/0a%EF%BF%BD.txt", linkOK},
	}
	for _, tt := range tests {
		got, st := tt.c.resolve(tt.dest)
		if st != tt.status || got.item != tt.want || got.url != tt.url {
			t.Errorf("%s: resolve(%q) = %+v %q status %d, want %+v %q status %d", tt.name, tt.dest, got.item, got.url, st, tt.want, tt.url, tt.status)
		}
	}
}

func TestUnescape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{`\*not\*`, "*not*"},
		{`\a`, `\a`},
		{`trailing\`, `trailing\`},
		{"&amp; &copy; &#65; &#x42; &#X43;", "& © A B C"},
		{"&nosuchentity; &#; &#x; &amp", "&nosuchentity; &#; &#x; &amp"},
		{"&#0; &#xD800; &#1114112;", "\ufffd \ufffd \ufffd"},
		{"&#99999999;", "&#99999999;"},
		{`\&amp;`, "&amp;"},
	}
	for _, tt := range tests {
		if got := unescape([]byte(tt.in)); got != tt.want {
			t.Errorf("unescape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestGopherURL(t *testing.T) {
	tests := []struct {
		host string
		port int
		typ  gophermap.Type
		sel  string
		want string
	}{
		{"example.org", 70, '1', "", "gopher://example.org/1"},
		{"example.org", 7070, '0', "/a b.txt", "gopher://example.org:7070/0/a%20b.txt"},
		{"::1", 70, '1', "/", "gopher://[::1]/1/"},
		{"h", 70, '0', "/é#?", "gopher://h/0/%C3%A9%23%3F"},
	}
	for _, tt := range tests {
		if got := gopherURL(tt.host, tt.port, tt.typ, tt.sel); got != tt.want {
			t.Errorf("gopherURL(%q, %d, %q, %q) = %q, want %q", tt.host, tt.port, tt.typ, tt.sel, got, tt.want)
		}
	}
}
