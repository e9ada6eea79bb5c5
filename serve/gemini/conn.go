package gemini

import (
	"crypto/tls"
	"net"
	"sync"
	"time"
)

// batchSize is how much a batchConn gathers before it writes: a few
// full-size TLS records, so a large file leaves in 64 KiB writes (one
// segment on loopback, few on a LAN with offloads) rather than one
// syscall per 16 KiB record.
const batchSize = 64 << 10

// buffers are the Server's pools of per-connection buffers, so that a
// connection holds them only while it writes and idle connections hold
// none.
type buffers struct {
	batch  sync.Pool // *[]byte with capacity batchSize
	writer sync.Pool // *bufio.Writer of responseBufferSize
}

// listener accepts TCP connections and serves TLS over a batchConn.
type listener struct {
	net.Listener
	cfg  *tls.Config
	bufs *buffers
}

// Accept returns the next connection as a *tls.Conn (not yet handshaken).
func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return tls.Server(&batchConn{Conn: c, bufs: l.bufs}, l.cfg), nil
}

// batchConn is the TCP side of a Gemini connection. It gathers what
// crypto/tls writes and sends it in one write when the server waits for
// the peer (before every Read), when batchSize is reached, and when the
// server says so (Flush). So a TLS 1.3 session ticket leaves with the
// response, the response's records leave together, and close_notify leaves
// with the last of them. It never holds data while waiting to read, so it
// cannot stall a handshake.
//
// Held data is sent under the write deadline in force; SetWriteDeadline
// with a time not in the future sends what is held first (crypto/tls ends
// close_notify that way), while SetDeadline, which the server uses to
// abort a connection from another goroutine, does not.
type batchConn struct {
	net.Conn
	bufs *buffers

	mu  sync.Mutex
	buf *[]byte // nil while nothing is held
	err error   // first write error; every later write returns it
}

// Write holds p, writing out what is held first if p would not fit.
func (c *batchConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return 0, c.err
	}
	if c.buf != nil && len(*c.buf)+len(p) > batchSize {
		if err := c.flushLocked(); err != nil {
			return 0, err
		}
	}
	if len(p) >= batchSize {
		n, err := c.Conn.Write(p)
		c.err = err
		return n, err
	}
	if c.buf == nil {
		c.buf = c.getBuf()
	}
	*c.buf = append(*c.buf, p...)
	return len(p), nil
}

// Read sends what is held, then reads.
func (c *batchConn) Read(p []byte) (int, error) {
	if err := c.Flush(); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

// Flush sends what is held.
func (c *batchConn) Flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.flushLocked()
}

func (c *batchConn) flushLocked() error {
	if c.buf == nil {
		return c.err
	}
	b := c.buf
	c.buf = nil
	if c.err == nil && len(*b) > 0 {
		_, c.err = c.Conn.Write(*b)
	}
	*b = (*b)[:0]
	c.bufs.batch.Put(b)
	return c.err
}

func (c *batchConn) getBuf() *[]byte {
	if b, ok := c.bufs.batch.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, batchSize)
	return &b
}

// SetWriteDeadline sends what is held first when t ends writing.
func (c *batchConn) SetWriteDeadline(t time.Time) error {
	if !t.IsZero() && !t.After(time.Now()) {
		c.Flush()
	}
	return c.Conn.SetWriteDeadline(t)
}

// Close sends what is held (under the deadline in force) and closes.
func (c *batchConn) Close() error {
	c.Flush()
	return c.Conn.Close()
}

// NetConn returns the TCP connection underneath.
func (c *batchConn) NetConn() net.Conn { return c.Conn }
