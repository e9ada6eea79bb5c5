package serve

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gmkit/gmkit/serve/protocol"
)

// The soak measures latency, so it is no unit test: it runs only when
// GMKIT_SOAK is set (.ci/run sets it, without -race, whose slowdown would
// measure the detector), never under -short. GMKIT_SOAK_DURATION sets its
// length (default 40s).
const (
	soakP99Limit = 100 * time.Millisecond
	// soakMaxConns is the servers' connection cap: the flood below holds
	// more idle connections than that, so without the per-address cap it
	// would lock every other client out (issue: 1,100 idle connections
	// from one address against max_conns 1024).
	soakMaxConns   = 128
	soakHoarders   = 200 // idle connections the flood keeps trying to hold, per protocol
	soakRequesters = 4   // back-to-back requesters in the flood, per protocol
	soakClients    = 4   // normal clients, per protocol
)

// TestSoak runs Gemini and Gopher on loopback with normal clients
// (127.0.0.1), first alone (the baseline), then beside a flood from one
// address (127.0.0.2, TestSoakFlood in a process of its own) that holds
// idle connections (more than the servers' cap) and sends requests back to
// back. Every normal request must succeed, and their 99th percentile
// latency beside the flood (connect to last byte, TLS handshake included)
// must stay under 100 ms.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("the soak is long; not under -short")
	}
	if os.Getenv("GMKIT_SOAK") == "" {
		t.Skip("set GMKIT_SOAK=1 to run the soak (.ci/run does)")
	}
	dur := 40 * time.Second
	if v := os.Getenv("GMKIT_SOAK_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			t.Fatalf("GMKIT_SOAK_DURATION=%q: want a duration such as 40s", v)
		}
		dur = d
	}
	flood := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}, Timeout: 5 * time.Second}
	if c, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
		probe, perr := flood.Dial("tcp", c.Addr().String())
		c.Close()
		if perr != nil {
			t.Skipf("cannot connect from 127.0.0.2 (needs 127.0.0.0/8 on loopback): %v", perr)
		}
		probe.Close()
	}

	settings := func(name string) protocol.Settings {
		for _, p := range Protocols() {
			if i := p.Info(); i.Name == name {
				on := name == "gemini" || name == "gopher"
				return protocol.Defaults(i, map[string]any{"enabled": on, "listen": "127.0.0.1:0", "max_conns": soakMaxConns})
			}
		}
		return nil
	}
	s, err := New(Config{StateDir: t.TempDir(), Settings: settings})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	s.Swap(content("Soak"))
	runCtx, stopServers := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(runCtx) }()
	defer func() {
		stopServers()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	gem, gop := s.Addr("gemini").String(), s.Addr("gopher").String()
	protos := soakProtos(gem, gop)

	// The normal clients: each makes a request, then pauses 10 ms.
	measure := func(ctx context.Context) [][]time.Duration {
		lats := make([][]time.Duration, len(protos))
		var mu sync.Mutex
		var wg sync.WaitGroup
		normal := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}, Timeout: 10 * time.Second}
		for i, p := range protos {
			for range soakClients {
				wg.Go(func() {
					for ctx.Err() == nil {
						start := time.Now()
						err := p.fetch(normal)
						lat := time.Since(start)
						if err != nil {
							t.Errorf("%s: a normal request failed: %v", p.name, err)
							return
						}
						mu.Lock()
						lats[i] = append(lats[i], lat)
						mu.Unlock()
						sleepCtx(ctx, 10*time.Millisecond)
					}
				})
			}
		}
		wg.Wait()
		return lats
	}

	// First without the flood: the baseline on this machine.
	bctx, bcancel := context.WithTimeout(context.Background(), dur/3)
	baseline := measure(bctx)
	bcancel()

	// Then beside the flood, which runs in a process of its own (as an
	// attacker would, elsewhere): the servers' process is not also the
	// flood's.
	floodDur := dur - dur/3
	ctx, cancel := context.WithTimeout(context.Background(), floodDur)
	defer cancel()
	child := exec.Command(os.Args[0], "-test.run=^TestSoakFlood$", "-test.v")
	child.Env = append(os.Environ(), "GMKIT_SOAK_FLOOD="+gem+" "+gop+" "+floodDur.String())
	var childOut strings.Builder
	child.Stdout, child.Stderr = &childOut, &childOut
	if err := child.Start(); err != nil {
		t.Fatalf("starting the flood: %v", err)
	}
	sleepCtx(ctx, time.Second) // let the flood take hold first
	flooded := measure(ctx)
	if err := child.Wait(); err != nil {
		t.Errorf("the flood process: %v\n%s", err, childOut.String())
	}
	for _, line := range strings.Split(childOut.String(), "\n") {
		if strings.Contains(line, "flood from") {
			t.Log(strings.TrimSpace(line))
		}
	}

	for i, p := range protos {
		if len(baseline[i]) == 0 || len(flooded[i]) == 0 {
			t.Errorf("%s: %d requests without the flood, %d beside it; want some of each", p.name, len(baseline[i]), len(flooded[i]))
			continue
		}
		b, f := summarize(baseline[i]), summarize(flooded[i])
		t.Logf("%s: without the flood %s; beside it %s; p99 ratio %.2f", p.name, b, f, float64(f.p99)/float64(b.p99))
		if f.p99 >= soakP99Limit {
			t.Errorf("%s: normal clients' p99 is %v beside the flood (%v without it), want under %v", p.name, f.p99, b.p99, soakP99Limit)
		}
	}
}

// soakProto is one protocol as the soak's clients speak it.
type soakProto struct {
	name, addr string
	// fetch makes one request over a fresh connection from d and checks
	// the answer.
	fetch func(d *net.Dialer) error
	// idle is what a hoarding connection sends before going quiet.
	idle []byte
}

// soakProtos returns Gemini at gem and Gopher at gop, serving content("Soak").
func soakProtos(gem, gop string) []soakProto {
	_, gemPort, _ := net.SplitHostPort(gem)
	gemURL := "gemini://localhost:" + gemPort + "/"
	tlsCfg := &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"}
	return []soakProto{
		{"gemini", gem, func(d *net.Dialer) error {
			c, err := tls.DialWithDialer(d, "tcp", gem, tlsCfg)
			if err != nil {
				return err
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := io.WriteString(c, gemURL+"\r\n"); err != nil {
				return err
			}
			b, err := io.ReadAll(c)
			if err != nil {
				return err
			}
			if !strings.HasPrefix(string(b), "20 ") || !strings.Contains(string(b), "# Soak") {
				return fmt.Errorf("answer %.60q", b)
			}
			return nil
		}, []byte{0x16}},
		{"gopher", gop, func(d *net.Dialer) error {
			c, err := d.Dial("tcp", gop)
			if err != nil {
				return err
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := io.WriteString(c, "\r\n"); err != nil {
				return err
			}
			b, err := io.ReadAll(c)
			if err != nil {
				return err
			}
			if !strings.Contains(string(b), "iSoak\t") || !strings.HasSuffix(string(b), ".\r\n") {
				return fmt.Errorf("answer %.60q", b)
			}
			return nil
		}, []byte("/pos")},
	}
}

// TestSoakFlood is the flood of TestSoak, run by it in a process of its
// own (GMKIT_SOAK_FLOOD="gemini-addr gopher-addr duration"): from
// 127.0.0.2, per protocol, soakHoarders connections that send a few bytes
// and go quiet until the server gives up on them, then start again, and
// soakRequesters clients sending requests back to back. Refused ones try
// again after a pause, jittered as independent workers are.
func TestSoakFlood(t *testing.T) {
	spec := strings.Fields(os.Getenv("GMKIT_SOAK_FLOOD"))
	if len(spec) != 3 {
		t.Skip("run by TestSoak")
	}
	dur, err := time.ParseDuration(spec[2])
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	flood := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}, Timeout: 5 * time.Second}
	var wg sync.WaitGroup
	var served, refused atomic.Int64
	for _, p := range soakProtos(spec[0], spec[1]) {
		for range soakHoarders {
			wg.Go(func() {
				buf := make([]byte, 1)
				for ctx.Err() == nil {
					c, err := flood.DialContext(ctx, "tcp", p.addr)
					if err != nil {
						sleepCtx(ctx, time.Second)
						continue
					}
					stop := context.AfterFunc(ctx, func() { c.Close() })
					c.Write(p.idle)
					start := time.Now()
					c.Read(buf) // until the server closes it
					stop()
					c.Close()
					if time.Since(start) < 100*time.Millisecond {
						refused.Add(1)
						sleepCtx(ctx, time.Duration(500+rand.IntN(1000))*time.Millisecond)
					}
				}
			})
		}
		for range soakRequesters {
			wg.Go(func() {
				for ctx.Err() == nil {
					if p.fetch(flood) == nil {
						served.Add(1)
					} else {
						sleepCtx(ctx, 100*time.Millisecond)
					}
				}
			})
		}
	}
	wg.Wait()
	fmt.Printf("flood from 127.0.0.2: %d requests served, %d connections closed at once (per-address cap)\n", served.Load(), refused.Load())
}

type latencies struct {
	n             int
	p50, p99, max time.Duration
}

func (l latencies) String() string {
	return fmt.Sprintf("%d requests, p50 %v, p99 %v, max %v", l.n, l.p50.Round(10*time.Microsecond), l.p99.Round(10*time.Microsecond), l.max.Round(10*time.Microsecond))
}

func summarize(lat []time.Duration) latencies {
	slices.Sort(lat)
	pct := func(q float64) time.Duration { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
	return latencies{n: len(lat), p50: pct(0.50), p99: pct(0.99), max: lat[len(lat)-1]}
}

// sleepCtx sleeps for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
