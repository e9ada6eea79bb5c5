package spartan

import (
	"io"
	"net/url"

	"github.com/gmkit/gmkit/serve/mimetype"
	"github.com/gmkit/gmkit/serve/policy"
)

// DefaultIndex is the file answering for a folder.
const DefaultIndex = "index.gmi"

// CertMessage answers a path that needs a client certificate: Spartan has
// none to present.
const CertMessage = "This page needs a client certificate: open it over Gemini"

// Options configure TreeHandler. The zero value serves the built-in MIME
// types.
type Options struct {
	// MIMETypes maps extensions (with the dot, lower case) to types, ahead
	// of the built-in table.
	MIMETypes map[string]string
}

// TreeHandler returns the Handler answering from t, a capsule, under its
// policy: redirects and page aliases ("3 /path"; one to an absolute URL is
// a one-link page, as Spartan redirects stay on the host), the CGI mount
// (run by cgi; nil answers "4 Not found"), then files with their MIME
// type, folders by their index.gmi ("3 /dir/" without the final slash) and
// listings. Paths under an access rule answer "4" with CertMessage, and
// data sent to anything but a script "4 Uploads go to scripts only".
func TreeHandler(t *policy.Tree, cgi *CGIHandler, opts Options) Handler {
	return treeHandler{t: t, cgi: cgi, opts: opts}
}

type treeHandler struct {
	t    *policy.Tree
	cgi  *CGIHandler
	opts Options
}

func (h treeHandler) ServeSpartan(w ResponseWriter, r *Request) {
	p, ok := policy.ParseURLPath(r.RawPath)
	if !ok {
		w.WriteHeader(StatusClientError, "Invalid path")
		return
	}
	d := h.t.Decide(p, nil)
	if d.Kind == policy.CGI {
		if h.cgi == nil {
			w.WriteHeader(StatusClientError, "Not found")
			return
		}
		h.cgi.run(w, r, d.Name, d.Target)
		return
	}
	if r.ContentLength > 0 {
		w.WriteHeader(StatusClientError, "Uploads go to scripts only")
		return
	}
	switch d.Kind {
	case policy.File:
		h.serveFile(w, d.Name)
	case policy.Listing:
		list, err := h.t.GemtextListing(d.Name, r.Path)
		if err != nil {
			w.WriteHeader(StatusClientError, "Not found")
			return
		}
		w.WriteHeader(StatusSuccess, mimetype.Text("text/gemini", ""))
		_, _ = w.Write(list)
	case policy.AddSlash:
		w.WriteHeader(StatusRedirect, r.RawPath+"/")
	case policy.Redirected:
		if u, err := url.Parse(d.Target); err == nil && u.Scheme == "" && u.Host == "" && len(d.Target) > 0 && d.Target[0] == '/' {
			w.WriteHeader(StatusRedirect, d.Target)
			return
		}
		w.WriteHeader(StatusSuccess, DefaultMIME)
		_, _ = io.WriteString(w, "# Moved\n\n=> "+d.Target+"\n")
	case policy.CertRequired, policy.CertNotValid, policy.CertNotAuthorised:
		w.WriteHeader(StatusClientError, CertMessage)
	default:
		w.WriteHeader(StatusClientError, "Not found")
	}
}

func (h treeHandler) serveFile(w ResponseWriter, name string) {
	f, err := h.t.FS().Open(name)
	if err != nil {
		w.WriteHeader(StatusClientError, "Not found")
		return
	}
	defer f.Close()
	w.WriteHeader(StatusSuccess, mimetype.ByName(name, h.opts.MIMETypes, ""))
	if rf, ok := w.(io.ReaderFrom); ok {
		_, _ = rf.ReadFrom(f)
		return
	}
	_, _ = io.Copy(w, f)
}
