package nex

import (
	"bufio"
	"errors"
	"strings"
	"testing"
)

func TestParseRequest(t *testing.T) {
	tests := []struct {
		line    string
		want    string
		wantErr error
	}{
		{"\n", "", nil},
		{"", "", nil},
		{"/\r\n", "/", nil},
		{"nex/info/specification.txt\n", "nex/info/specification.txt", nil},
		{"/posts/second/\r\n", "/posts/second/", nil},
		{"caf\u00e9 notes.txt\n", "caf\u00e9 notes.txt", nil},
		{"/" + strings.Repeat("a", MaxPath-1) + "\n", "/" + strings.Repeat("a", MaxPath-1), nil},
		{"/" + strings.Repeat("a", MaxPath) + "\n", "", ErrPathTooLong},
		{"a\x00b\n", "", ErrBadRequest},
		{"a\tb\n", "", ErrBadRequest},
		{"a\rb\n", "", ErrBadRequest},
		{"a\x1bb\n", "", ErrBadRequest},
		{"a\u0085b\n", "", ErrBadRequest},
		{"caf\xe9\n", "", ErrBadRequest},
	}
	for _, tt := range tests {
		req, err := ParseRequest(tt.line)
		if !errors.Is(err, tt.wantErr) || (err == nil && req.Path != tt.want) {
			t.Errorf("ParseRequest(%.40q) = %+v, %v; want path %.40q, %v", tt.line, req, err, tt.want, tt.wantErr)
		}
	}
}

func TestReadRequestLine(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr error
	}{
		{"a/b\n", "a/b\n", nil},
		{"a/b\r\nextra", "a/b\r\n", nil},
		{"a/b", "a/b", nil},
		{"\n", "\n", nil},
		{strings.Repeat("a", MaxPath+5) + "\n", "", ErrPathTooLong},
	}
	for _, tt := range tests {
		got, err := readRequestLine(bufio.NewReaderSize(strings.NewReader(tt.in), 16))
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("readRequestLine(%.40q) = %.40q, %v; want %.40q, %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestIsDir(t *testing.T) {
	for path, want := range map[string]bool{"": true, "/": true, "posts/": true, "posts": false, "a.txt": false} {
		if got := NewRequest(path).IsDir(); got != want {
			t.Errorf("IsDir(%q) = %v, want %v", path, got, want)
		}
	}
}
