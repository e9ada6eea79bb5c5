package serve

import (
	"io"
	"net"
	"strings"
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

// smallMenu is smallPage as the Gopher output has it: wrapped info lines
// and the links as menu items.
var smallMenu = "iA random wire antenna for the price of a pizza\t\tlocalhost\t70\n" +
	strings.Repeat("iA length of wire, a 9:1 unun and a tuner: that is all a random wire\t\tlocalhost\t70\n"+
		"ineeds, and it hears the whole shortwave range well enough to start.\t\tlocalhost\t70\n"+
		"i\t\tlocalhost\t70\n", 8) +
	"1All posts\t/posts/\tlocalhost\t70\n1Antennas\t/tags/antennas/\tlocalhost\t70\n1Home\t/\tlocalhost\t70\n"

// BenchmarkSmallPage measures requests per second for one small page over
// Gopher (the post as a menu of info lines and links, gopher.mode's
// default), Spartan (the gemtext) and Nex (the gemtext rendered), each served from memory through the same accept loop
// to 16 clients at once, one request per connection. The three take turns
// in rounds of 200 requests, so that a machine whose load changes during
// the run weighs on all three alike. It reports each one's rate and
// Spartan's and Nex's against Gopher's (issue 15 asks for at least 0.9).
// An op is one request on each protocol.
func BenchmarkSmallPage(b *testing.B) {
	mem := fstest.MapFS{
		"posts/pizza/index.gmi": {Data: []byte(smallPage)},
		"posts/pizza/gophermap": {Data: []byte(smallMenu)},
	}
	tree := (&policy.Policy{}).Tree(mem, spartan.DefaultIndex, nil)
	servers := []struct {
		name string
		srv  streamtest.Server
		req  string
	}{
		{"gopher", &gopher.Server{Handler: gopher.FileServer(mem, gopher.Options{}), MaxConnsPerAddr: -1}, "/posts/pizza/\r\n"},
		{"spartan", &spartan.Server{Handler: spartan.TreeHandler(tree, nil, spartan.Options{}), MaxConnsPerAddr: -1}, "localhost /posts/pizza/ 0\r\n"},
		{"nex", &nex.Server{Handler: nex.TreeHandler(tree, nex.Options{}), MaxConnsPerAddr: -1}, "/posts/pizza/\n"},
	}
	addrs := make([]string, len(servers))
	wants := make([]int, len(servers))
	for i, s := range servers {
		addrs[i] = streamtest.Start(b, s.srv)
		wants[i] = len(fetchAll(b, addrs[i], s.req))
	}
	const round = 200
	spent := make([]time.Duration, len(servers))
	b.ResetTimer()
	for done := 0; done < b.N; done += round {
		n := min(round, b.N-done)
		for i, s := range servers {
			start := time.Now()
			if err := streamtest.Fetch(addrs[i], s.req, wants[i], n, 16); err != nil {
				b.Fatalf("%s: %v", s.name, err)
			}
			spent[i] += time.Since(start)
		}
	}
	b.StopTimer()
	rate := func(i int) float64 { return float64(b.N) / spent[i].Seconds() }
	for i, s := range servers {
		b.ReportMetric(rate(i), s.name+"-req/s")
	}
	b.ReportMetric(rate(1)/rate(0), "spartan/gopher")
	b.ReportMetric(rate(2)/rate(0), "nex/gopher")
	b.ReportMetric(0, "ns/op")
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
