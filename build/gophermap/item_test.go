package gophermap

import (
	"errors"
	"strings"
	"testing"
)

func TestItemString(t *testing.T) {
	tests := []struct {
		it   Item
		want string
	}{
		{Item{Type: '1', Display: "Phlog", Selector: "/phlog/", Host: "example.org", Port: 70}, "1Phlog\t/phlog/\texample.org\t70"},
		{Item{Type: 'h', Display: "Web", Selector: "URL:https://example.org/", Host: "h", Port: 7070}, "hWeb\tURL:https://example.org/\th\t7070"},
		{Item{Type: '0', Display: "a\tb\r\nc", Selector: "/x\ty\r\n", Host: "ho\tst", Port: 1}, "0a b  c\t/x%09y%0D%0A\thost\t1"},
		{Info("text"), "itext\t\t\t0"},
		{Info(""), "i\t\t\t0"},
		{Item{Type: 0, Display: "no type"}, "3no type\t\t\t0"},
	}
	for _, tt := range tests {
		if got := tt.it.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.it, got, tt.want)
		}
		if got := string(tt.it.AppendTo([]byte("x"))); got != "x"+tt.want {
			t.Errorf("%+v.AppendTo(\"x\") = %q, want %q", tt.it, got, "x"+tt.want)
		}
	}
}

func TestInfoCleansText(t *testing.T) {
	if got, want := Info("a\tb\nc\rd").Display, "a b c d"; got != want {
		t.Errorf("Info display = %q, want %q", got, want)
	}
}

func TestParseItem(t *testing.T) {
	tests := []struct {
		line string
		want Item
		err  string
	}{
		{"1Phlog\t/phlog\texample.org\t70", Item{'1', "Phlog", "/phlog", "example.org", 70}, ""},
		{"1Phlog\t/phlog\texample.org\t70\n", Item{'1', "Phlog", "/phlog", "example.org", 70}, ""},
		{"1Phlog\t/phlog\texample.org\t70\r\n", Item{'1', "Phlog", "/phlog", "example.org", 70}, ""},
		{"i\t\t\t0", Item{Type: 'i'}, ""},
		{"iText\t\tlocalhost\t65535", Item{'i', "Text", "", "localhost", 65535}, ""},
		{"", Item{}, "empty line"},
		{"\n", Item{}, "empty line"},
		{" x\t\th\t1", Item{}, "printable"},
		{"iText", Item{}, "1 TAB-separated fields"},
		{"iText\t\th", Item{}, "3 TAB-separated fields"},
		{"1a\tb\tc\t70\t+", Item{}, "5 TAB-separated fields"},
		{"1a\tb\tc\tseventy", Item{}, "port"},
		{"1a\tb\tc\t", Item{}, "port"},
		{"1a\tb\tc\t65536", Item{}, "port"},
		{"1a\tb\tc\t-1", Item{}, "port"},
		{"1a\tb\tc\t000070", Item{}, "port"},
	}
	for _, tt := range tests {
		got, err := ParseItem(tt.line)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, ErrBadItem) {
				t.Errorf("ParseItem(%q) error = %v, want one mentioning %q wrapping ErrBadItem", tt.line, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseItem(%q) = %+v, %v; want %+v", tt.line, got, err, tt.want)
		}
	}
}

func TestTypeForPath(t *testing.T) {
	tests := []struct {
		name string
		want Type
	}{
		{"", '1'}, {"/", '1'}, {"posts/", '1'}, {"/posts/hello", '1'}, {"gophermap", '1'}, {"dir/GopherMap", '1'},
		{"a.txt", '0'}, {"/x/README.md", '0'}, {"index.gmi", '0'}, {"feed.xml", '0'}, {"a.TXT", '0'},
		{"anim.gif", 'g'}, {"a.GIF", 'g'},
		{"a.png", 'I'}, {"a.jpg", 'I'}, {"a.jpeg", 'I'}, {"a.webp", 'I'}, {"a.svg", 'I'},
		{"a.mp3", 's'}, {"a.ogg", 's'}, {"a.flac", 's'}, {"a.wav", 's'},
		{"a.pdf", 'd'}, {"a.docx", 'd'}, {"a.epub", 'd'},
		{"a.html", 'h'}, {"a.htm", 'h'},
		{"a.zip", '9'}, {"a.tar.gz", '9'}, {"a.mp4", '9'}, {"a.unknownext", '9'},
		{"a.txt?x=1", '0'}, {"a.png#frag", 'I'}, {".hidden", '1'},
	}
	for _, tt := range tests {
		if got := TypeForPath(tt.name); got != tt.want {
			t.Errorf("TypeForPath(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestItemStringMatchesAppendTo(t *testing.T) {
	for _, it := range []Item{
		{Type: 'i', Display: "Hello", Host: "localhost", Port: 70},
		{Type: '1', Display: "a\tb\r\nc", Selector: "/x\ty\rz\n", Host: "h\to\r\ns\tt", Port: 65535},
		{Type: 0, Display: "", Selector: "", Host: "", Port: 0},
		{Type: 0x7f, Display: "ü日本", Selector: "/ü", Host: "::1", Port: -1},
	} {
		if got, want := it.String(), string(it.AppendTo(nil)); got != want {
			t.Errorf("%+v: String() = %q, want AppendTo's %q", it, got, want)
		}
	}
	it := Item{Type: '1', Display: "A post about things", Selector: "/posts/a-post/", Host: "gopher.example.org", Port: 70}
	if n := testing.AllocsPerRun(20, func() { _ = it.String() }); n != 1 {
		t.Errorf("String: got %v allocations, want 1", n)
	}
}
