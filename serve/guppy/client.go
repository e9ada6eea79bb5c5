package guppy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"
)

// A Response is what a Client received for one request.
type Response struct {
	// Status is StatusSuccess, StatusInput, StatusRedirect or StatusError.
	Status Status
	// Meta is the MIME type of a success, or the prompt, URL or message.
	Meta string
	// Body is the response body (successes only).
	Body []byte
}

// A Client fetches Guppy URLs. The zero value is ready to use. A Client
// holds no state between requests and may be used concurrently; each Get
// uses a socket of its own.
type Client struct {
	// Timeout bounds a whole fetch, unless the context ends sooner;
	// default 30 s.
	Timeout time.Duration
	// RetryInterval is how long the client waits for a first answer before
	// sending the request again, doubling each time up to 4 s; default
	// 500 ms.
	RetryInterval time.Duration
	// StallTimeout is how long a started transfer may go without any
	// packet before the client starts over from a new socket (the server
	// may have given up on it); default 10 s, above the servers' largest
	// retransmission timeout.
	StallTimeout time.Duration
	// MaxBodySize caps the response body; default 16 MiB.
	MaxBodySize int
}

// Get fetches rawURL with a zero Client.
func Get(ctx context.Context, rawURL string) (*Response, error) {
	var c Client
	return c.Get(ctx, rawURL)
}

// Errors a Client returns (wrapped, with the URL).
var (
	ErrBadURL       = errors.New("guppy: not a guppy:// URL a server accepts")
	ErrResponseSize = errors.New("guppy: response over the client's size limit")
)

// Get sends one request for rawURL (guppy://host[:port]/path?query, the
// query already percent-encoded) and returns the answer: a success with its
// whole body, or an input, redirect or error packet. Redirects are not
// followed. The client acknowledges every packet (again for duplicates),
// puts chunks that arrive out of order in place, and sends the request
// again while no answer arrives.
func (c *Client) Get(ctx context.Context, rawURL string) (*Response, error) {
	u, err := ParseRequestURL(rawURL)
	if err != nil || u.Scheme != "guppy" || len(rawURL)+2 > MaxRequestSize {
		return nil, fmt.Errorf("guppy: get %q: %w", rawURL, ErrBadURL)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "6775")
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		resp, err := c.attempt(ctx, addr, rawURL)
		if errors.Is(err, errStalled) && ctx.Err() == nil {
			continue // start over on a new socket: a new session
		}
		if err != nil {
			return nil, fmt.Errorf("guppy: get %s: %w", rawURL, err)
		}
		return resp, nil
	}
}

// errStalled reports a transfer that started and then went silent.
var errStalled = errors.New("guppy: transfer stalled")

// attempt runs one exchange from a socket of its own.
func (c *Client) attempt(ctx context.Context, addr, rawURL string) (*Response, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "udp", addr)
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	// Wake a blocked Read when the context ends.
	stop := context.AfterFunc(ctx, func() { _ = nc.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	t := transfer{limit: c.MaxBodySize, stall: c.StallTimeout}
	if t.limit <= 0 {
		t.limit = defaultMaxFileSize
	}
	if t.stall <= 0 {
		t.stall = 10 * time.Second
	}
	return t.run(ctx, nc, rawURL, c.retryInterval())
}

func (c *Client) retryInterval() time.Duration {
	if c.RetryInterval > 0 {
		return c.RetryInterval
	}
	return 500 * time.Millisecond
}

// transfer is the receiving side of one response.
type transfer struct {
	limit   int
	stall   time.Duration
	base    uint32 // seq of the success packet; 0 until it arrived
	eof     uint32 // seq of the end of file; 0 until it arrived
	mime    string
	first   []byte
	chunks  map[uint32][]byte
	size    int
	started bool
}

func (t *transfer) run(ctx context.Context, nc net.Conn, rawURL string, retry time.Duration) (*Response, error) {
	req := []byte(rawURL + "\r\n")
	if _, err := nc.Write(req); err != nil {
		return nil, err
	}
	nextRetry := time.Now().Add(retry)
	lastPacket := time.Now()
	buf := make([]byte, 64<<10)
	var ack []byte
	for {
		deadline := nextRetry
		if t.started {
			deadline = lastPacket.Add(t.stall)
			if t.onlyFirst() && nextRetry.Before(deadline) {
				deadline = nextRetry
			}
		}
		if err := nc.SetReadDeadline(deadline); err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil { // after the deadline, so a cancel is never missed
			return nil, err
		}
		n, err := nc.Read(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && t.started {
				if !t.onlyFirst() || !time.Now().Before(lastPacket.Add(t.stall)) {
					return nil, errStalled
				}
				// A server sends nothing after the first packet until it
				// has its ack (which proves this address): that ack may
				// have been lost, so send it again.
				ack = strconv.AppendUint(ack[:0], uint64(t.base), 10)
				ack = append(ack, "\r\n"...)
				if _, err := nc.Write(ack); err != nil {
					return nil, err
				}
				retry = min(2*retry, 4*time.Second)
				nextRetry = time.Now().Add(retry)
				continue
			}
			if errors.As(err, &ne) && ne.Timeout() {
				if _, err := nc.Write(req); err != nil {
					return nil, err
				}
				retry = min(2*retry, 4*time.Second)
				nextRetry = time.Now().Add(retry)
				continue
			}
			return nil, err
		}
		p, err := ParseServerPacket(buf[:n])
		if err != nil {
			continue
		}
		if !t.started {
			nextRetry = time.Now().Add(retry)
		}
		lastPacket = time.Now()
		switch p.Kind {
		case KindInput, KindRedirect, KindError:
			if t.started {
				continue
			}
			return &Response{Status: statusOf(p.Kind), Meta: p.Meta}, nil
		case KindSuccess, KindContinuation, KindEOF:
			ack = strconv.AppendUint(ack[:0], uint64(p.Seq), 10)
			ack = append(ack, "\r\n"...)
			if _, err := nc.Write(ack); err != nil {
				return nil, err
			}
			if err := t.add(p); err != nil {
				return nil, err
			}
			if t.complete() {
				return t.response(), nil
			}
		}
	}
}

func statusOf(k Kind) Status {
	switch k {
	case KindInput:
		return StatusInput
	case KindRedirect:
		return StatusRedirect
	}
	return StatusError
}

// add stores one data packet; it ignores duplicates and packets that do not
// belong to the response.
func (t *transfer) add(p Packet) error {
	t.started = true
	if t.chunks == nil {
		t.chunks = make(map[uint32][]byte)
	}
	switch p.Kind {
	case KindSuccess:
		if t.base != 0 {
			return nil
		}
		t.base, t.mime = p.Seq, p.Meta
		t.first = append([]byte(nil), p.Data...)
		t.size += len(p.Data)
		for seq, d := range t.chunks { // arrived before the success packet
			if seq <= t.base || (t.eof != 0 && seq >= t.eof) {
				t.size -= len(d)
				delete(t.chunks, seq)
			}
		}
		if t.eof != 0 && t.eof <= t.base {
			t.eof = 0
		}
	case KindEOF:
		if t.eof != 0 || (t.base != 0 && p.Seq <= t.base) {
			return nil
		}
		t.eof = p.Seq
		for seq, d := range t.chunks {
			if seq >= t.eof {
				t.size -= len(d)
				delete(t.chunks, seq)
			}
		}
	case KindContinuation:
		if (t.base != 0 && p.Seq <= t.base) || (t.eof != 0 && p.Seq >= t.eof) {
			return nil
		}
		if _, dup := t.chunks[p.Seq]; dup {
			return nil
		}
		t.chunks[p.Seq] = append([]byte(nil), p.Data...)
		t.size += len(p.Data)
	}
	if t.size > t.limit {
		return ErrResponseSize
	}
	return nil
}

// onlyFirst reports whether the first packet is all that arrived.
func (t *transfer) onlyFirst() bool {
	return t.base != 0 && t.eof == 0 && len(t.chunks) == 0
}

func (t *transfer) complete() bool {
	return t.base != 0 && t.eof != 0 && len(t.chunks) == int(t.eof-t.base-1)
}

func (t *transfer) response() *Response {
	body := make([]byte, 0, t.size)
	body = append(body, t.first...)
	for seq := t.base + 1; seq < t.eof; seq++ {
		body = append(body, t.chunks[seq]...)
	}
	return &Response{Status: StatusSuccess, Meta: t.mime, Body: body}
}
