package gemtext

import (
	"errors"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		in   string
		line int // 0: no error
	}{
		{"empty", "", 0},
		{"one line", "hello\n", 0},
		{"paragraphs", "# T\n\ntext\n=> url label\n", 0},
		{"blank lines in pre", "```\na\n\n\n\nb\n```\n", 0},
		{"quote separator", "> a\n>\n> b\n", 0},
		{"invalid utf8", "ok\nbad \xff\n", 2},
		{"crlf", "a\r\nb\n", 1},
		{"lone cr", "a\rb\n", 1},
		{"no final newline", "a\nb", 2},
		{"two final newlines", "a\n\n", 2},
		{"only a newline", "\n", 1},
		{"blank first line", "\na\n", 0},
		{"trailing space", "a \n", 1},
		{"trailing tab", "a\nb\t\n", 2},
		{"trailing space in pre", "```\na \n```\n", 2},
		{"two blank lines", "a\n\n\nb\n", 3},
		{"unclosed pre", "```go\ncode\n", 2},
		{"tab in heading", "## a\tb\n", 1},
		{"tab in link label", "=> /x a\tb\n", 1},
		{"tab between url and label", "=>\t/x\tlabel\n", 0},
		{"link without url", "text\n=>\n", 2},
		{"link with spaces only", "=>   \n", 1},
		{"tab in text", "a\tb\n", 0},
		{"heading in pre", "```\n#\ta\n```\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check([]byte(tt.in))
			if tt.line == 0 {
				if err != nil {
					t.Errorf("Check(%q) = %v, want nil", tt.in, err)
				}
				return
			}
			var ce *CheckError
			if !errors.As(err, &ce) {
				t.Fatalf("Check(%q) = %v, want a *CheckError on line %d", tt.in, err, tt.line)
			}
			if ce.Line != tt.line {
				t.Errorf("Check(%q) = %v: got line %d, want line %d", tt.in, err, ce.Line, tt.line)
			}
		})
	}
}
