package web

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/net/netutil"
)

// ErrServerClosed is returned by Serve after Shutdown or Close.
var ErrServerClosed = http.ErrServerClosed

// A Limiter decides whether a client address may make another request
// now, and if not, when it may (serve/ratelimit's Limiter is one).
type Limiter interface {
	Allow(addr string) (ok bool, retryAfter time.Duration)
}

// Defaults for the zero values of Server's fields.
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultWriteTimeout      = 5 * time.Minute
	DefaultIdleTimeout       = 2 * time.Minute
	DefaultMaxConns          = 1024
	DefaultMaxHeaderBytes    = 16 << 10
)

// Server runs an http.Handler on listeners, over HTTP or (with TLSConfig)
// HTTPS, with the limits every gmkit server has: a connection cap, a
// per-address request rate (answered 429 with Retry-After), deadlines, and
// one log line per request. Set its fields before the first Serve; they
// must not change after.
type Server struct {
	// Handler answers requests. nil answers 404 to everything.
	Handler http.Handler
	// TLSConfig, when set, makes Serve speak HTTPS (HTTP/1.1 and HTTP/2).
	TLSConfig *tls.Config
	// Limiter bounds requests per client address; nil means no limit.
	Limiter Limiter
	// MaxConns caps open connections; zero means DefaultMaxConns. Past
	// the cap new connections wait to be accepted.
	MaxConns int
	// MaxConnsPerAddr caps the connections one client address holds open
	// at once; one over it is closed at once. Zero means
	// DefaultMaxConnsPerAddr; a negative value turns the cap off.
	MaxConnsPerAddr int
	// Timeouts; zero means the Default* constants. WriteTimeout bounds
	// one answer, generous for large files on slow links.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// Logger gets one line per request (proto, remote, host, path,
	// status, bytes, dur) and server events. nil discards.
	Logger *slog.Logger

	once sync.Once
	srv  *http.Server
}

func (s *Server) init() {
	s.once.Do(func() {
		log := s.Logger
		if log == nil {
			log = slog.New(slog.DiscardHandler)
		}
		proto := "http"
		if s.TLSConfig != nil {
			proto = "https"
		}
		h := s.Handler
		if h == nil {
			h = http.NotFoundHandler()
		}
		s.srv = &http.Server{
			Handler:           s.wrap(h, log, proto),
			TLSConfig:         s.TLSConfig,
			ReadHeaderTimeout: or(s.ReadHeaderTimeout, DefaultReadHeaderTimeout),
			ReadTimeout:       or(s.ReadTimeout, DefaultReadTimeout),
			WriteTimeout:      or(s.WriteTimeout, DefaultWriteTimeout),
			IdleTimeout:       or(s.IdleTimeout, DefaultIdleTimeout),
			MaxHeaderBytes:    DefaultMaxHeaderBytes,
			ErrorLog:          slog.NewLogLogger(log.With("proto", proto).Handler(), slog.LevelDebug),
		}
	})
}

func or(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Serve accepts connections on l until Shutdown or Close, and then returns
// ErrServerClosed. With TLSConfig set, l carries raw TCP and Serve runs
// TLS over it.
func (s *Server) Serve(l net.Listener) error {
	s.init()
	max := s.MaxConns
	if max <= 0 {
		max = DefaultMaxConns
	}
	perAddr := s.MaxConnsPerAddr
	if perAddr == 0 {
		perAddr = DefaultMaxConnsPerAddr
	}
	l = limitPerAddr(netutil.LimitListener(l, max), perAddr)
	if s.TLSConfig != nil {
		return s.srv.ServeTLS(l, "", "")
	}
	return s.srv.Serve(l)
}

// ListenAndServe listens on addr (TCP) and serves.
func (s *Server) ListenAndServe(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// Shutdown stops accepting, closes idle connections and waits for answers
// in flight until ctx is done; then it closes what is left and returns
// ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	s.init()
	err := s.srv.Shutdown(ctx)
	if err != nil {
		s.srv.Close()
	}
	return err
}

// Close closes every listener and connection at once.
func (s *Server) Close() error {
	s.init()
	return s.srv.Close()
}

// wrap adds the rate limit and the request log around h.
func (s *Server) wrap(h http.Handler, log *slog.Logger, proto string) http.Handler {
	lim := s.Limiter
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		lw := &logWriter{ResponseWriter: w}
		if ok, retry := allow(lim, r.RemoteAddr); !ok {
			secs := int((retry + time.Second - 1) / time.Second)
			lw.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
			http.Error(lw, "429 too many requests", http.StatusTooManyRequests)
		} else {
			h.ServeHTTP(lw, r)
		}
		if lw.status == 0 {
			lw.status = http.StatusOK
		}
		log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("proto", proto),
			slog.String("remote", r.RemoteAddr),
			slog.String("host", r.Host),
			slog.String("method", r.Method),
			slog.String("path", r.URL.RequestURI()),
			slog.Int("status", lw.status),
			slog.Int64("bytes", lw.bytes),
			slog.Duration("dur", time.Since(start)))
	})
}

func allow(l Limiter, addr string) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	return l.Allow(addr)
}

// logWriter notes the status and the body bytes of an answer.
type logWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *logWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *logWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// ReadFrom keeps net/http's sendfile path for files on disk.
func (w *logWriter) ReadFrom(r io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := io.Copy(w.ResponseWriter, r)
	w.bytes += n
	return n, err
}

// Unwrap gives http.ResponseController the writer underneath.
func (w *logWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// IsClosed reports whether err means the server was shut down or its
// listener closed.
func IsClosed(err error) bool {
	return errors.Is(err, ErrServerClosed) || errors.Is(err, net.ErrClosed)
}
