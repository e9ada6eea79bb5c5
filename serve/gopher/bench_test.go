package gopher

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gmkit/gmkit/serve/stream/streamtest"
)

// benchClients is the number of clients fetching at once.
const benchClients = 16

// benchHole writes the benchmark hole to a folder: a root menu of 24 items
// and a 1 MB binary file.
func benchHole(b *testing.B, host string, port int) (dir string, files map[string][]byte) {
	b.Helper()
	dir = b.TempDir()
	var menu bytes.Buffer
	fmt.Fprintf(&menu, "iA small menu for the benchmark\t\t%s\t%d\n", host, port)
	for i := range 23 {
		fmt.Fprintf(&menu, "0Post number %d\t/posts/post-%d.txt\t%s\t%d\n", i, i, host, port)
	}
	big := make([]byte, 1<<20)
	if _, err := rand.Read(big); err != nil {
		b.Fatal(err)
	}
	files = map[string][]byte{"gophermap": menu.Bytes(), "big.bin": big}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir, files
}

// freePort finds a loopback port that is free right now.
func freePort(b *testing.B) int {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startGophernicus runs gophernicus under socat on a loopback port, or
// skips when either is missing (apt-get install gophernicus socat).
func startGophernicus(b *testing.B, root string, port int) string {
	b.Helper()
	gn, err := exec.LookPath("gophernicus")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/gophernicus"); serr != nil {
			b.Skip("gophernicus is not installed: no baseline (apt-get install gophernicus socat)")
		}
		gn = "/usr/sbin/gophernicus"
	}
	socat, err := exec.LookPath("socat")
	if err != nil {
		b.Skip("socat is not installed: no gophernicus baseline (apt-get install socat)")
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	// Its throttling is lifted and its extras (headers, footers, syslog,
	// status page, executable maps) are off, to measure serving alone; -nr
	// lets it run as root in containers.
	exe := fmt.Sprintf("%s -h 127.0.0.1 -p %d -r %s -nf -nh -nl -nv -ns -nu -nx -nt -na -nr -i 1000000000 -k 1000000000", gn, port, root)
	cmd := exec.Command(socat, fmt.Sprintf("TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr,fork,backlog=256", port), "EXEC:"+exe)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	for range 200 {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.Fatalf("socat+gophernicus did not start listening on %s", addr)
	return ""
}

// load fetches req from addr b.N times over benchClients connections at a
// time, checks each answer's length and reports requests per second.
func load(b *testing.B, addr, req string, wantLen int) {
	b.Helper()
	streamtest.Load(b, addr, req, wantLen, benchClients)
}

// BenchmarkServe measures requests per second with 16 clients for a small
// menu and a 1 MB file: gmkit from disk (os.DirFS, as with --no-build),
// gmkit from memory (as under serve), and gophernicus under socat as the
// baseline, all in the same run.
func BenchmarkServe(b *testing.B) {
	port := freePort(b)
	dir, files := benchHole(b, "127.0.0.1", port)
	menuLen := len(normalizeMap(files["gophermap"], ".", place{host: "127.0.0.1", port: port}, nil))
	mem := fstest.MapFS{}
	for name, data := range files {
		mem[name] = &fstest.MapFile{Data: data}
	}
	targets := []struct {
		name, req string
		size      int
	}{
		{"menu", "/\r\n", menuLen},
		{"file1MB", "/big.bin\r\n", 1 << 20},
	}
	servers := []struct {
		name  string
		start func(b *testing.B) string
	}{
		{"gmkit-disk", func(b *testing.B) string {
			return startBenchServer(b, &Server{Handler: FileServer(os.DirFS(dir), Options{Listing: true})})
		}},
		{"gmkit-mem", func(b *testing.B) string {
			return startBenchServer(b, &Server{Handler: FileServer(mem, Options{Listing: true})})
		}},
		{"gophernicus", func(b *testing.B) string { return startGophernicus(b, dir, port) }},
	}
	for _, srv := range servers {
		b.Run(srv.name, func(b *testing.B) {
			addr := srv.start(b)
			for _, tg := range targets {
				b.Run(tg.name, func(b *testing.B) {
					if tg.name == "file1MB" {
						b.SetBytes(1 << 20)
					}
					load(b, addr, tg.req, tg.size)
				})
			}
		})
	}
}

func startBenchServer(b *testing.B, s *Server) string {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() { // ends when the server is closed below
		defer close(done)
		s.Serve(l)
	}()
	b.Cleanup(func() {
		s.Close()
		<-done
	})
	return l.Addr().String()
}
