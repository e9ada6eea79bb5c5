package web

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gmkit/gmkit/build/markdown"
	"github.com/gmkit/gmkit/build/web/webtest"
	"github.com/gmkit/gmkit/templates"
	"github.com/gmkit/gmkit/themes"
)

// The view types below stand in for the build's (Data, SiteView,
// PageView, SectionView, TaxonomyView, TagView, PageTerms): the fields
// and methods the theme interface
// documents, with the same names.
type (
	siteView struct {
		Title, Author, Description, Hostname, Lang, BaseURL string
		Pages, Posts, Latest                                []*pageView
		Sections                                            []*sectionView
		Tags                                                []*tagView
		Taxonomies                                          []*taxonomyView
	}
	pageView struct {
		Title, Summary, URL, Permalink string
		Date                           time.Time
		Tags                           []string
		TagLinks                       []*tagView
		Taxonomies                     []pageTerms
		Prev, Next                     *pageView
	}
	taxonomyView struct {
		Name, Singular, Title, URL string
		Terms                      []*tagView
	}
	pageTerms struct {
		Name, Singular, Title, URL string
		Terms                      []*tagView
	}
	sectionView struct {
		Name, Title, URL string
		Pages            []*pageView
		Index            *pageView
		Sections         []*sectionView
		Parent           *sectionView
	}
	tagView struct {
		Taxonomy, Name, Slug, URL string
		Pages                     []*pageView
	}
	viewData struct {
		Site       *siteView
		Page       *pageView
		Section    *sectionView
		Taxonomy   *taxonomyView
		Tag, Term  *tagView
		Content    string
		Alternates map[string]string
	}
)

// IsDated is the build's PageView.IsDated.
func (p *pageView) IsDated() bool { return !p.Date.IsZero() }

// sample is a small blog: three posts in one section, two tags, an about
// page, and a post with an image, a table, code and footnotes.
func sample(t testing.TB) map[string]*viewData {
	t.Helper()
	src, err := os.ReadFile("testdata/post.md")
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	if err := New(WithLinkRewriter(rewrite)).Render(&body, src, markdown.Parse(markdown.Parser(), src)); err != nil {
		t.Fatal(err)
	}
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }
	radio := &tagView{Taxonomy: "tags", Name: "radio", Slug: "radio", URL: "/tags/radio/"}
	antennas := &tagView{Taxonomy: "tags", Name: "antennas", Slug: "antennas", URL: "/tags/antennas/"}
	builds := &tagView{Taxonomy: "categories", Name: "Builds", Slug: "builds", URL: "/categories/builds/"}
	tags := &taxonomyView{Name: "tags", Singular: "tag", Title: "Tags", URL: "/tags/", Terms: []*tagView{antennas, radio}}
	categories := &taxonomyView{Name: "categories", Singular: "category", Title: "Categories", URL: "/categories/", Terms: []*tagView{builds}}
	terms := func(cats, ts []*tagView) []pageTerms {
		var out []pageTerms
		for _, x := range []struct {
			tax   *taxonomyView
			terms []*tagView
		}{{categories, cats}, {tags, ts}} {
			if len(x.terms) > 0 {
				out = append(out, pageTerms{x.tax.Name, x.tax.Singular, x.tax.Title, x.tax.URL, x.terms})
			}
		}
		return out
	}
	p1 := &pageView{Title: "First contact on 40 metres", URL: "/posts/first/", Date: day(1), TagLinks: []*tagView{radio}, Taxonomies: terms(nil, []*tagView{radio})}
	p2 := &pageView{Title: "A random wire for the price of a pizza", URL: "/posts/random-wire/", Date: day(8), TagLinks: []*tagView{radio, antennas},
		Taxonomies: terms([]*tagView{builds}, []*tagView{radio, antennas})}
	p3 := &pageView{Title: "A post with everything", URL: "/posts/everything/", Date: day(15), TagLinks: []*tagView{antennas}, Taxonomies: terms([]*tagView{builds}, []*tagView{antennas})}
	p1.Next, p2.Prev, p2.Next, p3.Prev = p2, p1, p3, p2
	radio.Pages = []*pageView{p2, p1}
	antennas.Pages = []*pageView{p3, p2}
	builds.Pages = []*pageView{p3, p2}
	about := &pageView{Title: "About", URL: "/about/"}
	posts := []*pageView{p3, p2, p1}
	sec := &sectionView{Name: "posts", Title: "Posts", URL: "/posts/", Pages: posts}
	trip := &pageView{Title: "A week by the sea", URL: "/posts/travel/sea/", Date: day(20)}
	travel := &sectionView{Name: "travel", Title: "Travel", URL: "/posts/travel/", Pages: []*pageView{trip}, Parent: sec}
	sec.Sections = []*sectionView{travel}
	s := &siteView{Title: "Radio Notes", Author: "Ada", Description: "Notes from a small radio shack.", Hostname: "example.org", Lang: "en",
		BaseURL: "https://example.org/", Pages: []*pageView{about}, Posts: posts, Latest: posts,
		Sections: []*sectionView{sec}, Tags: []*tagView{antennas, radio}, Taxonomies: []*taxonomyView{categories, tags}}
	p3.Permalink = "https://example.org/posts/everything/"
	gem := func(url string) map[string]string { return map[string]string{"gemini": "gemini://example.org" + url} }
	return map[string]*viewData{
		"home":   {Site: s, Content: "<p>Welcome to the shack.</p>\n", Alternates: gem("/")},
		"post":   {Site: s, Page: p3, Content: body.String(), Alternates: gem(p3.URL)},
		"empty":  {Site: s, Page: p2},
		"posts":  {Site: s, Section: sec},
		"travel": {Site: s, Section: travel},
		"tag":    {Site: s, Taxonomy: tags, Tag: radio, Term: radio},
		"tags":   {Site: s, Taxonomy: tags},
		"404":    {Site: s},
	}
}

// pageTemplate is the template each sample page runs.
var pageTemplate = map[string]string{"home": "home.html", "post": "page.html", "empty": "page.html",
	"posts": "section.html", "travel": "section.html", "tag": "tag.html", "tags": "tags.html", "404": "404.html"}

func defaultTheme(t testing.TB) *Theme {
	t.Helper()
	th, err := LoadTheme(nil, "", themes.Default(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

// renderSample writes every sample page of the default theme into a folder
// laid out as the web output would be, and returns it.
func renderSample(t testing.TB) string {
	t.Helper()
	th := defaultTheme(t)
	dir := t.TempDir()
	files := map[string]string{"home": "index.html", "post": "posts/everything/index.html", "empty": "posts/random-wire/index.html",
		"posts": "posts/index.html", "travel": "posts/travel/index.html", "tag": "tags/radio/index.html", "tags": "tags/index.html", "404": "404.html"}
	for name, d := range sample(t) {
		out, err := th.Execute(pageTemplate[name], d)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		writeFile(t, filepath.Join(dir, files[name]), out)
	}
	for name, b := range th.Assets() {
		writeFile(t, filepath.Join(dir, name), b)
	}
	writeFile(t, filepath.Join(dir, "images", "cat.jpg"), catJPEG(t))
	return dir
}

func writeFile(t testing.TB, p string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestThemeGolden renders every page kind of the default theme and
// compares it with testdata/theme/KIND.html.
func TestThemeGolden(t *testing.T) {
	th := defaultTheme(t)
	for name, d := range sample(t) {
		t.Run(name, func(t *testing.T) {
			got, err := th.Execute(pageTemplate[name], d)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "theme", name+".html")
			if *update {
				writeFile(t, golden, got)
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (run with -update to accept):\n%s", name, golden, got)
			}
		})
	}
}

// TestThemePageWeight holds the default theme's post page, without its
// content, and the stylesheet under 10 KB.
func TestThemePageWeight(t *testing.T) {
	th := defaultTheme(t)
	out, err := th.Execute("page.html", sample(t)["empty"])
	if err != nil {
		t.Fatal(err)
	}
	weight := len(out) + len(th.Assets()["style.css"])
	if weight >= 10<<10 {
		t.Errorf("post page and stylesheet: got %d bytes, want under 10 KB", weight)
	}
	t.Logf("post page %d bytes + style.css %d bytes = %d", len(out), len(th.Assets()["style.css"]), weight)
}

// TestThemeEscapes checks that html/template escapes what the site's
// values hold, and that the page names its language, alternates and skip
// link.
func TestThemeEscapes(t *testing.T) {
	d := sample(t)["post"]
	d.Site.Title = `Rock <&> "Roll"`
	d.Page.Title = `<script>alert(1)</script>`
	out, err := defaultTheme(t).Execute("page.html", d)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{`<html lang="en">`, "&lt;script&gt;alert(1)&lt;/script&gt;", "Rock &lt;&amp;&gt; &#34;Roll&#34;",
		`<a class="skip" href="#main">`, `<main id="main">`, `rel="alternate" type="application/atom+xml"`,
		`<link rel="alternate" type="text/gemini" href="gemini://example.org/posts/everything/">`, `alt="A cat on a mat"`} {
		if !strings.Contains(s, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(s, "<script>") {
		t.Error("a title's script came through unescaped")
	}
}

func TestThemeOverride(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "html", "tag.html"), []byte(`{{ template "head" . }}<h1>Mine: {{ .Tag.Name }}</h1>{{ template "foot" . }}`))
	writeFile(t, filepath.Join(dir, "html", "style.css"), []byte("body{}"))
	th, err := LoadTheme(os.DirFS(dir), "themes/mine", themes.Default(), nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := th.Execute("tag.html", sample(t)["tag"])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "<h1>Mine: radio</h1>") || string(th.Assets()["style.css"]) != "body{}" {
		t.Errorf("the site's theme did not replace the default's files:\n%s", out)
	}
	if !th.Has("page.html") {
		t.Error("templates the site's theme lacks must come from the default")
	}
	writeFile(t, filepath.Join(dir, "html", "page.html"), []byte(`{{ .Nope.Broken `))
	if _, err := LoadTheme(os.DirFS(dir), "themes/mine", themes.Default(), nil); err == nil || !strings.Contains(err.Error(), "themes/mine/html/page.html") {
		t.Errorf("a broken template: got %v, want an error naming the file", err)
	}
}

// serveSample serves the rendered sample on loopback.
func serveSample(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.FileServer(http.Dir(renderSample(t))))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestThemeValidHTML runs the W3C Nu HTML checker on every sample page:
// no errors.
func TestThemeValidHTML(t *testing.T) {
	dir := renderSample(t)
	var pages []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".html") {
			pages = append(pages, p)
		}
		return nil
	})
	webtest.Valid(t, pages)
}

// TestThemeAccessible runs axe-core on the home page, a post with an
// image and a table, a section with a subsection, and a tag page: no
// violations.
func TestThemeAccessible(t *testing.T) {
	base := serveSample(t)
	webtest.Accessible(t, []string{base + "/", base + "/posts/everything/", base + "/posts/", base + "/tags/radio/"})
}

// catJPEG is a small picture for the sample post's image.
func catJPEG(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 320, 200))
	for y := range 200 {
		for x := range 320 {
			img.Set(x, y, color.RGBA{R: uint8(120 + x/4), G: uint8(90 + y/3), B: 140, A: 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var screenshots = flag.String("screenshots", "", "keep the theme's screenshots in this folder")

// TestThemeScreenshots has headless chromium draw the home page and a post
// in light and in dark mode (prefers-color-scheme), and checks that the
// dark pictures are dark and the light ones light. With -screenshots DIR
// it keeps them for a person to look at.
func TestThemeScreenshots(t *testing.T) {
	chrome := webtest.Chromium()
	if chrome == "" {
		t.Skip("chromium not installed (.ci/run installs it)")
	}
	base := serveSample(t)
	dir := *screenshots
	if dir == "" {
		dir = t.TempDir()
	}
	for _, page := range []struct{ name, path string }{{"home", "/"}, {"post", "/posts/everything/"}} {
		lum := map[string]float64{}
		for _, scheme := range []string{"light", "dark"} {
			file, err := filepath.Abs(filepath.Join(dir, page.name+"-"+scheme+".png"))
			if err != nil {
				t.Fatal(err)
			}
			args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
				"--window-size=800,1200", "--screenshot=" + file}
			if scheme == "dark" {
				args = append(args, "--force-dark-mode", "--blink-settings=preferredColorScheme=0")
			} else {
				args = append(args, "--blink-settings=preferredColorScheme=1")
			}
			if out, err := exec.Command(chrome, append(args, base+page.path)...).CombinedOutput(); err != nil {
				t.Fatalf("chromium: %v\n%s", err, out)
			}
			lum[scheme] = meanLuminance(t, file)
		}
		if lum["dark"] > 0.35 || lum["light"] < 0.65 {
			t.Errorf("%s: mean luminance light %.2f, dark %.2f; want light above 0.65 and dark below 0.35", page.name, lum["light"], lum["dark"])
		}
	}
}

// meanLuminance is the average brightness of a PNG, 0 (black) to 1.
func meanLuminance(t *testing.T, file string) float64 {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 4 {
		for x := b.Min.X; x < b.Max.X; x += 4 {
			r, g, bl, _ := img.At(x, y).RGBA()
			sum += (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(bl)) / 65535
		}
	}
	return sum / float64(((b.Dy()+3)/4)*((b.Dx()+3)/4))
}

// TestThemeErrors: a theme's templates that do not parse are each an
// error at their file and line, all of them from one load; a template
// that fails while running, or that html/template refuses to escape, is
// one at its file and line too.
func TestThemeErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "html", "_partials.html"), []byte("{{ define \"head\" }}\n{{ .Site.Title | nosuch }}{{ end }}"))
	writeFile(t, filepath.Join(dir, "html", "page.html"), []byte("<h1>\n{{ .Page.Title }\n"))
	_, err := LoadTheme(os.DirFS(dir), "themes/mine", themes.Default(), nil)
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("got %v, want the errors of every broken file", err)
	}
	var got []string
	for _, e := range j.Unwrap() {
		te, ok := e.(*templates.Error)
		if !ok {
			t.Fatalf("got %T %v, want a *templates.Error", e, e)
		}
		got = append(got, fmt.Sprintf("%s:%d", te.File, te.Line))
	}
	if want := []string{"themes/mine/html/_partials.html:2", "themes/mine/html/page.html:2"}; !slices.Equal(got, want) {
		t.Errorf("got errors at %v, want %v", got, want)
	}

	for _, tc := range []struct{ name, text, want string }{
		{"exec", "<p>\n{{ index .Site.Pages 9 }}", "themes/mine/html/tags.html:2"},
		{"escape", "<p>\n<a href=\"{{ if .Site }}/x\"{{ end }}>x</a>", "themes/mine/html/tags.html:2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "html", "tags.html"), []byte(tc.text))
			th, err := LoadTheme(os.DirFS(dir), "themes/mine", themes.Default(), nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = th.Execute("tags.html", sample(t)["tags"])
			te, ok := errors.AsType[*templates.Error](err)
			if !ok {
				t.Fatalf("got %v, want a *templates.Error", err)
			}
			if got := fmt.Sprintf("%s:%d", te.File, te.Line); got != tc.want {
				t.Errorf("error at %s (%v), want %s", got, te, tc.want)
			}
		})
	}
}
