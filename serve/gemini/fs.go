package gemini

import (
	"io"
	"io/fs"

	"github.com/gmkit/gmkit/serve/mimetype"
	"github.com/gmkit/gmkit/serve/policy"
)

// Options configures FileServer and TreeHandler. The zero value serves
// index.gmi for folders, no listings and no lang parameter.
type Options struct {
	// Index is the file served for a folder by FileServer. Empty means
	// "index.gmi". (A TreeHandler's tree names its own.)
	Index string
	// Listing makes FileServer answer a folder without an index with a
	// generated gemtext list of its entries (dotfiles left out). A
	// TreeHandler follows its tree's policy instead.
	Listing bool
	// Lang, when set, is added as "lang=..." to text types.
	Lang string
	// MIMETypes maps extensions (with the dot, lower case) to types, ahead
	// of the built-in table.
	MIMETypes map[string]string
}

// DefaultIndex is the file answering for a folder.
const DefaultIndex = "index.gmi"

// fileServer is a value: building one costs nothing.
type fileServer struct {
	t    *policy.Tree
	cgi  *CGIHandler
	opts Options
}

// FileServer returns a Handler serving fsys under the path rules of
// serve/policy. It is cheap enough to build per request. Folders answer
// their index file, or 31 to the same path with a slash added; the root
// answers without a redirect. Paths with dot segments, encoded slashes or
// NULs answer 59; dotfiles, missing files and anything fsys refuses answer
// 51. When fsys implements fs.ReadLinkFS, symbolic links are followed only
// while they stay inside fsys and lead to no dotfile.
func FileServer(fsys fs.FS, opts Options) Handler {
	index := opts.Index
	if index == "" {
		index = DefaultIndex
	}
	return TreeHandler((&policy.Policy{Listing: opts.Listing}).Tree(fsys, index, nil), nil, opts)
}

// TreeHandler returns the Handler answering from t under its policy:
// access rules (60 without a certificate, 62 for an expired one, 61 for
// one the rule does not allow), redirects (31, or 30 when temporary), the
// CGI mount (run by cgi; nil answers 51), then files, folders and
// listings as FileServer does.
func TreeHandler(t *policy.Tree, cgi *CGIHandler, opts Options) Handler {
	return fileServer{t: t, cgi: cgi, opts: opts}
}

func (f fileServer) ServeGemini(w ResponseWriter, r *Request) {
	p, ok := policy.ParseURLPath(r.URL.EscapedPath())
	if !ok {
		w.WriteHeader(StatusBadRequest, "Invalid path")
		return
	}
	c := policy.Client{Cert: r.ClientCert(), Verified: r.ClientCertVerified}
	d := f.t.Decide(p, &c)
	switch d.Kind {
	case policy.File:
		f.serveFile(w, d.Name)
	case policy.Listing:
		f.serveListing(w, r, d.Name)
	case policy.AddSlash:
		w.WriteHeader(StatusPermanentRedirect, r.URL.EscapedPath()+"/")
	case policy.Redirected:
		if d.Temporary {
			w.WriteHeader(StatusRedirect, d.Target)
		} else {
			w.WriteHeader(StatusPermanentRedirect, d.Target)
		}
	case policy.CGI:
		if f.cgi == nil {
			w.WriteHeader(StatusNotFound, "Not found")
			return
		}
		f.cgi.run(w, r, d.Name, d.Target)
	case policy.CertRequired:
		w.WriteHeader(StatusCertificateRequired, "Client certificate required")
	case policy.CertNotValid:
		w.WriteHeader(StatusCertificateNotValid, "Certificate expired or not yet valid")
	case policy.CertNotAuthorised:
		w.WriteHeader(StatusCertificateNotAuthorised, "Certificate not authorised")
	default:
		w.WriteHeader(StatusNotFound, "Not found")
	}
}

func (f fileServer) serveFile(w ResponseWriter, name string) {
	file, err := f.t.FS().Open(name)
	if err != nil {
		w.WriteHeader(StatusNotFound, "Not found")
		return
	}
	defer file.Close()
	w.WriteHeader(StatusSuccess, f.mimeType(name))
	io.Copy(w, file)
}

func (f fileServer) serveListing(w ResponseWriter, r *Request, dir string) {
	list, err := f.t.GemtextListing(dir, r.URL.Path)
	if err != nil {
		w.WriteHeader(StatusNotFound, "Not found")
		return
	}
	w.WriteHeader(StatusSuccess, f.textType("text/gemini"))
	w.Write(list)
}

// mimeType returns the type for name: configured, built-in, the system's,
// else application/octet-stream.
func (f fileServer) mimeType(name string) string {
	return mimetype.ByName(name, f.opts.MIMETypes, f.opts.Lang)
}

// textType adds charset=utf-8 (unless a charset is set) and the configured
// lang to text types.
func (f fileServer) textType(t string) string { return mimetype.Text(t, f.opts.Lang) }
