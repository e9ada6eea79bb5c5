package spartan

import (
	"bufio"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseRequest reads a request from raw bytes as the server does (line,
// then fields) and checks what a request that passes promises: a host
// without a port, an absolute path free of dot segments and NULs, a length
// in range, and a line that, written back, parses to the same request.
// Seeds are under testdata/fuzz/FuzzParseRequest.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		"example.org / 0\r\n",
		"localhost /guestbook/submit 12\r\nHello world!",
		"[::1] /a%20b?q 0\r\n",
		"h /%2e%2e/x 0\r\n",
		"h / 0\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		line, err := readRequestLine(bufio.NewReaderSize(strings.NewReader(string(raw)), 64))
		if err != nil {
			return
		}
		if len(line) > MaxRequestLine {
			t.Fatalf("read a line of %d bytes, over MaxRequestLine", len(line))
		}
		req, err := ParseRequest(line)
		if err != nil {
			if _, ok := err.(*RequestError); !ok {
				t.Fatalf("ParseRequest(%q) error %T, want *RequestError", line, err)
			}
			return
		}
		if req.Host == "" || strings.ContainsAny(req.Host, " /[]") || req.ContentLength < 0 {
			t.Fatalf("ParseRequest(%q) = host %q length %d", line, req.Host, req.ContentLength)
		}
		if !strings.HasPrefix(req.Path, "/") || strings.ContainsAny(req.Path, "\x00\\") {
			t.Fatalf("ParseRequest(%q): unsafe path %q", line, req.Path)
		}
		for seg := range strings.SplitSeq(strings.Trim(req.Path, "/"), "/") {
			if seg == "." || seg == ".." || (seg == "" && req.Path != "/") {
				t.Fatalf("ParseRequest(%q): path %q has segment %q", line, req.Path, seg)
			}
		}
		host := req.Host
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		again := host + " " + req.RawPath
		if req.RawQuery != "" || strings.Contains(line, "?") {
			again += "?" + req.RawQuery
		}
		again += " " + strconv.FormatInt(req.ContentLength, 10)
		req2, err := ParseRequest(again)
		if err != nil || req2.Host != req.Host || req2.Path != req.Path || req2.RawQuery != req.RawQuery || req2.ContentLength != req.ContentLength {
			t.Fatalf("ParseRequest(%q) = %+v, but its rewrite %q gives %+v, %v", line, req, again, req2, err)
		}
	})
}
