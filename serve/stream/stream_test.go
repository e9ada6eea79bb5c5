package stream

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// start serves s on a loopback listener and returns its address and a
// function that closes the server and returns Serve's error.
func start(t *testing.T, s *Server) (addr string, stop func() error) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(l) }()
	var once atomic.Bool
	var serr error
	stop = func() error {
		if once.CompareAndSwap(false, true) {
			s.Close()
			serr = <-errc
		}
		return serr
	}
	t.Cleanup(func() { stop() })
	return l.Addr().String(), stop
}

// echoLine answers "ok <line>" to one line.
func echoLine(ctx context.Context, c net.Conn) {
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return
	}
	io.WriteString(c, "ok "+line)
}

func roundTrip(t *testing.T, addr, req string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, req)
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(b)
}

func TestServe(t *testing.T) {
	s := &Server{Handler: echoLine}
	addr, stop := start(t, s)
	if got, want := roundTrip(t, addr, "hello\r\n"), "ok hello\r\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if err := stop(); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve returned %v, want ErrServerClosed", err)
	}
	if err := s.Serve(nil); !errors.Is(err, ErrServerClosed) && err != nil {
		t.Errorf("Serve after Close = %v", err)
	}
}

func TestServeAfterCloseClosesListener(t *testing.T) {
	s := &Server{Handler: echoLine}
	s.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Serve(l); !errors.Is(err, ErrServerClosed) {
		t.Errorf("got %v, want ErrServerClosed", err)
	}
	if _, err := l.Accept(); err == nil {
		t.Error("listener still open")
	}
}

func TestPanicRecovered(t *testing.T) {
	s := &Server{Handler: func(ctx context.Context, c net.Conn) {
		line, _ := bufio.NewReader(c).ReadString('\n')
		if strings.HasPrefix(line, "boom") {
			panic("boom")
		}
		io.WriteString(c, "fine\n")
	}}
	addr, _ := start(t, s)
	if got := roundTrip(t, addr, "boom\n"); got != "" {
		t.Errorf("got %q after a panic, want nothing", got)
	}
	if got := roundTrip(t, addr, "again\n"); got != "fine\n" {
		t.Errorf("got %q, want %q: the server died with the panic", got, "fine\n")
	}
}

func TestIdleClientsDoNotBlock(t *testing.T) {
	// One address here: the per-address cap is the subject of
	// TestFloodFromOneAddressDoesNotDelayAnother.
	s := &Server{Handler: echoLine, MaxConnsPerAddr: -1}
	addr, _ := start(t, s)
	var idle []net.Conn
	for i := 0; i < 200; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte("x")) // one byte, then silence
		idle = append(idle, c)
	}
	defer func() {
		for _, c := range idle {
			c.Close()
		}
	}()
	if got := roundTrip(t, addr, "real\n"); got != "ok real\n" {
		t.Errorf("got %q, want %q", got, "ok real\n")
	}
}

func TestReadTimeoutCutsIdle(t *testing.T) {
	s := &Server{Handler: echoLine, ReadTimeout: 50 * time.Millisecond}
	addr, _ := start(t, s)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	b, err := io.ReadAll(c) // returns once the server gives up
	if err != nil || len(b) != 0 {
		t.Errorf("got %q, %v; want empty read and EOF", b, err)
	}
}

func TestMaxConns(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 4)
	s := &Server{MaxConns: 1, Handler: func(ctx context.Context, c net.Conn) {
		entered <- struct{}{}
		<-release
		io.WriteString(c, "done\n")
	}}
	addr, _ := start(t, s)
	results := make(chan string, 2)
	for i := 0; i < 2; i++ {
		go func() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				results <- err.Error()
				return
			}
			defer c.Close()
			b, _ := io.ReadAll(c)
			results <- string(b)
		}()
	}
	<-entered
	select {
	case <-entered:
		t.Fatal("second connection served while the cap of 1 was reached")
	case <-time.After(50 * time.Millisecond):
	}
	if got := s.ActiveConns(); got != 1 {
		t.Errorf("ActiveConns = %d, want 1", got)
	}
	close(release)
	<-entered
	for i := 0; i < 2; i++ {
		if got := <-results; got != "done\n" {
			t.Errorf("got %q, want %q", got, "done\n")
		}
	}
}

func TestShutdownWaitsForInFlight(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	s := &Server{Handler: func(ctx context.Context, c net.Conn) {
		close(entered)
		<-release
		io.WriteString(c, "finished\n")
	}}
	addr, _ := start(t, s)
	got := make(chan string, 1)
	go func() {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			got <- err.Error()
			return
		}
		defer c.Close()
		b, _ := io.ReadAll(c)
		got <- string(b)
	}()
	<-entered
	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()
	// New connections are refused once shutdown started.
	for {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		c.Close()
		time.Sleep(time.Millisecond)
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v with a request in flight", err)
	default:
	}
	close(release)
	if err := <-shut; err != nil {
		t.Errorf("Shutdown = %v, want nil", err)
	}
	if g := <-got; g != "finished\n" {
		t.Errorf("in-flight client got %q, want %q", g, "finished\n")
	}
}

func TestShutdownGraceEnds(t *testing.T) {
	entered := make(chan struct{})
	s := &Server{Handler: func(ctx context.Context, c net.Conn) {
		close(entered)
		<-ctx.Done() // a handler that only stops when told
	}}
	addr, _ := start(t, s)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown = %v, want context.Canceled", err)
	}
	if n := s.ActiveConns(); n != 0 {
		t.Errorf("ActiveConns = %d after Shutdown, want 0", n)
	}
}

type denyAll struct{}

func (denyAll) Allow(string) (bool, time.Duration) { return false, 3 * time.Second }

func TestLimiter(t *testing.T) {
	s := &Server{
		Handler: echoLine,
		Limiter: denyAll{},
		OnLimited: func(ctx context.Context, c net.Conn, retry time.Duration) {
			io.WriteString(c, "slow down "+retry.String()+"\n")
		},
	}
	addr, _ := start(t, s)
	if got, want := roundTrip(t, addr, "hi\n"), "slow down 3s\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestResponseSurvivesUnreadInput(t *testing.T) {
	// The handler answers without reading everything the client sent; the
	// close must not become a reset that discards the answer.
	s := &Server{Handler: func(ctx context.Context, c net.Conn) {
		buf := make([]byte, 16)
		io.ReadFull(c, buf)
		io.WriteString(c, "answer\n")
	}}
	addr, _ := start(t, s)
	if got := roundTrip(t, addr, strings.Repeat("a", 8192)); got != "answer\n" {
		t.Errorf("got %q, want %q", got, "answer\n")
	}
}

// dialFrom connects to addr from the loopback address src (127.0.0.2 and
// friends all reach the machine itself on Linux), so one test can play
// several client addresses.
func dialFrom(t *testing.T, src, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Skipf("cannot dial from %s (needs the whole 127.0.0.0/8 on loopback): %v", src, err)
	}
	return c
}

func TestFloodFromOneAddressDoesNotDelayAnother(t *testing.T) {
	// Handlers hold every connection until the test ends, as idle clients
	// would until the read deadline; the cap of 8 connections is the whole
	// server.
	release := make(chan struct{})
	s := &Server{MaxConns: 8, MaxConnsPerAddr: 3, ReadTimeout: time.Hour, Handler: func(ctx context.Context, c net.Conn) {
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			return
		}
		if line == "hold\n" {
			select {
			case <-release:
			case <-ctx.Done():
			}
		}
		io.WriteString(c, "ok "+line)
	}}
	addr, _ := start(t, s)
	defer close(release)

	var flood []net.Conn
	defer func() {
		for _, c := range flood {
			c.Close()
		}
	}()
	const n = 20
	for range n {
		c := dialFrom(t, "127.0.0.2", addr)
		io.WriteString(c, "hold\n")
		flood = append(flood, c)
	}
	// The connections over the per-address cap are closed at once; the
	// others stay open.
	eofs := make(chan struct{}, n)
	for _, c := range flood {
		go func() {
			if _, err := c.Read(make([]byte, 1)); err != nil {
				eofs <- struct{}{}
			}
		}()
	}

	// Another address is served while the flood holds its connections. If
	// it were not, it would wait for a flood connection to end, which only
	// happens when the test gives up: fail rather than hang.
	got := make(chan string, 1)
	go func() {
		c := dialFrom(t, "127.0.0.1", addr)
		defer c.Close()
		io.WriteString(c, "real\n")
		b, _ := io.ReadAll(c)
		got <- string(b)
	}()
	select {
	case g := <-got:
		if g != "ok real\n" {
			t.Errorf("got %q, want %q", g, "ok real\n")
		}
	case <-time.After(time.Minute):
		t.Fatal("a request from 127.0.0.1 was not served while 127.0.0.2 held every connection")
	}
	for i := range n - 3 {
		select {
		case <-eofs:
		case <-time.After(time.Minute):
			t.Fatalf("%d flood connections were closed, want %d", i, n-3)
		}
	}
	s.mu.Lock()
	held := s.perAddr["127.0.0.2"]
	s.mu.Unlock()
	if held != 3 {
		t.Errorf("%d connections from 127.0.0.2 are served, want 3 (the per-address cap)", held)
	}
}
