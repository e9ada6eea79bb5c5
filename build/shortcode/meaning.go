package shortcode

import (
	"path"
	"regexp"
	"strings"

	"github.com/yuin/goldmark/ast"

	"github.com/gmkit/gmkit/build/mdnode"
)

// silent are tags that mean nothing outside a web page's layout (a table
// of contents, a script loader, a variable): removed without a warning.
var silent = map[string]bool{
	"toc": true, "table_of_contents": true, "load-photoswipe": true, "clear": true,
	"assign": true, "more": true, "readmore": true, "increment": true, "decrement": true,
	"cycle": true, "seo": true, "feed_meta": true, "endcomment": true, "endcapture": true,
	"endraw": true, "raw": true,
}

// rawBody are the paired tags whose body is not Markdown: code, HTML and
// math, with the alt text of the preformatted block they become ("" for
// HTML, converted as HTML).
var rawBody = map[string]string{
	"highlight": "lang", "code": "lang", "codeblock": "lang", "syntax": "lang",
	"rawhtml": "", "html": "", "unsafe": "", "raw-html": "", "noop": "",
	"katex": "math", "math": "math", "latex": "math", "tex": "math", "mathjax": "math",
	"mermaid": "mermaid", "plantuml": "plantuml", "graphviz": "graphviz", "chart": "chart",
}

// quoteLike are paired tags whose body is set apart as a quote headed by
// its kind.
var quoteLike = map[string]bool{
	"notice": true, "hint": true, "alert": true, "admonition": true, "callout": true,
	"note": true, "tip": true, "warning": true, "info": true, "important": true,
	"caution": true, "danger": true, "box": true, "blockquote": true, "quote": true,
	"pullquote": true, "aside": true,
}

// keepBody are paired tags whose body is kept as it is, with a title
// (details, tabs) before it.
var keepBody = map[string]bool{
	"details": true, "expand": true, "spoiler": true, "collapse": true, "tabs": true,
	"tab": true, "columns": true, "column": true, "center": true, "section": true,
	"gallery": true, "div": true, "card": true, "row": true, "col": true, "grid": true,
	"panel": true, "steps": true, "step": true, "figure": true, "markdown": true,
	"markdownify": true, "span": true, "small": true, "columns-item": true,
}

// dropBody are paired tags whose body is never shown.
var dropBody = map[string]bool{"comment": true, "capture": true}

// endName is the name a closing tag closes, or "" for an opening tag:
// {{< /x >}} closes x, {% endx %} closes x, {% end %} closes any Zola body.
func endName(t *Tag) (string, bool) {
	switch {
	case t.Close:
		return t.Name, true
	case t.Syntax == LiquidTag && t.Name == "end":
		return "", true
	case t.Syntax == LiquidTag && strings.HasPrefix(t.Name, "end") && len(t.Name) > 3:
		return t.Name[3:], true
	}
	return "", false
}

// closes reports whether closing tag c ends the body opened by o.
func closes(c, o *Tag) bool {
	name, ok := endName(c)
	if !ok || o.SelfClose || o.Escaped {
		return false
	}
	if name == "" {
		return o.Syntax == LiquidTag && o.Call
	}
	return strings.EqualFold(name, o.Name) && (c.Syntax == o.Syntax || c.Syntax == HugoAngle && o.Syntax == HugoPercent || c.Syntax == HugoPercent && o.Syntax == HugoAngle)
}

// lower is the tag's name in lower case.
func lower(t *Tag) string { return strings.ToLower(t.Name) }

// URL evaluates a tag that stands for an address: Hugo's ref and relref,
// Liquid's link and post_url (a post's file name, relative to the page),
// and Liquid output such as
// {{ '/x' | relative_url }} or {{ site.baseurl }} (which is ""). The
// links it returns are the ones the build resolves: "x.md" relative to the
// page, "/x.md" from the content folder.
func URL(t *Tag) (string, bool) {
	if t.Escaped {
		return "", false
	}
	if t.Syntax == LiquidOutput && !t.Call {
		return evalExpr(t.Expr)
	}
	switch lower(t) {
	case "ref", "relref":
		p := t.Arg("path", 0)
		if p == "" {
			return "", false
		}
		return refDest(p), true
	case "link":
		if t.Syntax == LiquidTag && len(t.Pos) > 0 {
			return "/" + strings.TrimPrefix(t.Pos[0], "/"), true
		}
	case "post_url":
		// A post named by its file name: posts link to posts beside
		// them, so the name is relative to the page.
		if len(t.Pos) > 0 {
			return strings.TrimPrefix(t.Pos[0], "/") + ".md", true
		}
	case "get_url":
		if p := t.Arg("path", 0); p != "" {
			return zolaPath(p), true
		}
	}
	return "", false
}

// refDest turns the argument of Hugo's ref into a link the build resolves:
// a page named without its extension gets ".md".
func refDest(p string) string {
	frag := ""
	if i := strings.IndexByte(p, '#'); i >= 0 {
		p, frag = p[:i], p[i:]
	}
	if p == "" {
		return frag
	}
	p = strings.TrimSuffix(p, "/")
	if path.Ext(p) == "" {
		p += ".md"
	}
	return p + frag
}

// zolaPath maps Zola's "@/x.md" (from the content folder) to "/x.md".
func zolaPath(p string) string {
	if rest, ok := strings.CutPrefix(p, "@/"); ok {
		return "/" + rest
	}
	return p
}

// baseVars are site variables that only prefix addresses: "" here, since
// addresses are site-relative.
var baseVars = map[string]bool{
	"site.baseurl": true, "site.url": true, "site.base_url": true, "site.github.url": true,
	"base_path": true, "site.baseUrl": true, "config.base_url": true, "site.BaseURL": true,
	".Site.BaseURL": true,
}

// evalExpr evaluates the Liquid expressions that build addresses: a
// string or a base variable, through relative_url, absolute_url, prepend,
// append and escaping filters.
func evalExpr(expr string) (string, bool) {
	parts := splitTop(expr, '|')
	v, ok := operand(parts[0])
	if !ok {
		return "", false
	}
	for _, f := range parts[1:] {
		name, arg, _ := strings.Cut(f, ":")
		name, arg = strings.TrimSpace(name), strings.TrimSpace(arg)
		switch name {
		case "relative_url", "absolute_url", "url", "uri_escape", "escape", "xml_escape", "strip", "cgi_escape", "url_encode":
		case "prepend":
			a, ok := operand(arg)
			if !ok {
				return "", false
			}
			v = a + v
		case "append":
			a, ok := operand(arg)
			if !ok {
				return "", false
			}
			v += a
		default:
			return "", false
		}
	}
	return v, true
}

// operand is a quoted string or a base variable.
func operand(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1], true
	}
	if baseVars[s] {
		return "", true
	}
	return "", false
}

// imageExts are the extensions that make an argument an image.
var imageExts = map[string]bool{
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".webp": true, ".svg": true,
	".avif": true, ".bmp": true, ".tif": true, ".tiff": true, ".ico": true, ".heic": true,
}

func isImage(s string) bool {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	return imageExts[strings.ToLower(path.Ext(s))]
}

// looksLikeAddress reports arguments that can only be an address.
func looksLikeAddress(s string) bool {
	return strings.HasPrefix(s, "/") || strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") ||
		strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") || isImage(s)
}

// source is the address a media or image tag points at.
func source(t *Tag) string {
	if v := t.FirstNamed("src", "light_src", "dark_src", "path", "image", "image_path", "url", "file", "img", "source", "fallback_path", "href", "link", "name"); v != "" {
		return v
	}
	if v, ok := t.Named["sources"]; ok {
		// Zola's sources=["a.webm", "b.mp4"]: the first.
		v = strings.Trim(v, "[] ")
		first, _, _ := strings.Cut(v, ",")
		return unquote(strings.TrimSpace(first))
	}
	for _, p := range t.Pos {
		if looksLikeAddress(p) {
			return p
		}
	}
	return ""
}

// caption is the text a media or image tag shows with it.
func caption(t *Tag) string {
	v := t.FirstNamed("caption", "alt", "fallback_alt", "title", "description", "desc", "text", "label")
	if v == "" {
		// Octopress: {% img /x.png 300 200 'title' 'alt' %}.
		for _, p := range t.Pos {
			if !looksLikeAddress(p) && strings.ContainsAny(p, " ") {
				v = p
				break
			}
		}
	}
	return strings.Join(strings.Fields(v), " ")
}

// Render returns the inline nodes a single tag (not a body) stands for.
// known is false for a tag whose meaning is unknown; it stands for
// nothing. Known tags:
//   - ref, relref, link, post_url, get_url and URL-building output: links
//     (see URL);
//   - youtube, vimeo, tweet/twitter/x, gist, instagram: a link to the video
//     or post;
//   - figure, img, image, imgproc and tags named like them, include of an
//     image or figure: the image, labelled by its caption or alt text;
//   - video, audio and tags named like them: a link to the media;
//   - gallery with a folder: a link to the folder;
//   - toc, assign and the like: nothing, silently.
func Render(t *Tag) (nodes []ast.Node, known bool) {
	if t.Escaped {
		return []ast.Node{mdnode.Text(t.Literal)}, true
	}
	if u, ok := URL(t); ok {
		if t.Syntax == LiquidOutput && !t.Call {
			if u == "" {
				return nil, true
			}
			return []ast.Node{mdnode.Text(u)}, true
		}
		return []ast.Node{link(u, u)}, true
	}
	name := lower(t)
	if t.Syntax == LiquidTag && (name == "include" || name == "include_relative") {
		return include(t)
	}
	if silent[name] {
		return nil, true
	}
	if quoteLike[name] {
		// Zola's {{ admonition(type="tip", text="...") }}: the text
		// is an argument.
		if text := t.FirstNamed("text", "body", "content", "message"); text != "" {
			return inlineText(text), true
		}
	}
	switch name {
	case "youtube":
		id := t.Arg("id", 0)
		if id == "" {
			return nil, false
		}
		if !strings.Contains(id, "://") {
			if t.Arg("playlist", -1) != "" || len(t.Pos) > 1 && t.Pos[1] == "playlist" {
				id = "https://www.youtube.com/playlist?list=" + id
			} else {
				id = "https://www.youtube.com/watch?v=" + id
			}
		}
		return []ast.Node{link(id, or(t.FirstNamed("title"), "Video on YouTube"))}, true
	case "vimeo":
		id := t.Arg("id", 0)
		if id == "" {
			return nil, false
		}
		if !strings.Contains(id, "://") {
			id = "https://vimeo.com/" + id
		}
		return []ast.Node{link(id, or(t.FirstNamed("title"), "Video on Vimeo"))}, true
	case "tweet", "twitter", "x":
		user, id := t.FirstNamed("user", "username"), t.FirstNamed("id")
		if id == "" && len(t.Pos) > 0 {
			id = t.Pos[len(t.Pos)-1]
			if len(t.Pos) > 1 {
				user = t.Pos[0]
			}
		}
		if id == "" {
			return nil, false
		}
		if strings.Contains(id, "://") {
			return []ast.Node{link(id, "Post on X")}, true
		}
		if user == "" {
			return []ast.Node{link("https://twitter.com/i/status/"+id, "Post on X")}, true
		}
		return []ast.Node{link("https://twitter.com/"+user+"/status/"+id, "Post by @"+user)}, true
	case "gist":
		if u := t.FirstNamed("url"); u != "" {
			return []ast.Node{link(u, "Gist")}, true
		}
		if len(t.Pos) == 0 {
			return nil, false
		}
		id, file := t.Pos[0], ""
		if t.Syntax != LiquidTag && len(t.Pos) > 1 {
			id, t.Pos = t.Pos[0]+"/"+t.Pos[1], t.Pos[1:]
		}
		if len(t.Pos) > 1 {
			file = t.Pos[1]
		}
		label := "Gist " + id
		if file != "" {
			label += " (" + file + ")"
		}
		return []ast.Node{link("https://gist.github.com/"+id, label)}, true
	case "instagram":
		id := t.Arg("id", 0)
		if id == "" {
			return nil, false
		}
		return []ast.Node{link("https://www.instagram.com/p/"+id+"/", "Post on Instagram")}, true
	case "gallery":
		if d := t.FirstNamed("dir", "folder", "src"); d != "" {
			return []ast.Node{link(d, or(t.FirstNamed("title", "caption"), "Gallery"))}, true
		}
		return nil, true
	}
	switch {
	case strings.Contains(name, "youtube") || strings.Contains(name, "vimeo"):
		// A theme's own embed: the same arguments.
		alias := *t
		alias.Name = "youtube"
		if strings.Contains(name, "vimeo") {
			alias.Name = "vimeo"
		}
		return Render(&alias)
	case strings.Contains(name, "img") || strings.Contains(name, "image") || strings.Contains(name, "figure") ||
		strings.Contains(name, "photo") || strings.Contains(name, "picture") || name == "fig" || name == "gif" && !t.Call:
		if src := source(t); src != "" {
			return []ast.Node{mdnode.Image(src, caption(t))}, true
		}
	case strings.Contains(name, "video") || strings.Contains(name, "audio") || name == "gif":
		if src := source(t); src != "" {
			return []ast.Node{link(src, or(caption(t), fileName(src)))}, true
		}
	}
	return nil, false
}

// include renders Liquid's {% include file params %}: images and videos
// from their parameters, a table of contents as nothing.
func include(t *Tag) ([]ast.Node, bool) {
	if len(t.Pos) == 0 {
		return nil, false
	}
	file := strings.ToLower(path.Base(t.Pos[0]))
	stem := strings.TrimSuffix(file, path.Ext(file))
	alias := *t
	alias.Syntax = HugoAngle
	alias.Name = stem
	alias.Pos = t.Pos[1:]
	switch {
	case stem == "toc" || stem == "base_path" || strings.HasPrefix(stem, "toc"):
		return nil, true
	case strings.Contains(stem, "youtube"), strings.Contains(stem, "vimeo"):
		return Render(&alias)
	case strings.Contains(stem, "image") || strings.Contains(stem, "img") || strings.Contains(stem, "figure") ||
		strings.Contains(stem, "photo") || strings.Contains(stem, "video") || strings.Contains(stem, "audio"):
		if nodes, ok := Render(&alias); ok && len(nodes) > 0 {
			return nodes, true
		}
	}
	return nil, false
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func fileName(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	return path.Base(strings.TrimRight(u, "/"))
}

// mdLink is a Markdown inline link as an argument's text writes it.
var mdLink = regexp.MustCompile(`\[([^\]\n]+)\]\(([^)\s]+)\)`)

// inlineText is the text of an argument as inline nodes: its Markdown
// links links, the rest text as written.
func inlineText(s string) []ast.Node {
	var nodes []ast.Node
	at := 0
	for _, m := range mdLink.FindAllStringSubmatchIndex(s, -1) {
		if m[0] > at {
			nodes = append(nodes, mdnode.Text(s[at:m[0]]))
		}
		nodes = append(nodes, link(s[m[4]:m[5]], s[m[2]:m[3]]))
		at = m[1]
	}
	if at < len(s) {
		nodes = append(nodes, mdnode.Text(s[at:]))
	}
	return nodes
}

func link(dest, label string) ast.Node {
	l := mdnode.Link(dest)
	if label != "" {
		l.AppendChild(l, mdnode.Text(label))
	}
	return l
}

// Title is the title a paired tag gives its body ("Click to see",
// "Warning"), or "".
func Title(t *Tag) string {
	name := lower(t)
	title := t.FirstNamed("title", "summary", "name", "header", "label", "heading")
	if keepBody[name] {
		if title == "" && len(t.Pos) > 0 && (name == "details" || name == "expand" || name == "spoiler" || name == "collapse" || name == "tab") {
			title = t.Pos[0]
		}
		return title
	}
	if !quoteLike[name] {
		return title
	}
	kind := ""
	switch name {
	case "notice", "hint", "alert", "admonition", "callout", "box":
		kind = or(t.FirstNamed("type", "kind", "style", "class", "theme"), t.Arg("", 0))
		if kind == "" {
			kind = name
		}
	case "blockquote", "quote", "pullquote", "aside":
		return ""
	default:
		kind = name
	}
	if title == "" && len(t.Pos) > 1 && (name == "notice" || name == "hint" || name == "alert" || name == "admonition" || name == "callout") {
		title = t.Pos[1]
	}
	kind = strings.ToUpper(kind[:1]) + strings.ToLower(kind[1:])
	if title != "" && !strings.EqualFold(title, kind) {
		return kind + ": " + title
	}
	return kind
}

// Attribution is the author line a quote tag ends with, or "".
func Attribution(t *Tag) string {
	switch lower(t) {
	case "blockquote", "quote", "pullquote":
	default:
		return ""
	}
	a := t.FirstNamed("author", "by", "cite", "source", "attribution")
	if a == "" && t.Syntax == LiquidTag && len(t.Pos) > 0 {
		a = strings.Join(t.Pos, " ")
	}
	if a == "" {
		return ""
	}
	return "— " + a
}

// BodyInfo says what the body of a paired tag is: ok is false for a
// Markdown body; otherwise html reports an HTML body and info is the alt
// text of a preformatted one.
func BodyInfo(t *Tag) (info string, html, ok bool) {
	kind, ok := rawBody[lower(t)]
	if !ok {
		return "", false, false
	}
	switch kind {
	case "":
		return "", true, true
	case "lang":
		l := t.FirstNamed("lang", "language", "type")
		if l == "" && len(t.Pos) > 0 {
			l = t.Pos[0]
		}
		return l, false, true
	}
	return kind, false, true
}
