package gemini

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gmkit/gmkit/serve/certs"
)

// Benchmarks: go test -run '^$' -bench . -benchtime 3s ./serve/gemini/
// Each request opens a new TLS connection, as Gemini does, from 16
// concurrent clients. BenchmarkFloor is a bare Go TLS server answering a
// fixed reply from memory: compare the others against it in the same run.
// Clients and server share this process here; the program in bench/ runs
// the clients apart, adds molly-brown and go-gemini, repeats the cells
// interleaved and reports server CPU per request, which is steadier on a
// busy machine than req/s.

const benchClients = 16

var smallPage = []byte("# Hello\n\nA small page of gemtext, about the size of a short post.\n=> /about.gmi About\n")

func benchFS() fstest.MapFS {
	return fstest.MapFS{
		"index.gmi":  {Data: smallPage},
		"big.bin":    {Data: bytes.Repeat([]byte("0123456789abcdef"), 1<<16)}, // 1 MiB
		"page/a.gmi": {Data: smallPage},
	}
}

func benchCert(b *testing.B) func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	store, err := certs.New(certs.Config{Dir: b.TempDir(), Hosts: []string{"localhost"}})
	if err != nil {
		b.Fatal(err)
	}
	return store.GetCertificate
}

func benchServer(b *testing.B) string {
	fsys := benchFS() // once: a snapshot, as serve holds one
	srv := &Server{GetCertificate: benchCert(b), Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
		FileServer(fsys, Options{}).ServeGemini(w, r) // one per request, as serve does
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(l)
	b.Cleanup(func() { srv.Close() })
	return l.Addr().String()
}

// floorServer is the floor: accept, handshake, read a line, write a fixed
// reply, close.
func floorServer(b *testing.B) string {
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{GetCertificate: benchCert(b)})
	if err != nil {
		b.Fatal(err)
	}
	reply := append([]byte("20 text/gemini\r\n"), smallPage...)
	go func() { // ends when the listener closes
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				if _, err := bufio.NewReader(c).ReadString('\n'); err == nil {
					c.Write(reply)
				}
			}()
		}
	}()
	b.Cleanup(func() { l.Close() })
	return l.Addr().String()
}

func fetch(b *testing.B, addr, line string, cfg *tls.Config) int64 {
	c, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		b.Error(err)
		return 0
	}
	defer c.Close()
	io.WriteString(c, line)
	var head [2]byte
	if _, err := io.ReadFull(c, head[:]); err != nil || string(head[:]) != "20" {
		b.Errorf("answer %q, %v", head, err)
		return 0
	}
	n, _ := io.Copy(io.Discard, c)
	return n + 2
}

func hammer(b *testing.B, addr, path string) {
	cfg := &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"}
	line := "gemini://localhost:" + portOf(addr) + path + "\r\n"
	b.SetParallelism((benchClients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			fetch(b, addr, line, cfg)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

func BenchmarkFloor(b *testing.B)     { hammer(b, floorServer(b), "/") }
func BenchmarkSmallPage(b *testing.B) { hammer(b, benchServer(b), "/") }
func BenchmarkLargeFile(b *testing.B) {
	b.SetBytes(1 << 20)
	hammer(b, benchServer(b), "/big.bin")
}

// BenchmarkResumption compares a full handshake with a resumed one (a
// client session cache shared by the clients: returning visitors), with the
// same 16 concurrent clients as the others. One client alone would leave a
// core idle while it waits on the server and hide the gain. TLS 1.3 keeps
// a key exchange on resumption, so its gain is the certificate signature
// only; TLS 1.2 resumption skips the key exchange too.
func BenchmarkResumption(b *testing.B) {
	addr := benchServer(b)
	line := "gemini://localhost:" + portOf(addr) + "/\r\n"
	for _, tt := range []struct {
		name   string
		ver    uint16
		resume bool
	}{
		{"tls13-full", tls.VersionTLS13, false},
		{"tls13-resumed", tls.VersionTLS13, true},
		{"tls12-full", tls.VersionTLS12, false},
		{"tls12-resumed", tls.VersionTLS12, true},
	} {
		b.Run(tt.name, func(b *testing.B) {
			cfg := &tls.Config{InsecureSkipVerify: true, ServerName: "localhost", MinVersion: tt.ver, MaxVersion: tt.ver}
			if tt.resume {
				cfg.ClientSessionCache = tls.NewLRUClientSessionCache(64)
			}
			fetch(b, addr, line, cfg) // prime the ticket
			var resumed atomic.Int64
			b.SetParallelism((benchClients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					c, err := tls.Dial("tcp", addr, cfg)
					if err != nil {
						b.Error(err)
						return
					}
					if c.ConnectionState().DidResume {
						resumed.Add(1)
					}
					io.WriteString(c, line)
					io.Copy(io.Discard, c)
					c.Close()
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			b.ReportMetric(float64(resumed.Load())/float64(b.N), "resumed/op")
		})
	}
}

// BenchmarkIdleConnMemory reports the heap and stack held per idle
// connection: clients that connected and sent one byte of a handshake.
// Client-side sockets are counted too, so this is an upper bound.
func BenchmarkIdleConnMemory(b *testing.B) {
	addr := benchServer(b)
	const n = 500
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		conns := make([]net.Conn, 0, n)
		for i := 0; i < n; i++ {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			c.Write([]byte{0x16})
			conns = append(conns, c)
		}
		time.Sleep(200 * time.Millisecond) // let the server goroutines block
		runtime.GC()
		runtime.ReadMemStats(&after)
		held := (after.HeapInuse + after.StackInuse) - (before.HeapInuse + before.StackInuse)
		b.ReportMetric(float64(held)/n, "B/idle-conn")
		for _, c := range conns {
			c.Close()
		}
	}
}

// BenchmarkSmallPageVsFloor answers the small page from gmkit's server and
// from the floor in turns of 200 requests each (16 clients, a new TLS
// connection per request, the same certificate and key exchange), so that
// load from the rest of the machine weighs on both alike. It reports both
// rates and gmkit's over the floor's: the goal is at least 1. The server
// is set up as gmkit serve sets it up for a site without access rules or
// CGI: one handler over the snapshot, its host names checked, and
// ("log") one text log line per request, or ("nolog") none.
func BenchmarkSmallPageVsFloor(b *testing.B) {
	for _, logged := range []bool{false, true} {
		name := "nolog"
		if logged {
			name = "log"
		}
		b.Run(name, func(b *testing.B) {
			floor := floorServer(b)
			srv := &Server{GetCertificate: benchCert(b), Hostnames: []string{"localhost"},
				NoClientCerts: true, Handler: FileServer(benchFS(), Options{})}
			if logged {
				srv.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
			}
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			go srv.Serve(l)
			b.Cleanup(func() { srv.Close() })
			ours := l.Addr().String()
			cfg := &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"}
			turn := func(addr string, n int) time.Duration {
				line := "gemini://localhost:" + portOf(addr) + "/\r\n"
				var next atomic.Int64
				var wg sync.WaitGroup
				start := time.Now()
				for range benchClients {
					wg.Go(func() {
						for next.Add(1) <= int64(n) {
							fetch(b, addr, line, cfg)
						}
					})
				}
				wg.Wait()
				return time.Since(start)
			}
			turn(floor, 100) // warm up
			turn(ours, 100)
			const per = 200
			var spentFloor, spentOurs time.Duration
			b.ResetTimer()
			for range b.N {
				spentFloor += turn(floor, per)
				spentOurs += turn(ours, per)
			}
			reqs := float64(b.N * per)
			b.ReportMetric(reqs/spentFloor.Seconds(), "floor-req/s")
			b.ReportMetric(reqs/spentOurs.Seconds(), "gmkit-req/s")
			b.ReportMetric(spentFloor.Seconds()/spentOurs.Seconds(), "ratio")
		})
	}
}
