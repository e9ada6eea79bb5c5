package web

import (
	"net"
	"sync"

	"github.com/gmkit/gmkit/serve/ratelimit"
)

// DefaultMaxConnsPerAddr is the connections one client address may hold
// open at once when Server.MaxConnsPerAddr is zero: as over Gemini and
// Gopher, far below DefaultMaxConns, and well above the six a browser
// opens to one host.
const DefaultMaxConnsPerAddr = 32

// perAddrListener closes, as soon as they are accepted, connections from a
// client address (ratelimit.Key: IPv4, or IPv6 per /64) that already holds
// max open ones, so that one client cannot take every place.
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
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		key := ratelimit.Key(c.RemoteAddr().String())
		l.mu.Lock()
		over := l.count[key] >= l.max
		if !over {
			l.count[key]++
		}
		l.mu.Unlock()
		if over {
			c.Close()
			continue
		}
		return &countedConn{Conn: c, release: func() { l.release(key) }}, nil
	}
}

func (l *perAddrListener) release(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.count[key]--; l.count[key] <= 0 {
		delete(l.count, key)
	}
}

// countedConn gives its place back once, on the first Close.
type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
