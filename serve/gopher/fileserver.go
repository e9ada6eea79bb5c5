package gopher

import (
	"github.com/gmkit/gmkit/build/gophermap"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/gmkit/gmkit/serve/policy"
)

// Options configure FileServer and TreeHandler. The zero value serves the
// hole with the host and port the server advertises in each Request.
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
	// Listing makes FileServer answer a folder without a gophermap with a
	// generated menu of its entries (dotfiles left out). A TreeHandler
	// follows its tree's policy instead.
	Listing bool
}

// DefaultIndex is the file answering for a folder: its menu.
const DefaultIndex = "gophermap"

// FileServer returns a handler that answers selectors from fsys, a built
// Gopher hole, under the path rules of serve/policy: a directory is sent
// as a menu made from its "gophermap" file (see normalizeMap for the
// hand-written forms it completes) or, with Options.Listing, as a
// generated listing; a text file (type 0 by its extension) is sent with
// CRLF line endings; any other file is sent raw. "URL:" selectors get the
// HTML redirect page of URLPage. Anything missing, any dotfile and any
// symbolic link leading out of fsys or to a dotfile is answered with "Not
// found"; a selector with "." or ".." segments with "Bad selector".
//
// FileServer does no work until a request arrives, so building one per
// request over the current content snapshot is cheap.
func FileServer(fsys fs.FS, opts Options) Handler {
	return TreeHandler((&policy.Policy{Listing: opts.Listing}).Tree(fsys, DefaultIndex, nil), nil, opts)
}

// TreeHandler returns the handler answering from t under its policy: a
// path that needs a client certificate is refused with an error item
// (Gopher clients cannot present one), the CGI mount is run by cgi (nil:
// "Not found"), and files, folders and listings are served as FileServer
// does. Redirects do not exist in Gopher and are not followed.
func TreeHandler(t *policy.Tree, cgi *CGIHandler, opts Options) Handler {
	return &fileServer{t: t, cgi: cgi, opts: opts}
}

type fileServer struct {
	t    *policy.Tree
	cgi  *CGIHandler
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
		port = DefaultPort
	}
	return place{host: host, port: port, rewriteFrom: s.opts.RewriteFrom}
}

// CertMessage answers a path that needs a client certificate.
const CertMessage = "This page needs a client certificate: open it over Gemini"

// ServeGopher answers r from the file system.
func (s *fileServer) ServeGopher(w ResponseWriter, r *Request) {
	if strings.HasPrefix(r.Selector, "URL:") {
		URLPage(w, r)
		return
	}
	sel, _, _ := strings.Cut(r.Selector, "?")
	p, ok := policy.ParseSelector(sel)
	if !ok {
		Error(w, "Bad selector")
		return
	}
	d := s.t.Decide(p, nil)
	if d.Kind == policy.AddSlash {
		// Gopher has no redirects: answer as for the folder.
		p = p.WithSlash()
		d = s.t.Decide(p, nil)
	}
	switch d.Kind {
	case policy.File:
		if p.Slash() {
			s.serveMap(w, r, path.Dir(d.Name), d.Name)
			return
		}
		s.serveFile(w, d.Name)
	case policy.Listing:
		w.SetType(gophermap.TypeMenu)
		_ = writeMenu(w, s.listing(d.Name, s.place(r), nil))
	case policy.CGI:
		if s.cgi == nil {
			NotFound(w)
			return
		}
		s.cgi.run(w, r, d.Name, d.Target)
	case policy.CertRequired, policy.CertNotValid, policy.CertNotAuthorised:
		Error(w, CertMessage)
	default:
		NotFound(w)
	}
}

// serveMap sends the gophermap file mapFile of folder dir as its menu.
func (s *fileServer) serveMap(w ResponseWriter, r *Request, dir, mapFile string) {
	p := s.place(r)
	listing := func(hide map[string]bool) []item { return s.listing(dir, p, hide) }
	data, err := fs.ReadFile(s.t.FS(), mapFile)
	if err != nil {
		NotFound(w)
		return
	}
	w.SetType(gophermap.TypeMenu)
	_, _ = w.Write(normalizeMap(data, dir, p, listing))
}

// listing generates the menu items for the entries of dir, in name order,
// leaving out dotfiles, the gophermap itself and names in hide.
func (s *fileServer) listing(dir string, p place, hide map[string]bool) []item {
	entries, err := s.t.ReadDir(dir)
	if err != nil {
		return []item{{Type: gophermap.TypeError, Display: "Cannot list this directory", Host: "error.host", Port: 1}}
	}
	items := make([]item, 0, len(entries))
	for _, e := range entries {
		n := e.Name()
		if n == DefaultIndex || hide[n] {
			continue
		}
		it := item{Display: n, Selector: joinSelector(dir, n), Host: p.host, Port: p.port}
		switch {
		case e.IsDir():
			it.Type, it.Selector = gophermap.TypeMenu, it.Selector+"/"
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
	f, err := s.t.FS().Open(name)
	if err != nil {
		NotFound(w)
		return
	}
	defer f.Close()
	t := typeForPath(name)
	w.SetType(t)
	if t == gophermap.TypeText {
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
