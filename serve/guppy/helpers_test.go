package guppy

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// startServer serves srv on a fresh 127.0.0.1 UDP socket and returns its
// address; the server is closed when the test ends.
func startServer(t testing.TB, srv *Server) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(pc) }()
	t.Cleanup(func() {
		_ = srv.Close()
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return pc.LocalAddr().String()
}

// waitFor polls cond until it holds. It gives up after two minutes, far
// beyond anything the code under test needs even on a loaded machine: that
// bound is not a speed check, only a way to fail with a message when a
// condition can no longer become true, instead of hanging the whole run.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if ctx := t.Context(); ctx.Err() != nil || time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// lossy decides the fate of datagrams going one way through a proxy, from a
// seeded generator so that a run can be repeated.
type lossy struct {
	Drop, Dup, Reorder float64
	// DropIf, if set, drops the datagrams it returns true for (before the
	// random decisions).
	DropIf func(p []byte) bool
	rng    *rand.Rand
}

// proxy relays datagrams between one client and a server, dropping,
// duplicating and reordering them as told. Its two goroutines end when
// Close is called.
type proxy struct {
	front, back *net.UDPConn
	up, down    lossy

	mu     sync.Mutex
	client net.Addr
	wg     sync.WaitGroup

	// Counters of what reached the client.
	toClientPackets, toClientBytes int
}

func newProxy(t testing.TB, server string, seed uint64, up, down lossy) *proxy {
	t.Helper()
	front, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	sa, err := net.ResolveUDPAddr("udp", server)
	if err != nil {
		t.Fatal(err)
	}
	back, err := net.DialUDP("udp", nil, sa)
	if err != nil {
		t.Fatal(err)
	}
	up.rng = rand.New(rand.NewPCG(seed, 1))
	down.rng = rand.New(rand.NewPCG(seed, 2))
	p := &proxy{front: front, back: back, up: up, down: down}
	p.wg.Add(2)
	go p.relay(&p.up, true)
	go p.relay(&p.down, false)
	t.Cleanup(p.Close)
	return p
}

// Addr is where the client should send.
func (p *proxy) Addr() string { return p.front.LocalAddr().String() }

// Close stops the relays and waits for them.
func (p *proxy) Close() {
	_ = p.front.Close()
	_ = p.back.Close()
	p.wg.Wait()
}

func (p *proxy) relay(l *lossy, up bool) {
	defer p.wg.Done()
	buf := make([]byte, 64<<10)
	var held []byte
	for {
		src := p.back
		if up {
			src = p.front
		}
		if held != nil {
			_ = src.SetReadDeadline(time.Now().Add(3 * time.Millisecond))
		} else {
			_ = src.SetReadDeadline(time.Time{})
		}
		var n int
		var from net.Addr
		var err error
		if up {
			n, from, err = p.front.ReadFrom(buf)
		} else {
			n, err = p.back.Read(buf)
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				p.forward(held, up)
				held = nil
				continue
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue // ICMP feedback on the connected socket, and such
		}
		if up {
			p.mu.Lock()
			p.client = from
			p.mu.Unlock()
		}
		pkt := append([]byte(nil), buf[:n]...)
		if l.DropIf != nil && l.DropIf(pkt) {
			continue
		}
		if l.rng.Float64() < l.Drop {
			continue
		}
		copies := 1
		if l.rng.Float64() < l.Dup {
			copies = 2
		}
		if held == nil && l.rng.Float64() < l.Reorder {
			held = pkt // goes out after the next datagram
			continue
		}
		for range copies {
			p.forward(pkt, up)
		}
		if held != nil {
			p.forward(held, up)
			held = nil
		}
	}
}

func (p *proxy) forward(pkt []byte, up bool) {
	if pkt == nil {
		return
	}
	if up {
		_, _ = p.back.Write(pkt)
		return
	}
	p.mu.Lock()
	to := p.client
	if to != nil {
		p.toClientPackets++
		p.toClientBytes += len(pkt)
	}
	p.mu.Unlock()
	if to != nil {
		_, _ = p.front.WriteTo(pkt, to)
	}
}

// fastServer returns a Server with short timers, suitable for tests.
func fastServer(h Handler) *Server {
	return &Server{
		Handler:    h,
		InitialRTO: 20 * time.Millisecond,
		MinRTO:     5 * time.Millisecond,
		MaxRTO:     200 * time.Millisecond,
		Timeout:    5 * time.Second,
	}
}

// fastClient returns a Client that asks again quickly.
func fastClient() *Client {
	return &Client{RetryInterval: 30 * time.Millisecond, StallTimeout: time.Second, Timeout: 20 * time.Second}
}

func getOK(t testing.TB, c *Client, url string) *Response {
	t.Helper()
	resp, err := c.Get(context.Background(), url)
	if err != nil {
		t.Fatalf("Get(%s): %v", url, err)
	}
	return resp
}

func netipAddrPort(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }
