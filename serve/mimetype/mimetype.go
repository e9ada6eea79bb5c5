// Package mimetype names the MIME type a small-web server sends for a file:
// from the operator's overrides, a built-in table of what capsules and holes
// usually hold (so answers do not depend on the machine's mime.types), the
// system's table, or application/octet-stream, never text/gemini for a
// file of unknown kind. Text types carry charset=utf-8 and, when set, the
// content language.
package mimetype

import (
	"mime"
	"path"
	"sort"
	"strings"
)

// Fallback is the type of a file of unknown kind.
const Fallback = "application/octet-stream"

var builtin = map[string]string{
	".gmi": "text/gemini", ".gemini": "text/gemini", ".txt": "text/plain",
	".md": "text/markdown", ".html": "text/html", ".htm": "text/html", ".css": "text/css",
	".csv": "text/csv", ".xml": "application/xml", ".atom": "application/atom+xml",
	".rss": "application/rss+xml", ".json": "application/json", ".pdf": "application/pdf",
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
	".webp": "image/webp", ".svg": "image/svg+xml", ".ico": "image/vnd.microsoft.icon",
	".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".opus": "audio/opus", ".flac": "audio/flac",
	".wav": "audio/wav", ".mp4": "video/mp4", ".webm": "video/webm", ".zip": "application/zip",
	".gz": "application/gzip", ".tar": "application/x-tar", ".epub": "application/epub+zip",
}

// Atom is the type of an Atom feed.
const Atom = "application/atom+xml"

// isAtomFeed reports the names Atom feeds are written under: "atom.xml"
// (what gmkit writes for every feed) and "NAME.atom.xml".
func isAtomFeed(name string) bool {
	base := strings.ToLower(path.Base(name))
	return base == "atom.xml" || strings.HasSuffix(base, ".atom.xml")
}

// ByName returns the type for a file name. overrides maps extensions (with
// the dot, lower case) to types and wins over everything else; lang, when
// not empty, is added to text types as lang=... Atom feeds ("atom.xml",
// "*.atom.xml", "*.atom") are application/atom+xml, so that feed readers
// and clients that choose a viewer by type see a feed, not any XML.
func ByName(name string, overrides map[string]string, lang string) string {
	ext := strings.ToLower(path.Ext(name))
	t, ok := overrides[ext]
	if !ok && isAtomFeed(name) {
		t, ok = Atom, true
	}
	if !ok {
		t, ok = builtin[ext]
	}
	if !ok && ext != "" {
		t = mime.TypeByExtension(ext)
	}
	if t == "" {
		return Fallback
	}
	return Text(t, lang)
}

// Text adds charset=utf-8 (unless a charset is given) and lang (unless empty
// or already given) to a text/* type; other types are returned as they are.
func Text(t, lang string) string {
	base, params, err := mime.ParseMediaType(t)
	if err != nil || !strings.HasPrefix(base, "text/") {
		return t
	}
	if _, ok := params["charset"]; !ok {
		params["charset"] = "utf-8"
	}
	if _, ok := params["lang"]; !ok && lang != "" {
		params["lang"] = lang
	}
	// Other parameters in order, then charset, then lang: the form
	// clients are used to seeing.
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "charset" && k != "lang" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(base)
	for _, k := range keys {
		b.WriteString("; " + k + "=" + params[k])
	}
	b.WriteString("; charset=" + params["charset"])
	if l, ok := params["lang"]; ok {
		b.WriteString("; lang=" + l)
	}
	return b.String()
}
