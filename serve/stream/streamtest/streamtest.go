// Package streamtest holds what the tests of the servers built on
// serve/stream share: a server started on a loopback port for the length
// of a test, and a log writer safe for the server's goroutines.
package streamtest

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"

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
