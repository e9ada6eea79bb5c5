package cgi

import "testing"

func TestSplitHeader(t *testing.T) {
	for _, c := range []struct {
		out    string
		status int
		meta   string
		body   string
		ok     bool
	}{
		{"20 text/gemini\r\n# Hi\n", 20, "text/gemini", "# Hi\n", true},
		{"20 text/gemini\n", 20, "text/gemini", "", true},
		{"20\r\nbody", 20, "", "body", true},
		{"10 Your name?\r\n", 10, "Your name?", "", true},
		{"31 /elsewhere/\r\n", 31, "/elsewhere/", "", true},
		{"51 Not here\r\n", 51, "Not here", "", true},
		{"30\r\n", 0, "", "", false},              // a redirect to nowhere
		{"20 not a type;;\r\n", 0, "", "", false}, // success without a MIME type
		{"20 text/gemini", 0, "", "", false},      // no line end
		{"2 text/gemini\r\n", 0, "", "", false},
		{"70 text/gemini\r\n", 0, "", "", false},
		{"20text/gemini\r\n", 0, "", "", false},
		{"# Just gemtext\n", 0, "", "", false},
		{"51 bad\x00meta\r\n", 0, "", "", false},
		{"", 0, "", "", false},
	} {
		status, meta, body, ok := SplitHeader([]byte(c.out))
		if status != c.status || meta != c.meta || string(body) != c.body || ok != c.ok {
			t.Errorf("SplitHeader(%q): got %d %q %q %v, want %d %q %q %v", c.out, status, meta, body, ok, c.status, c.meta, c.body, c.ok)
		}
	}
}
