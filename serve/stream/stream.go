// Package stream is the accept loop shared by the one-request-per-connection
// TCP protocols (Gemini over TLS, Gopher plain or over TLS): a cap on
// concurrent connections, one goroutine per connection owned by the Server,
// read and write deadlines, a per-address rate-limit hook, recovered panics,
// a proper close of every connection and a graceful Shutdown.
package stream

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gmkit/gmkit/serve/ratelimit"
)

// Defaults for the zero values of Server's fields.
const (
	// DefaultMaxConns is far above what a few hundred idle clients take, so
	// a crowd of idle connections does not lock out real ones; idle
	// connections are cut by the read deadline anyway.
	DefaultMaxConns = 1024
	// DefaultMaxConnsPerAddr is far below DefaultMaxConns, so one client
	// address holding connections open cannot take the places of others,
	// and above what a real client (or a few behind one NAT) opens at once.
	DefaultMaxConnsPerAddr = 32
	// DefaultReadTimeout bounds the time a client has to send its request.
	DefaultReadTimeout = 10 * time.Second
	// DefaultWriteTimeout bounds the time a response may take to send,
	// counted from the end of the read window.
	DefaultWriteTimeout = 60 * time.Second
	// A finished connection whose client sent more than was read is
	// drained before it is closed, so that the unread bytes do not turn
	// the close into a reset that destroys the response (and fails the
	// client's write). The drain stops once the client has sent nothing
	// for lingerIdle, after lingerMax in all, or after lingerBytes.
	lingerIdle  = 500 * time.Millisecond
	lingerMax   = 3 * time.Second
	lingerBytes = 4 << 20
)

// ErrServerClosed is returned by Serve after Shutdown or Close.
var ErrServerClosed = errors.New("stream: server closed")

// Handler answers one connection. It reads the request from c and writes
// the response; the Server closes c when the handler returns (for a
// *tls.Conn that sends close_notify). ctx is cancelled when the server is
// closed or a Shutdown grace period ends.
type Handler func(ctx context.Context, c net.Conn)

// Limiter decides whether a client address may be served now; see
// serve/ratelimit. addr is the connection's remote address ("host:port").
type Limiter interface {
	Allow(addr string) (ok bool, retryAfter time.Duration)
}

// Server runs Handler for every accepted connection. Its exported fields
// must not change once Serve has been called. The zero value (with a
// Handler) is ready to use.
type Server struct {
	// Handler answers each connection. Required.
	Handler Handler
	// MaxConns caps the number of connections served at once; while it is
	// reached, new connections wait in the listen backlog. Zero means
	// DefaultMaxConns; negative means no cap.
	MaxConns int
	// MaxConnsPerAddr caps the connections served at once for one client
	// IP address (IPv6 addresses count per /64, as in serve/ratelimit). A connection over it is closed at once, without an
	// answer, so that one address flooding the server never takes the
	// places other clients need. Zero means DefaultMaxConnsPerAddr;
	// negative means no cap.
	MaxConnsPerAddr int
	// ReadTimeout is the read deadline set when a connection is accepted
	// (it also covers a TLS handshake). Zero means DefaultReadTimeout.
	ReadTimeout time.Duration
	// WriteTimeout is added to ReadTimeout to form the write deadline set
	// when a connection is accepted. Handlers sending large responses may
	// extend it. Zero means DefaultWriteTimeout.
	WriteTimeout time.Duration
	// Limiter, when set, is asked about every accepted connection. When it
	// refuses, OnLimited answers instead of Handler.
	Limiter Limiter
	// OnLimited answers a rate-limited connection (e.g. Gemini's "44 N").
	// nil means the connection is closed without an answer.
	OnLimited func(ctx context.Context, c net.Conn, retryAfter time.Duration)
	// Logger receives accept errors and recovered panics. nil discards.
	Logger *slog.Logger

	mu        sync.Mutex
	closed    bool
	done      chan struct{} // closed by Shutdown/Close
	ctx       context.Context
	cancel    context.CancelFunc
	listeners map[*net.Listener]struct{}
	conns     map[net.Conn]struct{}
	perAddr   map[string]int // connections served per client address (ratelimit.Key)
	wg        sync.WaitGroup // one per connection goroutine
	sem       chan struct{}
}

func (s *Server) initLocked() {
	if s.done != nil {
		return
	}
	s.done = make(chan struct{})
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.listeners = map[*net.Listener]struct{}{}
	s.conns = map[net.Conn]struct{}{}
	s.perAddr = map[string]int{}
	n := s.MaxConns
	if n == 0 {
		n = DefaultMaxConns
	}
	if n > 0 {
		s.sem = make(chan struct{}, n)
	}
}

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

func (s *Server) readTimeout() time.Duration {
	if s.ReadTimeout > 0 {
		return s.ReadTimeout
	}
	return DefaultReadTimeout
}

func (s *Server) writeTimeout() time.Duration {
	if s.WriteTimeout > 0 {
		return s.WriteTimeout
	}
	return DefaultWriteTimeout
}

// Serve accepts connections on l until Shutdown or Close, running Handler
// for each in its own goroutine. It always closes l, and returns
// ErrServerClosed after Shutdown or Close, or the listener's error.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	s.initLocked()
	if s.closed {
		s.mu.Unlock()
		if l != nil {
			l.Close()
		}
		return ErrServerClosed
	}
	if l == nil {
		s.mu.Unlock()
		return errors.New("stream: Serve called with a nil listener")
	}
	s.listeners[&l] = struct{}{}
	sem, done, ctx := s.sem, s.done, s.ctx
	s.mu.Unlock()

	defer func() {
		s.mu.Lock()
		delete(s.listeners, &l)
		s.mu.Unlock()
		l.Close()
	}()

	var backoff time.Duration
	for {
		if sem != nil {
			select {
			case sem <- struct{}{}:
			case <-done:
				return ErrServerClosed
			}
		}
		c, err := l.Accept()
		if err != nil {
			if sem != nil {
				<-sem
			}
			select {
			case <-done:
				return ErrServerClosed
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || isTemporary(err) {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.logger().Warn("accept failed; retrying", "err", err, "delay", backoff)
				t := time.NewTimer(backoff)
				select {
				case <-t.C:
				case <-done:
					t.Stop()
					return ErrServerClosed
				}
				continue
			}
			return err
		}
		backoff = 0
		if !s.track(c) {
			c.Close()
			if sem != nil {
				<-sem
			}
			return ErrServerClosed
		}
		go s.serveConn(ctx, c, sem)
	}
}

// isTemporary reports errors worth retrying Accept on, such as running out
// of file descriptors.
func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

// track registers c; it reports false when the server is closing.
func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.wg.Done()
}

// serveConn is the goroutine owning c; it ends when the handler returns
// (deadlines bound it) and c is closed.
func (s *Server) serveConn(ctx context.Context, c net.Conn, sem chan struct{}) {
	defer func() {
		if sem != nil {
			<-sem
		}
	}()
	defer s.untrack(c)
	var unread atomic.Bool
	connCtx, cancel := context.WithCancel(context.WithValue(ctx, unreadKey{}, &unread))
	defer cancel()
	defer func() { closeConn(c, connCtx.Err() != nil, unread.Load()) }()
	defer func() {
		if v := recover(); v != nil {
			s.logger().Error("panic serving connection", "remote", c.RemoteAddr().String(), "panic", v, "stack", string(debug.Stack()))
		}
	}()

	now := time.Now()
	c.SetReadDeadline(now.Add(s.readTimeout()))
	c.SetWriteDeadline(now.Add(s.readTimeout() + s.writeTimeout()))

	// The address is looked at here, not in the accept loop: a listener
	// that learns it from the connection (the PROXY protocol) may read.
	addr := ratelimit.Key(c.RemoteAddr().String())
	if !s.admit(addr) {
		s.logger().Debug("connection over the per-address cap; closed", "remote", c.RemoteAddr().String(), "cap", s.maxPerAddr())
		cancel() // the deferred closeConn then closes without draining
		return
	}
	defer s.leave(addr)

	if s.Limiter != nil {
		if ok, retry := s.Limiter.Allow(c.RemoteAddr().String()); !ok {
			if s.OnLimited != nil {
				s.OnLimited(connCtx, c, retry)
			}
			return
		}
	}
	s.Handler(connCtx, c)
}

// maxPerAddr is the per-address cap in force; 0 means none.
func (s *Server) maxPerAddr() int {
	switch {
	case s.MaxConnsPerAddr > 0:
		return s.MaxConnsPerAddr
	case s.MaxConnsPerAddr < 0:
		return 0
	}
	return DefaultMaxConnsPerAddr
}

// admit counts a connection from addr, or reports false when addr is at
// the per-address cap.
func (s *Server) admit(addr string) bool {
	limit := s.maxPerAddr()
	s.mu.Lock()
	defer s.mu.Unlock()
	if limit > 0 && s.perAddr[addr] >= limit {
		return false
	}
	s.perAddr[addr]++
	return true
}

// leave gives back the place admit counted.
func (s *Server) leave(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.perAddr[addr]--; s.perAddr[addr] <= 0 {
		delete(s.perAddr, addr)
	}
}

type unreadKey struct{}

// Unread tells the Server that the handler running under ctx stopped
// reading before the end of what the client sends (a request line over its
// limit, say): the connection is then drained before it is closed, even
// when nothing more has arrived yet. Without it the Server drains only
// when input is already waiting.
func Unread(ctx context.Context) {
	if f, ok := ctx.Value(unreadKey{}).(*atomic.Bool); ok {
		f.Store(true)
	}
}

// closeConn ends c politely: it half-closes (for TLS that sends
// close_notify) and closes. When the client has sent bytes nobody read
// (a request line far over its limit, say; unread, or found waiting),
// closing would become a reset
// that can discard the response before the client reads it and fails a
// client still writing, so c is drained first (see lingerBytes). A client
// that sends nothing more (the usual case) costs no wait: it reads the
// answer and close_notify and then closes its side, and whatever it sends
// after that can only meet a socket whose answer it already has. When
// forced (the server is being closed), a TLS connection's transport is
// closed at once without waiting on the peer.
func closeConn(c net.Conn, forced, unread bool) {
	type closeWriter interface{ CloseWrite() error }
	if forced {
		transport(c).Close()
		c.Close()
		return
	}
	if cw, ok := c.(closeWriter); ok && cw.CloseWrite() == nil && (unread || unreadInput(c)) {
		drain(transport(c))
	}
	c.Close()
}

// transport returns the connection under c's wrappers (a *tls.Conn's TCP
// connection): once the answer and close_notify are sent, what the client
// still sends is dropped unread, without decrypting it.
func transport(c net.Conn) net.Conn {
	for {
		w, ok := c.(interface{ NetConn() net.Conn })
		if !ok {
			return c
		}
		c = w.NetConn()
	}
}

// drain reads and drops what the client sends until it stops, within the
// bounds lingerIdle, lingerMax and lingerBytes.
func drain(c net.Conn) {
	buf := make([]byte, 32<<10)
	end := time.Now().Add(lingerMax)
	for n := 0; n < lingerBytes; {
		now := time.Now()
		if !now.Before(end) {
			return
		}
		d := now.Add(lingerIdle)
		if d.After(end) {
			d = end
		}
		c.SetReadDeadline(d)
		m, err := c.Read(buf)
		n += m
		if err != nil {
			return
		}
	}
}

// Shutdown stops accepting, closes the listeners and waits for connections
// in flight to finish. If ctx ends first, the remaining connections are
// closed and ctx's error is returned. Serve returns ErrServerClosed.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.initLocked()
	s.stopLocked()
	s.mu.Unlock()

	finished := make(chan struct{})
	go func() { // ends when the last connection goroutine ends
		s.wg.Wait()
		close(finished)
	}()
	select {
	case <-finished:
		return nil
	case <-ctx.Done():
		s.closeConns()
		<-finished
		return ctx.Err()
	}
}

// Close closes the listeners and every connection at once, and waits for
// the connection goroutines to end.
func (s *Server) Close() error {
	s.mu.Lock()
	s.initLocked()
	s.stopLocked()
	s.mu.Unlock()
	s.closeConns()
	s.wg.Wait()
	return nil
}

func (s *Server) stopLocked() {
	if s.closed {
		return
	}
	s.closed = true
	close(s.done)
	for l := range s.listeners {
		(*l).Close()
	}
}

func (s *Server) closeConns() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cancel()
	for c := range s.conns {
		// Unblock the handler; its goroutine does the closing.
		c.SetDeadline(time.Unix(1, 0))
	}
}

// ActiveConns returns the number of connections being served.
func (s *Server) ActiveConns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}
