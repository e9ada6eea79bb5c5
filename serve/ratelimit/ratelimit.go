// Package ratelimit keeps one token bucket per client address, in a table
// of bounded size, for servers that answer "slow down" to clients that ask
// too often.
package ratelimit

import (
	"container/list"
	"math"
	"net"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultMaxAddrs is the table size used when Config.MaxAddrs is zero.
const DefaultMaxAddrs = 10000

// Config describes a limit. The zero value means no limit at all.
type Config struct {
	// PerSecond is the sustained number of requests a client address may
	// make each second. Zero or less means no limit.
	PerSecond float64
	// Burst is how many requests an address may make at once after being
	// quiet. Zero means max(1, ceil(PerSecond)).
	Burst int
	// MaxAddrs bounds the number of addresses tracked. When the table is
	// full the least recently seen address is forgotten. Zero means
	// DefaultMaxAddrs.
	MaxAddrs int
}

// Limiter tracks token buckets per client address. It is safe for
// concurrent use. A nil *Limiter, or one built from a zero Config, allows
// everything.
type Limiter struct {
	limit rate.Limit
	burst int
	max   int
	now   func() time.Time

	mu    sync.Mutex
	table map[string]*list.Element
	order *list.List // front = most recently seen
}

type entry struct {
	key string
	lim *rate.Limiter
}

// New returns a Limiter for cfg.
func New(cfg Config) *Limiter {
	return newAt(cfg, time.Now)
}

func newAt(cfg Config, now func() time.Time) *Limiter {
	l := &Limiter{now: now, table: map[string]*list.Element{}, order: list.New()}
	if cfg.PerSecond <= 0 || math.IsNaN(cfg.PerSecond) || math.IsInf(cfg.PerSecond, 0) {
		return l
	}
	l.limit = rate.Limit(cfg.PerSecond)
	l.burst = cfg.Burst
	if l.burst <= 0 {
		l.burst = max(1, int(math.Ceil(cfg.PerSecond)))
	}
	l.max = cfg.MaxAddrs
	if l.max <= 0 {
		l.max = DefaultMaxAddrs
	}
	return l
}

// Enabled reports whether l limits anything.
func (l *Limiter) Enabled() bool { return l != nil && l.limit > 0 }

// Allow takes one token from the bucket of addr and reports whether the
// request may go ahead. When it may not, retryAfter is how long the client
// should wait before the next request would be allowed (always at least one
// nanosecond). addr may be "host:port" or a bare host; the port is ignored,
// and IPv6 addresses are grouped by their /64 prefix, since one machine
// commonly owns a whole /64.
func (l *Limiter) Allow(addr string) (ok bool, retryAfter time.Duration) {
	if !l.Enabled() {
		return true, 0
	}
	key := Key(addr)
	now := l.now()

	l.mu.Lock()
	defer l.mu.Unlock()
	var lim *rate.Limiter
	if el, found := l.table[key]; found {
		l.order.MoveToFront(el)
		lim = el.Value.(*entry).lim
	} else {
		if l.order.Len() >= l.max {
			oldest := l.order.Back()
			l.order.Remove(oldest)
			delete(l.table, oldest.Value.(*entry).key)
		}
		lim = rate.NewLimiter(l.limit, l.burst)
		l.table[key] = l.order.PushFront(&entry{key: key, lim: lim})
	}
	if lim.AllowN(now, 1) {
		return true, 0
	}
	missing := 1 - lim.TokensAt(now)
	wait := time.Duration(missing / float64(l.limit) * float64(time.Second))
	return false, max(wait, time.Nanosecond)
}

// Len returns the number of addresses currently tracked.
func (l *Limiter) Len() int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.order.Len()
}

// Key returns the table key for addr: the host without the port, with IPv6
// addresses reduced to their /64 prefix and IPv4-mapped IPv6 addresses
// written as IPv4.
func Key(addr string) string {
	host := addr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		p, err := ip.Prefix(64)
		if err == nil {
			return p.String()
		}
	}
	return ip.String()
}
