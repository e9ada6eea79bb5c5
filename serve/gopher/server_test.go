package gopher

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"github.com/gmkit/gmkit/build/gophermap"
	"io"
	"log/slog"
	"math/big"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gmkit/gmkit/serve/ratelimit"
)

// startServer serves s on a fresh 127.0.0.1:0 listener and returns the
// address; the server is closed when the test ends and Serve must then
// return ErrServerClosed.
func startServer(t *testing.T, s *Server) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(l) }()
	t.Cleanup(func() {
		s.Close()
		if err := <-errc; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return l.Addr().String()
}

// fetch sends req on a new connection and reads the whole answer.
func fetch(t *testing.T, addr, req string) []byte {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading the answer to %q: %v", req, err)
	}
	return b
}

func portOf(t *testing.T, addr string) string {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestServerOverTCP(t *testing.T) {
	hole := testHole()
	addr := startServer(t, &Server{Handler: FileServer(hole, Options{Listing: true, RewriteFrom: "gopher.example:70"})})
	port := portOf(t, addr)
	big := strings.Repeat("s", 4096)
	tests := []struct {
		name string
		req  string
		want string
	}{
		{"root", "\r\n", "iWelcome to the hole\t\t127.0.0.1\t" + port + "\r\n1Posts\t/posts/\t127.0.0.1\t" + port + "\r\n"},
		{"root slash, bare LF", "/\n", "1Posts\t/posts/\t127.0.0.1\t" + port + "\r\n"},
		{"post", "/posts/hello.txt\r\n", "Hello, world\r\nline two\r\nline three\r\n"},
		{"gopher+ suffix", "/posts/hello.txt\t+\r\n", "Hello, world\r\n"},
		{"generated listing", "/nomap/\r\n", "Ib.png\t/nomap/b.png\t127.0.0.1\t" + port + "\r\n"},
		{"missing", "/nope\r\n", "3Not found\t\terror.host\t1\r\n.\r\n"},
		{"traversal", "/../../etc/passwd\r\n", "3Bad selector\t\terror.host\t1\r\n.\r\n"},
		{"encoded traversal", "/%2e%2e/%2e%2e/etc/passwd\r\n", "3Not found\t\terror.host\t1\r\n.\r\n"},
		{"dotfile", "/.secret/key.txt\r\n", "3Not found\t\terror.host\t1\r\n.\r\n"},
		{"4 KiB selector", big + "\r\n", "3Request line too long\t\terror.host\t1\r\n.\r\n"},
		{"256-byte selector", strings.Repeat("s", 256) + "\r\n", "3Selector too long\t\terror.host\t1\r\n.\r\n"},
		{"NUL", "/a\x00\r\n", "3Bad request\t\terror.host\t1\r\n.\r\n"},
		{"URL redirect", "URL:https://example.org/\r\n", `<meta http-equiv="refresh" content="0; url=https://example.org/">`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fetch(t, addr, tt.req)
			if !bytes.Contains(got, []byte(tt.want)) {
				t.Errorf("answer to %.40q:\ngot  %q\nwant it to contain %q", tt.req, got, tt.want)
			}
		})
	}
	t.Run("menus end with a dot line", func(t *testing.T) {
		for _, sel := range []string{"", "/posts/", "/nomap/", "/hand/"} {
			got := fetch(t, addr, sel+"\r\n")
			if !bytes.HasSuffix(got, []byte("\r\n.\r\n")) {
				t.Errorf("%q: got %q, want a menu ending in CRLF .CRLF", sel, got)
			}
			for line := range strings.Lines(strings.TrimSuffix(string(got), ".\r\n")) {
				if strings.Count(line, "\t") != 3 || !strings.HasSuffix(line, "\r\n") {
					t.Errorf("%q: line %q is not a complete CRLF item", sel, line)
				}
			}
		}
	})
	t.Run("static files raw", func(t *testing.T) {
		for _, name := range []string{"nomap/b.png", "nomap/c.gif", "nomap/d.pdf", "nomap/e.mp3", "nomap/f.html", "nomap/g.bin"} {
			if got, want := fetch(t, addr, "/"+name+"\r\n"), hole[name].Data; !bytes.Equal(got, want) {
				t.Errorf("%s: got %q, want %q", name, got, want)
			}
		}
	})
}

func TestServerSearchReachesHandler(t *testing.T) {
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		w.SetType(gophermap.TypeText)
		io.WriteString(w, "selector="+r.Selector+" search="+r.Search+" plus="+r.Plus+"\r\n")
	})
	addr := startServer(t, &Server{Handler: h})
	tests := []struct{ req, want string }{
		{"/search\tgopher holes\r\n", "selector=/search search=gopher holes plus=\r\n"},
		// Gopher+ requests reach the handler with Plus set, and its answer
		// is wrapped in Gopher+ form (see plus_test.go).
		{"/search\tq\t+\r\n", "+-2\r\nselector=/search search=q plus=+\r\n"},
	}
	for _, tt := range tests {
		if got := string(fetch(t, addr, tt.req)); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.req, got, tt.want)
		}
	}
}

func TestServerAdvertisedHostPort(t *testing.T) {
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		io.WriteString(w, r.Host+" "+strconv.Itoa(r.Port))
	})
	addr := startServer(t, &Server{Handler: h})
	if got, want := string(fetch(t, addr, "\r\n")), "127.0.0.1 "+portOf(t, addr); got != want {
		t.Errorf("default advertised = %q, want %q", got, want)
	}
	addr = startServer(t, &Server{Handler: h, Host: "gopher.example", Port: 70})
	if got, want := string(fetch(t, addr, "\r\n")), "gopher.example 70"; got != want {
		t.Errorf("configured advertised = %q, want %q", got, want)
	}
}

// TestServerIdleConnections holds 200 connections that send nothing (and a
// few that send half a line) and checks that a real request is still
// answered while they wait. The read timeout is long, so a server that
// served connections one at a time would hang here.
func TestServerIdleConnections(t *testing.T) {
	addr := startServer(t, &Server{Handler: FileServer(testHole(), Options{Listing: true}), MaxConns: 64, ReadTimeout: time.Hour})
	// The idle ones come from another address, more of them than the
	// server serves at once: the per-address cap keeps them from taking
	// the places of other clients.
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}
	var idle []net.Conn
	defer func() {
		for _, c := range idle {
			c.Close()
		}
	}()
	for i := range 200 {
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Skipf("cannot dial from 127.0.0.2: %v", err)
		}
		if i%10 == 0 {
			io.WriteString(c, "/po")
		}
		idle = append(idle, c)
	}
	if got := fetch(t, addr, "/posts/hello.txt\r\n"); !bytes.HasPrefix(got, []byte("Hello, world")) {
		t.Errorf("real request among 200 idle ones: got %q", got)
	}
}

func TestServerReadDeadline(t *testing.T) {
	addr := startServer(t, &Server{Handler: FileServer(testHole(), Options{Listing: true}), ReadTimeout: 50 * time.Millisecond})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Send nothing: the server must close the connection by itself.
	got, err := io.ReadAll(c)
	if err != nil || len(got) != 0 {
		t.Errorf("idle connection: got %q, %v; want a silent close", got, err)
	}
}

func TestServerRateLimit(t *testing.T) {
	lim := ratelimit.New(ratelimit.Config{PerSecond: 0.001, Burst: 2})
	addr := startServer(t, &Server{Handler: FileServer(testHole(), Options{Listing: true}), Limiter: lim})
	for i := range 2 {
		if got := fetch(t, addr, "/posts/hello.txt\r\n"); !bytes.HasPrefix(got, []byte("Hello")) {
			t.Fatalf("request %d within the burst: got %q", i, got)
		}
	}
	got := fetch(t, addr, "/posts/hello.txt\r\n")
	if !bytes.HasPrefix(got, []byte("3Too many requests: retry in ")) || !bytes.HasSuffix(got, []byte(".\r\n")) {
		t.Errorf("request over the limit: got %q, want a type-3 slow-down item", got)
	}
}

func TestServerLogsOneLinePerRequest(t *testing.T) {
	var mu sync.Mutex
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, nil))
	addr := startServer(t, &Server{Handler: FileServer(testHole(), Options{Listing: true}), Logger: logger, Host: "gopher.example"})
	fetch(t, addr, "/posts/hello.txt\r\n")
	fetch(t, addr, "/nope\r\n")
	// The server logs before it closes the connection, and fetch reads
	// until the close: both lines are in by now.
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	for _, want := range []string{
		"proto=gopher", "host=gopher.example", "path=/posts/hello.txt status=0 bytes=36",
		"path=/nope status=3", "dur=",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log %q lacks %q", out, want)
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestServerShutdownWaitsForRequest(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		close(started)
		<-release
		io.WriteString(w, "finished")
	})
	s := &Server{Handler: h}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- s.Serve(l) }()
	answer := make(chan []byte, 1)
	go func() {
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			answer <- nil
			return
		}
		defer c.Close()
		io.WriteString(c, "/slow\r\n")
		b, _ := io.ReadAll(c)
		answer <- b
	}()
	<-started
	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()
	if err := <-serveErr; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve = %v, want ErrServerClosed", err)
	}
	close(release)
	if err := <-shut; err != nil {
		t.Errorf("Shutdown = %v", err)
	}
	if got := string(<-answer); got != "finished" {
		t.Errorf("request in flight during Shutdown got %q, want %q", got, "finished")
	}
	if err := s.Serve(l); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve after Shutdown = %v, want ErrServerClosed", err)
	}
}

// testCert makes a self-signed certificate for 127.0.0.1.
func testCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func TestServerTLS(t *testing.T) {
	cfg := &tls.Config{Certificates: []tls.Certificate{testCert(t)}, MinVersion: tls.VersionTLS12}
	h := HandlerFunc(func(w ResponseWriter, r *Request) {
		if r.TLS == nil {
			io.WriteString(w, "plain")
			return
		}
		io.WriteString(w, "tls "+r.Selector)
	})
	addr := startServer(t, &Server{Handler: h, TLSConfig: cfg})
	c, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "/secure\r\n")
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading over TLS: %v (want a clean close_notify)", err)
	}
	if string(got) != "tls /secure" {
		t.Errorf("over TLS: got %q, want %q", got, "tls /secure")
	}
	// A plaintext client gets no Gopher answer from the TLS port.
	plain := fetch(t, addr, "/secure\r\n")
	if bytes.Contains(plain, []byte("secure")) || bytes.Contains(plain, []byte("plain")) {
		t.Errorf("plaintext client on the TLS port got %q", plain)
	}
}

func TestServerNilHandler(t *testing.T) {
	addr := startServer(t, &Server{})
	if got := string(fetch(t, addr, "/\r\n")); !strings.HasPrefix(got, "3Not found") {
		t.Errorf("nil handler: got %q", got)
	}
}

// TestServerHugeRequestLine sends a 1 MB selector line through a small
// send buffer (its write ends only once the server took in nearly all of
// it) and then reads: the error item must reach the client, not be lost to
// a reset when the server closes with the rest of the line unread.
func TestServerHugeRequestLine(t *testing.T) {
	addr := startServer(t, &Server{Handler: FileServer(testHole(), Options{})})
	for _, size := range []int{4096, 64 << 10, 1 << 20} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.(*net.TCPConn).SetWriteBuffer(16 << 10)
		_, werr := io.WriteString(c, "/"+strings.Repeat("a", size)+"\r\n")
		got, rerr := io.ReadAll(c)
		c.Close()
		if werr != nil || rerr != nil {
			t.Errorf("%d-byte request line: write: %v, read: %v (answer %.80q)", size, werr, rerr, got)
			continue
		}
		if !strings.HasPrefix(string(got), "3") {
			t.Errorf("%d-byte request line: got %.80q, want an error item (type 3)", size, got)
		}
	}
}
