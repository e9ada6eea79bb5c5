package ratelimit

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestZeroConfigAllowsEverything(t *testing.T) {
	var nilLim *Limiter
	for _, l := range []*Limiter{nilLim, New(Config{})} {
		for i := 0; i < 1000; i++ {
			if ok, wait := l.Allow("10.0.0.1:1"); !ok || wait != 0 {
				t.Fatalf("Allow = %v, %v; want true, 0", ok, wait)
			}
		}
		if got := l.Len(); got != 0 {
			t.Errorf("Len = %d, want 0", got)
		}
	}
}

func TestBucket(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	l := newAt(Config{PerSecond: 2, Burst: 3}, c.now)
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow("192.0.2.1:5000"); !ok {
			t.Fatalf("request %d refused inside the burst", i)
		}
	}
	ok, wait := l.Allow("192.0.2.1:5001")
	if ok {
		t.Fatal("fourth request allowed, want refused")
	}
	if wait <= 0 || wait > 500*time.Millisecond {
		t.Errorf("retryAfter = %v, want in (0, 500ms]", wait)
	}
	if ok, _ := l.Allow("192.0.2.2:5000"); !ok {
		t.Error("another address was refused")
	}
	c.add(wait)
	if ok, _ := l.Allow("192.0.2.1"); !ok {
		t.Error("refused after waiting retryAfter")
	}
}

func TestTableBounded(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	l := newAt(Config{PerSecond: 1, MaxAddrs: 10}, c.now)
	for i := 0; i < 100; i++ {
		l.Allow(fmt.Sprintf("10.0.0.%d:1", i))
	}
	if got := l.Len(); got != 10 {
		t.Errorf("Len = %d, want 10", got)
	}
	// The most recent address is still tracked and still limited.
	if ok, _ := l.Allow("10.0.0.99:2"); ok {
		t.Error("most recent address forgotten")
	}
}

func TestKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"127.0.0.1:1965", "127.0.0.1"},
		{"127.0.0.1", "127.0.0.1"},
		{"[::ffff:10.1.2.3]:1", "10.1.2.3"},
		{"[2001:db8:1:2:3:4:5:6]:1965", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff::1%eth0]:1", "2001:db8:1:2::/64"},
		{"not an address", "not an address"},
	}
	for _, tt := range tests {
		if got := Key(tt.in); got != tt.want {
			t.Errorf("Key(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestConcurrent(t *testing.T) {
	l := New(Config{PerSecond: 1000, Burst: 10, MaxAddrs: 8})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			for i := 0; i < 500; i++ {
				l.Allow(fmt.Sprintf("10.0.%d.%d:1", g, i%20))
			}
		})
	}
	wg.Wait()
	if got := l.Len(); got > 8 {
		t.Errorf("Len = %d, want <= 8", got)
	}
}
