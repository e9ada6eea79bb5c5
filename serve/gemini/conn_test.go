package gemini

import (
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"
)

// countingConn counts the writes that reach the socket.
type countingConn struct {
	net.Conn
	writes atomic.Int64
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// tcpPair returns the two ends of a loopback TCP connection, the server
// end behind a batchConn over a countingConn.
func tcpPair(t *testing.T) (*batchConn, *countingConn, net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	peer, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	cc := &countingConn{Conn: c}
	bc := &batchConn{Conn: cc, bufs: &buffers{}}
	t.Cleanup(func() { bc.Close(); peer.Close() })
	return bc, cc, peer
}

func TestBatchConnSendsHeldBytesBeforeReading(t *testing.T) {
	bc, cc, peer := tcpPair(t)
	io.WriteString(bc, "hello, ")
	io.WriteString(bc, "world")
	if got := cc.writes.Load(); got != 0 {
		t.Fatalf("writes to the socket before Read = %d, want 0", got)
	}
	go func() { // ends when peer has answered (or is closed by Cleanup)
		got := make([]byte, len("hello, world"))
		if _, err := io.ReadFull(peer, got); err == nil && string(got) == "hello, world" {
			peer.Write([]byte("!"))
		}
	}()
	var b [1]byte
	if _, err := bc.Read(b[:]); err != nil {
		t.Fatalf("Read: %v (the peer never got what was held?)", err)
	}
	if got := cc.writes.Load(); got != 1 {
		t.Errorf("writes to the socket = %d, want 1", got)
	}
}

func TestBatchConnGathersRecords(t *testing.T) {
	bc, cc, peer := tcpPair(t)
	record := bytes.Repeat([]byte("r"), 16<<10+22) // a full TLS record
	const n = 20
	got := make(chan []byte, 1)
	go func() { // ends when the peer has read everything or the conn closes
		b, _ := io.ReadAll(io.LimitReader(peer, int64(n*len(record))))
		got <- b
	}()
	for range n {
		if _, err := bc.Write(record); err != nil {
			t.Fatal(err)
		}
	}
	if err := bc.Flush(); err != nil {
		t.Fatal(err)
	}
	if b := <-got; !bytes.Equal(b, bytes.Repeat(record, n)) {
		t.Errorf("peer got %d bytes, want %d in order", len(b), n*len(record))
	}
	perWrite := batchSize / len(record)
	if got, want := cc.writes.Load(), int64((n+perWrite-1)/perWrite); got != want {
		t.Errorf("writes to the socket = %d, want %d", got, want)
	}
}

func TestBatchConnDeadlines(t *testing.T) {
	bc, cc, peer := tcpPair(t)
	io.WriteString(bc, "held")
	bc.SetWriteDeadline(time.Now().Add(time.Hour))
	if got := cc.writes.Load(); got != 0 {
		t.Errorf("writes after a future write deadline = %d, want 0", got)
	}
	bc.SetWriteDeadline(time.Now()) // how crypto/tls ends close_notify
	if got := cc.writes.Load(); got != 1 {
		t.Errorf("writes after a write deadline of now = %d, want 1", got)
	}
	got := make([]byte, 4)
	if _, err := io.ReadFull(peer, got); err != nil || string(got) != "held" {
		t.Errorf("peer got %q, %v; want %q", got, err, "held")
	}
	bc.SetWriteDeadline(time.Time{})
	io.WriteString(bc, "dropped")
	bc.SetDeadline(time.Unix(1, 0)) // an abort from another goroutine
	if got := cc.writes.Load(); got != 1 {
		t.Errorf("writes after SetDeadline in the past = %d, want 1 (no flush)", got)
	}
}

// TestLargeBodies fetches bodies around the batch and buffer sizes over
// real TLS, with TLS 1.2 and 1.3, and checks every byte.
func TestLargeBodies(t *testing.T) {
	sizes := []int{0, 1, responseBufferSize - 30, responseBufferSize + 1, batchSize, batchSize + 7, 1<<20 + 12345}
	fsys := fstest.MapFS{}
	want := map[string][]byte{}
	for i, n := range sizes {
		data := make([]byte, n)
		for j := range data {
			data[j] = byte(j*7 + i)
		}
		name := "f" + itoa(n) + ".bin"
		fsys[name] = &fstest.MapFile{Data: data}
		want[name] = data
	}
	ts := startServer(t, &Server{Handler: FileServer(fsys, Options{})})
	for _, ver := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		cfg := clientConfig()
		cfg.MaxVersion = ver
		for name, data := range want {
			header, body := get(t, ts.addr, ts.base()+"/"+name, cfg)
			if header != "20 application/octet-stream" || body != string(data) {
				t.Errorf("TLS %x %s: got %q and %d bytes, want 20 and %d bytes", ver, name, header, len(body), len(data))
			}
		}
	}
}
