package gemini

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"path"
	"strings"

	"github.com/gmkit/gmkit/serve/mimetype"
)

// FileServerOptions configures FileServer. The zero value serves index.gmi
// for folders, no listings and no lang parameter.
type FileServerOptions struct {
	// Index is the file served for a folder. Empty means "index.gmi".
	Index string
	// Listing makes a folder without an index answer a generated gemtext
	// list of its entries (dotfiles left out).
	Listing bool
	// Lang, when set, is added as "lang=..." to text types.
	Lang string
	// MIMETypes maps extensions (with the dot, lower case) to types, ahead
	// of the built-in table.
	MIMETypes map[string]string
}

// fileServer is a value: building one costs nothing.
type fileServer struct {
	fsys fs.FS
	opts FileServerOptions
}

// FileServer returns a Handler serving fsys. It is cheap enough to build
// per request. Folders answer their index file, or 31 to the same path with
// a slash added; the root answers without a redirect. Paths with dot
// segments, encoded slashes or NULs answer 59; dotfiles, missing files and
// anything fsys refuses answer 51. When fsys implements fs.ReadLinkFS,
// symbolic links are followed only while they stay inside fsys.
func FileServer(fsys fs.FS, opts FileServerOptions) Handler {
	return fileServer{fsys: fsys, opts: opts}
}

var errNotFound = errors.New("not found")

func (f fileServer) ServeGemini(w ResponseWriter, r *Request) {
	segs, slash, ok := ValidPath(r.URL)
	if !ok {
		w.WriteHeader(StatusBadRequest, "Invalid path")
		return
	}
	for _, s := range segs {
		if strings.HasPrefix(s, ".") {
			w.WriteHeader(StatusNotFound, "Not found")
			return
		}
	}
	name := "."
	if len(segs) > 0 {
		name = strings.Join(segs, "/")
	}
	if !fs.ValidPath(name) {
		w.WriteHeader(StatusNotFound, "Not found")
		return
	}
	real, err := resolveLinks(f.fsys, name)
	if err != nil {
		w.WriteHeader(StatusNotFound, "Not found")
		return
	}
	fi, err := fs.Stat(f.fsys, real)
	if err != nil {
		w.WriteHeader(StatusNotFound, "Not found")
		return
	}
	if !fi.IsDir() {
		if slash || !fi.Mode().IsRegular() {
			w.WriteHeader(StatusNotFound, "Not found")
			return
		}
		f.serveFile(w, real)
		return
	}
	if !slash && name != "." {
		w.WriteHeader(StatusPermanentRedirect, r.URL.EscapedPath()+"/")
		return
	}
	index := f.opts.Index
	if index == "" {
		index = "index.gmi"
	}
	indexName := path.Join(real, index)
	if real, err := resolveLinks(f.fsys, indexName); err == nil {
		if ifi, err := fs.Stat(f.fsys, real); err == nil && ifi.Mode().IsRegular() {
			f.serveFile(w, real)
			return
		}
	}
	if !f.opts.Listing {
		w.WriteHeader(StatusNotFound, "Not found")
		return
	}
	f.serveListing(w, r, real)
}

func (f fileServer) serveFile(w ResponseWriter, name string) {
	file, err := f.fsys.Open(name)
	if err != nil {
		w.WriteHeader(StatusNotFound, "Not found")
		return
	}
	defer file.Close()
	w.WriteHeader(StatusSuccess, f.mimeType(name))
	io.Copy(w, file)
}

func (f fileServer) serveListing(w ResponseWriter, r *Request, dir string) {
	entries, err := fs.ReadDir(f.fsys, dir)
	if err != nil {
		w.WriteHeader(StatusNotFound, "Not found")
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Index of %s\n\n", pathOrRoot(r.URL.Path))
	if dir != "." {
		b.WriteString("=> ../ ..\n")
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
		fmt.Fprintf(&b, "=> %s %s\n", link, n)
	}
	w.WriteHeader(StatusSuccess, f.textType("text/gemini"))
	io.WriteString(w, b.String())
}

func pathOrRoot(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// mimeType returns the type for name: configured, built-in, the system's,
// else application/octet-stream.
func (f fileServer) mimeType(name string) string {
	return mimetype.ByName(name, f.opts.MIMETypes, f.opts.Lang)
}

// textType adds charset=utf-8 (unless a charset is set) and the configured
// lang to text types.
func (f fileServer) textType(t string) string { return mimetype.Text(t, f.opts.Lang) }

// resolveLinks follows symbolic links in name when fsys can report them,
// refusing any that lead outside fsys or to a dotfile.
func resolveLinks(fsys fs.FS, name string) (string, error) {
	rl, ok := fsys.(fs.ReadLinkFS)
	if !ok || name == "." {
		return name, nil
	}
	parts := strings.Split(name, "/")
	cur := ""
	for hops := 0; len(parts) > 0; {
		p := parts[0]
		parts = parts[1:]
		if p == "" || strings.HasPrefix(p, ".") {
			return "", errNotFound
		}
		next := path.Join(cur, p)
		fi, err := rl.Lstat(next)
		if err != nil {
			return "", errNotFound
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if hops++; hops > 40 {
			return "", errNotFound
		}
		target, err := rl.ReadLink(next)
		if err != nil || path.IsAbs(target) || strings.HasPrefix(target, "\\") {
			return "", errNotFound
		}
		joined := path.Join(cur, target)
		if joined == ".." || strings.HasPrefix(joined, "../") {
			return "", errNotFound
		}
		cur = ""
		if joined != "." {
			parts = append(strings.Split(joined, "/"), parts...)
		}
	}
	if cur == "" {
		return ".", nil
	}
	return cur, nil
}
