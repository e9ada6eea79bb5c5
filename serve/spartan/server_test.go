package spartan

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

// echo answers with what it was asked, as text, and the data block.
var echo = HandlerFunc(func(w ResponseWriter, r *Request) {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		w.WriteHeader(StatusClientError, "short data")
		return
	}
	w.WriteHeader(StatusSuccess, "text/plain")
	io.WriteString(w, r.Host+" "+r.Path+" "+r.RawQuery+" "+string(data))
})

// onlyHost serves example.org, and localhost on loopback connections.
func onlyHost(host string, local net.Addr) bool {
	ta, ok := local.(*net.TCPAddr)
	return host == "example.org" || ok && ta.IP.IsLoopback() && host == "localhost"
}

func TestServerAnswers(t *testing.T) {
	addr := startServer(t, &Server{Handler: echo, HostAllowed: onlyHost, MaxUpload: 64})
	tests := []struct {
		name       string
		host, path string
		data       string
		status     Status
		meta       string
		body       string
	}{
		{"root", "example.org", "/", "", StatusSuccess, "text/plain", "example.org /  "},
		{"localhost on loopback", "localhost", "/a%20b", "", StatusSuccess, "text/plain", "localhost /a b  "},
		{"query", "example.org", "/s?x%20y", "", StatusSuccess, "text/plain", "example.org /s x%20y "},
		{"upload", "example.org", "/guestbook/submit", "Hello world!", StatusSuccess, "text/plain", "example.org /guestbook/submit  Hello world!"},
		{"upload at the cap", "example.org", "/u", strings.Repeat("x", 64), StatusSuccess, "text/plain", "example.org /u  " + strings.Repeat("x", 64)},
		{"upload over the cap", "example.org", "/u", strings.Repeat("x", 65), StatusClientError, "Data block too large: at most 64 bytes", ""},
		{"host not served", "other.org", "/", "", StatusClientError, "Host not served", ""},
		{"traversal", "example.org", "/../etc/passwd", "", StatusClientError, "Invalid path", ""},
		{"encoded traversal", "example.org", "/%2e%2e/%2e%2e/etc/passwd", "", StatusClientError, "Invalid path", ""},
		{"encoded slash", "example.org", "/..%2F..%2Fetc%2Fpasswd", "", StatusClientError, "Invalid path", ""},
		{"relative path", "example.org", "etc/passwd", "", StatusClientError, "Path must be absolute", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := mustGet(t, addr, tt.host, tt.path, []byte(tt.data))
			if rep.Status != tt.status || rep.Meta != tt.meta || string(rep.Body) != tt.body {
				t.Errorf("got %d %q %q, want %d %q %q", rep.Status, rep.Meta, rep.Body, tt.status, tt.meta, tt.body)
			}
		})
	}
}

func TestServerMalformedRequests(t *testing.T) {
	addr := startServer(t, &Server{Handler: echo, ReadTimeout: 200 * time.Millisecond})
	tests := []struct {
		name string
		raw  string
		want string
	}{
		{"bare LF", "localhost / 0\n", "4 Request line must end with CRLF\r\n"},
		{"no line end before close", "localhost / 0", "4 Request line must end with CRLF\r\n"},
		{"UTF-8", "localhost /caf\xc3\xa9 0\r\n", "4 Request must be printable ASCII\r\n"},
		{"NUL", "localhost /\x00 0\r\n", "4 Request must be printable ASCII\r\n"},
		{"Gemini URL", "spartan://localhost/\r\n", "4 Request must be: host path content-length\r\n"},
		{"HTTP", "GET / HTTP/1.0\r\n\r\n", "4 Invalid content length\r\n"},
		{"oversize line", "localhost /" + strings.Repeat("a", 5000) + " 0\r\n", "4 Request line too long\r\n"},
		{"short data block", "localhost / 10\r\nabc", "4 short data\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			io.WriteString(c, tt.raw)
			c.(*net.TCPConn).CloseWrite()
			got, _ := io.ReadAll(c)
			if string(got) != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestServerOversizeLineIsNotRead sends far more than a request line
// without a line end: the server answers after MaxRequestLine bytes and
// does not wait for (or buffer) the rest.
func TestServerOversizeLineIsNotRead(t *testing.T) {
	addr := startServer(t, &Server{Handler: echo})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go func() { // ends when the server closes the connection
		chunk := bytes.Repeat([]byte("a"), 64<<10)
		for range 160 { // 10 MB
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
	}()
	got, _ := io.ReadAll(io.LimitReader(c, 100))
	if !strings.HasPrefix(string(got), "4 Request line too long\r\n") {
		t.Errorf("got %q, want 4 Request line too long", got)
	}
}

// TestServerSlowClientsDoNotBlock opens 200 connections that send nothing
// or half a request line and checks that a real request is still answered
// while they wait; the read timeout is long, so a server that served one
// connection at a time would hang here.
func TestServerSlowClientsDoNotBlock(t *testing.T) {
	addr := startServer(t, &Server{Handler: echo, ReadTimeout: time.Minute, MaxConnsPerAddr: -1})
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
		switch i % 3 {
		case 1:
			io.WriteString(c, "localh")
		case 2:
			io.WriteString(c, "localhost /up 1000\r\nab") // a data block that never comes
		}
		idle = append(idle, c)
	}
	if rep := mustGet(t, addr, "localhost", "/", nil); rep.Status != StatusSuccess {
		t.Errorf("real request among 200 slow ones: %+v", rep)
	}
}

func TestServerReadDeadline(t *testing.T) {
	addr := startServer(t, &Server{Handler: echo, ReadTimeout: 50 * time.Millisecond})
	if got := rawExchange(t, addr, nil); len(got) != 0 {
		t.Errorf("idle connection: got %q; want a silent close", got)
	}
}

// TestServerFlood sends many requests at once over a small connection cap:
// every one is answered (the rest wait in the listen queue).
func TestServerFlood(t *testing.T) {
	addr := startServer(t, &Server{Handler: echo, MaxConns: 8})
	var wg sync.WaitGroup
	errs := make(chan error, 300)
	for range 300 {
		wg.Add(1)
		go func() { // ends with its request
			defer wg.Done()
			rep, err := spartanGet(addr, "localhost", "/flood", []byte("x"))
			if err == nil && (rep.Status != StatusSuccess || string(rep.Body) != "localhost /flood  x") {
				err = errors.New("wrong answer " + string(rep.Body))
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
	addr := startServer(t, &Server{Handler: echo, Limiter: lim})
	for i := range 2 {
		if rep := mustGet(t, addr, "localhost", "/", nil); rep.Status != StatusSuccess {
			t.Fatalf("request %d within the burst: %+v", i, rep)
		}
	}
	rep := mustGet(t, addr, "localhost", "/", nil)
	if rep.Status != StatusServerError || !strings.HasPrefix(rep.Meta, "Slow down: retry in ") {
		t.Errorf("request over the limit: %d %q, want 5 Slow down", rep.Status, rep.Meta)
	}
}

func TestServerHandlerFailures(t *testing.T) {
	tests := []struct {
		name string
		h    HandlerFunc
		want string
	}{
		{"panic", func(w ResponseWriter, r *Request) { panic("boom") }, "5 Internal server error\r\n"},
		{"nothing written", func(w ResponseWriter, r *Request) {}, "5 No response\r\n"},
		{"body after an error", func(w ResponseWriter, r *Request) {
			w.WriteHeader(StatusClientError, "Not found")
			if _, err := w.Write([]byte("x")); !errors.Is(err, ErrBodyNotAllowed) {
				panic("Write after 4 = " + err.Error())
			}
		}, "4 Not found\r\n"},
		{"write implies success", func(w ResponseWriter, r *Request) { io.WriteString(w, "# Hi\n") }, "2 text/gemini\r\n# Hi\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := startServer(t, &Server{Handler: tt.h})
			if got := rawExchange(t, addr, []byte("localhost / 0\r\n")); string(got) != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	addr := startServer(t, &Server{})
	if got := rawExchange(t, addr, []byte("localhost / 0\r\n")); string(got) != "4 Not found\r\n" {
		t.Errorf("nil Handler: got %q", got)
	}
}

func TestServerLogsOneLinePerRequest(t *testing.T) {
	buf := &streamtest.LockedWriter{W: new(bytes.Buffer)}
	log := slog.New(slog.NewTextHandler(buf, nil))
	addr := startServer(t, &Server{Handler: echo, Logger: log})
	mustGet(t, addr, "localhost", "/log?q", []byte("abc"))
	rawExchange(t, addr, []byte("bad\r\n"))
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d log lines, want 2:\n%s", len(lines), buf.String())
	}
	for _, want := range []string{"proto=spartan", "host=localhost", "path=/log?q", "status=2", "bytes=", "dur=", "upload=3"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("log line %q lacks %q", lines[0], want)
		}
	}
	if !strings.Contains(lines[1], "status=4") || !strings.Contains(lines[1], "path=bad") {
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
	answer := make(chan *reply, 1)
	go func() { // ends when the server answers or closes
		rep, _ := spartanGet(l.Addr().String(), "localhost", "/slow", nil)
		answer <- rep
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
	if rep := <-answer; rep == nil || string(rep.Body) != "finished" {
		t.Errorf("request in flight during Shutdown got %+v, want the body %q", rep, "finished")
	}
	if err := s.Serve(l); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve after Shutdown = %v, want ErrServerClosed", err)
	}
}

func TestRecorder(t *testing.T) {
	rec := NewRecorder()
	echo.ServeSpartan(rec, NewRequest("example.org /x?y 3", []byte("abc")))
	if rec.Header() != "2 text/plain\r\n" || rec.Body.String() != "example.org /x y abc" {
		t.Errorf("recorded %q %q", rec.Header(), rec.Body.String())
	}
	rec = NewRecorder()
	echo.ServeSpartan(rec, NewRequest("example.org /x 5", []byte("abc")))
	if rec.Status != StatusClientError || rec.Meta != "short data" {
		t.Errorf("short data block: recorded %d %q", rec.Status, rec.Meta)
	}
}
