package guppy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gmkit/gmkit/serve/policy"
)

// socketBuffer is the kernel buffer size the server asks for its socket.
const socketBuffer = 4 << 20

// DefaultAddr is the address ListenAndServe uses when Server.Addr is empty.
const DefaultAddr = ":6775"

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown or
// Close.
var ErrServerClosed = errors.New("guppy: server closed")

// A Server answers Guppy requests arriving on UDP sockets. Its exported
// fields are read when Serve starts and must not change afterwards; a zero
// value is the documented default. The zero Server is ready to use once it
// has a Handler.
//
// Each Serve call runs a fixed set of goroutines for its socket, whatever the
// traffic: one reader (Serve's own goroutine), one timer for retransmissions
// and timeouts, and Workers handler goroutines. All of them end when the
// server is closed or the socket fails, before Serve returns.
type Server struct {
	// Addr is the UDP address ListenAndServe listens on; default ":6775".
	Addr string
	// Handler answers requests. Required.
	Handler Handler
	// Hostnames are the host names served, compared without regard to
	// case or a final dot. A request for another host is answered with the
	// error "host not served" (as Gemini answers 53) and reaches no
	// handler. A request from a loopback address may also name localhost,
	// 127.0.0.1 or ::1. Empty means any host.
	Hostnames []string
	// Logger receives one line per request (keys proto, remote, host, path,
	// status, bytes, dur, end) and handler panics; nil discards.
	Logger *slog.Logger

	// MaxSessions caps open sessions per socket; default 1024. A request
	// over the cap is ignored (the client will ask again). A finished
	// session lingers for up to a second to absorb late duplicates of its
	// request; those count towards no limit (at most MaxSessions of them
	// are kept).
	MaxSessions int
	// MaxSessionsPerAddr caps open sessions per source IP address;
	// default 32.
	MaxSessionsPerAddr int
	// Workers is the number of goroutines running handlers; default 16.
	Workers int
	// Timeout ends a session that made no progress (no new ack) for this
	// long, and drops a request still queued for a handler after this long;
	// it is also the deadline of the handler's context. Default 30 s.
	Timeout time.Duration
	// Window is the most packets in flight: a packet is sent only while it
	// is within Window of the lowest unacknowledged one. Default 8.
	Window int
	// ChunkSize is the data size of continuation packets; default 1200 and
	// at most 1220, so that a datagram stays within MaxDatagram.
	ChunkSize int
	// FirstChunkSize is the most data in the first packet of a response,
	// the only one sent before the client proves its address; default 512.
	// The packet is made smaller still when needed to fit in three times
	// the bytes the client sent (see the package documentation).
	FirstChunkSize int
	// InitialRTO is the retransmission timeout before a round trip has been
	// measured; default 300 ms.
	InitialRTO time.Duration
	// MinRTO and MaxRTO bound the measured timeout; defaults 25 ms and 4 s.
	MinRTO time.Duration
	// MaxRTO: see MinRTO.
	MaxRTO time.Duration
	// FixedRTO, when set, replaces the adaptive timer: every retransmission
	// waits exactly this long, without measurement, back-off or early loss
	// detection. It reproduces the reference servers (2 s) for comparison.
	FixedRTO time.Duration
	// MaxRetransmits is how often one packet is resent before the session
	// is abandoned; default 10.
	MaxRetransmits int
	// FirstRetransmits is how often the first packet's timer may fire while
	// the client has not acknowledged it before the session is given up,
	// and how often an input, redirect or error packet is sent again for a
	// repeated request; default 3. Either is sent only within three times
	// the bytes the client sent.
	FirstRetransmits int
	// MaxResponseSize caps a handler's body; default 16 MiB, at most 256 MiB.
	// A larger response is answered with an error.
	MaxResponseSize int

	mu     sync.Mutex
	conns  map[*conn]struct{}
	closed bool
	stats  counters
}

// Stats counts what a Server saw since it was created.
type Stats struct {
	// Requests is the number of requests that opened a session.
	Requests uint64
	// Duplicates counts requests ignored because their session was open.
	Duplicates uint64
	// Malformed counts datagrams that were neither a request nor an ack.
	Malformed uint64
	// Oversized counts datagrams over MaxRequestSize.
	Oversized uint64
	// Refused counts requests over a session limit or during shutdown.
	Refused uint64
	// Expired counts requests dropped after waiting Timeout for a handler.
	Expired uint64
	// Completed counts sessions that ended normally (including those
	// whose only missing ack was that of the end of file).
	Completed uint64
	// TimedOut counts sessions ended by Timeout or MaxRetransmits.
	TimedOut uint64
	// Sent counts datagrams sent; Retransmits those that were resent.
	Sent uint64
	// Retransmits: see Sent.
	Retransmits uint64
	// StrayAcks counts acks for no session or for a packet never sent.
	StrayAcks uint64
	// DuplicateAcks counts acks for a packet already acknowledged.
	DuplicateAcks uint64
	// Withheld counts packets not sent when due because the client had
	// not yet proven its address and they would have taken what the
	// server sends it past three times what it sent.
	Withheld uint64
	// Sessions is the number of sessions open now: waiting for their
	// handler or sending. Finished sessions linger for a second to absorb
	// late duplicates without counting here or towards the limits.
	Sessions int
}

type counters struct {
	requests, duplicates, malformed, oversized, refused, expired atomic.Uint64
	completed, timedOut, sent, retransmits, strayAcks, dupAcks   atomic.Uint64
	withheld                                                     atomic.Uint64
	sessions                                                     atomic.Int64
}

// Stats returns the server's counters.
func (s *Server) Stats() Stats {
	c := &s.stats
	return Stats{
		Requests: c.requests.Load(), Duplicates: c.duplicates.Load(),
		Malformed: c.malformed.Load(), Oversized: c.oversized.Load(),
		Refused: c.refused.Load(), Expired: c.expired.Load(),
		Completed: c.completed.Load(), TimedOut: c.timedOut.Load(),
		Sent: c.sent.Load(), Retransmits: c.retransmits.Load(),
		StrayAcks: c.strayAcks.Load(), DuplicateAcks: c.dupAcks.Load(),
		Withheld: c.withheld.Load(),
		Sessions: int(c.sessions.Load()),
	}
}

// config is a Server's settings with defaults applied.
type config struct {
	maxSessions, maxPerAddr, workers, window int
	chunk, first, maxRetx, firstRetx         int
	maxResponse                              int
	timeout, linger                          time.Duration
	initialRTO, minRTO, maxRTO, fixedRTO     time.Duration
}

func pick[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

func (s *Server) config() config {
	c := config{
		maxSessions: pick(s.MaxSessions, DefaultMaxSessions),
		maxPerAddr:  pick(s.MaxSessionsPerAddr, 32),
		workers:     pick(s.Workers, 16),
		window:      pick(s.Window, DefaultWindow),
		chunk:       min(max(pick(s.ChunkSize, 1200), 64), MaxDatagram-maxSeqHeader),
		first:       min(pick(s.FirstChunkSize, 512), MaxDatagram-maxSeqHeader),
		maxRetx:     pick(s.MaxRetransmits, 10),
		firstRetx:   pick(s.FirstRetransmits, 3),
		maxResponse: min(pick(s.MaxResponseSize, 16<<20), 256<<20),
		timeout:     pick(s.Timeout, DefaultTimeout),
		initialRTO:  pick(s.InitialRTO, 300*time.Millisecond),
		minRTO:      pick(s.MinRTO, 25*time.Millisecond),
		maxRTO:      pick(s.MaxRTO, 4*time.Second),
		fixedRTO:    max(s.FixedRTO, 0),
	}
	c.maxRTO = max(c.maxRTO, c.minRTO)
	// A finished session lingers briefly so that late duplicates of its
	// request are not taken for a new one.
	c.linger = min(time.Second, c.timeout)
	return c
}

// ListenAndServe listens on s.Addr (default ":6775") and calls Serve.
func (s *Server) ListenAndServe() error {
	if s.isClosed() {
		return ErrServerClosed
	}
	addr := s.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		return fmt.Errorf("guppy: listen %s: %w", addr, err)
	}
	return s.Serve(pc)
}

// Serve answers requests arriving on pc until the server is closed or pc
// fails. It closes pc before returning. It returns ErrServerClosed after
// Shutdown or Close, otherwise the read error.
func (s *Server) Serve(pc net.PacketConn) error {
	if s.Handler == nil {
		_ = pc.Close()
		return errors.New("guppy: Server.Handler is nil")
	}
	c := newConn(s, pc)
	if !s.track(c) {
		_ = pc.Close()
		return ErrServerClosed
	}
	defer s.untrack(c)
	c.wg.Add(1 + c.cfg.workers)
	go c.timerLoop()
	for range c.cfg.workers {
		go c.worker()
	}
	err := c.readLoop()
	c.cancel()
	_ = pc.Close()
	c.wg.Wait()
	c.dropAll()
	if s.isClosed() {
		return ErrServerClosed
	}
	return fmt.Errorf("guppy: read from %s: %w", c.local, err)
}

// Close closes every socket the server serves at once; sessions in
// progress are abandoned and handler contexts cancelled.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	var first error
	for _, c := range conns {
		c.cancel()
		if err := c.pc.Close(); err != nil && first == nil && !errors.Is(err, net.ErrClosed) {
			first = fmt.Errorf("guppy: close %s: %w", c.local, err)
		}
	}
	return first
}

// Shutdown stops taking new requests, waits until every open session has
// finished (or ctx is done), then closes the server. It returns ctx's error
// if ctx ended first.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.mu.Lock()
		c.draining = true
		c.mu.Unlock()
	}
	s.mu.Unlock()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !s.idle() {
		select {
		case <-ctx.Done():
			_ = s.Close()
			return ctx.Err()
		case <-tick.C:
		}
	}
	return s.Close()
}

func (s *Server) idle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.busy() {
			return false
		}
	}
	return true
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func (s *Server) track(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	if s.conns == nil {
		s.conns = make(map[*conn]struct{})
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) untrack(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
}

// conn is the state of one served socket.
type conn struct {
	srv     *Server
	cfg     config
	pc      net.PacketConn
	udp     *net.UDPConn // pc, when it is one: allocation-free reads
	local   string
	handler Handler
	log     *slog.Logger
	stats   *counters

	ctx    context.Context
	cancel context.CancelFunc
	jobs   chan *session
	poke   chan struct{}
	wg     sync.WaitGroup

	mu        sync.Mutex
	sessions  map[netip.AddrPort]*session
	perAddr   map[netip.Addr]int // open (not lingering) sessions per address
	active    int                // open sessions
	lingering int                // finished sessions kept to absorb duplicates
	wake      time.Time          // the timer's next wake-up; zero when idle
	draining  bool
}

func newConn(s *Server, pc net.PacketConn) *conn {
	cfg := s.config()
	log := s.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{
		srv: s, cfg: cfg, pc: pc, handler: s.Handler, log: log, stats: &s.stats,
		ctx: ctx, cancel: cancel,
		jobs:     make(chan *session, cfg.maxSessions),
		poke:     make(chan struct{}, 1),
		sessions: make(map[netip.AddrPort]*session),
		perAddr:  make(map[netip.Addr]int),
	}
	if pc != nil {
		c.udp, _ = pc.(*net.UDPConn)
		if c.udp != nil {
			// Bursts of requests and acks from many clients should wait in
			// the kernel rather than be dropped; the system may cap this.
			_ = c.udp.SetReadBuffer(socketBuffer)
			_ = c.udp.SetWriteBuffer(socketBuffer)
		}
		if a := pc.LocalAddr(); a != nil {
			c.local = a.String()
		}
	}
	return c
}

type sessionState uint8

const (
	stateQueued  sessionState = iota // waiting for or running its handler
	stateSending                     // packets going out
	stateDone                        // answered; lingering to absorb duplicates
)

// A session is one request from one source address and port. Fields above
// the blank line never change after creation.
type session struct {
	addr  netip.AddrPort
	raw   string
	url   *url.URL
	start time.Time

	state       sessionState
	resp        *response
	pkts        []pktState
	lowest      int // lowest unacknowledged packet
	next        int // next packet never sent
	validated   bool
	recv        int    // bytes received from the address (requests and repeats)
	unproven    int    // bytes sent to it before validated
	order       uint64 // counts transmissions, to know what was sent after what
	rtt         rttEstimator
	lastActive  time.Time
	statusSends int
	lingerUntil time.Time
}

type pktState struct {
	sentAt   time.Time // last transmission
	deadline time.Time // retransmission due
	order    uint64    // session's transmission count at the last one
	retries  uint16
	sent     bool
	withheld bool // due, but not sent for want of budget (see afford)
	acked    bool
}

// batch collects datagrams to send and lines to log while c.mu is held, to
// be done after it is released. Each goroutine owns one.
type batch struct {
	sends []outgoing
	logs  []logLine
	buf   []byte
}

type outgoing struct {
	addr netip.AddrPort
	resp *response
	idx  int
}

type logLine struct {
	s      *session
	status Status
	bytes  int
	dur    time.Duration
	end    string
}

func (c *conn) flush(b *batch) {
	for _, o := range b.sends {
		b.buf = o.resp.packet(b.buf[:0], o.idx)
		if c.writeTo(b.buf, o.addr) == nil {
			c.stats.sent.Add(1)
		}
	}
	clear(b.sends)
	b.sends = b.sends[:0]
	for _, l := range b.logs {
		c.log.Info("guppy request", "proto", "guppy", "remote", l.s.addr.String(),
			"host", l.s.url.Host, "path", l.s.url.Path, "status", int(l.status),
			"bytes", l.bytes, "dur", l.dur, "end", l.end)
	}
	clear(b.logs)
	b.logs = b.logs[:0]
}

func (c *conn) writeTo(p []byte, addr netip.AddrPort) error {
	var err error
	if c.udp != nil {
		_, err = c.udp.WriteToUDPAddrPort(p, addr)
	} else {
		_, err = c.pc.WriteTo(p, net.UDPAddrFromAddrPort(addr))
	}
	return err
}

func (c *conn) readFrom(buf []byte) (int, netip.AddrPort, error) {
	if c.udp != nil {
		return c.udp.ReadFromUDPAddrPort(buf)
	}
	n, a, err := c.pc.ReadFrom(buf)
	if err != nil {
		return n, netip.AddrPort{}, err
	}
	if ua, ok := a.(*net.UDPAddr); ok {
		return n, ua.AddrPort(), nil
	}
	ap, perr := netip.ParseAddrPort(a.String())
	if perr != nil {
		return 0, netip.AddrPort{}, nil // unusable source: handled as empty
	}
	return n, ap, nil
}

// readLoop reads datagrams until the socket fails or the server closes.
func (c *conn) readLoop() error {
	// One byte more than the largest request: a longer datagram is cut to
	// this size on read and then recognised as oversized.
	buf := make([]byte, MaxRequestSize+1)
	var b batch
	var pause time.Duration
	for {
		n, addr, err := c.readFrom(buf)
		if err != nil {
			if c.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return err
			}
			// A transient error (for example ICMP feedback on some
			// systems): back off a little, as net/http does on Accept.
			pause = min(max(2*pause, 5*time.Millisecond), time.Second)
			select {
			case <-c.ctx.Done():
				return err
			case <-time.After(pause):
			}
			continue
		}
		pause = 0
		if !addr.IsValid() {
			c.stats.malformed.Add(1)
			continue
		}
		c.handleDatagram(buf[:n], addr, &b)
		c.flush(&b)
	}
}

func (c *conn) handleDatagram(p []byte, addr netip.AddrPort, b *batch) {
	pkt, err := ParseClientPacket(p)
	switch {
	case errors.Is(err, ErrTooLarge):
		c.stats.oversized.Add(1)
		if p[0] < '0' || p[0] > '9' { // a request, not an ack
			c.refuse(addr, "request over 2048 bytes", len(p), b)
		}
		return
	case err != nil:
		c.stats.malformed.Add(1)
		return
	}
	now := time.Now()
	if pkt.Kind == KindAck {
		c.handleAck(addr, pkt.Seq, now, b)
		return
	}
	c.handleRequest(addr, pkt.Meta, len(p), now, b)
}

// amplification is how many times the bytes received from an address the
// server sends it before the address is proven (QUIC's rule, RFC 9000
// section 8).
const amplification = 3

// afford reports whether n more bytes may go to s's address now: always
// once it acknowledged a packet (which proves it receives there),
// otherwise only within amplification times what it sent.
func (s *session) afford(n int) bool {
	return s.validated || s.unproven+n <= amplification*s.recv
}

func (c *conn) handleRequest(addr netip.AddrPort, raw string, size int, now time.Time, b *batch) {
	u, uerr := ParseRequestURL(raw)
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.sessions[addr]; s != nil {
		if s.state != stateDone || s.raw == raw {
			c.stats.duplicates.Add(1)
			s.recv += size
			switch {
			case s.state == stateDone && s.resp != nil && s.resp.status != StatusSuccess && s.statusSends <= c.cfg.firstRetx:
				// Input, redirect and error packets are never
				// acknowledged: a repeated request is the only sign one
				// was lost (or was withheld, waiting for this).
				if n := s.resp.size(0); s.afford(n) {
					s.statusSends++
					s.unproven += n
					b.sends = append(b.sends, outgoing{addr, s.resp, 0})
				} else {
					c.stats.withheld.Add(1)
				}
			case s.state == stateSending && !s.validated && s.pkts[0].withheld && s.afford(s.resp.size(0)):
				// The first packet waited for room that this made.
				c.transmitLocked(s, 0, now, b)
			}
			return
		}
		c.removeLocked(s)
	}
	if uerr != nil {
		c.stats.malformed.Add(1)
		c.refuse(addr, strings.TrimPrefix(uerr.Error(), "guppy: malformed packet: "), size, b)
		return
	}
	ip := addr.Addr().Unmap()
	if c.draining || c.active >= c.cfg.maxSessions || c.perAddr[ip] >= c.cfg.maxPerAddr {
		c.stats.refused.Add(1)
		return
	}
	s := &session{addr: addr, raw: raw, url: u, start: now, lastActive: now, recv: size}
	select {
	case c.jobs <- s:
	default:
		c.stats.refused.Add(1)
		return
	}
	c.sessions[addr] = s
	c.perAddr[ip]++
	c.active++
	c.stats.requests.Add(1)
	c.stats.sessions.Add(1)
}

// refuse answers a request the server will not serve (a URL it cannot use,
// a datagram over MaxRequestSize) with an error packet saying why, when
// that packet is no larger than amplification times the datagram: the
// address is unproven, and no session remembers it.
func (c *conn) refuse(addr netip.AddrPort, why string, size int, b *batch) {
	r := newResponse(StatusError, cleanMeta(StatusError, why), nil, 0, 0)
	if r.size(0) <= amplification*size {
		b.sends = append(b.sends, outgoing{addr, r, 0})
	} else {
		c.stats.withheld.Add(1)
	}
}

func (c *conn) handleAck(addr netip.AddrPort, seq uint32, now time.Time, b *batch) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.sessions[addr]
	if s == nil || s.state == stateQueued || s.resp.status != StatusSuccess {
		c.stats.strayAcks.Add(1)
		return
	}
	if s.state == stateDone {
		c.stats.dupAcks.Add(1)
		return
	}
	idx := int64(seq) - int64(s.resp.base)
	if idx < 0 || idx > int64(s.resp.last) || !s.pkts[idx].sent {
		c.stats.strayAcks.Add(1)
		return
	}
	p := &s.pkts[idx]
	if p.acked {
		c.stats.dupAcks.Add(1)
		return
	}
	p.acked = true
	s.lastActive = now
	if p.retries == 0 {
		s.rtt.sample(now.Sub(p.sentAt))
	}
	if idx == 0 {
		s.validated = true
	}
	for s.lowest <= s.resp.last && s.pkts[s.lowest].acked {
		s.lowest++
	}
	if s.lowest > s.resp.last {
		c.finishLocked(s, now, "done", b)
		return
	}
	c.detectLossLocked(s, int(idx), now, b)
	c.pumpLocked(s, now, b)
}

// detectLossLocked resends, at once, the packets that an ack for packet
// acked shows to be lost: sent before it, still unacknowledged, and either
// three transmissions older or older by 9/8 of the smoothed round trip.
func (c *conn) detectLossLocked(s *session, acked int, now time.Time, b *batch) {
	if s.rtt.fixed {
		return
	}
	order := s.pkts[acked].order
	delay := s.rtt.lossDelay()
	for i := s.lowest; i < acked; i++ {
		p := &s.pkts[i]
		if !p.sent || p.acked || p.order >= order {
			continue
		}
		if order-p.order >= 3 || (delay > 0 && now.Sub(p.sentAt) >= delay) {
			c.transmitLocked(s, i, now, b)
		}
	}
}

// pumpLocked sends what the window allows: only packet 0 until the client
// acknowledged it (and that only within what afford allows), then every
// packet within Window of the lowest unacknowledged one.
func (c *conn) pumpLocked(s *session, now time.Time, b *batch) {
	if !s.validated {
		if s.next == 0 {
			c.transmitLocked(s, 0, now, b)
			s.next = 1
		}
		return
	}
	for s.next <= s.resp.last && s.next-s.lowest < c.cfg.window {
		c.transmitLocked(s, s.next, now, b)
		s.next++
	}
}

// transmitLocked sends packet i and starts its timer. Before the address
// is proven, a packet that does not fit in what afford allows is withheld
// instead: its timer runs and counts its firings as if it had been sent,
// so that an address that never proves itself is given up as soon as
// before, and a repeated request may make room for it.
func (c *conn) transmitLocked(s *session, i int, now time.Time, b *batch) {
	p := &s.pkts[i]
	if p.sent || p.withheld {
		p.retries++
	}
	p.deadline = now.Add(s.rtt.rto)
	c.armLocked(p.deadline)
	n := s.resp.size(i)
	if !s.afford(n) {
		p.withheld = true
		c.stats.withheld.Add(1)
		return
	}
	if !s.validated {
		s.unproven += n
	}
	if p.sent {
		c.stats.retransmits.Add(1)
	}
	s.order++
	p.sent, p.withheld, p.sentAt, p.order = true, false, now, s.order
	b.sends = append(b.sends, outgoing{s.addr, s.resp, i})
}

// armLocked makes sure the timer wakes by t.
func (c *conn) armLocked(t time.Time) {
	if !c.wake.IsZero() && !t.Before(c.wake) {
		return
	}
	c.wake = t
	select {
	case c.poke <- struct{}{}:
	default:
	}
}

// startLocked begins sending a session's response.
func (c *conn) startLocked(s *session, r *response, now time.Time, b *batch) {
	s.resp = r
	s.lastActive = now
	if r.status != StatusSuccess {
		if n := r.size(0); s.afford(n) {
			s.statusSends = 1
			s.unproven += n
			b.sends = append(b.sends, outgoing{s.addr, r, 0})
		} else {
			c.stats.withheld.Add(1) // until a repeated request makes room
		}
		c.finishLocked(s, now, "done", b)
		return
	}
	s.state = stateSending
	s.pkts = make([]pktState, r.last+1)
	s.rtt = newRTTEstimator(&c.cfg)
	c.pumpLocked(s, now, b)
}

// finishLocked ends a session normally: it lingers to absorb duplicates.
func (c *conn) finishLocked(s *session, now time.Time, end string, b *batch) {
	c.stats.completed.Add(1)
	c.logLocked(s, now, end, b)
	c.releaseLocked(s)
	s.state = stateDone
	s.pkts = nil
	// Lingering sessions count towards no limit, but there are never more
	// of them than MaxSessions: past that, forget at once.
	if c.lingering >= c.cfg.maxSessions {
		delete(c.sessions, s.addr)
		return
	}
	c.lingering++
	if s.resp.status == StatusSuccess {
		s.resp = &response{status: StatusSuccess} // the body is not needed any more
	}
	s.lingerUntil = now.Add(c.cfg.linger)
	c.armLocked(s.lingerUntil)
}

func (c *conn) logLocked(s *session, now time.Time, end string, b *batch) {
	l := logLine{s: s, dur: now.Sub(s.start), end: end}
	if s.resp != nil {
		l.status, l.bytes = s.resp.status, len(s.resp.body)
	}
	b.logs = append(b.logs, l)
}

func (c *conn) removeLocked(s *session) {
	if c.sessions[s.addr] != s {
		return
	}
	delete(c.sessions, s.addr)
	if s.state == stateDone {
		c.lingering--
		return
	}
	c.releaseLocked(s)
}

// releaseLocked gives back the limits an open session holds.
func (c *conn) releaseLocked(s *session) {
	ip := s.addr.Addr().Unmap()
	if c.perAddr[ip]--; c.perAddr[ip] <= 0 {
		delete(c.perAddr, ip)
	}
	c.active--
	c.stats.sessions.Add(-1)
}

// busy reports whether a session is still waiting for or receiving its
// response.
func (c *conn) busy() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.sessions {
		if s.state != stateDone {
			return true
		}
	}
	return false
}

func (c *conn) dropAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.sessions {
		c.removeLocked(s)
	}
}

// timerSlack lets one wake-up handle deadlines that are nearly due.
const timerSlack = time.Millisecond

// timerLoop retransmits, ends idle sessions and forgets lingering ones. It
// sleeps until the earliest deadline and ends with the connection.
func (c *conn) timerLoop() {
	defer c.wg.Done()
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	var b batch
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-c.poke:
		case <-t.C:
		}
		now := time.Now()
		c.mu.Lock()
		next := c.scanLocked(now, &b)
		c.wake = next
		c.mu.Unlock()
		c.flush(&b)
		if next.IsZero() {
			t.Stop()
		} else {
			t.Reset(time.Until(next))
		}
	}
}

func (c *conn) scanLocked(now time.Time, b *batch) time.Time {
	var next time.Time
	due := now.Add(timerSlack)
	consider := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	for _, s := range c.sessions {
		switch s.state {
		case stateDone:
			if !s.lingerUntil.After(due) {
				c.removeLocked(s)
				continue
			}
			consider(s.lingerUntil)
		case stateSending:
			if idle := s.lastActive.Add(c.cfg.timeout); !idle.After(due) {
				c.abortLocked(s, now, "timeout", b)
				continue
			} else {
				consider(idle)
			}
			c.retransmitLocked(s, now, due, b, consider)
		}
	}
	return next
}

// retransmitLocked resends a session's packets whose timer expired, backing
// the timer off once, and abandons the session once a packet was resent
// too often.
func (c *conn) retransmitLocked(s *session, now, due time.Time, b *batch, consider func(time.Time)) {
	limit := c.cfg.maxRetx
	if !s.validated {
		limit = c.cfg.firstRetx
	}
	backedOff := false
	for i := s.lowest; i < s.next; i++ {
		p := &s.pkts[i]
		if !p.sent && !p.withheld || p.acked {
			continue
		}
		if p.deadline.After(due) {
			consider(p.deadline)
			continue
		}
		if i == s.resp.last && s.lowest == i && int(p.retries) >= c.cfg.firstRetx {
			// Every data packet arrived; only the end of file's ack is
			// missing. Clients leave once they have it, so its ack is the
			// one most likely never to come: do not insist.
			c.finishLocked(s, now, "eof unacked", b)
			return
		}
		if int(p.retries) >= limit {
			c.abortLocked(s, now, "retransmit limit", b)
			return
		}
		if !backedOff {
			s.rtt.backoff()
			backedOff = true
		}
		c.transmitLocked(s, i, now, b)
		consider(p.deadline)
	}
}

func (c *conn) abortLocked(s *session, now time.Time, end string, b *batch) {
	c.stats.timedOut.Add(1)
	c.logLocked(s, now, end, b)
	c.removeLocked(s)
}

// worker runs handlers for queued sessions until the connection ends.
func (c *conn) worker() {
	defer c.wg.Done()
	var b batch
	for {
		select {
		case <-c.ctx.Done():
			return
		case s := <-c.jobs:
			c.serve(s, &b)
		}
	}
}

func (c *conn) serve(s *session, b *batch) {
	if time.Since(s.start) >= c.cfg.timeout {
		c.stats.expired.Add(1)
		c.mu.Lock()
		c.removeLocked(s)
		c.mu.Unlock()
		return
	}
	c.mu.Lock()
	recv := s.recv
	c.mu.Unlock()
	r := c.run(s, recv)
	now := time.Now()
	c.mu.Lock()
	if c.sessions[s.addr] == s {
		c.startLocked(s, r, now, b)
	}
	c.mu.Unlock()
	c.flush(b)
}

// run calls the handler and cuts its answer into packets. recv is the
// number of bytes the client sent so far: the first packet is cut to fit
// in amplification times that, when it can be.
func (c *conn) run(s *session, recv int) *response {
	w := &responseBuffer{limit: c.cfg.maxResponse}
	switch {
	case s.url.Scheme != "guppy":
		w.WriteHeader(StatusError, "unsupported scheme")
	case !c.hostAllowed(s):
		w.WriteHeader(StatusError, "host not served")
	default:
		ctx, cancel := context.WithDeadline(c.ctx, s.start.Add(c.cfg.timeout))
		req := &Request{URL: s.url, RawURL: s.raw, RemoteAddr: s.addr.String(), LocalAddr: c.local, ctx: ctx}
		c.callHandler(w, req)
		cancel()
	}
	switch {
	case w.tooLarge:
		return newResponse(StatusError, "response too large", nil, 0, 0)
	case w.status == 0:
		w.WriteHeader(StatusSuccess, "")
	}
	// The first packet takes at most half of what may be sent before the
	// client proves its address, so that it can be sent once more if it
	// (or its ack) is lost. It carries at least one byte: an empty one
	// could be taken for the end of the file. One too big to send yet
	// waits for a repeated request.
	first := c.cfg.first
	if room := amplification*recv/2 - (maxSeqHeader + 1 + len(w.meta)); room < first {
		first = max(room, 1)
	}
	return newResponse(w.status, w.meta, w.body, first, c.cfg.chunk)
}

// hostAllowed reports whether s names a served host (see
// Server.Hostnames): serve/policy's rule, as on every protocol. The
// socket's own address is the wildcard one, so the client's tells a
// loopback request.
func (c *conn) hostAllowed(s *session) bool {
	return policy.HostAllowed(c.srv.Hostnames, s.url.Hostname(), net.UDPAddrFromAddrPort(s.addr))
}

func (c *conn) callHandler(w *responseBuffer, r *Request) {
	defer func() {
		if v := recover(); v != nil {
			c.log.Error("guppy handler panic", "proto", "guppy", "remote", r.RemoteAddr,
				"path", r.URL.Path, "panic", fmt.Sprint(v))
			*w = responseBuffer{limit: w.limit}
			w.WriteHeader(StatusError, "internal error")
		}
	}()
	c.handler.ServeGuppy(w, r)
}
