package protocol

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"

	"github.com/gmkit/gmkit/serve/stream"
)

// A TCPServer is the Server of a protocol that runs one server on one TCP
// listener (Spartan, Nex): it binds Addr, prints the banner line, keeps the
// handler made over the last content swapped in, and starts and stops the
// protocol's own server. H is the protocol's Handler type.
type TCPServer[H any] struct {
	// Info is the protocol's; its Name and Title make the banner and the
	// listen errors.
	Info Info
	// Env is the shared environment; its ListenTCP binds Addr (with the
	// PROXY protocol when configured). nil binds a plain listener.
	Env *Env
	// Addr is the listen address.
	Addr string
	// DefaultPort is the protocol's port, left out of the banner's URL.
	DefaultPort int
	// Server serves the listener; its Serve returns stream.ErrServerClosed
	// after Shutdown.
	Server interface {
		Serve(l net.Listener) error
		Shutdown(ctx context.Context) error
	}
	// Handler makes the handler answering from c, once per Swap.
	Handler func(c *Content) H

	l    net.Listener
	live atomic.Pointer[H]
}

// Listen binds Addr.
func (s *TCPServer[H]) Listen() (err error) {
	if s.Env != nil {
		s.l, err = s.Env.ListenTCP(s.Info.Name, s.Info.Name, s.Addr, "--"+s.Info.Name)
	} else {
		s.l, err = ListenTCP(s.Info.Name, s.Info.Name, s.Addr, "--"+s.Info.Name)
	}
	return err
}

// Endpoints is the one address bound, with the banner line
// "Title   scheme://host:port/".
func (s *TCPServer[H]) Endpoints() []Endpoint {
	if s.l == nil {
		return nil
	}
	a := s.l.Addr()
	return []Endpoint{{Name: s.Info.Name, Addr: a, Banner: fmt.Sprintf("%-7s %s://%s/", s.Info.Title, s.Info.Name, ClientAddr(a, s.DefaultPort))}}
}

// Public is the port bound (the protocol's links name no host of their
// own).
func (s *TCPServer[H]) Public() (string, int) {
	if s.l != nil {
		return "", Port(s.l.Addr())
	}
	return "", s.DefaultPort
}

// Swap makes the handler over c the one Live returns.
func (s *TCPServer[H]) Swap(c *Content) {
	h := s.Handler(c)
	s.live.Store(&h)
}

// Live returns the handler over the last content swapped in; ok is false
// before the first Swap.
func (s *TCPServer[H]) Live() (h H, ok bool) {
	p := s.live.Load()
	if p == nil {
		return h, false
	}
	return *p, true
}

// Serve serves until Shutdown and then returns nil.
func (s *TCPServer[H]) Serve() error {
	err := s.Server.Serve(s.l)
	if errors.Is(err, stream.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// Shutdown shuts the server down within ctx.
func (s *TCPServer[H]) Shutdown(ctx context.Context) error { return s.Server.Shutdown(ctx) }

// Close releases the listener, for a failed start.
func (s *TCPServer[H]) Close() error {
	if s.l != nil {
		return s.l.Close()
	}
	return nil
}
