package guppy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
)

// rawClient speaks Guppy packet by packet, for checks the Client hides.
type rawClient struct {
	t    testing.TB
	conn *net.UDPConn
	buf  []byte
}

func newRawClient(t testing.TB, addr string) *rawClient {
	t.Helper()
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialUDP("udp", nil, ua)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return &rawClient{t: t, conn: conn, buf: make([]byte, 64<<10)}
}

func (c *rawClient) send(s string) {
	c.t.Helper()
	if _, err := c.conn.Write([]byte(s)); err != nil {
		c.t.Fatal(err)
	}
}

func (c *rawClient) ack(seq uint32) { c.send(fmt.Sprintf("%d\r\n", seq)) }

// recv returns the next datagram, or ok=false if none came within wait.
func (c *rawClient) recv(wait time.Duration) (raw []byte, ok bool) {
	c.t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(wait))
	n, err := c.conn.Read(c.buf)
	if err != nil {
		return nil, false
	}
	return append([]byte(nil), c.buf[:n]...), true
}

// must returns the next packet, waiting as long as the test runs.
func (c *rawClient) must() Packet {
	c.t.Helper()
	for c.t.Context().Err() == nil {
		raw, ok := c.recv(time.Second)
		if !ok {
			continue
		}
		p, err := ParseServerPacket(raw)
		if err != nil {
			c.t.Fatalf("server sent %q: %v", raw, err)
		}
		return p
	}
	c.t.Fatal("no packet")
	return Packet{}
}

func staticHandler(body []byte) Handler {
	return HandlerFunc(func(w ResponseWriter, r *Request) {
		w.WriteHeader(StatusSuccess, "text/gemini")
		_, _ = w.Write(body)
	})
}

func randomBody(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	return b
}

func TestExactBytes(t *testing.T) {
	fsys := fstest.MapFS{
		"small.gmi": {Data: []byte("# Small\n\nOne chunk.\n")},
		"empty.gmi": {Data: nil},
		"edge.bin":  {Data: randomBody(512, 1)},
		"edge2.bin": {Data: randomBody(513, 2)},
		"big.bin":   {Data: randomBody(100_000, 3)},
		"huge.bin":  {Data: randomBody(1_000_003, 4)},
	}
	addr := startServer(t, fastServer(FileServer(fsys, Options{})))
	c := fastClient()
	for name, f := range fsys {
		t.Run(name, func(t *testing.T) {
			resp := getOK(t, c, "guppy://"+addr+"/"+name)
			if resp.Status != StatusSuccess || !bytes.Equal(resp.Body, f.Data) {
				t.Errorf("got status %d, %d bytes, want 2 and %d identical bytes", resp.Status, len(resp.Body), len(f.Data))
			}
		})
	}
}

// TestWire checks one transfer packet by packet: a one-chunk response is a
// success then an empty EOF; a many-chunk one starts with a first packet of
// half of three times the request (the amplification bound, leaving room
// to send it twice), sends nothing else before the first ack, then
// consecutive numbers.
func TestWire(t *testing.T) {
	body := randomBody(5000, 5)
	addr := startServer(t, fastServer(HandlerFunc(func(w ResponseWriter, r *Request) {
		if r.URL.Path == "/small" {
			_, _ = w.Write([]byte("hi\n"))
			return
		}
		w.WriteHeader(StatusSuccess, "application/octet-stream")
		_, _ = w.Write(body)
	})))

	c := newRawClient(t, addr)
	c.send("guppy://" + addr + "/small\r\n")
	p := c.must()
	if p.Kind != KindSuccess || p.Meta != "text/gemini" || string(p.Data) != "hi\n" || p.Seq < MinSeq {
		t.Fatalf("got %+v, want success 'hi'", p)
	}
	c.ack(p.Seq)
	eof := c.must()
	for eof.Seq == p.Seq { // a retransmission sent before the ack arrived
		eof = c.must()
	}
	if eof.Kind != KindEOF || eof.Seq != p.Seq+1 {
		t.Fatalf("got %+v, want EOF %d", eof, p.Seq+1)
	}
	c.ack(eof.Seq)

	c = newRawClient(t, addr)
	req := "guppy://" + addr + "/big\r\n"
	c.send(req)
	first := c.must()
	// Half of three times the request, less the header.
	want := 3*len(req)/2 - (maxSeqHeader + 1 + len("application/octet-stream"))
	if first.Kind != KindSuccess || len(first.Data) != want {
		t.Fatalf("got %v with %d bytes, want success with %d", first.Kind, len(first.Data), want)
	}
	// Before the ack only the same first packet may come again.
	if raw, ok := c.recv(5 * time.Millisecond); ok {
		if p, _ := ParseServerPacket(raw); p.Seq != first.Seq {
			t.Fatalf("got packet %d before acking %d", p.Seq, first.Seq)
		}
	}
	c.ack(first.Seq)
	got := append([]byte(nil), first.Data...)
	next := first.Seq + 1
	for {
		p := c.must()
		if p.Seq < next { // a retransmission we already have
			c.ack(p.Seq)
			continue
		}
		if p.Seq != next {
			t.Fatalf("got packet %d, want %d (no loss on loopback)", p.Seq, next)
		}
		if len(p.Data)+maxSeqHeader > MaxDatagram {
			t.Fatalf("packet %d carries %d bytes", p.Seq, len(p.Data))
		}
		c.ack(p.Seq)
		next++
		if p.Kind == KindEOF {
			break
		}
		got = append(got, p.Data...)
	}
	if !bytes.Equal(got, body) {
		t.Errorf("reassembled %d bytes, want %d identical", len(got), len(body))
	}
}

func TestLossyTransfers(t *testing.T) {
	body := randomBody(60_000, 6)
	tests := []struct {
		name     string
		up, down lossy
	}{
		{"20% loss", lossy{Drop: 0.2}, lossy{Drop: 0.2}},
		{"duplicates", lossy{Dup: 0.5}, lossy{Dup: 0.5}},
		{"reordering", lossy{Reorder: 0.3}, lossy{Reorder: 0.3}},
		{"everything", lossy{Drop: 0.1, Dup: 0.2, Reorder: 0.2}, lossy{Drop: 0.1, Dup: 0.2, Reorder: 0.2}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fastServer(staticHandler(body))
			addr := startServer(t, srv)
			for run := range 3 {
				px := newProxy(t, addr, uint64(100*i+run), tt.up, tt.down)
				resp := getOK(t, fastClient(), "guppy://"+px.Addr()+"/")
				if !bytes.Equal(resp.Body, body) {
					t.Fatalf("run %d: got %d bytes, want %d identical", run, len(resp.Body), len(body))
				}
				px.Close()
			}
			waitFor(t, "sessions to end", func() bool { return srv.Stats().Sessions == 0 })
			st := srv.Stats()
			if st.Completed+st.TimedOut != 3 {
				t.Errorf("completed %d + timed out %d sessions, want 3 in all", st.Completed, st.TimedOut)
			}
			if tt.up.Dup > 0 && st.DuplicateAcks == 0 {
				t.Errorf("no duplicate acks counted with %v duplication", tt.up.Dup)
			}
		})
	}
}

// TestAckIsExact: an ack names one packet. Acking every packet but one
// must not complete the transfer, and the missing one is sent again.
func TestAckIsExact(t *testing.T) {
	body := randomBody(3000, 7) // 512 + 1200 + 1200 + 88: four data packets and EOF
	srv := fastServer(staticHandler(body))
	addr := startServer(t, srv)
	c := newRawClient(t, addr)
	c.send("guppy://" + addr + "/\r\n")
	first := c.must()
	c.ack(first.Seq)
	skip := first.Seq + 1
	c.send(fmt.Sprintf("0%d\r\n", skip)) // not canonical: ignored
	seen := map[uint32]int{}
	for seen[skip] < 2 {
		p := c.must()
		seen[p.Seq]++
		if p.Seq != skip {
			c.ack(p.Seq)
			c.ack(p.Seq) // duplicate acks change nothing
		}
	}
	if st := srv.Stats(); st.Completed != 0 || st.Malformed != 1 {
		t.Fatalf("before acking %d: completed %d, malformed %d; want 0 and 1", skip, st.Completed, st.Malformed)
	}
	c.ack(skip)
	waitFor(t, "completion", func() bool { return srv.Stats().Completed == 1 })
	if st := srv.Stats(); st.DuplicateAcks == 0 {
		t.Errorf("duplicate acks: got 0 counted")
	}
}

func TestInputRedirectError(t *testing.T) {
	mux := HandlerFunc(func(w ResponseWriter, r *Request) {
		switch r.URL.Path {
		case "/hello":
			if r.URL.RawQuery == "" {
				w.WriteHeader(StatusInput, "Your name?")
				return
			}
			name, _ := url.PathUnescape(r.URL.RawQuery)
			_, _ = io.WriteString(w, "Hello, "+name+"!\n")
		case "/old":
			w.WriteHeader(StatusRedirect, "/new")
		default:
			FileServer(fstest.MapFS{"dir/index.gmi": {Data: []byte("d")}}, Options{}).ServeGuppy(w, r)
		}
	})
	srv := fastServer(mux)
	addr := startServer(t, srv)
	c := fastClient()
	base := "guppy://" + addr
	tests := []struct {
		url    string
		status Status
		meta   string
		body   string
	}{
		{base + "/hello", StatusInput, "Your name?", ""},
		{base + "/hello?J%C3%BCrgen%20X", StatusSuccess, "text/gemini", "Hello, J\u00fcrgen X!\n"},
		{base + "/old", StatusRedirect, "/new", ""},
		{base + "/dir", StatusRedirect, "/dir/", ""},
		{base + "/dir/", StatusSuccess, "text/gemini; charset=utf-8", "d"},
		{base + "/missing", StatusError, "not found", ""},
		{"guppy://" + addr + "/../../etc/passwd", StatusError, "bad request", ""},
	}
	for _, tt := range tests {
		resp := getOK(t, c, tt.url)
		if resp.Status != tt.status || resp.Meta != tt.meta || string(resp.Body) != tt.body {
			t.Errorf("%s: got %d %q %q, want %d %q %q", tt.url, resp.Status, resp.Meta, resp.Body, tt.status, tt.meta, tt.body)
		}
	}
	// Another scheme is refused by the server itself.
	rc := newRawClient(t, addr)
	rc.send("gemini://" + addr + "/\r\n")
	if p := rc.must(); p.Kind != KindError {
		t.Errorf("gemini:// request: got %+v, want an error packet", p)
	}
}

// TestStatusResentForRepeatedRequest: input, redirect and error packets are
// never acked, so a repeated request is answered again, a bounded number of
// times, without running the handler again.
func TestStatusResentForRepeatedRequest(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	srv := fastServer(HandlerFunc(func(w ResponseWriter, r *Request) {
		mu.Lock()
		calls++
		mu.Unlock()
		w.WriteHeader(StatusInput, "Query?")
	}))
	addr := startServer(t, srv)
	c := newRawClient(t, addr)
	req := "guppy://" + addr + "/q\r\n"
	c.send(req)
	if p := c.must(); p.Kind != KindInput {
		t.Fatalf("got %+v, want input", p)
	}
	got := 0
	for range 10 {
		c.send(req)
		if _, ok := c.recv(50 * time.Millisecond); ok {
			got++
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if calls != 1 || got != srv.config().firstRetx {
		t.Errorf("handler ran %d times and %d repeats were answered; want 1 and %d", calls, got, srv.config().firstRetx)
	}
}

// TestAmplification plays a forged source address over real UDP: a socket
// that sends requests and never acknowledges anything. Everything the
// server sends it, retransmissions and answers to repeated requests
// included, must stay within three times the bytes it sent (QUIC's
// anti-amplification rule), whatever the answer: a large body, an error
// with a long message, a long redirect.
func TestAmplification(t *testing.T) {
	long := strings.Repeat("x", 400)
	tests := []struct {
		name    string
		h       Handler
		repeats int
	}{
		{"body", staticHandler(bytes.Repeat([]byte("amplify "), 20_000)), 0},
		{"body, repeated requests", staticHandler(bytes.Repeat([]byte("amplify "), 20_000)), 20},
		{"error", HandlerFunc(func(w ResponseWriter, r *Request) { w.WriteHeader(StatusError, "no: "+long) }), 0},
		{"error, repeated requests", HandlerFunc(func(w ResponseWriter, r *Request) { w.WriteHeader(StatusError, "no: "+long) }), 20},
		{"redirect, repeated requests", HandlerFunc(func(w ResponseWriter, r *Request) { w.WriteHeader(StatusRedirect, "/"+long) }), 20},
		{"lang", HandlerFunc(func(w ResponseWriter, r *Request) {
			w.WriteHeader(StatusSuccess, "text/gemini; charset=utf-8; lang=en-GB")
			w.Write(bytes.Repeat([]byte("amplify "), 500))
		}), 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fastServer(tt.h)
			srv.InitialRTO = 5 * time.Millisecond
			addr := startServer(t, srv)
			c := newRawClient(t, addr)
			req := "guppy://" + addr + "/\r\n"
			sent := 0
			for range 1 + tt.repeats {
				c.send(req)
				sent += len(req)
			}
			packets, got := 0, 0
			drain := func(wait time.Duration) {
				for {
					raw, ok := c.recv(wait)
					if !ok {
						return
					}
					packets++
					got += len(raw)
				}
			}
			waitFor(t, "every request to arrive and the session to end", func() bool {
				drain(time.Millisecond)
				st := srv.Stats()
				return st.Requests+st.Duplicates == uint64(1+tt.repeats) && st.Sessions == 0
			})
			drain(50 * time.Millisecond) // anything still on its way
			if got > 3*sent {
				t.Errorf("a source that never acks sent %d bytes and got %d in %d packets; want at most %d (3x)", sent, got, packets, 3*sent)
			}
			t.Logf("never-acking source: sent %d bytes, got %d bytes in %d packets", sent, got, packets)
		})
	}
}

// TestSmallFirstChunk: the first packet of an answer fits in three times the
// request, nothing else is sent until the client acknowledged it, and the
// whole answer then follows.
func TestSmallFirstChunk(t *testing.T) {
	body := randomBody(5000, 3)
	srv := fastServer(staticHandler(body))
	addr := startServer(t, srv)
	c := newRawClient(t, addr)
	req := "guppy://" + addr + "/\r\n"
	c.send(req)
	first := c.must()
	if n := len(first.Append(nil)); n > 3*len(req) {
		t.Fatalf("first packet is %d bytes for a %d-byte request; want at most %d", n, len(req), 3*len(req))
	}
	for { // only the first packet again (the timer), until acknowledged
		raw, ok := c.recv(100 * time.Millisecond)
		if !ok {
			break
		}
		if p, _ := ParseServerPacket(raw); p.Seq != first.Seq {
			t.Fatalf("packet %d came before %d was acknowledged", p.Seq, first.Seq)
		}
	}
	// The reference client's way: ack everything, collect in order.
	resp := getOK(t, fastClient(), "guppy://"+addr+"/")
	if !bytes.Equal(resp.Body, body) {
		t.Errorf("body: got %d bytes, want the %d sent", len(resp.Body), len(body))
	}
}

// TestHostNotServed: a request for a host the server does not serve is
// answered with an error, as Gemini answers 53, and reaches no handler.
func TestHostNotServed(t *testing.T) {
	var mu sync.Mutex
	var hosts []string
	srv := fastServer(HandlerFunc(func(w ResponseWriter, r *Request) {
		mu.Lock()
		hosts = append(hosts, r.URL.Hostname())
		mu.Unlock()
		w.WriteHeader(StatusSuccess, "text/gemini")
		io.WriteString(w, "hi\n")
	}))
	srv.Hostnames = []string{"Example.org"}
	addr := startServer(t, srv)
	_, port, _ := net.SplitHostPort(addr)
	tests := []struct {
		host string
		ok   bool
	}{
		{"example.org", true},
		{"EXAMPLE.ORG.", true},
		{"localhost", true}, // a loopback client
		{"127.0.0.1", true},
		{"other.example", false},
		{"example.org.evil", false},
	}
	for _, tt := range tests {
		c := newRawClient(t, addr)
		c.send("guppy://" + net.JoinHostPort(tt.host, port) + "/\r\n")
		p := c.must()
		if tt.ok && p.Kind != KindSuccess || !tt.ok && (p.Kind != KindError || p.Meta != "host not served") {
			t.Errorf("%s: got %v %q, want ok=%v (an error \"host not served\" otherwise)", tt.host, p.Kind, p.Meta, tt.ok)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(hosts) != 4 {
		t.Errorf("the handler saw %v, want only the served hosts", hosts)
	}
}

func TestSessionTimeout(t *testing.T) {
	srv := fastServer(staticHandler(randomBody(20_000, 8)))
	srv.Timeout = 150 * time.Millisecond
	srv.MaxRTO = 20 * time.Millisecond
	srv.MaxRetransmits = 1000 // only the timeout may end it
	addr := startServer(t, srv)
	c := newRawClient(t, addr)
	c.send("guppy://" + addr + "/\r\n")
	c.ack(c.must().Seq) // then silence
	waitFor(t, "the session to time out", func() bool { return srv.Stats().TimedOut == 1 })
	if st := srv.Stats(); st.Sessions != 0 || st.Completed != 0 {
		t.Errorf("after timeout: %d sessions, %d completed; want 0 and 0", st.Sessions, st.Completed)
	}
}

func TestQueuedRequestExpires(t *testing.T) {
	release := make(chan struct{})
	srv := fastServer(HandlerFunc(func(w ResponseWriter, r *Request) {
		if r.URL.Path == "/block" {
			<-release
		}
		_, _ = io.WriteString(w, "ok")
	}))
	srv.Workers = 1
	srv.Timeout = 100 * time.Millisecond
	addr := startServer(t, srv)
	blocker := newRawClient(t, addr)
	blocker.send("guppy://" + addr + "/block\r\n")
	waitFor(t, "the worker to be busy", func() bool { return srv.Stats().Requests == 1 })
	queued := newRawClient(t, addr)
	start := time.Now()
	queued.send("guppy://" + addr + "/queued\r\n")
	waitFor(t, "the request to be queued", func() bool { return srv.Stats().Requests == 2 })
	for time.Since(start) < 2*srv.Timeout {
		time.Sleep(10 * time.Millisecond)
	}
	close(release)
	waitFor(t, "the queued request to be dropped", func() bool { return srv.Stats().Expired == 1 })
	if _, ok := queued.recv(30 * time.Millisecond); ok {
		t.Errorf("an expired request was answered")
	}
}

// TestMalformedAndOversized: a datagram that is a request line with a URL
// the server refuses, or a request over 2048 bytes, gets an error packet
// naming the problem, as long as it is no larger than three times the
// datagram (the address is unproven); anything that is not a request line
// at all (no CRLF, an empty line, an ack for nothing) gets nothing. None
// opens a session or reaches the handler.
func TestMalformedAndOversized(t *testing.T) {
	srv := fastServer(staticHandler([]byte("x")))
	addr := startServer(t, srv)
	tests := []struct {
		send, want string // want "" means no answer
	}{
		{"hello", ""},
		{"guppy://h/\n", ""},
		{"\r\n", ""},
		{"0006\r\n", ""},
		{"123456\r\n", ""}, // an ack for nothing
		{"u\r\n", ""},      // too short for any answer within 3x
		{"not a url\r\n", "URL is not absolute"},
		{"guppy://u@h/\r\n", "URL has user information"},
		{"guppy://h/#frag\r\n", "URL has a fragment"},
		{"guppy://h/" + strings.Repeat("x", 3000) + "\r\n", "request over 2048 bytes"},
	}
	for _, tt := range tests {
		c := newRawClient(t, addr)
		c.send(tt.send)
		raw, ok := c.recv(200 * time.Millisecond)
		switch {
		case tt.want == "" && ok:
			t.Errorf("%.40q: got %q, want no answer", tt.send, raw)
		case tt.want != "" && !ok:
			t.Errorf("%.40q: no answer, want 4 %s", tt.send, tt.want)
		case tt.want != "":
			p, err := ParseServerPacket(raw)
			if err != nil || p.Kind != KindError || !strings.Contains(p.Meta, tt.want) {
				t.Errorf("%.40q: got %q, want an error packet saying %q", tt.send, raw, tt.want)
			}
			if len(raw) > 3*len(tt.send) {
				t.Errorf("%.40q: a %d-byte answer to %d bytes is over 3x", tt.send, len(raw), len(tt.send))
			}
		}
	}
	if st := srv.Stats(); st.Requests != 0 || st.Malformed != 8 || st.Oversized != 1 || st.StrayAcks != 1 {
		t.Errorf("got %d sessions, %d malformed, %d oversized, %d stray acks; want 0, 8, 1, 1", st.Requests, st.Malformed, st.Oversized, st.StrayAcks)
	}
}

func TestSessionLimits(t *testing.T) {
	release := make(chan struct{})
	srv := fastServer(HandlerFunc(func(w ResponseWriter, r *Request) {
		<-release
		_, _ = io.WriteString(w, "ok")
	}))
	srv.MaxSessionsPerAddr = 2
	addr := startServer(t, srv)
	for range 3 {
		newRawClient(t, addr).send("guppy://" + addr + "/\r\n")
	}
	waitFor(t, "the third request to be refused", func() bool { return srv.Stats().Refused == 1 })
	close(release)
	if st := srv.Stats(); st.Requests != 2 {
		t.Errorf("got %d sessions opened, want 2", st.Requests)
	}
}

func TestConcurrentSessions(t *testing.T) {
	n := 500
	if testing.Short() {
		n = 100
	}
	body := randomBody(3000, 9)
	srv := fastServer(staticHandler(body))
	srv.MaxSessions = 2 * n
	srv.MaxSessionsPerAddr = 2 * n
	// Under the race detector 500 clients on two cores answer slowly:
	// give the first packet the production-sized patience.
	srv.InitialRTO = 300 * time.Millisecond
	srv.MaxRTO = time.Second
	addr := startServer(t, srv)
	c := fastClient()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			resp, err := c.Get(t.Context(), fmt.Sprintf("guppy://%s/%d", addr, i))
			switch {
			case err != nil:
				errs <- err
			case !bytes.Equal(resp.Body, body):
				errs <- fmt.Errorf("client %d: %d bytes, want %d", i, len(resp.Body), len(body))
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Every client has its body; the server finishes a session when the
	// last ack arrives (or gives up on it if that ack was lost). On a busy
	// machine a client that stalls starts again from a new port, which is a
	// new session: so wait for no session to be open rather than for a
	// count of n.
	waitFor(t, "every session to end", func() bool { return srv.Stats().Sessions == 0 })
	st := srv.Stats()
	if st.Requests < uint64(n) || st.Refused != 0 {
		t.Errorf("opened %d sessions and refused %d requests, want at least %d and 0 (stats %+v)", st.Requests, st.Refused, n, st)
	}
	if ended := st.Completed + st.TimedOut + st.Expired; ended != st.Requests {
		t.Errorf("%d sessions ended of %d opened (stats %+v)", ended, st.Requests, st)
	}
	t.Logf("stats: %+v", srv.Stats())
}

func TestHandlerPanic(t *testing.T) {
	var logs bytes.Buffer
	srv := fastServer(HandlerFunc(func(w ResponseWriter, r *Request) {
		_, _ = io.WriteString(w, "partial")
		panic("boom")
	}))
	srv.Logger = slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, nil))
	addr := startServer(t, srv)
	resp := getOK(t, fastClient(), "guppy://"+addr+"/")
	if resp.Status != StatusError || resp.Meta != "internal error" {
		t.Errorf("got %d %q, want 4 internal error", resp.Status, resp.Meta)
	}
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprint(s.w)
}

func TestLogLine(t *testing.T) {
	var buf bytes.Buffer
	sw := &syncWriter{w: &buf}
	srv := fastServer(staticHandler([]byte("12345")))
	srv.Logger = slog.New(slog.NewTextHandler(sw, nil))
	addr := startServer(t, srv)
	getOK(t, fastClient(), "guppy://"+addr+"/page.gmi")
	waitFor(t, "the log line", func() bool { return strings.Contains(sw.String(), "end=done") })
	line := sw.String()
	for _, want := range []string{"proto=guppy", "remote=127.0.0.1:", "host=" + addr, "path=/page.gmi", "status=2", "bytes=5", "dur="} {
		if !strings.Contains(line, want) {
			t.Errorf("log line %q lacks %q", line, want)
		}
	}
}

func TestShutdown(t *testing.T) {
	release := make(chan struct{})
	srv := fastServer(HandlerFunc(func(w ResponseWriter, r *Request) {
		<-release
		_, _ = io.WriteString(w, "late but whole")
	}))
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(pc) }()
	addr := pc.LocalAddr().String()
	got := make(chan *Response, 1)
	go func() {
		resp, err := fastClient().Get(context.Background(), "guppy://"+addr+"/")
		if err != nil {
			t.Error(err)
		}
		got <- resp
	}()
	waitFor(t, "the request", func() bool { return srv.Stats().Requests == 1 })
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(context.Background()) }()
	close(release)
	if resp := <-got; resp == nil || string(resp.Body) != "late but whole" {
		t.Errorf("request in flight during Shutdown: got %+v", resp)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve after Shutdown: got %v, want ErrServerClosed", err)
	}
	if err := srv.ListenAndServe(); !errors.Is(err, ErrServerClosed) {
		t.Errorf("ListenAndServe after Shutdown: got %v, want ErrServerClosed", err)
	}
}

func TestShutdownContext(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := fastServer(HandlerFunc(func(w ResponseWriter, r *Request) {
		select {
		case <-release:
		case <-r.Context().Done(): // Close cancels it
		}
	}))
	addr := startServer(t, srv)
	newRawClient(t, addr).send("guppy://" + addr + "/\r\n")
	waitFor(t, "the request", func() bool { return srv.Stats().Requests == 1 })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := srv.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown with a cancelled context: got %v, want context.Canceled", err)
	}
}

func TestClientErrors(t *testing.T) {
	for _, u := range []string{"gemini://h/", "guppy:///x", "guppy://h/#f", "guppy://h/" + strings.Repeat("a", 2100)} {
		if _, err := Get(context.Background(), u); !errors.Is(err, ErrBadURL) {
			t.Errorf("Get(%.40q): got %v, want ErrBadURL", u, err)
		}
	}
	// Nothing answers: the context ends the wait.
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		buf := make([]byte, 100)
		_, _, _ = pc.ReadFrom(buf) // the request arrived: give up
		cancel()
	}()
	if _, err := Get(ctx, "guppy://"+pc.LocalAddr().String()+"/"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with nobody answering: got %v, want context.Canceled", err)
	}
	// A body over the client's limit.
	addr := startServer(t, fastServer(staticHandler(make([]byte, 10_000))))
	c := &Client{MaxBodySize: 5000}
	if _, err := c.Get(context.Background(), "guppy://"+addr+"/"); !errors.Is(err, ErrResponseSize) {
		t.Errorf("Get of 10000 bytes with a 5000-byte limit: got %v, want ErrResponseSize", err)
	}
}

// TestClientOutOfOrder drives the Client with a scripted server that sends
// a response scrambled: continuations before the success packet, the EOF
// first, duplicates, and a stray packet of another response. It also
// ignores the first request, so the Client must ask again.
func TestClientOutOfOrder(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	body := []byte("0123456789abcdefghij")
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, 3000)
		requests := 0
		var client net.Addr
		for requests < 2 {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				done <- err
				return
			}
			if _, err := ParseClientPacket(buf[:n]); err == nil && bytes.HasPrefix(buf[:n], []byte("guppy://")) {
				requests++
				client = from
			}
		}
		pkts := []string{"503\r\n", "502\r\nfghij", "501\r\nabcde", "501\r\nabcde", "1 stray prompt\r\n", "499\r\nold", "500 text/plain\r\n0123456789", "502\r\nfghij"}
		for _, p := range pkts {
			if _, err := pc.WriteTo([]byte(p), client); err != nil {
				done <- err
				return
			}
		}
		acks := map[string]bool{}
		for len(acks) < 4 {
			n, _, err := pc.ReadFrom(buf)
			if err != nil {
				done <- err
				return
			}
			acks[string(buf[:n])] = true
		}
		done <- nil
	}()
	c := &Client{RetryInterval: 20 * time.Millisecond}
	resp, err := c.Get(context.Background(), "guppy://"+pc.LocalAddr().String()+"/")
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != StatusSuccess || resp.Meta != "text/plain" || !bytes.Equal(resp.Body, body) {
		t.Errorf("got %d %q %q, want 2 text/plain %q", resp.Status, resp.Meta, resp.Body, body)
	}
	if err := <-done; err != nil {
		t.Error(err)
	}
}

// TestGoroutinesBounded: many sessions at once add no goroutines beyond the
// fixed reader, timer and workers.
func TestGoroutinesBounded(t *testing.T) {
	before := runtime.NumGoroutine()
	srv := fastServer(staticHandler(randomBody(20_000, 10)))
	srv.Workers = 4
	srv.MaxSessionsPerAddr = 1000
	srv.Timeout = time.Minute
	addr := startServer(t, srv)
	clients := make([]*rawClient, 200)
	for i := range clients {
		clients[i] = newRawClient(t, addr)
		clients[i].send("guppy://" + addr + "/\r\n")
	}
	waitFor(t, "every session to start sending", func() bool {
		st := srv.Stats()
		return st.Requests == 200 && st.Sent >= 200
	})
	// 1 Serve + 1 timer + 4 workers.
	if got := runtime.NumGoroutine() - before; got > 6 {
		t.Errorf("%d goroutines for 200 open sessions, want at most 6", got)
	}
}

func TestFixedRTO(t *testing.T) {
	body := randomBody(20_000, 11)
	srv := fastServer(staticHandler(body))
	srv.FixedRTO = 15 * time.Millisecond
	srv.ChunkSize, srv.Window = 512, 8
	addr := startServer(t, srv)
	px := newProxy(t, addr, 7, lossy{Drop: 0.1}, lossy{Drop: 0.1})
	resp := getOK(t, fastClient(), "guppy://"+px.Addr()+"/")
	if !bytes.Equal(resp.Body, body) {
		t.Fatalf("got %d bytes, want %d identical", len(resp.Body), len(body))
	}
	if st := srv.Stats(); st.Retransmits == 0 {
		t.Errorf("no retransmissions at 10%% loss")
	}
}

func TestIPv6(t *testing.T) {
	pc, err := net.ListenPacket("udp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	srv := fastServer(staticHandler([]byte("six")))
	done := make(chan error, 1)
	go func() { done <- srv.Serve(pc) }()
	defer func() {
		_ = srv.Close()
		<-done
	}()
	resp := getOK(t, fastClient(), "guppy://"+pc.LocalAddr().String()+"/")
	if string(resp.Body) != "six" {
		t.Errorf("got %q, want %q", resp.Body, "six")
	}
}

// TestClientResendsFirstAck: a server sends nothing after the first packet
// until that packet's ack arrives. When the ack is lost (here: the server
// plays deaf to the first one), the Client sends it again instead of
// stalling.
func TestClientResendsFirstAck(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	go func() { // ends when pc is closed
		buf := make([]byte, 3000)
		acks := 0
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			p, err := ParseClientPacket(buf[:n])
			switch {
			case err != nil:
			case p.Kind == KindRequest:
				pc.WriteTo([]byte("700 text/gemini\r\nhi"), from)
			case p.Seq == 700:
				if acks++; acks >= 2 { // the first one is "lost"
					pc.WriteTo([]byte("701\r\n"), from)
				}
			}
		}
	}()
	c := &Client{RetryInterval: 20 * time.Millisecond, StallTimeout: time.Hour, Timeout: time.Hour}
	resp := getOK(t, c, "guppy://"+pc.LocalAddr().String()+"/")
	if string(resp.Body) != "hi" {
		t.Errorf("got %q, want %q", resp.Body, "hi")
	}
}
