package guppy

import (
	"errors"
	"io/fs"
	"net"
	"net/netip"
	"strconv"

	"github.com/gmkit/gmkit/serve/mimetype"
	"github.com/gmkit/gmkit/serve/policy"
)

// Options configure FileServer and TreeHandler. The zero value serves
// index.gmi for directories, text/gemini without a lang parameter, and
// files up to 16 MiB.
type Options struct {
	// Index is the file FileServer serves for a directory; default
	// "index.gmi". (A TreeHandler's tree names its own.)
	Index string
	// Listing makes FileServer answer a folder without an index with a
	// generated gemtext list of its entries. A TreeHandler follows its
	// tree's policy instead.
	Listing bool
	// Lang, if set, is added to text/gemini as ";lang=..." (e.g. "en").
	Lang string
	// MIMETypes maps extensions (with the dot, lower case) to MIME types,
	// before the built-in table.
	MIMETypes map[string]string
	// MaxFileSize is the largest file served; default 16 MiB. Larger files
	// are answered with an error.
	MaxFileSize int64
	// Port is the port request URLs must name for TreeHandler (none means
	// DefaultPort); zero means the port the request arrived on.
	// IgnorePort turns the check off (behind a port forward).
	Port       int
	IgnorePort bool
}

// DefaultIndex is the file answering for a folder.
const DefaultIndex = "index.gmi"

// DefaultPort is the port a guppy:// URL without one names.
const DefaultPort = 6775

const defaultMaxFileSize = 16 << 20

// FileServer returns a Handler that answers from fsys under the path rules
// of serve/policy: a directory's Index file for a directory URL ending in a
// slash, "3 /dir/" for a directory without one, a file with a MIME type
// chosen by extension (text/gemini for .gmi and .gemini), "4 bad request"
// for a path with "." or ".." segments in any encoding, and "4 not found"
// for anything missing, hidden (any path segment starting with a dot) or
// behind a symbolic link leading out of fsys. The host part of the URL is
// ignored (TreeHandler checks it). It is cheap to construct: one may be
// built per request over the current content snapshot.
func FileServer(fsys fs.FS, opts Options) Handler {
	index := opts.Index
	if index == "" {
		index = DefaultIndex
	}
	return &fileServer{t: (&policy.Policy{Listing: opts.Listing}).Tree(fsys, index, nil), opts: opts}
}

// TreeHandler returns the Handler answering from t under its policy (the
// Server checks the host; see Server.Hostnames): a request for another
// port is answered "4 port not served"; a path that needs a
// client certificate "4 client certificate required" (Guppy cannot carry
// one); redirects "3 <to>"; the CGI mount is run by cgi (nil: "4 not
// found"); then files, folders and listings as FileServer serves them.
func TreeHandler(t *policy.Tree, cgi *CGIHandler, opts Options) Handler {
	return &fileServer{t: t, cgi: cgi, opts: opts, checkPort: true}
}

type fileServer struct {
	t         *policy.Tree
	cgi       *CGIHandler
	opts      Options
	checkPort bool
}

// CertMessage answers a path that needs a client certificate.
const CertMessage = "client certificate required: open this page over Gemini"

func (s *fileServer) ServeGuppy(w ResponseWriter, r *Request) {
	if r.URL == nil {
		w.WriteHeader(StatusError, "bad request")
		return
	}
	if s.checkPort && !s.opts.IgnorePort {
		local := localAddr(r.LocalAddr)
		port := 0
		if p := r.URL.Port(); p != "" {
			port, _ = strconv.Atoi(p)
		}
		if local != nil && !policy.PortAllowed(port, DefaultPort, s.opts.Port, local) {
			w.WriteHeader(StatusError, "port not served")
			return
		}
	}
	p, ok := policy.ParseURLPath(r.URL.EscapedPath())
	if !ok {
		w.WriteHeader(StatusError, "bad request")
		return
	}
	d := s.t.Decide(p, nil)
	switch d.Kind {
	case policy.File:
		s.serveFile(w, d.Name)
	case policy.Listing:
		list, err := s.t.GemtextListing(d.Name, r.URL.Path)
		if err != nil {
			w.WriteHeader(StatusError, "not found")
			return
		}
		w.WriteHeader(StatusSuccess, mimetype.Text("text/gemini", s.opts.Lang))
		_, _ = w.Write(list)
	case policy.AddSlash:
		w.WriteHeader(StatusRedirect, r.URL.EscapedPath()+"/")
	case policy.Redirected:
		w.WriteHeader(StatusRedirect, d.Target)
	case policy.CGI:
		if s.cgi == nil {
			w.WriteHeader(StatusError, "not found")
			return
		}
		s.cgi.run(w, r, d.Name, d.Target)
	case policy.CertRequired, policy.CertNotValid, policy.CertNotAuthorised:
		w.WriteHeader(StatusError, CertMessage)
	default:
		w.WriteHeader(StatusError, "not found")
	}
}

// localAddr parses the server socket's "ip:port"; nil when unknown.
func localAddr(s string) net.Addr {
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		return nil
	}
	return net.UDPAddrFromAddrPort(ap)
}

func (s *fileServer) serveFile(w ResponseWriter, name string) {
	fsys := s.t.FS()
	info, err := fs.Stat(fsys, name)
	if err != nil {
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
	body, err := fs.ReadFile(fsys, name)
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

func (s *fileServer) mimeType(name string) string {
	return mimetype.ByName(name, s.opts.MIMETypes, s.opts.Lang)
}
