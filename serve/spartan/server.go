package spartan

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/gmkit/gmkit/serve/stream"
)

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown or
// Close. It is the shared accept loop's sentinel, so errors.Is works with
// either name.
var ErrServerClosed = stream.ErrServerClosed

// DefaultAddr is the address ListenAndServe listens on when Addr is empty
// (port 300, as the specification says).
const DefaultAddr = ":300"

// DefaultMaxUpload is the largest data block accepted when
// Server.MaxUpload is zero.
const DefaultMaxUpload = 1 << 20

// uploadRate is the slowest upload, in bytes per second, that the read
// deadline allows for a data block on top of ReadTimeout.
const uploadRate = 32 << 10

// A Server serves Spartan on one or more listeners: it reads one request
// per connection, checks it, hands it to Handler and closes the
// connection. The accept loop, connection cap, deadlines, rate limiting and
// graceful shutdown are serve/stream's. Exported fields must not change
// once Serve has been called; the zero value (with a Handler) is ready to
// use.
type Server struct {
	// Handler answers requests. nil answers "4 Not found".
	Handler Handler
	// Addr is the TCP address ListenAndServe listens on; empty means
	// DefaultAddr.
	Addr string
	// HostAllowed, when set, decides whether a request's host is served
	// (it gets the host as in Request.Host and the local address the
	// connection arrived on), e.g. policy.Policy.HostAllowed; refused
	// requests are answered "4 Host not served". nil serves any host.
	HostAllowed func(host string, local net.Addr) bool
	// MaxUpload caps the content length a request may announce, in bytes;
	// a larger one is answered "4" before any data is read. Zero means
	// DefaultMaxUpload; negative refuses every data block.
	MaxUpload int64
	// MaxConns caps connections served at once; zero means
	// stream.DefaultMaxConns, negative no cap.
	MaxConns int
	// MaxConnsPerAddr caps connections from one client IP address; more
	// are closed at once. Zero means stream.DefaultMaxConnsPerAddr,
	// negative no cap.
	MaxConnsPerAddr int
	// ReadTimeout bounds the time a client has to send its request line;
	// zero means stream.DefaultReadTimeout. A data block gets this much
	// more time plus a second per 32 KiB.
	ReadTimeout time.Duration
	// WriteTimeout bounds the time to send a response, counted after the
	// read window; zero means stream.DefaultWriteTimeout.
	WriteTimeout time.Duration
	// Limiter, when set, is asked about each connection (see
	// serve/ratelimit); a refused client gets "5 Slow down: retry in N s".
	Limiter stream.Limiter
	// Logger gets one line per request (keys proto, remote, host, path,
	// status, bytes, dur) and the accept loop's errors. nil discards.
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

// Serve accepts connections on l until Shutdown or Close. It always closes
// l and returns ErrServerClosed after Shutdown or Close, or the listener's
// error.
func (s *Server) Serve(l net.Listener) error { return s.loop().Serve(l) }

// ListenAndServe listens on Addr (DefaultAddr if empty) and calls Serve.
func (s *Server) ListenAndServe() error {
	addr := s.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// Shutdown stops accepting, closes the listeners and waits for requests in
// flight; when ctx ends first it closes them and returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error { return s.loop().Shutdown(ctx) }

// Close closes the listeners and every connection at once.
func (s *Server) Close() error { return s.loop().Close() }

func (s *Server) maxUpload() int64 {
	switch {
	case s.MaxUpload == 0:
		return DefaultMaxUpload
	case s.MaxUpload < 0:
		return 0
	}
	return s.MaxUpload
}

func (s *Server) readTimeout() time.Duration {
	if s.ReadTimeout > 0 {
		return s.ReadTimeout
	}
	return stream.DefaultReadTimeout
}

// limited answers a rate-limited client, once it has sent its request
// line (an answer sent before the client is done writing can be lost to
// the reset its further writes cause).
func (s *Server) limited(ctx context.Context, c net.Conn, retry time.Duration) {
	start := time.Now()
	line, err := readRequestLine(bufio.NewReaderSize(c, 1024))
	var re *RequestError
	if err != nil && !errors.As(err, &re) {
		return
	}
	stream.Unread(ctx) // a data block, or the rest of a long line
	secs := int((retry + time.Second - 1) / time.Second)
	w := newResponse(c)
	w.WriteHeader(StatusServerError, "Slow down: retry in "+strconv.Itoa(max(secs, 1))+" s")
	w.finish()
	s.log(c, nil, line, w, time.Since(start))
}

// serveConn is stream's per-connection handler: read one request, answer
// it.
func (s *Server) serveConn(ctx context.Context, c net.Conn) {
	start := time.Now()
	br := bufio.NewReaderSize(c, 1024)
	line, err := readRequestLine(br)
	if err != nil {
		var re *RequestError
		if errors.As(err, &re) {
			stream.Unread(ctx)
			w := newResponse(c)
			w.WriteHeader(StatusClientError, re.Message)
			w.finish()
			s.log(c, nil, "", w, time.Since(start))
			return
		}
		// Closed or idle past the read deadline: nothing to answer.
		if !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrDeadlineExceeded) {
			s.logger().Debug("spartan read failed", "proto", "spartan", "remote", c.RemoteAddr().String(), "err", err)
		}
		return
	}
	w := newResponse(c)
	req, err := ParseRequest(line)
	switch {
	case err != nil:
		var re *RequestError
		msg := "Bad request"
		if errors.As(err, &re) {
			msg = re.Message
		}
		w.WriteHeader(StatusClientError, msg)
	case s.HostAllowed != nil && !s.HostAllowed(req.Host, c.LocalAddr()):
		w.WriteHeader(StatusClientError, "Host not served")
	case req.ContentLength > s.maxUpload():
		stream.Unread(ctx)
		w.WriteHeader(StatusClientError, "Data block too large: at most "+strconv.FormatInt(s.maxUpload(), 10)+" bytes")
	default:
		req.RemoteAddr = c.RemoteAddr().String()
		req.ServerPort = localPort(c.LocalAddr())
		req.ctx = ctx
		req.Body = &body{r: br, n: req.ContentLength}
		if req.ContentLength > 0 {
			extra := s.readTimeout() + time.Duration(req.ContentLength/uploadRate+1)*time.Second
			c.SetReadDeadline(time.Now().Add(extra))
		}
		s.callHandler(w, req)
	}
	if err := w.finish(); err != nil {
		s.logger().Debug("write failed", "proto", "spartan", "remote", c.RemoteAddr().String(), "err", err)
	}
	s.log(c, req, line, w, time.Since(start))
}

// callHandler runs the handler, turning a panic, or a handler that wrote
// nothing, into "5".
func (s *Server) callHandler(w *response, req *Request) {
	defer func() {
		if v := recover(); v != nil {
			s.logger().Error("panic in handler", "proto", "spartan", "remote", req.RemoteAddr, "path", req.RawPath, "panic", v, "stack", string(debug.Stack()))
			w.WriteHeader(StatusServerError, "Internal server error")
		}
	}()
	if s.Handler == nil {
		w.WriteHeader(StatusClientError, "Not found")
		return
	}
	s.Handler.ServeSpartan(w, req)
	w.WriteHeader(StatusServerError, "No response")
}

func localPort(a net.Addr) int {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.Port
	}
	_, p, err := net.SplitHostPort(a.String())
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(p)
	return n
}

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// log writes the one line per request. line is the request line as sent,
// logged as the path when the request was refused before it was parsed.
func (s *Server) log(c net.Conn, req *Request, line string, w *response, dur time.Duration) {
	if s.Logger == nil || !s.Logger.Enabled(context.Background(), slog.LevelInfo) {
		return
	}
	host, path := "", line
	if req != nil {
		host, path = req.Host, req.RawPath
		if req.RawQuery != "" {
			path += "?" + req.RawQuery
		}
	}
	if len(path) > 256 {
		path = path[:256] + "..."
	}
	attrs := []any{"proto", "spartan", "remote", c.RemoteAddr().String(), "host", host,
		"path", path, "status", int(w.status), "bytes", w.bytes, "dur", dur}
	if req != nil && req.ContentLength > 0 {
		attrs = append(attrs, "upload", req.ContentLength)
	}
	s.Logger.Info("request", attrs...)
}

// ErrBodyNotAllowed is returned by Write after a status line other than a
// success: only successes have a body.
var ErrBodyNotAllowed = errors.New("spartan: response status has no body")

// errFinished is returned by writes after the response was sent.
var errFinished = errors.New("spartan: response already sent")

// response is the Server's ResponseWriter: buffered, counting, and passing
// large copies to the connection's own ReadFrom (sendfile for files).
type response struct {
	bw     *bufio.Writer
	status Status
	meta   string
	bytes  int64 // body bytes accepted
	err    error
}

func newResponse(c net.Conn) *response {
	return &response{bw: bufio.NewWriterSize(c, 4<<10)}
}

// WriteHeader sends the status line; see ResponseWriter.
func (w *response) WriteHeader(status Status, meta string) {
	if w.status != 0 {
		return
	}
	var line string
	w.status, w.meta, line = statusLine(status, meta)
	if w.bw == nil {
		w.err = errFinished
		return
	}
	_, w.err = w.bw.WriteString(line)
}

// Write sends body bytes; see ResponseWriter.
func (w *response) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(StatusSuccess, DefaultMIME)
	}
	if w.status != StatusSuccess {
		return 0, ErrBodyNotAllowed
	}
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.bw.Write(p)
	w.bytes += int64(n)
	w.err = err
	return n, err
}

// ReadFrom copies src into the response.
func (w *response) ReadFrom(src io.Reader) (int64, error) {
	if w.status == 0 {
		w.WriteHeader(StatusSuccess, DefaultMIME)
	}
	if w.status != StatusSuccess {
		return 0, ErrBodyNotAllowed
	}
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.bw.ReadFrom(src)
	w.bytes += n
	w.err = err
	return n, err
}

// finish sends what is buffered; the response refuses writes afterwards.
func (w *response) finish() error {
	if w.bw == nil {
		return w.err
	}
	if w.err == nil {
		w.err = w.bw.Flush()
	}
	err := w.err
	w.bw = nil
	if w.err == nil {
		w.err = errFinished
	}
	return err
}
