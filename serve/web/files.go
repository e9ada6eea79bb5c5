package web

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gmkit/gmkit/serve/mimetype"
	"github.com/gmkit/gmkit/serve/policy"
)

// Options configures FileServer and TreeHandler. The zero value serves
// index.html for folders, 404.html for what is missing, no listings, and
// asks browsers to check back before reusing anything they kept.
type Options struct {
	// Index is the file served for a folder by FileServer. Empty means
	// "index.html". (A TreeHandler's tree names its own.)
	Index string
	// NotFound is the page sent, with status 404, for anything missing.
	// Empty means "404.html"; when the tree has no such file a short text
	// is sent instead.
	NotFound string
	// Listing makes FileServer answer a folder without an index with a
	// generated list of its entries (dotfiles left out). A TreeHandler
	// follows its tree's policy instead.
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

// DefaultIndex is the file answering for a folder.
const DefaultIndex = "index.html"

// Files is an http.Handler answering from one policy.Tree. Build one per
// snapshot of the site, not per request: it keeps each file's ETag and
// compressed copy, computed on first use.
type Files struct {
	t     *policy.Tree
	cgi   *CGI
	opts  Options
	cache *cache
}

// FileServer returns a handler serving fsys under the path rules of
// serve/policy (see TreeHandler).
func FileServer(fsys fs.FS, opts Options) *Files {
	index := opts.Index
	if index == "" {
		index = DefaultIndex
	}
	return TreeHandler((&policy.Policy{Listing: opts.Listing}).Tree(fsys, index, nil), nil, opts)
}

// TreeHandler returns the handler answering from t under its policy, the
// one every gmkit server applies: requests for a host not served answer
// 421; paths with dot segments, encoded slashes, backslashes or NULs 400;
// paths needing a client certificate 403 (a browser presents none);
// redirects 301 (302 when temporary); the CGI mount runs cgi (nil: 404);
// folders answer their index file, or a 301 to the path with a slash
// added; dotfiles, missing files and links leading out answer the 404
// page. Files answer GET and HEAD (405 otherwise) with their type, an
// ETag and Last-Modified (conditional requests answer 304), byte ranges,
// and gzip for text to clients that accept it.
func TreeHandler(t *policy.Tree, cgi *CGI, opts Options) *Files {
	if opts.NotFound == "" {
		opts.NotFound = "404.html"
	}
	return &Files{t: t, cgi: cgi, opts: opts, cache: newCache()}
}

func (f *Files) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	pol := f.t.Policy()
	if len(pol.Hostnames) > 0 {
		local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
		if !pol.HostAllowed(hostOnly(r.Host), local) {
			http.Error(w, "421 misdirected request: this server does not serve "+r.Host, http.StatusMisdirectedRequest)
			return
		}
	}
	p, ok := policy.ParseURLPath(r.URL.EscapedPath())
	if !ok {
		http.Error(w, "400 bad request: invalid path", http.StatusBadRequest)
		return
	}
	d := f.t.Decide(p, nil)
	if d.Kind == policy.CGI {
		if f.cgi == nil {
			f.NotFound(w, r)
			return
		}
		f.cgi.run(w, r, d.Name, d.Target)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch d.Kind {
	case policy.File:
		f.serveFile(w, r, d.Name, d.Info)
	case policy.Listing:
		f.serveListing(w, r, d.Name)
	case policy.AddSlash:
		target := r.URL.EscapedPath() + "/"
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		redirect(w, target, http.StatusMovedPermanently)
	case policy.Redirected:
		target := d.Target
		if r.URL.RawQuery != "" && !strings.Contains(target, "?") {
			target += "?" + r.URL.RawQuery
		}
		code := http.StatusMovedPermanently
		if d.Temporary {
			code = http.StatusFound
		}
		redirect(w, target, code)
	case policy.CertRequired, policy.CertNotValid, policy.CertNotAuthorised:
		http.Error(w, "403 forbidden: this page needs a client certificate", http.StatusForbidden)
	default:
		f.NotFound(w, r)
	}
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
	data, err := f.notFoundPage()
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
// notFoundPage reads the 404 page, under the same rules as any file.
func (f *Files) notFoundPage() ([]byte, error) {
	p, ok := policy.ParseURLPath("/" + f.opts.NotFound)
	if !ok {
		return nil, fs.ErrInvalid
	}
	if d := f.t.Decide(p, nil); d.Kind == policy.File {
		return fs.ReadFile(f.t.FS(), d.Name)
	}
	return nil, fs.ErrNotExist
}

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

// serveFile answers with the file name, which the policy found described
// by fi (nil: not yet looked up). A small file on disk whose size and
// modification time are those the cache saw is answered from memory,
// without opening it again.
func (f *Files) serveFile(w http.ResponseWriter, r *http.Request, name string, fi fs.FileInfo) {
	var file fs.File
	if fi == nil {
		var err error
		if file, err = f.t.FS().Open(name); err != nil {
			f.NotFound(w, r)
			return
		}
		defer file.Close()
		if fi, err = file.Stat(); err != nil {
			f.NotFound(w, r)
			return
		}
	}
	h := w.Header()
	ctype := f.contentType(name)
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", f.cacheControl(ctype))
	f.setLang(h, name)
	comp := compressible(ctype)
	if comp {
		h.Add("Vary", "Accept-Encoding")
	}
	ent, err := f.cache.get(f.t.FS(), name, fi, comp)
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
	if ent.data != nil {
		http.ServeContent(w, r, "", fi.ModTime(), bytes.NewReader(ent.data))
		return
	}
	if file == nil {
		if file, err = f.t.FS().Open(name); err != nil {
			h.Del("ETag")
			f.NotFound(w, r)
			return
		}
		defer file.Close()
	}
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
	entries, err := f.t.ReadDir(dir)
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
