package serve

import (
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gmkit/gmkit/serve/gopher"
	"github.com/gmkit/gmkit/serve/nex"
	"github.com/gmkit/gmkit/serve/policy"
	"github.com/gmkit/gmkit/serve/spartan"
	"github.com/gmkit/gmkit/serve/stream/streamtest"
)

// smallPage is a post of about 1.5 kB: a heading, a few paragraphs and
// links, as the example site's pages are.
var smallPage = "# A random wire antenna for the price of a pizza\n\n" +
	strings.Repeat("A length of wire, a 9:1 unun and a tuner: that is all a random wire needs, and it hears the whole shortwave range well enough to start.\n\n", 8) +
	"=> /posts/ All posts\n=> /tags/antennas/ Antennas\n=> / Home\n"

// BenchmarkSmallPage measures requests per second for one small page over
// Gopher (as a text file, type 0), Spartan (the gemtext) and Nex (the
// gemtext rendered), each served from memory through the same accept loop
// by 16 clients at once, one request per connection. Spartan and Nex report
// their rate against Gopher's in the same run (vs-gopher); issue 15 asks
// for at least 0.9.
func BenchmarkSmallPage(b *testing.B) {
	mem := fstest.MapFS{
		"posts/pizza/index.gmi": {Data: []byte(smallPage)},
		"posts/pizza.txt":       {Data: []byte(smallPage)},
	}
	tree := (&policy.Policy{}).Tree(mem, spartan.DefaultIndex, nil)
	gopherRate := 0.0
	servers := []struct {
		name string
		srv  func() streamtest.Server
		req  string
	}{
		{"gopher", func() streamtest.Server {
			return &gopher.Server{Handler: gopher.FileServer(mem, gopher.Options{}), MaxConnsPerAddr: -1}
		}, "/posts/pizza.txt\r\n"},
		{"spartan", func() streamtest.Server {
			return &spartan.Server{Handler: spartan.TreeHandler(tree, nil, spartan.Options{}), MaxConnsPerAddr: -1}
		}, "localhost /posts/pizza/ 0\r\n"},
		{"nex", func() streamtest.Server {
			return &nex.Server{Handler: nex.TreeHandler(tree, nex.Options{}), MaxConnsPerAddr: -1}
		}, "/posts/pizza/\n"},
	}
	for _, s := range servers {
		b.Run(s.name, func(b *testing.B) {
			addr := streamtest.Start(b, s.srv())
			want := len(fetchAll(b, addr, s.req))
			rate := load(b, addr, s.req, want)
			if s.name == "gopher" {
				gopherRate = rate
			} else if gopherRate > 0 {
				b.ReportMetric(rate/gopherRate, "vs-gopher")
			}
		})
	}
}

// fetchAll sends req and returns the whole answer.
func fetchAll(b *testing.B, addr, req string) []byte {
	b.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, req)
	out, err := io.ReadAll(c)
	if err != nil || len(out) == 0 {
		b.Fatalf("%q: %q, %v", req, out, err)
	}
	return out
}

// load fetches req from addr b.N times over 16 connections at a time,
// checks each answer's length and returns (and reports) requests per
// second.
func load(b *testing.B, addr, req string, wantLen int) float64 {
	b.Helper()
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range 16 {
		wg.Add(1)
		go func() { // ends when the b.N requests are taken
			defer wg.Done()
			buf := make([]byte, 16<<10)
			for next.Add(1) <= int64(b.N) {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					failed.Store(err)
					return
				}
				io.WriteString(c, req)
				n := 0
				for {
					m, err := c.Read(buf)
					n += m
					if err != nil {
						break
					}
				}
				c.Close()
				if n != wantLen {
					failed.Store(fmt.Errorf("answer of %d bytes, want %d", n, wantLen))
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err := failed.Load(); err != nil {
		b.Fatal(err)
	}
	rate := float64(b.N) / elapsed.Seconds()
	b.ReportMetric(rate, "req/s")
	return rate
}
