package feed

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

func TestXMLRoundTrip(t *testing.T) {
	f := &Feed{
		Title: "Notes & <Things>", Link: "gemini://example.org/atom.xml", Alternate: "gemini://example.org/",
		Author: "Ada", Updated: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
		Entries: []Entry{{Title: "A “post”", Link: "gemini://example.org/posts/a/", Updated: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), Summary: "x < y", Tags: []string{"radio"}}},
	}
	b, err := f.XML()
	if err != nil {
		t.Fatal(err)
	}
	var got xmlFeed
	if err := xml.Unmarshal(b, &got); err != nil {
		t.Fatalf("output is not XML: %v\n%s", err, b)
	}
	if got.Title != f.Title || got.ID != f.Link || len(got.Entries) != 1 {
		t.Errorf("got title %q id %q entries %d; want %q %q 1", got.Title, got.ID, len(got.Entries), f.Title, f.Link)
	}
	e := got.Entries[0]
	if e.Link.Href != "gemini://example.org/posts/a/" || e.Updated != "2026-11-20T00:00:00Z" || e.Summary != "x < y" || e.ID != e.Link.Href {
		t.Errorf("got entry %+v", e)
	}
	if !strings.HasPrefix(string(b), "<?xml") {
		t.Errorf("got no XML declaration: %q", b[:20])
	}
}
