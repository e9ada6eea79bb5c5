package web

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
)

// Policy returns the sanitizer applied to pages holding raw HTML:
// bluemonday's policy for user content (no scripts, styles, event
// handlers, forms or frames; safe URL schemes only), plus what goldmark's
// own renderers write (classes, footnotes, task list check boxes), the
// inline elements of HTML5 text, and media with controls. Links
// are not marked nofollow: the content is the author's.
func Policy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(false)
	// Class names (goldmark's language-*, footnote-*, align-*, and the
	// author's own for a theme to style) carry no code.
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^[\w\s+#.-]+$`)).Globally()
	p.AllowAttrs("role").Matching(regexp.MustCompile(`^doc-(noteref|backlink|endnotes)$`)).OnElements("a", "div", "section")
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").Matching(regexp.MustCompile(`^(|checked|disabled)$`)).OnElements("input")
	p.AllowElements("figure", "figcaption", "picture", "mark", "small", "kbd", "samp", "var", "abbr",
		"cite", "dfn", "q", "s", "u", "ins", "del", "sub", "sup", "wbr", "ruby", "rt", "rp", "bdi", "time")
	p.AllowAttrs("loading").Matching(regexp.MustCompile(`^(lazy|eager)$`)).OnElements("img")
	p.AllowAttrs("srcset").OnElements("source")
	p.AllowAttrs("controls", "loop", "muted").Matching(regexp.MustCompile(`^(|controls|loop|muted)$`)).OnElements("audio", "video")
	p.AllowAttrs("src").OnElements("audio", "video", "source")
	p.AllowAttrs("poster").OnElements("video")
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^[\w.+-]+/[\w.+-]+$`)).OnElements("source")
	p.AllowAttrs("width", "height").Matching(bluemonday.Integer).OnElements("img", "video")
	return p
}

// embedded names the elements that embed another page or program, and the
// attribute holding its address: they become plain links.
var embedded = map[string]string{"iframe": "src", "embed": "src", "object": "data", "frame": "src"}

// embedsAsLinks replaces iframes, embeds and objects with a link to what
// they would have shown. The rest of b is copied as it is.
func embedsAsLinks(b []byte) []byte {
	low := bytes.ToLower(b)
	if !bytes.Contains(low, []byte("<iframe")) && !bytes.Contains(low, []byte("<embed")) &&
		!bytes.Contains(low, []byte("<object")) && !bytes.Contains(low, []byte("<frame")) {
		return b
	}
	var out bytes.Buffer
	z := html.NewTokenizer(bytes.NewReader(b))
	skip := "" // inside an embed whose content is dropped
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out.Bytes()
		}
		raw := z.Raw()
		name, _ := z.TagName()
		tag := string(name)
		attr, isEmbed := embedded[tag]
		switch {
		case skip != "":
			if tt == html.EndTagToken && tag == skip {
				skip = ""
			}
		case isEmbed && (tt == html.StartTagToken || tt == html.SelfClosingTagToken):
			var url, title string
			for {
				k, v, more := z.TagAttr()
				switch string(k) {
				case attr:
					url = string(v)
				case "title":
					title = string(v)
				}
				if !more {
					break
				}
			}
			if url != "" {
				label := strings.TrimSpace(title)
				if label == "" {
					label = url
				}
				out.WriteString(`<a href="` + html.EscapeString(url) + `">` + html.EscapeString(label) + `</a>`)
			}
			if tt == html.StartTagToken && tag != "embed" && tag != "frame" {
				skip = tag
			}
		case isEmbed && tt == html.EndTagToken:
			// a stray end tag: dropped
		default:
			out.Write(raw)
		}
	}
}
