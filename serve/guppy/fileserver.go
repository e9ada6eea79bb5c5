package guppy

import (
	"errors"
	"io/fs"
	"path"
	"strings"

	"github.com/gmkit/gmkit/serve/mimetype"
)

// Options configure FileServer. The zero value serves index.gmi for
// directories, text/gemini without a lang parameter, and files up to 16 MiB.
type Options struct {
	// Index is the file served for a directory; default "index.gmi".
	Index string
	// Lang, if set, is added to text/gemini as ";lang=..." (e.g. "en").
	Lang string
	// MIMETypes maps extensions (with the dot, lower case) to MIME types,
	// before the built-in table.
	MIMETypes map[string]string
	// MaxFileSize is the largest file served; default 16 MiB. Larger files
	// are answered with an error.
	MaxFileSize int64
}

const defaultMaxFileSize = 16 << 20

// FileServer returns a Handler that answers from fsys: a directory's Index
// file for a directory URL ending in a slash, "3 /dir/" for a directory
// without one, a file with a MIME type chosen by extension (text/gemini for
// .gmi and .gemini), and "4 not found" for anything missing, hidden (any
// path segment starting with a dot), or outside the root in any encoding.
// The host part of the URL is ignored. It is cheap to construct: one may be
// built per request over the current content snapshot.
func FileServer(fsys fs.FS, opts Options) Handler {
	return &fileServer{fsys: fsys, opts: opts}
}

type fileServer struct {
	fsys fs.FS
	opts Options
}

func (s *fileServer) ServeGuppy(w ResponseWriter, r *Request) {
	name, wantDir, ok := urlPath(r)
	if !ok {
		w.WriteHeader(StatusError, "not found")
		return
	}
	info, err := fs.Stat(s.fsys, name)
	if err != nil {
		w.WriteHeader(StatusError, "not found")
		return
	}
	if info.IsDir() {
		if !wantDir && name != "." {
			w.WriteHeader(StatusRedirect, r.URL.EscapedPath()+"/")
			return
		}
		index := s.opts.Index
		if index == "" {
			index = "index.gmi"
		}
		name = path.Join(name, index)
		info, err = fs.Stat(s.fsys, name)
		if err != nil {
			w.WriteHeader(StatusError, "not found")
			return
		}
	} else if wantDir {
		w.WriteHeader(StatusError, "not found")
		return
	}
	if !info.Mode().IsRegular() {
		w.WriteHeader(StatusError, "not found")
		return
	}
	limit := s.opts.MaxFileSize
	if limit <= 0 {
		limit = defaultMaxFileSize
	}
	if info.Size() > limit {
		w.WriteHeader(StatusError, "file too large")
		return
	}
	body, err := fs.ReadFile(s.fsys, name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			w.WriteHeader(StatusError, "not found")
		} else {
			w.WriteHeader(StatusError, "cannot read file")
		}
		return
	}
	w.WriteHeader(StatusSuccess, s.mimeType(name))
	_, _ = w.Write(body)
}

// urlPath maps the request path to an fs.FS name. ok is false for anything
// that must not be served: encoded slashes, "." or ".." segments, empty
// segments, dot-prefixed segments, NUL or backslash.
func urlPath(r *Request) (name string, wantDir, ok bool) {
	if r.URL == nil {
		return "", false, false
	}
	raw := r.URL.RawPath
	if raw == "" {
		raw = r.URL.EscapedPath()
	}
	if strings.Contains(strings.ToLower(raw), "%2f") || strings.Contains(strings.ToLower(raw), "%5c") {
		return "", false, false
	}
	p := r.URL.Path
	if p == "" || p == "/" {
		return ".", true, true
	}
	if !strings.HasPrefix(p, "/") {
		return "", false, false
	}
	name = p[1:]
	if strings.HasSuffix(name, "/") {
		wantDir = true
		name = name[:len(name)-1]
	}
	if !fs.ValidPath(name) || strings.ContainsAny(name, "\\\x00") {
		return "", false, false
	}
	for seg := range strings.SplitSeq(name, "/") {
		if strings.HasPrefix(seg, ".") {
			return "", false, false
		}
	}
	return name, wantDir, true
}

func (s *fileServer) mimeType(name string) string {
	return mimetype.ByName(name, s.opts.MIMETypes, s.opts.Lang)
}
