// Package streamtest holds what the tests and benchmarks of the servers
// built on serve/stream share: a server started on a loopback port for the
// length of a test, a log writer safe for the server's goroutines, and a
// load of one-request connections from many clients.
package streamtest

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gmkit/gmkit/serve/stream"
)

// A Server is what the protocol packages' Server types have in common.
type Server interface {
	Serve(l net.Listener) error
	Close() error
}

// Start serves s on a fresh 127.0.0.1 port and returns its address. When
// the test ends, s is closed and Serve must have returned
// stream.ErrServerClosed.
func Start(t testing.TB, s Server) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(l) }() // ends when s is closed below
	t.Cleanup(func() {
		s.Close()
		if err := <-errc; !errors.Is(err, stream.ErrServerClosed) {
			t.Errorf("Serve = %v, want ErrServerClosed", err)
		}
	})
	return l.Addr().String()
}

// A LockedWriter serializes writes to W, for a log written by many
// connections at once and read by the test.
type LockedWriter struct {
	mu sync.Mutex
	W  io.Writer
}

// Write writes p to W under the lock.
func (l *LockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.W.Write(p)
}

// String returns what was written when W is a fmt.Stringer (a
// bytes.Buffer or strings.Builder), read under the lock.
func (l *LockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s, ok := l.W.(interface{ String() string }); ok {
		return s.String()
	}
	return ""
}

// Load sends req to addr b.N times (see Fetch) from clients connections
// at a time, fails b on a wrong answer, reports requests per second
// ("req/s") and returns that rate.
func Load(b *testing.B, addr, req string, wantLen, clients int) float64 {
	b.Helper()
	b.ResetTimer()
	start := time.Now()
	err := Fetch(addr, req, wantLen, b.N, clients)
	elapsed := time.Since(start)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	rate := float64(b.N) / elapsed.Seconds()
	b.ReportMetric(rate, "req/s")
	return rate
}

// Fetch sends req to addr n times, one connection per request, from
// clients connections at a time, and checks that every answer is wantLen
// bytes. It returns the first failure.
func Fetch(addr, req string, wantLen, n, clients int) error {
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() { // ends when the n requests are taken
			defer wg.Done()
			buf := make([]byte, 64<<10)
			for next.Add(1) <= int64(n) {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					failed.Store(err)
					return
				}
				io.WriteString(c, req)
				got := 0
				for {
					m, err := c.Read(buf)
					got += m
					if err != nil {
						break
					}
				}
				c.Close()
				if got != wantLen {
					failed.Store(fmt.Errorf("answer of %d bytes, want %d", got, wantLen))
					return
				}
			}
		}()
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		return err
	}
	return nil
}
