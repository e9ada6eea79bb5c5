package web

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gmkit/gmkit/serve/mimetype"
)

// Options configures FileServer. The zero value serves index.html for
// folders, 404.html for what is missing, no listings, and asks browsers to
// check back before reusing anything they kept.
type Options struct {
	// Index is the file served for a folder. Empty means "index.html".
	Index string
	// NotFound is the page sent, with status 404, for anything missing.
	// Empty means "404.html"; when fsys has no such file a short text is
	// sent instead.
	NotFound string
	// Listing makes a folder without an index answer a generated list of
	// its entries (dotfiles left out).
	Listing bool
	// Lang, when set, is sent as Content-Language with HTML pages.
	Lang string
	// MIMETypes maps extensions (with the dot, lower case) to types, ahead
	// of the built-in table.
	MIMETypes map[string]string
	// MaxAge is how long browsers may reuse files other than pages, feeds
	// and text without asking again. Zero means they always ask (and get a
	// 304 when nothing changed).
	MaxAge time.Duration
}

// Files is an http.Handler serving the files of one fs.FS. Build one per
// snapshot of the site, not per request: it keeps each file's ETag and
// compressed copy, computed on first use.
type Files struct {
	fsys  fs.FS
	opts  Options
	cache *cache
}

// FileServer returns a handler serving fsys. It answers GET and HEAD (405
// otherwise); folders answer their index file, or a 301 to the same path
// with a slash added; paths with dot segments, encoded slashes, backslashes
// or NULs answer 400; dotfiles, missing files and anything fsys refuses
// answer the 404 page. Files carry their type, an ETag and Last-Modified
// (conditional requests answer 304), accept byte ranges, and text is sent
// gzipped to clients that accept it.
func FileServer(fsys fs.FS, opts Options) *Files {
	if opts.Index == "" {
		opts.Index = "index.html"
	}
	if opts.NotFound == "" {
		opts.NotFound = "404.html"
	}
	return &Files{fsys: fsys, opts: opts, cache: newCache()}
}

func (f *Files) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	segs, slash, ok := cleanPath(r.URL)
	if !ok {
		http.Error(w, "400 bad request: invalid path", http.StatusBadRequest)
		return
	}
	for _, s := range segs {
		if strings.HasPrefix(s, ".") {
			f.NotFound(w, r)
			return
		}
	}
	name := "."
	if len(segs) > 0 {
		name = strings.Join(segs, "/")
	}
	fi, err := fs.Stat(f.fsys, name)
	if err != nil || !fs.ValidPath(name) {
		f.NotFound(w, r)
		return
	}
	if !fi.IsDir() {
		if slash || !fi.Mode().IsRegular() {
			f.NotFound(w, r)
			return
		}
		f.serveFile(w, r, name, fi)
		return
	}
	if !slash && name != "." {
		target := r.URL.EscapedPath() + "/"
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		redirect(w, target, http.StatusMovedPermanently)
		return
	}
	index := path.Join(name, f.opts.Index)
	if ifi, err := fs.Stat(f.fsys, index); err == nil && ifi.Mode().IsRegular() {
		f.serveFile(w, r, index, ifi)
		return
	}
	if !f.opts.Listing {
		f.NotFound(w, r)
		return
	}
	f.serveListing(w, r, name)
}

// cleanPath splits the request's path into decoded segments. It refuses
// empty, "." and ".." segments and segments holding an encoded slash, a
// backslash or a NUL: the same rules every gmkit server applies.
func cleanPath(u *url.URL) (segs []string, trailingSlash bool, ok bool) {
	p := u.EscapedPath()
	if p == "" || p == "/" {
		return nil, true, true
	}
	if p[0] != '/' {
		return nil, false, false
	}
	p = p[1:]
	trailingSlash = strings.HasSuffix(p, "/")
	p = strings.TrimSuffix(p, "/")
	for _, esc := range strings.Split(p, "/") {
		seg, err := url.PathUnescape(esc)
		if err != nil || seg == "" || seg == "." || seg == ".." || strings.ContainsAny(seg, "/\\\x00") {
			return nil, false, false
		}
		segs = append(segs, seg)
	}
	return segs, trailingSlash, true
}

// redirect answers code with a Location and a one-line body, the way
// http.Redirect does but without its HTML for HEAD requests.
func redirect(w http.ResponseWriter, to string, code int) {
	w.Header().Set("Location", to)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(code)
	fmt.Fprintf(w, "%d %s: %s\n", code, http.StatusText(code), to)
}

// NotFound answers 404 with the site's 404 page, or a short text when the
// site has none.
func (f *Files) NotFound(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	data, err := fs.ReadFile(f.fsys, f.opts.NotFound)
	if err != nil {
		http.Error(w, "404 not found", http.StatusNotFound)
		return
	}
	h.Set("Content-Type", f.contentType(f.opts.NotFound))
	f.setLang(h, f.opts.NotFound)
	if gz := acceptsGzip(r) && compressible(h.Get("Content-Type")); gz {
		if z := gzipBytes(data); len(z) < len(data) {
			h.Set("Content-Encoding", "gzip")
			h.Add("Vary", "Accept-Encoding")
			data = z
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusNotFound)
	if r.Method != http.MethodHead {
		w.Write(data)
	}
}

// contentType names the type of a file: by its extension, except that a
// feed named atom.xml is application/atom+xml, which browsers and feed
// readers recognise, unless the operator mapped ".xml" otherwise.
func (f *Files) contentType(name string) string {
	if path.Base(name) == "atom.xml" {
		if _, set := f.opts.MIMETypes[".xml"]; !set {
			return "application/atom+xml"
		}
	}
	return mimetype.ByName(name, f.opts.MIMETypes, "")
}

func (f *Files) setLang(h http.Header, name string) {
	if f.opts.Lang != "" && isPage(name) {
		h.Set("Content-Language", f.opts.Lang)
	}
}

func isPage(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	return ext == ".html" || ext == ".htm"
}

// cacheControl is the Cache-Control for a file of type ctype: pages, feeds
// and text change with every build and are always checked; other files
// may be kept for MaxAge.
func (f *Files) cacheControl(ctype string) string {
	if f.opts.MaxAge <= 0 || compressible(ctype) {
		return "no-cache"
	}
	return "public, max-age=" + strconv.FormatInt(int64(f.opts.MaxAge/time.Second), 10)
}

func (f *Files) serveFile(w http.ResponseWriter, r *http.Request, name string, fi fs.FileInfo) {
	h := w.Header()
	ctype := f.contentType(name)
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", f.cacheControl(ctype))
	f.setLang(h, name)
	comp := compressible(ctype)
	if comp {
		h.Add("Vary", "Accept-Encoding")
	}
	ent, err := f.cache.get(f.fsys, name, fi, comp)
	if err != nil {
		http.Error(w, "500 internal server error", http.StatusInternalServerError)
		return
	}
	if ent.gz != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		h.Set("ETag", ent.gzETag)
		http.ServeContent(w, r, "", fi.ModTime(), bytes.NewReader(ent.gz))
		return
	}
	h.Set("ETag", ent.etag)
	file, err := f.fsys.Open(name)
	if err != nil {
		f.NotFound(w, r)
		return
	}
	defer file.Close()
	if rs, ok := file.(io.ReadSeeker); ok {
		http.ServeContent(w, r, "", fi.ModTime(), rs)
		return
	}
	data, err := io.ReadAll(file)
	if err != nil {
		http.Error(w, "500 internal server error", http.StatusInternalServerError)
		return
	}
	http.ServeContent(w, r, "", fi.ModTime(), bytes.NewReader(data))
}

func (f *Files) serveListing(w http.ResponseWriter, r *http.Request, dir string) {
	entries, err := fs.ReadDir(f.fsys, dir)
	if err != nil {
		f.NotFound(w, r)
		return
	}
	title := "Index of " + html.EscapeString(r.URL.Path)
	var b strings.Builder
	b.WriteString("<!doctype html>\n<html")
	if f.opts.Lang != "" {
		b.WriteString(` lang="` + html.EscapeString(f.opts.Lang) + `"`)
	}
	b.WriteString(">\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	b.WriteString("<title>" + title + "</title>\n<h1>" + title + "</h1>\n<ul>\n")
	if dir != "." {
		b.WriteString("<li><a href=\"../\">../</a></li>\n")
	}
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, ".") {
			continue
		}
		link := (&url.URL{Path: n}).EscapedPath()
		if strings.Contains(n, ":") && !strings.Contains(link, "/") {
			link = "./" + link // not to be read as a scheme
		}
		if e.IsDir() {
			link += "/"
			n += "/"
		}
		b.WriteString(`<li><a href="` + html.EscapeString(link) + `">` + html.EscapeString(n) + "</a></li>\n")
	}
	b.WriteString("</ul>\n")
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	if f.opts.Lang != "" {
		h.Set("Content-Language", f.opts.Lang)
	}
	http.ServeContent(w, r, "", time.Time{}, strings.NewReader(b.String()))
}
