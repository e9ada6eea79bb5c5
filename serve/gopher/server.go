package gopher

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"github.com/gmkit/gmkit/build/gophermap"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/gmkit/gmkit/serve/stream"
)

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown or
// Close. It wraps stream.ErrServerClosed, the shared accept loop's.
var ErrServerClosed = fmt.Errorf("gopher: %w", stream.ErrServerClosed)

// named gives the accept loop's ErrServerClosed this package's name.
func named(err error) error {
	if errors.Is(err, stream.ErrServerClosed) {
		return ErrServerClosed
	}
	return err
}

// DefaultAddr is the address ListenAndServe listens on when Addr is empty.
const DefaultAddr = ":70"

// DefaultPort is the Gopher port, assumed where none is known.
const DefaultPort = 70

// A Server serves Gopher on one or more listeners: it reads one request
// line per connection, hands it to Handler and closes the connection. The
// accept loop, connection cap, deadlines, rate limiting and graceful
// shutdown are serve/stream's. Exported fields must not change once Serve
// has been called; the zero value (with a Handler) is ready to use.
type Server struct {
	// Handler answers requests. nil answers every request with "Not found".
	Handler Handler
	// Addr is the TCP address ListenAndServe listens on; empty means
	// DefaultAddr.
	Addr string
	// Host is the public host name advertised to handlers (Request.Host),
	// which write it into generated menu lines. Empty means the local
	// address the client connected to.
	Host string
	// Port is the public port advertised to handlers (Request.Port). Zero
	// means the local port the client connected to, so a server started on
	// 127.0.0.1:7777 points its menus at itself without configuration.
	Port int
	// TLSConfig, when set, makes Serve speak Gopher over TLS on its
	// listeners (it needs at least one certificate). Use a second Server,
	// sharing the Handler, for a plain and a TLS port side by side.
	TLSConfig *tls.Config
	// MaxConns caps connections served at once; zero means
	// stream.DefaultMaxConns, negative no cap.
	MaxConns int
	// MaxConnsPerAddr caps connections from one client IP address; more
	// are closed at once. Zero means stream.DefaultMaxConnsPerAddr,
	// negative no cap.
	MaxConnsPerAddr int
	// ReadTimeout bounds the time a client has to send its request line
	// (and finish a TLS handshake); zero means stream.DefaultReadTimeout.
	ReadTimeout time.Duration
	// WriteTimeout bounds the time to send a response, counted after the
	// read window; zero means stream.DefaultWriteTimeout.
	WriteTimeout time.Duration
	// Limiter, when set, is asked about each connection (see
	// serve/ratelimit); a refused client gets a type-3 "slow down" item.
	Limiter stream.Limiter
	// Logger gets one line per request (keys proto, remote, host, path,
	// status, bytes, dur; status is the item type sent) and the accept
	// loop's errors. nil discards.
	Logger *slog.Logger

	mu sync.Mutex
	st *stream.Server
}

// loop returns the shared accept loop, made on first use.
func (s *Server) loop() *stream.Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st == nil {
		s.st = &stream.Server{
			Handler:         s.serveConn,
			MaxConns:        s.MaxConns,
			MaxConnsPerAddr: s.MaxConnsPerAddr,
			ReadTimeout:     s.ReadTimeout,
			WriteTimeout:    s.WriteTimeout,
			Limiter:         s.Limiter,
			OnLimited:       s.limited,
			Logger:          s.Logger,
		}
	}
	return s.st
}

// Serve accepts connections on l until Shutdown or Close (wrapping l in TLS
// when TLSConfig is set). It always closes l and returns ErrServerClosed
// after Shutdown or Close, or the listener's error.
func (s *Server) Serve(l net.Listener) error {
	if s.TLSConfig != nil && l != nil {
		l = tls.NewListener(l, s.TLSConfig)
	}
	return named(s.loop().Serve(l))
}

// ListenAndServe listens on Addr (DefaultAddr if empty) and calls Serve.
func (s *Server) ListenAndServe() error {
	addr := s.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("gopher: %w", err)
	}
	return s.Serve(l)
}

// Shutdown stops accepting, closes the listeners and waits for requests in
// flight; when ctx ends first it closes them and returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error { return s.loop().Shutdown(ctx) }

// Close closes the listeners and every connection at once.
func (s *Server) Close() error { return s.loop().Close() }

// limited answers a rate-limited client.
func (s *Server) limited(ctx context.Context, c net.Conn, retry time.Duration) {
	stream.Unread(ctx) // the request is answered unread
	secs := int(retry.Round(time.Second) / time.Second)
	w := &connWriter{bw: bufio.NewWriterSize(c, 512)}
	Error(w, "Too many requests: retry in "+strconv.Itoa(max(secs, 1))+" s")
	_ = w.bw.Flush()
	host, _ := s.advertised(c)
	s.log(c, host, "", w, "limited", 0)
}

// serveConn is stream's per-connection handler: read one line, answer it.
func (s *Server) serveConn(ctx context.Context, c net.Conn) {
	start := time.Now()
	host, port := s.advertised(c)
	w := &connWriter{bw: bufio.NewWriterSize(c, 4<<10)}
	defer func() { _ = w.bw.Flush() }()

	line, err := readRequestLine(bufio.NewReaderSize(c, 512))
	if err != nil {
		if errors.Is(err, ErrRequestTooLong) {
			stream.Unread(ctx)
			Error(w, "Request line too long")
			s.log(c, host, "", w, "", time.Since(start))
			return
		}
		// Closed or idle past the read deadline: nothing to answer.
		if !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrDeadlineExceeded) {
			s.logger().Debug("gopher read failed", "proto", "gopher", "remote", c.RemoteAddr().String(), "err", err)
		}
		return
	}
	req, err := ParseRequest(line)
	if err != nil {
		switch {
		case errors.Is(err, ErrSelectorTooLong):
			Error(w, "Selector too long")
		default:
			Error(w, "Bad request")
		}
		s.log(c, host, "", w, "", time.Since(start))
		return
	}
	req.RemoteAddr = c.RemoteAddr().String()
	req.Host, req.Port = host, port
	if tc, ok := c.(*tls.Conn); ok {
		st := tc.ConnectionState()
		req.TLS = &st
	}
	req.ctx = ctx
	var h Handler = HandlerFunc(func(w ResponseWriter, _ *Request) { NotFound(w) })
	if s.Handler != nil {
		h = s.Handler
	}
	if req.Plus != "" {
		servePlus(h, w, req)
	} else {
		h.ServeGopher(w, req)
	}
	if err := w.bw.Flush(); err != nil {
		w.err = err
	}
	s.log(c, host, req.Selector, w, "", time.Since(start))
}

// advertised returns the host and port for Request.Host/Port.
func (s *Server) advertised(c net.Conn) (string, int) {
	host, port := s.Host, s.Port
	if host != "" && port != 0 {
		return host, port
	}
	if ta, ok := c.LocalAddr().(*net.TCPAddr); ok {
		if host == "" {
			host = ta.IP.String()
			if ta.IP.IsUnspecified() || ta.IP == nil {
				host = "localhost"
			}
		}
		if port == 0 {
			port = ta.Port
		}
	}
	if host == "" {
		host = "localhost"
	}
	if port == 0 {
		port = DefaultPort
	}
	return host, port
}

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// log writes the one line per request.
func (s *Server) log(c net.Conn, host, selector string, w *connWriter, status string, dur time.Duration) {
	if s.Logger == nil {
		return
	}
	if status == "" {
		status = "-"
		if w.typ != 0 {
			status = string(rune(w.typ))
		}
	}
	attrs := []any{"proto", "gopher", "remote", c.RemoteAddr().String(), "host", host,
		"path", selector, "status", status, "bytes", w.n, "dur", dur}
	if w.err != nil {
		attrs = append(attrs, "err", w.err)
	}
	s.Logger.Info("request", attrs...)
}

// connWriter is the ResponseWriter of a connection: buffered, counting, and
// passing large copies (io.Copy from an *os.File) to the connection's own
// ReadFrom so the kernel can send files directly.
type connWriter struct {
	bw  *bufio.Writer
	typ gophermap.Type
	n   int64
	err error // first write error
}

// SetType records t for the log line.
func (w *connWriter) SetType(t gophermap.Type) { w.typ = t }

// Write buffers p for the connection.
func (w *connWriter) Write(p []byte) (int, error) {
	n, err := w.bw.Write(p)
	w.n += int64(n)
	if err != nil && w.err == nil {
		w.err = err
	}
	return n, err
}

// ReadFrom copies r to the connection.
func (w *connWriter) ReadFrom(r io.Reader) (int64, error) {
	n, err := w.bw.ReadFrom(r)
	w.n += n
	if err != nil && w.err == nil {
		w.err = err
	}
	return n, err
}
