package spartan

import (
	"bufio"
	"errors"
	"strings"
	"testing"
)

func TestParseRequest(t *testing.T) {
	long := strings.Repeat("a", MaxPath)
	tests := []struct {
		line    string
		host    string
		path    string
		query   string
		length  int64
		wantErr string // RequestError message; "" for success
	}{
		{line: "example.org / 0", host: "example.org", path: "/"},
		{line: "Example.ORG. /posts/ 0", host: "example.org", path: "/posts/"},
		{line: "localhost /guestbook/submit 12", host: "localhost", path: "/guestbook/submit", length: 12},
		{line: "127.0.0.1 /a%20b.txt 0", host: "127.0.0.1", path: "/a b.txt"},
		{line: "[::1] / 0", host: "::1", path: "/"},
		{line: "::1 / 0", host: "::1", path: "/"},
		{line: "xn--caf-dma.example /x 0", host: "xn--caf-dma.example", path: "/x"},
		{line: "h /cgi-bin/search?q%20x 0", host: "h", path: "/cgi-bin/search", query: "q%20x"},
		{line: "h /~user/(a),b;c=d:e@f!$&'*+ 0", host: "h", path: "/~user/(a),b;c=d:e@f!$&'*+"},
		{line: "h /" + long[1:] + " 0", host: "h", path: "/" + long[1:]},
		{line: "h 3145728 0", wantErr: "Path must be absolute"},

		{line: "", wantErr: "Request must be: host path content-length"},
		{line: "example.org /", wantErr: "Request must be: host path content-length"},
		{line: "example.org / 0 extra", wantErr: "Request must be: host path content-length"},
		{line: "example.org  / 0", wantErr: "Request must be: host path content-length"},
		{line: " / 0", wantErr: "Request must be: host path content-length"},
		{line: "example.org / 0\t", wantErr: "Request must be printable ASCII"},
		{line: "caf\xc3\xa9.example / 0", wantErr: "Request must be printable ASCII"},
		{line: "example.org /\x00 0", wantErr: "Request must be printable ASCII"},
		{line: "example.org:300 / 0", wantErr: "Host must not name a port"},
		{line: "[::1]:300 / 0", wantErr: "Invalid host"},
		{line: "exa_mple.org / 0", wantErr: "Invalid host"},
		{line: "-bad.org / 0", wantErr: "Invalid host"},
		{line: "a..b / 0", wantErr: "Invalid host"},
		{line: strings.Repeat("a", 64) + ".org / 0", wantErr: "Invalid host"},
		{line: "user@example.org / 0", wantErr: "Invalid host"},
		{line: "example.org posts 0", wantErr: "Path must be absolute"},
		{line: "example.org spartan://example.org/ 0", wantErr: "Path must be absolute"},
		{line: "example.org /" + long + " 0", wantErr: "Path too long"},
		{line: "example.org /a\"b 0", wantErr: "Invalid character in path"},
		{line: "example.org /a#b 0", wantErr: "Invalid character in path"},
		{line: "example.org /a\\b 0", wantErr: "Invalid character in path"},
		{line: "example.org /%zz 0", wantErr: "Invalid path"},
		{line: "example.org /x?%zz 0", wantErr: "Invalid percent escape in query"},
		{line: "example.org / -1", wantErr: "Invalid content length"},
		{line: "example.org / +1", wantErr: "Invalid content length"},
		{line: "example.org / 01", wantErr: "Invalid content length"},
		{line: "example.org / 1e3", wantErr: "Invalid content length"},
		{line: "example.org / ", wantErr: "Invalid content length"},
		{line: "example.org / 9999999999999999", wantErr: "Invalid content length"},
		// Traversal in every encoding.
		{line: "h /../etc/passwd 0", wantErr: "Invalid path"},
		{line: "h /a/../../etc/passwd 0", wantErr: "Invalid path"},
		{line: "h /%2e%2e/etc/passwd 0", wantErr: "Invalid path"},
		{line: "h /%2E%2E/etc/passwd 0", wantErr: "Invalid path"},
		{line: "h /.%2e/etc/passwd 0", wantErr: "Invalid path"},
		{line: "h /a/%2e/b 0", wantErr: "Invalid path"},
		{line: "h /a/./b 0", wantErr: "Invalid path"},
		{line: "h /..%2fetc%2fpasswd 0", wantErr: "Invalid path"},
		{line: "h /a%2Fb 0", wantErr: "Invalid path"},
		{line: "h /..%5cetc 0", wantErr: "Invalid path"},
		{line: "h /a%00b 0", wantErr: "Invalid path"},
		{line: "h //etc/passwd 0", wantErr: "Invalid path"},
		{line: "h /a//b 0", wantErr: "Invalid path"},
		{line: "h /%252e%252e/x 0", host: "h", path: "/%2e%2e/x"}, // one decoding only: a name, not a step up
	}
	for _, tt := range tests {
		req, err := ParseRequest(tt.line)
		if tt.wantErr != "" {
			var re *RequestError
			if !errors.As(err, &re) || re.Message != tt.wantErr {
				t.Errorf("ParseRequest(%q) = %+v, %v; want the error %q", tt.line, req, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseRequest(%q): %v", tt.line, err)
			continue
		}
		if req.Host != tt.host || req.Path != tt.path || req.RawQuery != tt.query || req.ContentLength != tt.length {
			t.Errorf("ParseRequest(%q) = host %q path %q query %q length %d; want %q %q %q %d",
				tt.line, req.Host, req.Path, req.RawQuery, req.ContentLength, tt.host, tt.path, tt.query, tt.length)
		}
	}
}

func TestReadRequestLine(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr error
	}{
		{"h / 0\r\n", "h / 0", nil},
		{"h / 5\r\nhello", "h / 5", nil},
		{"h / 0\n", "", ErrBareLF},
		{"h / 0", "", ErrBareLF},
		{"h / 0\r", "", ErrBareLF},
		{"h /" + strings.Repeat("a", MaxRequestLine) + " 0\r\n", "", ErrLineTooLong},
		{"h /" + strings.Repeat("a", MaxRequestLine-6) + " 0\r\n", "h /" + strings.Repeat("a", MaxRequestLine-6) + " 0", nil},
	}
	for _, tt := range tests {
		got, err := readRequestLine(bufio.NewReaderSize(strings.NewReader(tt.in), 16))
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("readRequestLine(%.40q...) = %.40q, %v; want %.40q, %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestStatusLine(t *testing.T) {
	tests := []struct {
		status Status
		meta   string
		want   string
	}{
		{StatusSuccess, "", "2 text/gemini\r\n"},
		{StatusSuccess, "text/plain; charset=utf-8", "2 text/plain; charset=utf-8\r\n"},
		{StatusRedirect, "/posts/", "3 /posts/\r\n"},
		{StatusRedirect, "", "5 Redirect without a path\r\n"},
		{StatusClientError, "", "4 Bad request\r\n"},
		{StatusClientError, "Not found\r\n2 text/gemini", "4 Not found\r\n"},
		{StatusServerError, "Caf\u00e9 ferm\u00e9", "5 Caf? ferm?\r\n"},
		{Status(20), "text/gemini", "5 Invalid response status\r\n"},
		{Status(0), "x", "5 Invalid response status\r\n"},
	}
	for _, tt := range tests {
		if _, _, got := statusLine(tt.status, tt.meta); got != tt.want {
			t.Errorf("statusLine(%d, %q) = %q, want %q", tt.status, tt.meta, got, tt.want)
		}
	}
}
