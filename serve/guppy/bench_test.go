package guppy

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"sync"
	"testing"
	"time"
)

// The benchmarks fetch a 100 KB page over loopback UDP and compare, in the
// same run:
//
//   - BenchmarkLoss: this server with its defaults against the protocol's
//     reference behaviour (512-byte chunks, 8 in flight, fixed 2 s
//     retransmission), both through a proxy dropping the same share of
//     datagrams each way on the same seeds; metric "speedup" is reference
//     time over ours.
//   - BenchmarkVsGemini: the same fetch without loss against a bare Go TLS
//     server answering the same page, a new connection per fetch; metric
//     "x-gemini" is our time over Gemini's.
//
// The reference at 20% loss takes tens of seconds per fetch:
//
//	go test -run '^$' -bench . -benchtime 5x ./serve/guppy/

const benchPageSize = 100_000

func benchPage() []byte { return randomBody(benchPageSize, 42) }

// referenceServer returns a Server behaving like the reference servers.
func referenceServer(h Handler) *Server {
	return &Server{
		Handler:        h,
		ChunkSize:      512,
		FirstChunkSize: 512,
		Window:         8,
		FixedRTO:       2 * time.Second,
		MaxRetransmits: 1000,
	}
}

func fetchOnce(b *testing.B, c *Client, url string, want []byte) time.Duration {
	b.Helper()
	start := time.Now()
	resp, err := c.Get(context.Background(), url)
	d := time.Since(start)
	if err != nil {
		b.Fatal(err)
	}
	if !bytes.Equal(resp.Body, want) {
		b.Fatalf("got %d bytes, want %d identical", len(resp.Body), len(want))
	}
	return d
}

func BenchmarkLoss(b *testing.B) {
	page := benchPage()
	for _, loss := range []float64{0, 0.05, 0.20} {
		b.Run(fmt.Sprintf("loss=%.0f%%", loss*100), func(b *testing.B) {
			ours := startServer(b, &Server{Handler: staticHandler(page)})
			ref := startServer(b, referenceServer(staticHandler(page)))
			c := &Client{Timeout: 10 * time.Minute}
			var oursTotal, refTotal time.Duration
			b.ResetTimer()
			for i := range b.N {
				seed := uint64(i + 1)
				l := lossy{Drop: loss}
				// Proxies stay open until the benchmark ends, so that no
				// later fetch reuses the port of a session still open.
				p := newProxy(b, ours, seed, l, l)
				oursTotal += fetchOnce(b, c, "guppy://"+p.Addr()+"/", page)
				p = newProxy(b, ref, seed, l, l)
				refTotal += fetchOnce(b, c, "guppy://"+p.Addr()+"/", page)
			}
			b.StopTimer()
			n := float64(b.N)
			b.ReportMetric(float64(oursTotal.Milliseconds())/n, "ms/fetch")
			b.ReportMetric(float64(refTotal.Milliseconds())/n, "ref-ms/fetch")
			b.ReportMetric(float64(refTotal)/float64(oursTotal), "speedup")
		})
	}
}

func BenchmarkVsGemini(b *testing.B) {
	page := benchPage()
	guppyAddr := startServer(b, &Server{Handler: staticHandler(page)})
	gemAddr := startBareGemini(b, page)
	c := &Client{}
	tc := &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}
	var guppyTotal, gemTotal time.Duration
	b.ResetTimer()
	for range b.N {
		guppyTotal += fetchOnce(b, c, "guppy://"+guppyAddr+"/", page)
		start := time.Now()
		body, err := geminiFetch(gemAddr, tc)
		gemTotal += time.Since(start)
		if err != nil || !bytes.Equal(body, page) {
			b.Fatalf("gemini fetch: %d bytes, %v", len(body), err)
		}
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(guppyTotal.Microseconds())/n, "µs/fetch")
	b.ReportMetric(float64(gemTotal.Microseconds())/n, "gemini-µs/fetch")
	b.ReportMetric(float64(guppyTotal)/float64(gemTotal), "x-gemini")
}

// geminiFetch makes one Gemini request on a new TLS connection and returns
// the body after the header.
func geminiFetch(addr string, tc *tls.Config) ([]byte, error) {
	conn, err := tls.Dial("tcp", addr, tc)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "gemini://localhost/\r\n"); err != nil {
		return nil, err
	}
	all, err := io.ReadAll(conn)
	if err != nil {
		return nil, err
	}
	_, body, ok := bytes.Cut(all, []byte("\r\n"))
	if !ok {
		return nil, errors.New("no header")
	}
	return body, nil
}

// startBareGemini runs the simplest Gemini server Go allows: TLS, read the
// request line, write the header and the page, close.
func startBareGemini(b *testing.B, page []byte) string {
	b.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		b.Fatal(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}
	l, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer conn.Close()
				buf := make([]byte, 1026)
				n := 0
				for n < len(buf) && !bytes.Contains(buf[:n], []byte("\r\n")) {
					m, err := conn.Read(buf[n:])
					if err != nil {
						return
					}
					n += m
				}
				_, _ = io.WriteString(conn, "20 text/gemini\r\n")
				_, _ = conn.Write(page)
			})
		}
	})
	b.Cleanup(func() {
		_ = l.Close()
		wg.Wait()
	})
	return l.Addr().String()
}
