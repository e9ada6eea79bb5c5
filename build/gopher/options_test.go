package gopher

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseMode(t *testing.T) {
	tests := []struct {
		in   string
		want Mode
		ok   bool
	}{
		{"menu", ModeMenu, true}, {"MENU", ModeMenu, true}, {" text ", ModeText, true}, {"", ModeMenu, true}, {"html", ModeMenu, false},
	}
	for _, tt := range tests {
		got, err := ParseMode(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseMode(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err == nil && got.String() != strings.ToLower(strings.TrimSpace(tt.in)) && tt.in != "" {
			t.Errorf("ParseMode(%q).String() = %q", tt.in, got.String())
		}
	}
	for _, tt := range []struct {
		in   string
		want HeadingStyle
		ok   bool
	}{{"underline", HeadingUnderline, true}, {"Upper", HeadingUpper, true}, {"upper-case", HeadingUpper, true}, {"bold", HeadingUnderline, false}} {
		got, err := ParseHeadingStyle(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseHeadingStyle(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestOptions(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		want config
	}{
		{"defaults", nil, config{mode: ModeMenu, width: 70, host: "localhost", port: 70}},
		{"set", []Option{WithMode(ModeText), WithWidth(67), WithHost("gopher.example.org", 7070), WithHeadingStyle(HeadingUpper)},
			config{mode: ModeText, width: 67, host: "gopher.example.org", port: 7070, headings: HeadingUpper}},
		{"clamped", []Option{WithWidth(5), WithHost("", 0), WithMode(Mode(9)), nil}, config{mode: ModeMenu, width: MinWidth, host: "localhost", port: 70}},
		{"zero width", []Option{WithWidth(40), WithWidth(0), WithHost("h\tx", 99999)}, config{mode: ModeMenu, width: 70, host: "hx", port: 70}},
	}
	for _, tt := range tests {
		got := newConfig(tt.opts)
		key := func(c config) string {
			return fmt.Sprintf("%v %d %s %d %v %v", c.mode, c.width, c.host, c.port, c.headings, c.resolveFn != nil)
		}
		if key(got) != key(tt.want) {
			t.Errorf("%s: config = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

// TestItemStringMatchesAppendTo checks String against AppendTo, and that it
// allocates once.
