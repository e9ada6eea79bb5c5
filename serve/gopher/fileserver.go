package gopher

import (
	"errors"
	"io"
	"io/fs"
	"path"
	"strings"
)

// Options configure a FileServer. The zero value serves the hole with the
// host and port the server advertises in each Request.
type Options struct {
	// Host and Port, when set, replace the request's advertised host and
	// port in the menu lines the file server writes (generated listings and
	// hand-written maps with the host or port left out).
	Host string
	// Port: see Host. Zero means the request's Port.
	Port int
	// RewriteFrom is a "host:port" that built gophermaps may carry for this
	// server (what the build was configured with). Menu lines pointing there
	// are pointed at the advertised host and port instead, so a hole built
	// for one address can be served on another. Empty: lines are sent as
	// written.
	RewriteFrom string
}

// FileServer returns a handler that answers selectors from fsys, a built
// Gopher hole: a directory is sent as a menu made from its "gophermap" file
// (see normalizeMap for the hand-written forms it completes) or, without
// one, as a generated listing; a text file (type 0 by its extension) is sent
// with CRLF line endings; any other file is sent raw. "URL:" selectors get
// the HTML redirect page of URLPage. Anything missing, any dotfile, anything
// fs.ValidPath refuses and any symbolic link leading out of fsys is answered
// with "Not found".
//
// FileServer does no work until a request arrives, so building one per
// request over the current content snapshot is cheap.
func FileServer(fsys fs.FS, opts Options) Handler {
	return &fileServer{fsys: fsys, opts: opts}
}

type fileServer struct {
	fsys fs.FS
	opts Options
}

func (s *fileServer) place(r *Request) place {
	host, port := s.opts.Host, s.opts.Port
	if host == "" {
		host = r.Host
	}
	if host == "" {
		host = "localhost"
	}
	if port == 0 {
		port = r.Port
	}
	if port == 0 {
		port = 70
	}
	return place{host: host, port: port, rewriteFrom: s.opts.RewriteFrom}
}

// ServeGopher answers r from the file system.
func (s *fileServer) ServeGopher(w ResponseWriter, r *Request) {
	if strings.HasPrefix(r.Selector, "URL:") {
		URLPage(w, r)
		return
	}
	name, wantDir, ok := selectorPath(r.Selector)
	if !ok {
		NotFound(w)
		return
	}
	name, ok = resolveLinks(s.fsys, name)
	if !ok {
		NotFound(w)
		return
	}
	info, err := fs.Stat(s.fsys, name)
	if err != nil {
		NotFound(w)
		return
	}
	if info.IsDir() {
		s.serveDir(w, r, name)
		return
	}
	if wantDir || !info.Mode().IsRegular() {
		NotFound(w)
		return
	}
	s.serveFile(w, name)
}

// selectorPath maps a selector to a name in the fs.FS: one leading slash is
// optional, a trailing slash asks for a directory, the empty selector (or
// "/") is the root ".". ok is false for anything fs.ValidPath refuses and
// for any element starting with a dot.
func selectorPath(sel string) (name string, wantDir, ok bool) {
	name = strings.TrimPrefix(sel, "/")
	if name == "" {
		return ".", true, true
	}
	if strings.HasSuffix(name, "/") {
		wantDir = true
		name = name[:len(name)-1]
	}
	if !fs.ValidPath(name) || strings.Contains(name, "\\") {
		return "", false, false
	}
	for elem := range strings.SplitSeq(name, "/") {
		if strings.HasPrefix(elem, ".") {
			return "", false, false
		}
	}
	return name, wantDir, true
}

// maxLinkHops bounds the symbolic links followed for one name.
const maxLinkHops = 16

// resolveLinks returns name with every symbolic link in it replaced by its
// target, refusing (ok=false) absolute targets, targets that leave fsys,
// targets naming a dotfile, and chains longer than maxLinkHops. A file
// system that cannot report links (fs.ReadLinkFS) is trusted as it is:
// an in-memory snapshot has none, and os.Root keeps links inside itself.
func resolveLinks(fsys fs.FS, name string) (string, bool) {
	if _, can := fsys.(fs.ReadLinkFS); !can || name == "." {
		return name, true
	}
	hops := 0
	elems := strings.Split(name, "/")
	for i := 0; i < len(elems); i++ {
		prefix := strings.Join(elems[:i+1], "/")
		info, err := fs.Lstat(fsys, prefix)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return name, true // Stat will answer "not found"
			}
			return "", false
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			continue
		}
		hops++
		if hops > maxLinkHops {
			return "", false
		}
		target, err := fs.ReadLink(fsys, prefix)
		if err != nil || target == "" || path.IsAbs(target) {
			return "", false
		}
		joined := path.Join(path.Dir(prefix), target)
		if rest := elems[i+1:]; len(rest) > 0 {
			joined = path.Join(joined, strings.Join(rest, "/"))
		}
		if joined == "." {
			return ".", true
		}
		if !fs.ValidPath(joined) {
			return "", false
		}
		elems = strings.Split(joined, "/")
		for _, e := range elems {
			if strings.HasPrefix(e, ".") {
				return "", false
			}
		}
		i = -1 // walk the new name from its start
	}
	return strings.Join(elems, "/"), true
}

func (s *fileServer) serveDir(w ResponseWriter, r *Request, dir string) {
	p := s.place(r)
	listing := func(hide map[string]bool) []item { return s.listing(dir, p, hide) }
	data, err := fs.ReadFile(s.fsys, path.Join(dir, "gophermap"))
	w.SetType(TypeMenu)
	if err == nil {
		_, _ = w.Write(normalizeMap(data, dir, p, listing))
		return
	}
	_ = writeMenu(w, listing(nil))
}

// listing generates the menu items for the entries of dir, in name order,
// leaving out dotfiles, the gophermap itself and names in hide.
func (s *fileServer) listing(dir string, p place, hide map[string]bool) []item {
	entries, err := fs.ReadDir(s.fsys, dir)
	if err != nil {
		return []item{{Type: TypeError, Display: "Cannot list this directory", Host: "error.host", Port: 1}}
	}
	items := make([]item, 0, len(entries))
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, ".") || n == "gophermap" || hide[n] {
			continue
		}
		it := item{Display: n, Selector: joinSelector(dir, n), Host: p.host, Port: p.port}
		switch {
		case e.IsDir():
			it.Type, it.Selector = TypeMenu, it.Selector+"/"
		case e.Type().IsRegular(), e.Type()&fs.ModeSymlink != 0:
			it.Type = typeForPath(n)
		default:
			continue
		}
		items = append(items, it)
	}
	return items
}

func (s *fileServer) serveFile(w ResponseWriter, name string) {
	f, err := s.fsys.Open(name)
	if err != nil {
		NotFound(w)
		return
	}
	defer f.Close()
	t := typeForPath(name)
	w.SetType(t)
	if t == TypeText {
		tw := &textWriter{w: w, buf: make([]byte, 0, 8<<10)}
		_, _ = io.CopyBuffer(tw, onlyReader{f}, make([]byte, 4<<10))
		return
	}
	if rf, ok := w.(io.ReaderFrom); ok {
		// Straight to the connection, so that a file on disk can go out
		// through sendfile; io.Copy would try the file's WriteTo first.
		_, _ = rf.ReadFrom(f)
		return
	}
	_, _ = io.Copy(w, f)
}

// onlyReader hides any WriterTo of the file, so that io.CopyBuffer uses the
// buffer given to it.
type onlyReader struct{ io.Reader }
