package gopher

import "testing"

// TestGopherPlus checks the answers to the Gopher+ requests clients send,
// over TCP: the UMN gopher client opens a server with "TAB $" and accepts
// only a Gopher+ reply.
func TestGopherPlus(t *testing.T) {
	addr := startServer(t, &Server{Handler: FileServer(testHole(), Options{}), Host: "gopher.example", Port: 70})
	tests := []struct{ name, req, want string }{
		{"root menu attributes", "\t$\r\n", "+-1\r\n" +
			"+INFO: iWelcome to the hole\t\tgopher.example\t70\r\n" +
			"+INFO: 1Posts\t/posts/\tgopher.example\t70\r\n" +
			"+INFO: 0About\t/about.txt\tgopher.example\t70\r\n" +
			"+INFO: 7Search\t/cgi-bin/search\tgopher.example\t70\r\n" +
			"+INFO: hWeb\tURL:https://example.org/\tgopher.example\t70\r\n" +
			".\r\n"},
		{"menu attributes", "/posts/\t$\r\n", "+-1\r\n" +
			"+INFO: 1Back\t/\tgopher.example\t70\r\n" +
			"+INFO: 0Hello\t/posts/hello.txt\tgopher.example\t70\r\n" +
			".\r\n"},
		{"item attributes", "/about.txt\t!\r\n", "+-1\r\n+INFO: 0about.txt\t/about.txt\tgopher.example\t70\r\n.\r\n"},
		{"menu item attributes", "/posts/\t!\r\n", "+-1\r\n+INFO: 1posts\t/posts/\tgopher.example\t70\r\n.\r\n"},
		{"root item attributes", "\t!\r\n", "+-1\r\n+INFO: 1gopher.example\t\tgopher.example\t70\r\n.\r\n"},
		{"text item", "/posts/hello.txt\t+\r\n", "+-2\r\nHello, world\r\nline two\r\nline three\r\n"},
		{"menu item", "/posts/\t+\r\n", "+-2\r\n1Back\t/\tgopher.example\t70\r\n0Hello\t/posts/hello.txt\tgopher.example\t70\r\n.\r\n"},
		{"binary item", "/nomap/g.bin\t+\r\n", "+-2\r\n\xff\n\x00"},
		{"missing item", "/nothing.txt\t+\r\n", "--2\r\n1 Not found\r\n"},
		{"missing menu", "/nothing/\t$\r\n", "--2\r\n1 Not found\r\n"},
		{"plain request unchanged", "/posts/hello.txt\r\n", "Hello, world\r\nline two\r\nline three\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(fetch(t, addr, tt.req)); got != tt.want {
				t.Errorf("%q: got\n%q\nwant\n%q", tt.req, got, tt.want)
			}
		})
	}
}
