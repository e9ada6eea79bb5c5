// Package feed writes Atom feeds (RFC 4287) for the small web: entries carry
// absolute gemini:// or gopher:// links, which is what feed readers and
// aggregators of Gemini capsules expect.
package feed

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"time"
)

// Feed is one Atom feed.
type Feed struct {
	Title    string
	Subtitle string
	// ID is a permanent, absolute URI for the feed (its own URL will do).
	ID string
	// Link is the feed's own URL (rel="self"); Alternate is the page it
	// describes (rel="alternate").
	Link      string
	Alternate string
	Author    string
	// Updated is the newest entry's time, or the build's reference time
	// for a feed with no entries.
	Updated time.Time
	Entries []Entry
}

// Entry is one item of a feed.
type Entry struct {
	Title   string
	Link    string // absolute URL of the page
	ID      string // permanent URI; Link when empty
	Updated time.Time
	Summary string
	Tags    []string
}

type xmlFeed struct {
	XMLName  xml.Name   `xml:"http://www.w3.org/2005/Atom feed"`
	Title    string     `xml:"title"`
	Subtitle string     `xml:"subtitle,omitempty"`
	ID       string     `xml:"id"`
	Links    []xmlLink  `xml:"link"`
	Updated  string     `xml:"updated"`
	Author   *xmlAuthor `xml:"author,omitempty"`
	Entries  []xmlEntry `xml:"entry"`
}

type xmlLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
}

type xmlAuthor struct {
	Name string `xml:"name"`
}

type xmlEntry struct {
	Title      string        `xml:"title"`
	Link       xmlLink       `xml:"link"`
	ID         string        `xml:"id"`
	Updated    string        `xml:"updated"`
	Summary    string        `xml:"summary,omitempty"`
	Categories []xmlCategory `xml:"category"`
}

type xmlCategory struct {
	Term string `xml:"term,attr"`
}

// XML renders the feed as an Atom document.
func (f *Feed) XML() ([]byte, error) {
	x := xmlFeed{
		Title:    f.Title,
		Subtitle: f.Subtitle,
		ID:       f.ID,
		Updated:  stamp(f.Updated),
	}
	if x.ID == "" {
		x.ID = f.Link
	}
	if f.Link != "" {
		x.Links = append(x.Links, xmlLink{Href: f.Link, Rel: "self"})
	}
	if f.Alternate != "" {
		x.Links = append(x.Links, xmlLink{Href: f.Alternate, Rel: "alternate"})
	}
	if f.Author != "" {
		x.Author = &xmlAuthor{Name: f.Author}
	}
	for _, e := range f.Entries {
		xe := xmlEntry{Title: e.Title, Link: xmlLink{Href: e.Link, Rel: "alternate"}, ID: e.ID, Updated: stamp(e.Updated), Summary: e.Summary}
		if xe.ID == "" {
			xe.ID = e.Link
		}
		for _, t := range e.Tags {
			xe.Categories = append(xe.Categories, xmlCategory{Term: t})
		}
		x.Entries = append(x.Entries, xe)
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(x); err != nil {
		return nil, fmt.Errorf("encoding the feed %q: %w", f.Title, err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

func stamp(t time.Time) string {
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	return t.UTC().Format(time.RFC3339)
}
