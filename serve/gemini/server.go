package gemini

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gmkit/gmkit/serve/policy"
	"github.com/gmkit/gmkit/serve/stream"
)

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown or
// Close. It wraps stream.ErrServerClosed, the shared accept loop's.
var ErrServerClosed = fmt.Errorf("gemini: %w", stream.ErrServerClosed)

// named gives the accept loop's ErrServerClosed this package's name.
func named(err error) error {
	if errors.Is(err, stream.ErrServerClosed) {
		return ErrServerClosed
	}
	return err
}

// DefaultAddr is the listen address used when Server.Addr is empty.
const DefaultAddr = ":1965"

// DefaultPort is the port a gemini:// URL without one names.
const DefaultPort = 1965

// Server serves Gemini over TLS. Its exported fields must not change once
// it serves. TLS is 1.2 minimum; session resumption is on; client
// certificates are requested (unless NoClientCerts) but never required, and
// self-signed ones are accepted.
type Server struct {
	// Addr is the address ListenAndServe listens on. Empty means ":1965".
	Addr string
	// Handler answers requests. Required.
	Handler Handler
	// GetCertificate picks the server certificate (see serve/certs). When
	// nil, TLSConfig must carry certificates.
	GetCertificate func(*tls.ClientHelloInfo) (*tls.Certificate, error)
	// TLSConfig is an optional base configuration; it is cloned, and its
	// MinVersion, ClientAuth and GetCertificate are set by the Server.
	TLSConfig *tls.Config
	// Hostnames are the names served (the hostname and its aliases),
	// compared case-insensitively. Requests for other hosts get 53. When the
	// connection arrives on a loopback address, localhost, 127.0.0.1 and
	// ::1 are accepted too. Empty means any host.
	Hostnames []string
	// Port is the port requests must name (none means 1965). Zero means the
	// port the connection arrived on.
	Port int
	// IgnorePort turns the port check off, for setups behind a port
	// forward.
	IgnorePort bool
	// ClientCAs marks client certificates it signed as verified
	// (Request.ClientCertVerified). Other certificates are still accepted.
	ClientCAs *x509.CertPool
	// NoClientCerts stops asking clients for a certificate in the
	// handshake, which TLS allows only there, before the request is known:
	// set it when nothing served can use one (no access rule, no CGI
	// script). The handshake is then shorter; Request.ClientCert is nil.
	NoClientCerts bool
	// ReadTimeout bounds the handshake and request line. Zero means 10 s.
	ReadTimeout time.Duration
	// WriteTimeout bounds sending the response. Zero means 60 s.
	WriteTimeout time.Duration
	// MaxConns caps concurrent connections. Zero means
	// stream.DefaultMaxConns.
	MaxConns int
	// MaxConnsPerAddr caps concurrent connections from one client IP
	// address; more are closed at once. Zero means
	// stream.DefaultMaxConnsPerAddr, negative no cap.
	MaxConnsPerAddr int
	// Limiter rate-limits client addresses (see serve/ratelimit); refused
	// clients get "44 <seconds>". nil means no limit.
	Limiter stream.Limiter
	// Logger gets one line per request and server errors. nil discards.
	Logger *slog.Logger

	mu     sync.Mutex
	stream *stream.Server
	tlsCfg *tls.Config
	bufs   buffers
}

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// init builds the stream server and TLS configuration once.
func (s *Server) init() (*stream.Server, *tls.Config, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stream != nil {
		return s.stream, s.tlsCfg, nil
	}
	var cfg *tls.Config
	if s.TLSConfig != nil {
		cfg = s.TLSConfig.Clone()
	} else {
		cfg = &tls.Config{}
	}
	cfg.MinVersion = max(cfg.MinVersion, tls.VersionTLS12)
	cfg.ClientAuth = tls.RequestClientCert
	if s.NoClientCerts {
		cfg.ClientAuth = tls.NoClientCert
	}
	if s.GetCertificate != nil {
		cfg.GetCertificate = s.GetCertificate
	}
	s.tlsCfg = cfg
	s.stream = &stream.Server{
		Handler:         s.serveConn,
		MaxConns:        s.MaxConns,
		MaxConnsPerAddr: s.MaxConnsPerAddr,
		ReadTimeout:     s.ReadTimeout,
		WriteTimeout:    s.WriteTimeout,
		Limiter:         s.Limiter,
		OnLimited:       s.slowDown,
		Logger:          s.Logger,
	}
	if cfg.GetCertificate == nil && len(cfg.Certificates) == 0 && cfg.GetConfigForClient == nil {
		return s.stream, cfg, errors.New("gemini: no certificate: set GetCertificate or TLSConfig")
	}
	return s.stream, cfg, nil
}

// ListenAndServe listens on Addr and serves.
func (s *Server) ListenAndServe() error {
	addr := s.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("gemini: %w", err)
	}
	return s.Serve(l)
}

// Serve serves Gemini on l, a plain TCP listener: the Server adds TLS. It
// returns ErrServerClosed after Shutdown or Close.
func (s *Server) Serve(l net.Listener) error {
	st, cfg, err := s.init()
	if err != nil {
		l.Close()
		return err
	}
	return named(st.Serve(&listener{Listener: l, cfg: cfg, bufs: &s.bufs}))
}

// Shutdown stops accepting, lets requests in flight finish until ctx ends,
// then closes what remains. Every finished connection gets close_notify.
func (s *Server) Shutdown(ctx context.Context) error {
	st, _, _ := s.init()
	return st.Shutdown(ctx)
}

// Close closes the listeners and connections at once.
func (s *Server) Close() error {
	st, _, _ := s.init()
	return st.Close()
}

// slowDown answers a rate-limited client with "44 <seconds>".
func (s *Server) slowDown(ctx context.Context, c net.Conn, retry time.Duration) {
	start := time.Now()
	tc, ok := c.(*tls.Conn)
	if !ok || tc.Handshake() != nil { // see serveConn
		return
	}
	line, err := readRequestLine(tc)
	if err != nil && !errors.Is(err, errLineTooLong) {
		return
	}
	if err != nil {
		stream.Unread(ctx)
	}
	secs := int((retry + time.Second - 1) / time.Second)
	w := newResponse(tc, &s.bufs)
	w.WriteHeader(StatusSlowDown, strconv.Itoa(max(secs, 1)))
	w.finish()
	s.logRequest(c, line, nil, w, start)
}

// serveConn answers the one request of a TLS connection.
func (s *Server) serveConn(ctx context.Context, c net.Conn) {
	start := time.Now()
	tc, ok := c.(*tls.Conn)
	if !ok {
		return
	}
	// Handshake, not HandshakeContext: that would start a goroutine per
	// connection to watch ctx; Close and Shutdown set a past deadline on
	// the connection instead, which ends the handshake just as well.
	if err := tc.Handshake(); err != nil {
		s.logger().Debug("tls handshake failed", "proto", "gemini", "remote", c.RemoteAddr().String(), "err", err)
		return
	}
	line, err := readRequestLine(tc)
	if err != nil {
		if errors.Is(err, errLineTooLong) {
			stream.Unread(ctx)
			w := newResponse(tc, &s.bufs)
			w.WriteHeader(StatusBadRequest, "URL too long")
			w.finish()
			s.logRequest(c, "", nil, w, start)
		}
		return
	}
	w := newResponse(tc, &s.bufs)
	state := tc.ConnectionState()
	req, status, msg := s.newRequest(ctx, c, line, &state)
	if status != 0 {
		w.WriteHeader(status, msg)
	} else {
		s.callHandler(w, req)
	}
	if err := w.finish(); err != nil {
		s.logger().Debug("write failed", "proto", "gemini", "remote", c.RemoteAddr().String(), "err", err)
	}
	s.logRequest(c, line, req, w, start)
}

// newRequest checks the request line, host and port, and builds the
// Request; a non-zero status is the answer instead.
func (s *Server) newRequest(ctx context.Context, c net.Conn, line string, state *tls.ConnectionState) (*Request, Status, string) {
	u, status, msg := ParseURL(line)
	if status != 0 {
		return nil, status, msg
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if !s.hostAllowed(host, c.LocalAddr()) {
		return nil, StatusProxyRequestRefused, "Host not served"
	}
	port := urlPort(u)
	if !s.IgnorePort {
		if !policy.PortAllowed(port, DefaultPort, s.Port, c.LocalAddr()) {
			return nil, StatusProxyRequestRefused, "Port not served"
		}
	}
	if _, ok := policy.ParseURLPath(u.EscapedPath()); !ok {
		return nil, StatusBadRequest, "Invalid path"
	}
	req := &Request{URL: u, RawURL: line, Host: host, RemoteAddr: c.RemoteAddr().String(), ServerPort: port, TLS: state, ctx: ctx}
	if s.ClientCAs != nil && len(state.PeerCertificates) > 0 {
		inter := x509.NewCertPool()
		for _, ic := range state.PeerCertificates[1:] {
			inter.AddCert(ic)
		}
		_, err := state.PeerCertificates[0].Verify(x509.VerifyOptions{
			Roots: s.ClientCAs, Intermediates: inter,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		})
		req.ClientCertVerified = err == nil
	}
	return req, 0, ""
}

func (s *Server) hostAllowed(host string, local net.Addr) bool {
	return policy.HostAllowed(s.Hostnames, host, local)
}

// callHandler runs the handler, turning a panic into 40 and a handler that
// wrote nothing into 40.
func (s *Server) callHandler(w *response, req *Request) {
	defer func() {
		if v := recover(); v != nil {
			s.logger().Error("panic in handler", "proto", "gemini", "remote", req.RemoteAddr, "path", req.URL.Path, "panic", v, "stack", string(debug.Stack()))
			if w.status == 0 {
				w.WriteHeader(StatusTemporaryFailure, "Internal server error")
			}
		}
	}()
	if s.Handler == nil {
		w.WriteHeader(StatusNotFound, "Not found")
		return
	}
	s.Handler.ServeGemini(w, req)
	if w.status == 0 {
		w.WriteHeader(StatusTemporaryFailure, "No response")
	}
}

func (s *Server) logRequest(c net.Conn, line string, req *Request, w *response, start time.Time) {
	if s.Logger == nil || !s.Logger.Enabled(context.Background(), slog.LevelInfo) {
		return
	}
	host, path := "", line
	if req != nil {
		host, path = req.Host, req.URL.EscapedPath()
		if req.URL.RawQuery != "" {
			path += "?" + req.URL.RawQuery
		}
	}
	if len(path) > 256 {
		path = path[:256] + "..."
	}
	s.Logger.LogAttrs(context.Background(), slog.LevelInfo, "request",
		slog.String("proto", "gemini"),
		slog.String("remote", c.RemoteAddr().String()),
		slog.String("host", host),
		slog.String("path", path),
		slog.Int("status", int(w.status)),
		slog.Int64("bytes", w.bytes),
		slog.Duration("dur", time.Since(start)),
	)
}
