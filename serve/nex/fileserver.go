package nex

import (
	"io"
	"io/fs"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gmkit/gmkit/serve/policy"
)

// DefaultIndex is the file answering for a directory: Nex serves the
// capsule.
const DefaultIndex = "index.gmi"

// CertMessage answers a path that needs a client certificate: Nex has
// none to present.
const CertMessage = "This page needs a client certificate: open it over Gemini"

// Options configure TreeHandler.
type Options struct {
	// Width is the column width pages are wrapped at; zero means
	// DefaultWidth.
	Width int
}

// TreeHandler returns the Handler answering from t, a capsule (gemtext),
// under its policy. A path is a URL path (a leading "/" optional, percent
// escapes decoded once). A directory (an empty path, one ending in "/",
// and a folder asked for without it, as Nex has no redirects) answers its
// index.gmi rendered as a Nex listing (see Render: links made absolute,
// links to the CGI mount left out, as Nex runs no scripts), or with the
// policy's listing, rendered the same way; any file asked for by name is
// sent as it is. A redirect or page alias answers a listing whose one link
// is the new address. A path the path rules refuse answers BadPathText;
// missing files, CGI paths and paths under an access rule a one-line
// message of their own.
//
// Rendered pages are kept with the handler (so make one per content swap,
// as serve does), keyed by the file's size and modification time, up to
// maxCached bytes in all.
func TreeHandler(t *policy.Tree, opts Options) Handler {
	return treeHandler{t: t, opts: opts, cache: &renderCache{}}
}

type treeHandler struct {
	t     *policy.Tree
	opts  Options
	cache *renderCache
}

// maxCached bounds the bytes of rendered pages one handler keeps.
const maxCached = 64 << 20

// renderCache holds rendered pages by cacheKey.
type renderCache struct {
	m    sync.Map // cacheKey -> []byte
	size atomic.Int64
}

type cacheKey struct {
	name, dir string
	size      int64
	mod       int64
}

// rendered returns the page made from the file name, served as the
// directory dir, from the cache or rendered now.
func (h treeHandler) rendered(name, dir string) ([]byte, error) {
	fi, err := fs.Stat(h.t.FS(), name)
	if err != nil {
		return nil, err
	}
	key := cacheKey{name: name, dir: dir, size: fi.Size(), mod: fi.ModTime().UnixNano()}
	if b, ok := h.cache.m.Load(key); ok {
		return b.([]byte), nil
	}
	gmi, err := fs.ReadFile(h.t.FS(), name)
	if err != nil {
		return nil, err
	}
	out := h.render(gmi, dir)
	if h.cache.size.Add(int64(len(out))) <= maxCached {
		h.cache.m.Store(key, out)
	} else {
		h.cache.size.Add(-int64(len(out)))
	}
	return out, nil
}

// render turns gemtext into the Nex listing of the directory dir.
func (h treeHandler) render(gmi []byte, dir string) []byte {
	return Render(make([]byte, 0, len(gmi)+len(gmi)/8), gmi, RenderOptions{Width: h.opts.Width, Base: dir, Drop: h.dropped})
}

func (h treeHandler) ServeNex(w ResponseWriter, r *Request) {
	raw := r.Path
	if !strings.HasPrefix(raw, "/") {
		raw = "/" + raw
	}
	p, ok := policy.ParseURLPath(raw)
	if !ok {
		w.SetKind(KindError)
		_, _ = io.WriteString(w, BadPathText)
		return
	}
	d := h.t.Decide(p, nil)
	if d.Kind == policy.AddSlash {
		p = p.WithSlash()
		d = h.t.Decide(p, nil)
	}
	switch d.Kind {
	case policy.File:
		if !p.Slash() {
			h.serveFile(w, d.Name)
			return
		}
		page, err := h.rendered(d.Name, p.String())
		if err != nil {
			NotFound(w)
			return
		}
		w.SetKind(KindListing)
		_, _ = w.Write(page)
	case policy.Listing:
		gmi, err := h.t.GemtextListing(d.Name, p.String())
		if err != nil {
			NotFound(w)
			return
		}
		w.SetKind(KindListing)
		_, _ = w.Write(h.render(gmi, p.String()))
	case policy.Redirected:
		w.SetKind(KindListing)
		_, _ = io.WriteString(w, "Moved\n\n=> "+d.Target+"\n")
	case policy.CertRequired, policy.CertNotValid, policy.CertNotAuthorised:
		Error(w, CertMessage)
	default: // not found, and CGI: nothing runs over Nex
		NotFound(w)
	}
}

// dropped reports the links Nex cannot answer: the CGI mount.
func (h treeHandler) dropped(p string) bool {
	m := strings.TrimSuffix(h.t.Policy().CGIMount, "/")
	return m != "" && (p == m || strings.HasPrefix(p, m+"/"))
}

func (h treeHandler) serveFile(w ResponseWriter, name string) {
	f, err := h.t.FS().Open(name)
	if err != nil {
		NotFound(w)
		return
	}
	defer f.Close()
	w.SetKind(KindDocument)
	if rf, ok := w.(io.ReaderFrom); ok {
		_, _ = rf.ReadFrom(f)
		return
	}
	_, _ = io.Copy(w, f)
}
