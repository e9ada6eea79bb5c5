package gopher

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestParseRequest(t *testing.T) {
	long := strings.Repeat("a", MaxSelector)
	tests := []struct {
		name              string
		line              string
		sel, search, plus string
		err               error
	}{
		{name: "empty is root", line: "\r\n"},
		{name: "bare LF", line: "/posts/\n", sel: "/posts/"},
		{name: "no line end", line: "/a", sel: "/a"},
		{name: "plain", line: "/posts/hello.txt\r\n", sel: "/posts/hello.txt"},
		{name: "search", line: "/cgi-bin/search\tgopher holes\r\n", sel: "/cgi-bin/search", search: "gopher holes"},
		{name: "empty search", line: "/s\t\r\n", sel: "/s"},
		{name: "gopher+ plus", line: "/x\t+\r\n", sel: "/x", plus: "+"},
		{name: "gopher+ dollar", line: "/x\t$\r\n", sel: "/x", plus: "$"},
		{name: "gopher+ bang", line: "/x\t!\r\n", sel: "/x", plus: "!"},
		{name: "gopher+ attribute", line: "/x\t!+ABSTRACT\r\n", sel: "/x", plus: "!+ABSTRACT"},
		{name: "gopher+ view", line: "/x\t+text/plain\r\n", sel: "/x", plus: "+text/plain"},
		{name: "gopher+ data flag", line: "/x\t+\t1\r\n", sel: "/x", plus: "+"},
		{name: "gopher+ search", line: "/s\tfoo bar\t+\r\n", sel: "/s", search: "foo bar", plus: "+"},
		{name: "search looking like plus", line: "/s\t+1\r\n", sel: "/s", search: "+1"},
		{name: "search with bang", line: "/s\t!important\r\n", sel: "/s", search: "!important"},
		{name: "search with spaces and plus", line: "/s\t+a b\r\n", sel: "/s", search: "+a b"},
		{name: "utf-8 search", line: "/s\tgrüße\r\n", sel: "/s", search: "grüße"},
		{name: "255 bytes", line: long + "\r\n", sel: long},
		{name: "256 bytes", line: long + "a\r\n", err: ErrSelectorTooLong},
		{name: "4 KiB", line: strings.Repeat("x", 4096) + "\r\n", err: ErrRequestTooLong},
		{name: "NUL", line: "/a\x00b\r\n", err: ErrBadRequest},
		{name: "NUL in search", line: "/a\tb\x00\r\n", err: ErrBadRequest},
		{name: "inner CR", line: "/a\rb\r\n", err: ErrBadRequest},
		{name: "inner LF", line: "/a\nb\r\n", err: ErrBadRequest},
		{name: "escape in selector", line: "/a\x1b[2J\r\n", err: ErrBadRequest},
		{name: "DEL in selector", line: "/a\x7f\r\n", err: ErrBadRequest},
		{name: "URL selector", line: "URL:https://example.org/\r\n", sel: "URL:https://example.org/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseRequest(tt.line)
			if !errors.Is(err, tt.err) {
				t.Fatalf("ParseRequest(%q) error = %v, want %v", tt.line, err, tt.err)
			}
			if err != nil {
				return
			}
			if r.Selector != tt.sel || r.Search != tt.search || r.Plus != tt.plus {
				t.Errorf("ParseRequest(%q) = {%q %q %q}, want {%q %q %q}",
					tt.line, r.Selector, r.Search, r.Plus, tt.sel, tt.search, tt.plus)
			}
		})
	}
}

func TestReadRequestLine(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
		err  error
	}{
		{name: "crlf", in: "/a\r\nrest", want: "/a\r\n"},
		{name: "eof with bytes", in: "/a", want: "/a"},
		{name: "eof at once", in: "", err: io.EOF},
		{name: "longest", in: strings.Repeat("a", MaxRequestLine) + "\r\n", want: strings.Repeat("a", MaxRequestLine) + "\r\n"},
		{name: "too long", in: strings.Repeat("a", MaxRequestLine+3) + "\r\n", err: ErrRequestTooLong},
		{name: "endless", in: strings.Repeat("a", 1<<20), err: ErrRequestTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readRequestLine(bufio.NewReaderSize(strings.NewReader(tt.in), 512))
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Errorf("readRequestLine = %q, %v; want %q, %v", got, err, tt.want, tt.err)
			}
		})
	}
}

// FuzzParseRequest checks that no request line panics the parser and that
// what it accepts is safe to use: a bounded selector with no control bytes
// and search text with no line breaks or TABs.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		"", "\r\n", "/", "/posts/\r\n", "/s\tquery\r\n", "/x\t+\r\n", "/x\t$\r\n",
		"/x\t!+ABSTRACT\r\n", "/s\tq\t+\r\n", "/x\t+\t1\r\n", "URL:https://e.org/\r\n",
		"/a\x00b", "/../../etc/passwd\r\n", "/%2e%2e/%2e%2e/etc\r\n",
		strings.Repeat("a", 256), "\t\t\t", "\xff\xfe/\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		r, err := ParseRequest(line)
		if err != nil {
			if r != nil {
				t.Fatalf("ParseRequest(%q) returned a request with error %v", line, err)
			}
			return
		}
		if len(r.Selector) > MaxSelector {
			t.Errorf("selector of %d bytes accepted", len(r.Selector))
		}
		for i := 0; i < len(r.Selector); i++ {
			if c := r.Selector[i]; c < 0x20 || c == 0x7f {
				t.Errorf("selector %q holds control byte %#x", r.Selector, c)
			}
		}
		if strings.ContainsAny(r.Search, "\t\r\n\x00") || strings.ContainsAny(r.Plus, "\t\r\n\x00") {
			t.Errorf("search %q or plus %q holds TAB, CR, LF or NUL", r.Search, r.Plus)
		}
		if !strings.HasPrefix(strings.TrimRight(line, "\r\n"), r.Selector) {
			t.Errorf("selector %q is not a prefix of %q", r.Selector, line)
		}
	})
}
