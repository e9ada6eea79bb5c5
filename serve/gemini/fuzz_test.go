package gemini

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gmkit/gmkit/serve/policy"
)

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"gemini://localhost/", "gemini://h", "", "/", "//h/", "http://h/", "gemini://u@h/",
		"gemini://h/#f", "\uFEFFgemini://h/", "gemini://h/\x00", "gemini://h/%2e%2e/x",
		"gemini://[::1]:1965/a?b%20c", "gemini:foo", "GEMINI://H:99999/", "gemini://h/\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, status, msg := ParseURL(raw)
		switch status {
		case 0:
			if u == nil || !strings.EqualFold(u.Scheme, "gemini") || u.Hostname() == "" || u.User != nil {
				t.Fatalf("accepted %q as %#v", raw, u)
			}
			if !utf8.ValidString(raw) || strings.ContainsAny(raw, "\x00\r\n #") || len(raw) > MaxURLLength {
				t.Fatalf("accepted %q", raw)
			}
			if p, ok := policy.ParseURLPath(u.EscapedPath()); ok {
				for s := range strings.SplitSeq(p.Name(), "/") {
					if s == "" || s == ".." || strings.ContainsAny(s, "\\\x00") {
						t.Fatalf("policy.ParseURLPath(%q) let %q through", raw, s)
					}
				}
			}
		case StatusBadRequest, StatusProxyRequestRefused:
			if u != nil || msg == "" {
				t.Fatalf("status %d for %q with url %v and message %q", status, raw, u, msg)
			}
		default:
			t.Fatalf("status %d for %q", status, raw)
		}
	})
}

// countingReader counts bytes handed out, in small reads.
type countingReader struct {
	r *bytes.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	if len(p) > 7 {
		p = p[:7]
	}
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func FuzzReadRequestLine(f *testing.F) {
	f.Add([]byte("gemini://h/\r\n"))
	f.Add([]byte("gemini://h/\n"))
	f.Add(bytes.Repeat([]byte("a"), 1030))
	f.Add(append(bytes.Repeat([]byte("a"), 1024), "\r\n"...))
	f.Add([]byte("\r\r\n\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		cr := &countingReader{r: bytes.NewReader(in)}
		line, err := readRequestLine(cr)
		if cr.n > MaxURLLength+2 {
			t.Fatalf("read %d bytes", cr.n)
		}
		if err == nil {
			if len(line) > MaxURLLength || !bytes.HasPrefix(in, []byte(line+"\r\n")) || strings.Contains(line, "\r\n") {
				t.Fatalf("line %q from %q", line, in)
			}
		}
	})
}

func FuzzParseHeader(f *testing.F) {
	for _, s := range []string{"20 text/gemini", "20", "10 Name?", "2", "99 x", "20\ttext", "31 /a/", "5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		status, meta, ok := ParseHeader(line)
		if !ok {
			return
		}
		if status < 10 || status > 69 || len(meta) > MaxMetaLength || strings.ContainsAny(meta, "\r\n") {
			t.Fatalf("ParseHeader(%q) = %d, %q", line, status, meta)
		}
	})
}

func TestReadRequestLineBound(t *testing.T) {
	tests := []struct {
		in      string
		line    string
		wantErr bool
	}{
		{"gemini://h/\r\nextra", "gemini://h/", false},
		{strings.Repeat("a", 1024) + "\r\n", strings.Repeat("a", 1024), false},
		{strings.Repeat("a", 1025) + "\r\n", "", true},
		{strings.Repeat("a", 5000), "", true},
		{"gemini://h/\n", "", true},
	}
	for _, tt := range tests {
		cr := &countingReader{r: bytes.NewReader([]byte(tt.in))}
		line, err := readRequestLine(cr)
		if line != tt.line || (err != nil) != tt.wantErr {
			t.Errorf("got %q, %v; want %q, error %v", line, err, tt.line, tt.wantErr)
		}
		if cr.n > 1026 {
			t.Errorf("read %d bytes, want <= 1026", cr.n)
		}
	}
}
