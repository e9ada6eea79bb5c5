package html

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"slices"
	"time"

	"github.com/gmkit/gmkit/build/output"
	"github.com/gmkit/gmkit/build/web"
)

// NotFound is the theme's template for the page a server answers a
// missing address with, and the file it is written to.
const NotFound = "404.html"

// Extras makes the files of the web beside pages, indexes and feeds: the
// 404 page, the theme's assets (its stylesheet), sitemap.xml listing
// every page and index, and robots.txt pointing at it.
func (o *Output) Extras(in output.ExtrasInput) ([]output.File, error) {
	var files []output.File
	var buf bytes.Buffer
	if err := in.Templates.ExecuteTo(&buf, NotFound, in.Data); err != nil {
		return nil, fmt.Errorf("the 404 page: %w", err)
	}
	files = append(files, output.File{Path: NotFound, Data: buf.Bytes()})
	if th, ok := in.Templates.(*web.Theme); ok {
		assets := th.Assets()
		names := make([]string, 0, len(assets))
		for n := range assets {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			files = append(files, output.File{Path: n, Data: assets[n]})
		}
	}
	sitemap, err := Sitemap(in.Made)
	if err != nil {
		return nil, err
	}
	files = append(files,
		output.File{Path: "sitemap.xml", Data: sitemap},
		output.File{Path: "robots.txt", Data: Robots(o.Permalink("/sitemap.xml", ""))})
	return files, nil
}

// Sitemap is the sitemaps.org file listing made: every address, with the
// date it last changed where known.
func Sitemap(made []output.Made) ([]byte, error) {
	type entry struct {
		Loc     string `xml:"loc"`
		Lastmod string `xml:"lastmod,omitempty"`
	}
	doc := struct {
		XMLName xml.Name `xml:"urlset"`
		NS      string   `xml:"xmlns,attr"`
		URLs    []entry  `xml:"url"`
	}{NS: "http://www.sitemaps.org/schemas/sitemap/0.9"}
	for _, m := range made {
		e := entry{Loc: m.Permalink}
		if !m.Updated.IsZero() {
			e.Lastmod = m.Updated.UTC().Format(time.DateOnly)
		}
		doc.URLs = append(doc.URLs, e)
	}
	b, err := xml.MarshalIndent(doc, "", " ")
	if err != nil {
		return nil, fmt.Errorf("sitemap.xml: %w", err)
	}
	return append(append([]byte(xml.Header), b...), '\n'), nil
}

// Robots is robots.txt: every robot may read everything, and the sitemap
// is at sitemap.
func Robots(sitemap string) []byte {
	return []byte("User-agent: *\nAllow: /\n\nSitemap: " + sitemap + "\n")
}
