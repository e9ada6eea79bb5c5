// Package protocol is the shape every server of gmkit serve registers in.
//
// A protocol package (serve/gemini, serve/gopher, serve/guppy, ...) exports
// one Protocol value; serve lists those values in serve/protocols.go and
// walks the list to listen, serve, swap content, print banner lines and shut
// down. cmd/gmkit walks the same list for config keys and flags. Nothing
// outside the protocol package and that one line names a protocol.
package protocol

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/gmkit/gmkit/serve/certs"
	"github.com/gmkit/gmkit/serve/cgi"
	"github.com/gmkit/gmkit/serve/policy"
	"github.com/gmkit/gmkit/serve/stream"
)

// A Protocol is one kind of server: what it is called, its config keys, and
// how to make a Server from the shared Env and its own Settings.
type Protocol interface {
	// Info describes the protocol. It must return the same value every
	// time.
	Info() Info
	// New prepares a server. It checks the settings (a bad value is an
	// error naming the key) and binds nothing: Listen does that.
	New(env *Env, set Settings) (Server, error)
}

// Info describes a Protocol.
type Info struct {
	// Name is the protocol's lower-case name. It names the config section
	// ([gemini]), the flags (--gemini ADDR, --no-gemini), the GMKIT_GEMINI_*
	// variables and the "proto" key of log lines.
	Name string
	// Title is the name as the banner and messages print it ("Gemini").
	Title string
	// Network is "tcp" or "udp", for the flag's help text.
	Network string
	// DefaultAddr is the default listen address (":1965"). It is the
	// default of the NAME.listen key and the one source of it.
	DefaultAddr string
	// Output is the build output the protocol serves ("gemini", "gopher").
	Output string
	// Links reports that the absolute links the build writes into Output
	// point at this protocol's public address (Gemini for the capsule,
	// Gopher for the hole; Guppy serves the capsule but is not linked).
	Links bool
	// Keys are the protocol's config keys, NAME.enabled and NAME.listen
	// first (see CommonKeys), in the order docs/config.md lists them.
	// Names are given without the section ("max_conns").
	Keys []Key
}

// A Key is one config key of a protocol's section.
type Key struct {
	// Name is the key within the section, e.g. "max_conns".
	Name string
	// Default is the value when nothing sets the key: a string, bool, int
	// or float64 (durations are strings like "30s").
	Default any
	// Type is the form a value must have; cmd/gmkit checks every value
	// against it before a protocol sees it.
	Type Type
	// Doc is one sentence for docs/config.md.
	Doc string
}

// Type is the form of a Key's value.
type Type struct {
	Kind Kind
	// Min and Max bound an Int.
	Min, Max int
	// Optional allows the empty value for an Addr ("off"), a Host ("the
	// default"), and zero for a Duration.
	Optional bool
}

// Kind is a kind of value.
type Kind uint8

// Kinds of value.
const (
	Bool     Kind = iota // true or false
	Int                  // a whole number from Min to Max
	Rate                 // requests per second, 0 or more (0: no limit)
	Addr                 // a listen address like :1965
	Host                 // a host name
	Duration             // a duration like 30s
	Text                 // any text on one line
)

// MaxInt is the largest value an Int key may be given a bound of.
const MaxInt = 1<<31 - 1

// CommonKeys returns the keys every protocol has: enabled (default true)
// and listen (default addr).
func CommonKeys(title, addr, enabledDoc string) []Key {
	if enabledDoc == "" {
		enabledDoc = "Serve " + title + "."
	}
	return []Key{
		{"enabled", true, Type{Kind: Bool}, enabledDoc},
		{"listen", addr, Type{Kind: Addr}, "Address the " + title + " server listens on."},
	}
}

// Settings reads a protocol's config section, already merged from flags,
// environment, config file and the Keys' defaults. Keys are named without
// the section.
type Settings interface {
	String(key string) string
	Bool(key string) bool
	Int(key string) int
	Float64(key string) float64
	Strings(key string) []string
	// Duration parses a duration like "30s"; a bad value is an error
	// naming the key.
	Duration(key string) (time.Duration, error)
}

// Env is what every server shares: names, logging, certificates, CGI and
// the one access policy.
type Env struct {
	// Hostnames are the names served: the hostname first, then aliases.
	Hostnames []string
	// Lang is added to text/gemini answers as lang=... when set.
	Lang string
	// Logger gets one line per request and server events; never nil.
	Logger *slog.Logger
	// Certificates returns the server certificate picker, made on first
	// use (a protocol that serves no TLS never makes certificates).
	Certificates func() (func(*tls.ClientHelloInfo) (*tls.Certificate, error), error)
	// ClientCAs verifies client certificates (nil: none configured).
	ClientCAs *x509.CertPool
	// CGI runs the scripts served under Policy.CGIMount; nil means no CGI.
	CGI *cgi.Runner
	// DocumentRoot returns DOCUMENT_ROOT for CGI scripts run over a
	// protocol serving output (the output's folder on disk).
	DocumentRoot func(output string) string
	// Policy is the one set of path, host and access rules every server
	// applies. Never nil.
	Policy *policy.Policy
	// ACME gets certificates from an ACME CA for the host names; nil
	// when acme.enabled is off. With acme.gemini on, Certificates hands
	// them out too.
	ACME *certs.ACME
	// ProxyFrom lists the load balancers allowed to prefix connections
	// with the PROXY protocol (see Env.ListenTCP); empty means none.
	ProxyFrom []netip.Prefix
	// NewLimiter makes a per-client-address limit of rate requests a
	// second with bursts of burst (see serve/ratelimit); nil means no
	// limits.
	NewLimiter func(rate float64, burst int) stream.Limiter
}

// A Server is one protocol's running server (possibly several sockets,
// such as Gopher's plain and TLS ports).
type Server interface {
	// Listen binds the server's addresses. An error names the protocol,
	// the address and what to do about it; nothing stays bound after one.
	Listen() error
	// Endpoints describes what Listen bound, for the banner and for tests.
	Endpoints() []Endpoint
	// Public is the host and port the protocol's links should carry: the
	// configured public ones, or what Listen bound. Host "" means the
	// hostname.
	Public() (host string, port int)
	// Swap makes c the content answered from. Requests already being
	// answered finish with what they started with.
	Swap(c *Content)
	// Serve serves until Shutdown or Close and then returns nil; any other
	// error ends it early.
	Serve() error
	// Shutdown stops accepting, lets requests in flight finish until ctx
	// ends, then closes what remains.
	Shutdown(ctx context.Context) error
	// Close releases what Listen bound, for a failed start.
	Close() error
}

// Schemer is a Server whose links' scheme depends on how it runs (the
// web's: https with HTTPS on, else http). Servers that are not name the
// scheme of their protocol.
type Schemer interface {
	Scheme() string
}

// An Endpoint is one bound address of a Server.
type Endpoint struct {
	// Name identifies it: the protocol's name, or a variant such as
	// "gopher-tls".
	Name string
	// Addr is the bound address.
	Addr net.Addr
	// Banner is the line printed at start, e.g.
	// "Gemini  gemini://localhost/".
	Banner string
}

// Content is one built site, as the servers need it.
type Content struct {
	// Outputs are the built outputs by name ("gemini", "gopher"); an
	// output that is off is absent.
	Outputs map[string]Output
	// Redirects are the site's redirects for every output: the
	// configured ones, and the old addresses of tag pages.
	Redirects []policy.Redirect
}

// RedirectsFor returns the redirects a protocol serving the named output
// applies: the output's own (its pages' aliases, with their addresses in
// that output), then the site's, which win where both name a path.
func (c *Content) RedirectsFor(output string) []policy.Redirect {
	if c == nil {
		return nil
	}
	own := c.Outputs[output].Redirects
	if len(own) == 0 {
		return c.Redirects
	}
	return append(append(make([]policy.Redirect, 0, len(own)+len(c.Redirects)), own...), c.Redirects...)
}

// Output is one built output.
type Output struct {
	// FS is the output's tree.
	FS fs.FS
	// BuiltFor is the "host:port" the output's absolute links were built
	// with; a server that knows better (the port a request came to) may
	// point them there instead. Empty: sent as written.
	BuiltFor string
	// Redirects are the output's own redirects: the old addresses of its
	// pages (their aliases) and where they are in it, as the build lists
	// them in the output's redirects file (build/redirects).
	Redirects []policy.Redirect
}

// FS returns the tree of the named output, or nil when it is off.
func (c *Content) FS(output string) fs.FS {
	if c == nil {
		return nil
	}
	return c.Outputs[output].FS
}
