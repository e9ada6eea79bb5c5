package mimetype

import "testing"

func TestByName(t *testing.T) {
	for _, c := range []struct {
		name, lang string
		over       map[string]string
		want       string
	}{
		{"index.gmi", "", nil, "text/gemini; charset=utf-8"},
		{"index.GMI", "en", nil, "text/gemini; charset=utf-8; lang=en"},
		{"notes.txt", "", nil, "text/plain; charset=utf-8"},
		{"photo.jpeg", "en", nil, "image/jpeg"},
		{"archive.unknownext", "", nil, Fallback},
		{"noext", "", nil, Fallback},
		{"page.gmi", "", map[string]string{".gmi": "text/gemini; charset=iso-8859-1"}, "text/gemini; charset=iso-8859-1"},
		{"data.bin", "", map[string]string{".bin": "application/x-thing"}, "application/x-thing"},
		{"atom.xml", "en", nil, Atom},
		{"posts/atom.xml", "", nil, Atom},
		{"tags/go/ATOM.XML", "", nil, Atom},
		{"news.atom.xml", "", nil, Atom},
		{"feed.atom", "", nil, Atom},
		{"sitemap.xml", "", nil, "application/xml"},
		{"atom.xml", "", map[string]string{".xml": "text/xml"}, "text/xml; charset=utf-8"},
	} {
		if got := ByName(c.name, c.over, c.lang); got != c.want {
			t.Errorf("ByName(%q, %v, %q): got %q, want %q", c.name, c.over, c.lang, got, c.want)
		}
	}
}

func TestTextKeepsGivenParams(t *testing.T) {
	if got, want := Text("text/gemini; lang=fr", "en"), "text/gemini; charset=utf-8; lang=fr"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := Text("not a type;;", "en"); got != "not a type;;" {
		t.Errorf("got %q for a malformed type, want it unchanged", got)
	}
}
