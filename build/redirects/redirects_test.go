package redirects

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func TestRoundTrip(t *testing.T) {
	list := []Redirect{
		{From: "/old/", To: "/posts/new/"},
		{From: "/2016/06/29/x.html", To: "/posts/x/"},
		{From: "/with space/", To: "/posts/with%20space/"},
		{From: "/tab\there/", To: "/x/"}, // left out: it could not be read back
	}
	got, err := Parse(strings.NewReader(string(Append(nil, list))))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, list[:3]); diff != "" {
		t.Errorf("read back (-got +want):\n%s", diff)
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"/a/\t/b/\nnot a line\n", "line 2:"},
		{"relative\t/b/\n", "line 1:"},
		{"/a/\t\n", "line 1:"},
		{"/a/\t/b\x00/\n", "line 1:"},
	} {
		_, err := Parse(strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q): got %v, want an error with %q", c.in, err, c.want)
		}
	}
}

func TestRead(t *testing.T) {
	fsys := fstest.MapFS{File: {Data: []byte("# comment\n\n/a/\t/b/\r\n")}}
	got, err := Read(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if want := []Redirect{{"/a/", "/b/"}}; !cmp.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got, err := Read(fstest.MapFS{}); got != nil || err != nil {
		t.Errorf("no file: got %v, %v; want nothing", got, err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("/a/\t/b/\n# c\n"))
	f.Add([]byte("/x\t\t/y\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		list, err := Parse(strings.NewReader(string(b)))
		if err != nil {
			return
		}
		again, err := Parse(strings.NewReader(string(Append(nil, list))))
		if err != nil {
			t.Fatalf("written back, it does not read: %v", err)
		}
		if !cmp.Equal(again, list) && !(len(again) == 0 && len(list) == 0) {
			t.Fatalf("read %v, written and read back %v", list, again)
		}
	})
}
