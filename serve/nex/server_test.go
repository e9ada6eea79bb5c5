package nex

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gmkit/gmkit/serve/ratelimit"
	"github.com/gmkit/gmkit/serve/stream/streamtest"
)

// startServer serves s on a loopback port until the test ends.
func startServer(t *testing.T, s *Server) string { return streamtest.Start(t, s) }

// nexGet is the tests' Nex client: it sends req (the path and its line
// end), closes its sending side as nc -N does, and reads everything until
// the server closes.
func nexGet(addr, req string) ([]byte, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		return nil, err
	}
	c.(*net.TCPConn).CloseWrite()
	return io.ReadAll(c)
}

func mustGet(t *testing.T, addr, req string) string {
	t.Helper()
	b, err := nexGet(addr, req)
	if err != nil {
		t.Fatalf("%q: %v", req, err)
	}
	return string(b)
}

// echoPath answers with the path asked for.
var echoPath = HandlerFunc(func(w ResponseWriter, r *Request) {
	w.SetKind(KindDocument)
	io.WriteString(w, "path="+r.Path+"\n")
})

func TestServerAnswers(t *testing.T) {
	addr := startServer(t, &Server{Handler: echoPath, ReadTimeout: 200 * time.Millisecond})
	tests := []struct{ req, want string }{
		{"\n", "path=\n"},
		{"\r\n", "path=\n"},
		{"/posts/\n", "path=/posts/\n"},
		{"a b.txt\r\n", "path=a b.txt\n"},
		{"no-line-end", "path=no-line-end\n"},
		{"a\x00b\n", "Bad request\n"},
		{"a\tb\n", "Bad request\n"},
		{"caf\xe9\n", "Bad request\n"},
		{strings.Repeat("a", 5000) + "\n", "Path too long\n"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := mustGet(t, addr, tt.req); got != tt.want {
			t.Errorf("%.30q: got %q, want %q", tt.req, got, tt.want)
		}
	}
	if got := mustGet(t, startServer(t, &Server{}), "/\n"); got != NotFoundText {
		t.Errorf("nil Handler: got %q, want %q", got, NotFoundText)
	}
}

// TestServerOversizeLineIsNotRead sends far more than a path without a
// line end: the server answers after MaxPath bytes and does not wait for
// the rest.
func TestServerOversizeLineIsNotRead(t *testing.T) {
	addr := startServer(t, &Server{Handler: echoPath})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go func() { // ends when the server closes the connection
		chunk := bytes.Repeat([]byte("a"), 64<<10)
		for range 160 {
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
	}()
	got, _ := io.ReadAll(io.LimitReader(c, 100))
	if string(got) != "Path too long\n" {
		t.Errorf("got %q, want %q", got, "Path too long\n")
	}
}

func TestServerSlowClientsDoNotBlock(t *testing.T) {
	addr := startServer(t, &Server{Handler: echoPath, ReadTimeout: time.Minute, MaxConnsPerAddr: -1})
	var idle []net.Conn
	defer func() {
		for _, c := range idle {
			c.Close()
		}
	}()
	for i := range 200 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			io.WriteString(c, "/pos")
		}
		idle = append(idle, c)
	}
	if got := mustGet(t, addr, "/real\n"); got != "path=/real\n" {
		t.Errorf("real request among 200 slow ones: got %q", got)
	}
}

func TestServerReadDeadline(t *testing.T) {
	addr := startServer(t, &Server{Handler: echoPath, ReadTimeout: 50 * time.Millisecond})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, err := io.ReadAll(c); err != nil || len(got) != 0 {
		t.Errorf("idle connection: got %q, %v; want a silent close", got, err)
	}
}

func TestServerFlood(t *testing.T) {
	addr := startServer(t, &Server{Handler: echoPath, MaxConns: 8})
	var wg sync.WaitGroup
	errs := make(chan error, 300)
	for range 300 {
		wg.Add(1)
		go func() { // ends with its request
			defer wg.Done()
			got, err := nexGet(addr, "/flood\n")
			if err == nil && string(got) != "path=/flood\n" {
				err = errors.New("wrong answer " + string(got))
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestServerRateLimit(t *testing.T) {
	lim := ratelimit.New(ratelimit.Config{PerSecond: 0.001, Burst: 2})
	addr := startServer(t, &Server{Handler: echoPath, Limiter: lim})
	for i := range 2 {
		if got := mustGet(t, addr, "/\n"); got != "path=/\n" {
			t.Fatalf("request %d within the burst: %q", i, got)
		}
	}
	if got := mustGet(t, addr, "/\n"); !strings.HasPrefix(got, "Too many requests: retry in ") {
		t.Errorf("request over the limit: %q", got)
	}
}

func TestServerLogsOneLinePerRequest(t *testing.T) {
	buf := &streamtest.LockedWriter{W: new(bytes.Buffer)}
	log := slog.New(slog.NewTextHandler(buf, nil))
	addr := startServer(t, &Server{Handler: echoPath, Logger: log})
	mustGet(t, addr, "/log\n")
	mustGet(t, addr, "a\x00\n")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d log lines, want 2:\n%s", len(lines), buf.String())
	}
	for _, want := range []string{"proto=nex", "path=/log", "status=document", "bytes=10", "dur="} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("log line %q lacks %q", lines[0], want)
		}
	}
	if !strings.Contains(lines[1], "status=error") {
		t.Errorf("log line for a malformed request: %q", lines[1])
	}
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
	go func() { // ends when the server answers or closes
		b, _ := nexGet(l.Addr().String(), "/slow\n")
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
}
