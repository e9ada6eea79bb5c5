// Package serve runs gmkit's servers together (Gemini over TLS, Gopher,
// Guppy) over one live snapshot of a built site. A rebuild swaps the
// snapshot for all three protocols at once; a request in flight finishes
// with the snapshot it started with.
package serve

import (
	"io/fs"
	"sync/atomic"

	"github.com/gmkit/gmkit/serve/gemini"
	"github.com/gmkit/gmkit/serve/gopher"
	"github.com/gmkit/gmkit/serve/guppy"
)

// Content is one built site, as the servers need it.
type Content struct {
	// Gemini is the capsule (also served over Guppy); Gopher is the hole.
	// Either may be nil when that output is off.
	Gemini fs.FS
	Gopher fs.FS
	// GopherBuiltFor is the "host:port" the hole's menus were built with;
	// menu lines pointing there are pointed at the address each request
	// came to instead (e.g. the TLS port). Empty: sent as written.
	GopherBuiltFor string
	// Redirects are the site's redirects: the configured ones and every
	// page's aliases.
	Redirects []Redirect
}

// Redirect sends requests for one path to another address.
type Redirect struct {
	From string
	To   string
	// Temporary answers Gemini 30 instead of 31.
	Temporary bool
}

// snapshot is a Content with the handlers built over it, so that the cost
// of composing them is paid once per build, not once per request.
type snapshot struct {
	seq    uint64
	gemini gemini.Handler
	gopher gopher.Handler
	guppy  guppy.Handler
}

// Site holds the snapshot being served. The zero value serves "not found"
// until the first Swap.
type Site struct {
	cur atomic.Pointer[snapshot]
	seq atomic.Uint64
}

// Seq counts the swaps so far (0 before the first).
func (s *Site) Seq() uint64 { return s.seq.Load() }

func (s *Site) load() *snapshot { return s.cur.Load() }
