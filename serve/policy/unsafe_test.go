package policy

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestUnsafeNamesNeverServedNorListed: a file whose name holds a line
// break would forge a link line in a listing; names with control
// characters or invalid UTF-8 are left out of listings and refused when
// asked for, on every protocol's path form.
func TestUnsafeNamesNeverServedNorListed(t *testing.T) {
	evil := "evil\n=> gemini://evil.example/ Click"
	fsys := fstest.MapFS{
		"files/ok.txt":        {Data: []byte("ok")},
		"files/" + evil:       {Data: []byte("x")},
		"files/tab\there.txt": {Data: []byte("x")},
		"files/bad\xff.txt":   {Data: []byte("x")},
	}
	tree := (&Policy{Listing: true}).Tree(fsys, "index.gmi", nil)
	got, err := tree.GemtextListing("files", "/files/")
	if err != nil {
		t.Fatal(err)
	}
	want := "# Index of /files/\n\n=> ../ ..\n=> ok.txt ok.txt\n"
	if string(got) != want {
		t.Errorf("listing:\n%q\nwant\n%q", got, want)
	}
	for _, req := range []string{"/files/evil%0A=%3E%20gemini://evil.example/%20Click", "/files/tab%09here.txt", "/files/bad%FF.txt"} {
		p, ok := ParseURLPath(req)
		if ok && tree.Decide(p, nil).Kind != NotFound {
			t.Errorf("%s: got %v, want not found", req, tree.Decide(p, nil))
		}
	}
	for _, sel := range []string{"/files/" + evil, "/files/tab\there.txt", "/files/bad\xff.txt"} {
		p, ok := ParseSelector(sel)
		if ok && tree.Decide(p, nil).Kind != NotFound {
			t.Errorf("selector %q: got %v, want not found", sel, tree.Decide(p, nil))
		}
	}
	if p, ok := ParseURLPath("/files/ok.txt"); !ok || tree.Decide(p, nil).Kind != File {
		t.Errorf("ok.txt not served")
	}
	if strings.Contains(string(got), "evil.example") {
		t.Errorf("listing carries the forged link")
	}
}
