package web

import (
	"io"
	"net"
	"sync"

	"github.com/gmkit/gmkit/serve/ratelimit"
)

// DefaultMaxConnsPerAddr is the connections one client address may hold
// open at once when Server.MaxConnsPerAddr is zero: as over Gemini and
// Gopher, far below DefaultMaxConns, and well above the six a browser
// opens to one host.
const DefaultMaxConnsPerAddr = 32

// perAddrListener closes connections from a client address (ratelimit.Key:
// IPv4, or IPv6 per /64) that already holds max open ones, so that one
// client cannot take every place. The address is looked at on the
// connection's first read, in its own goroutine, not in the accept loop: a
// listener that reads to learn it (the PROXY protocol) cannot stall
// accepting.
type perAddrListener struct {
	net.Listener
	max int

	mu    sync.Mutex
	count map[string]int
}

func limitPerAddr(l net.Listener, max int) net.Listener {
	if max <= 0 {
		return l
	}
	return &perAddrListener{Listener: l, max: max, count: map[string]int{}}
}

func (l *perAddrListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countedConn{Conn: c, l: l}, nil
}

// take counts a connection from key; false when key holds max already.
func (l *perAddrListener) take(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.count[key] >= l.max {
		return false
	}
	l.count[key]++
	return true
}

func (l *perAddrListener) release(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.count[key]--; l.count[key] <= 0 {
		delete(l.count, key)
	}
}

// countedConn takes its place on the first Read and gives it back on the
// first Close.
type countedConn struct {
	net.Conn
	l       *perAddrListener
	check   sync.Once
	over    bool
	key     string
	counted bool
	closed  sync.Once
}

func (c *countedConn) Read(p []byte) (int, error) {
	c.check.Do(func() {
		c.key = ratelimit.Key(c.Conn.RemoteAddr().String())
		c.counted = c.l.take(c.key)
		c.over = !c.counted
	})
	if c.over {
		c.Close()
		return 0, io.EOF
	}
	return c.Conn.Read(p)
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.closed.Do(func() {
		c.check.Do(func() {}) // a connection closed unread never counts
		if c.counted {
			c.l.release(c.key)
		}
	})
	return err
}
