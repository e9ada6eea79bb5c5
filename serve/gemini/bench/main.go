// Command bench measures gmkit's Gemini server against a bare TLS floor and
// against established Gemini servers, all in one run on the same machine.
//
// Every request opens a new TCP connection and TLS session, as Gemini does,
// from 16 concurrent clients (-clients). The servers:
//
//	floor      a bare Go TLS server answering one fixed reply from memory
//	gmkit      gemini.Server + gemini.FileServer over an fstest.MapFS,
//	           the FileServer built per request as `gmkit serve` does
//	molly      molly-brown (Debian package molly-brown) serving the same
//	           files from a temporary folder, with its own certificate
//	go-gemini  git.sr.ht/~adnano/go-gemini's FileServer over the same files
//
// The cases: a small page, a 1 MiB file, and gmkit's small page with a full
// handshake against a resumed one (client session cache), for TLS 1.3 and
// TLS 1.2. The clients run in a child process, so the in-process servers'
// CPU is theirs alone. All cells run interleaved, -rounds times for -dur
// each, after one shorter warm-up round, so that load from the rest of the
// machine falls on every server alike.
//
// Columns, medians over the rounds: req/s and MB/s; the server's CPU time
// per request ("srv us/req": steadier than req/s on a busy machine, as it
// does not depend on how much CPU the server was given) and the clients'
// ("cli us/req"); the server's read and write system calls per request
// (from /proc, so for in-process servers they include the Go runtime's
// own). Ratios are medians of per-round ratios of req/s (min-max in
// brackets): "x floor" against the floor for the same reply; "x molly"
// and "x go-gemini" are gmkit over that server (above 1: gmkit is ahead);
// "gain" is resumed over full for the same TLS version. Last, the memory
// the in-process servers hold per idle connection (-idle N connections
// from a child process that sent one byte of a handshake; 0 skips it).
//
// Run it from this folder, a module of its own so that the main build never
// depends on the baselines (Linux: it reads /proc):
//
//	cd serve/gemini/bench
//	go run . -rounds 7 -dur 1s
//
// Baselines are optional and skipped with a message when absent:
//
//	apt-get install molly-brown      # or -molly /path/to/molly-brown
//	go get git.sr.ht/~adnano/go-gemini@latest && go run -tags gogemini .
//
// Other flags: -curve x25519 makes the clients offer X25519 only (molly-brown
// as packaged is built with a Go that predates the hybrid ML-KEM exchange
// that current Go clients and servers prefer, so by default it does less
// key-exchange work per handshake than the others); -only REGEXP runs only
// the matching cells (e.g. 'small/' or 'resume'); -cpuprofile FILE profiles
// this process (the in-process servers) during the run.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing/fstest"
	"text/tabwriter"
	"time"

	"github.com/gmkit/gmkit/serve/certs"
	"github.com/gmkit/gmkit/serve/gemini"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// options configure the whole run.
type options struct {
	clients int
	rounds  int
	dur     time.Duration
	molly   string
	curve   string
	idle    int
	only    *regexp.Regexp
}

func run() error {
	var o options
	var c clientOptions
	var only, cpuprofile string
	var client bool
	flag.IntVar(&o.clients, "clients", 16, "concurrent clients")
	flag.IntVar(&o.rounds, "rounds", 5, "measured rounds (each cell runs once per round)")
	flag.DurationVar(&o.dur, "dur", 2*time.Second, "duration of one cell in one round")
	flag.StringVar(&o.molly, "molly", "molly-brown", "molly-brown executable (skipped when not found)")
	flag.StringVar(&o.curve, "curve", "", `key exchange the clients offer: "" (Go's default) or "x25519"`)
	flag.StringVar(&only, "only", "", "run only the cells whose label matches this regexp")
	flag.StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile of the servers in this process to this file")
	flag.BoolVar(&client, "client", false, "internal: run as the load generator of one cell")
	flag.IntVar(&o.idle, "idle", 500, "idle connections for the memory measurement (0: skip it)")
	var idleClient bool
	flag.BoolVar(&idleClient, "idle-client", false, "internal: hold -idle connections to -addr open")
	flag.StringVar(&c.addr, "addr", "", "internal (-client): server address")
	flag.StringVar(&c.line, "line", "", "internal (-client): request line")
	flag.IntVar(&c.want, "want", 0, "internal (-client): body size expected")
	flag.StringVar(&c.version, "version", "", "internal (-client): tls12, tls13 or both")
	flag.BoolVar(&c.resume, "resume", false, "internal (-client): use a client session cache")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	if o.clients < 1 || o.rounds < 1 || o.dur <= 0 {
		return errors.New("-clients, -rounds and -dur must be positive")
	}
	if o.curve != "" && o.curve != "x25519" {
		return fmt.Errorf("-curve %q: want x25519 or nothing", o.curve)
	}
	if client {
		c.clients, c.dur, c.curve = o.clients, o.dur, o.curve
		return runClients(ctx, c)
	}
	if idleClient {
		return holdIdle(c.addr, o.idle)
	}
	if only != "" {
		re, err := regexp.Compile(only)
		if err != nil {
			return fmt.Errorf("-only: %w", err)
		}
		o.only = re
	}

	fx, err := newFixture()
	if err != nil {
		return err
	}
	defer os.RemoveAll(fx.dir)

	var servers []*target
	defer func() {
		for _, t := range servers {
			t.stop()
		}
	}()
	add := func(name string, start func(context.Context, *fixture) (*target, error)) {
		t, err := start(ctx, fx)
		if err != nil {
			fmt.Printf("skipping %s: %v\n", name, err)
			return
		}
		t.name = name
		if t.pid == 0 {
			t.pid = os.Getpid()
		}
		servers = append(servers, t)
	}
	add("floor", startFloor)
	add("gmkit", startGmkit)
	add("molly", func(ctx context.Context, fx *fixture) (*target, error) { return startMolly(ctx, fx, o.molly) })
	add("go-gemini", startGoGemini)

	cells := makeCells(servers, fx, o)
	if len(cells) == 0 {
		return errors.New("no cell to run")
	}

	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return fmt.Errorf("-cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("-cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}

	fmt.Printf("%d clients, new connection per request; %d rounds x %v per cell (+1 warm-up round)\n",
		o.clients, o.rounds, o.dur)
	for r := 0; r <= o.rounds; r++ {
		d := o.dur
		if r == 0 {
			d = max(o.dur/4, 200*time.Millisecond)
		}
		for _, c := range cells {
			s, err := measure(ctx, c, o, d)
			if err != nil {
				return fmt.Errorf("%s: %w", c.label, err)
			}
			if r > 0 {
				c.samples = append(c.samples, s)
			}
			if s.Errs > 0 {
				fmt.Printf("  %s: %d errors (first: %s)\n", c.label, s.Errs, s.FirstErr)
			}
		}
		if r > 0 {
			fmt.Printf("round %d/%d done\n", r, o.rounds)
		}
	}
	report(os.Stdout, cells)
	if o.idle > 0 {
		for _, t := range servers {
			if t.pid != os.Getpid() {
				continue // measured through this process's heap only
			}
			heap, stack, err := idleMemory(ctx, t, o.idle)
			if err != nil {
				return fmt.Errorf("idle connections to %s: %w", t.name, err)
			}
			fmt.Printf("%s: %.0f bytes held per idle connection (heap %.0f + stack %.0f; %d connections that sent one byte of a ClientHello)\n",
				t.name, heap+stack, heap, stack, o.idle)
		}
	}
	return nil
}

// idleMemory opens n idle connections to t from a child process and
// returns the growth of this process's heap and stacks per connection.
func idleMemory(ctx context.Context, t *target, n int) (heap, stack float64, err error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, 0, fmt.Errorf("own executable: %w", err)
	}
	cmd := exec.CommandContext(ctx, exe, "-idle-client", "-addr", t.addr, "-idle", strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return 0, 0, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, err
	}
	hb, sb := heapAndStacks()
	if err := cmd.Start(); err != nil {
		return 0, 0, fmt.Errorf("idle client: %w", err)
	}
	defer cmd.Wait()
	defer in.Close() // the child exits when its stdin closes
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "ready\n" {
		return 0, 0, fmt.Errorf("idle client said %q: %v", line, err)
	}
	time.Sleep(300 * time.Millisecond) // let the server goroutines block
	ha, sa := heapAndStacks()
	return float64(ha-hb) / float64(n), float64(sa-sb) / float64(n), nil
}

func heapAndStacks() (int64, int64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse), int64(m.StackInuse)
}

// holdIdle is the -idle-client mode: it opens n connections to addr, sends
// one byte of a TLS handshake on each, says "ready" and waits for stdin
// to close.
func holdIdle(addr string, n int) error {
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return err
		}
		conns = append(conns, c)
		if _, err := c.Write([]byte{0x16}); err != nil {
			return err
		}
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	return nil
}

// fixture holds the files every server serves and the certificates.
type fixture struct {
	dir       string // the files on disk, plus configs and logs
	docs      string // dir/docs: what molly-brown and go-gemini serve
	fsys      fstest.MapFS
	small     []byte
	large     []byte
	gmkitCert func(*tls.ClientHelloInfo) (*tls.Certificate, error)
	own       tls.Certificate // for the other servers
	certFile  string
	keyFile   string
}

const (
	smallPath = "/"
	largePath = "/big.bin"
)

func newFixture() (*fixture, error) {
	dir, err := os.MkdirTemp("", "gmkit-gemini-bench-")
	if err != nil {
		return nil, fmt.Errorf("temp folder: %w", err)
	}
	fx := &fixture{dir: dir, docs: filepath.Join(dir, "docs")}
	fx.small = []byte("# Hello\n\nA small page of gemtext, about the size of a short post.\n=> /about.gmi About\n")
	fx.large = bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	fx.fsys = fstest.MapFS{
		"index.gmi": {Data: fx.small, Mode: 0o644},
		"big.bin":   {Data: fx.large, Mode: 0o644},
	}
	if err := os.MkdirAll(fx.docs, 0o755); err != nil {
		return nil, fmt.Errorf("%s: %w", fx.docs, err)
	}
	for name, f := range fx.fsys {
		p := filepath.Join(fx.docs, name)
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	store, err := certs.New(certs.Config{Dir: filepath.Join(dir, "certs"), Hosts: []string{"localhost"}})
	if err != nil {
		return nil, fmt.Errorf("gmkit certificate: %w", err)
	}
	fx.gmkitCert = store.GetCertificate
	if err := fx.makeOwnCert(); err != nil {
		return nil, err
	}
	return fx, nil
}

// makeOwnCert makes an ECDSA P-256 certificate for localhost, the same kind
// gmkit makes, for the servers that are not gmkit.
func (fx *fixture) makeOwnCert() error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("certificate: %w", err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return fmt.Errorf("key: %w", err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
	fx.certFile = filepath.Join(fx.dir, "cert.pem")
	fx.keyFile = filepath.Join(fx.dir, "key.pem")
	if err := os.WriteFile(fx.certFile, certPEM, 0o644); err != nil {
		return fmt.Errorf("%s: %w", fx.certFile, err)
	}
	if err := os.WriteFile(fx.keyFile, keyPEM, 0o600); err != nil {
		return fmt.Errorf("%s: %w", fx.keyFile, err)
	}
	fx.own, err = tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return fmt.Errorf("key pair: %w", err)
	}
	return nil
}

// target is a running server.
type target struct {
	name string
	addr string // 127.0.0.1:port
	stop func() // stops the server and waits for it
	pid  int    // the server's process (this one for in-process servers)
}

// startFloor runs the floor: accept, handshake, read a line, write a fixed
// reply from memory (the small page, or the 1 MiB file when the line names
// it), close.
func startFloor(_ context.Context, fx *fixture) (*target, error) {
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{GetCertificate: fx.gmkitCert})
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	small := append([]byte("20 text/gemini\r\n"), fx.small...)
	large := append([]byte("20 application/octet-stream\r\n"), fx.large...)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // ends when the listener closes
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { // ends with the connection (deadline 30 s)
				defer wg.Done()
				defer c.Close()
				c.SetDeadline(time.Now().Add(30 * time.Second))
				var buf [1026]byte
				n := 0
				for n < len(buf) && !bytes.Contains(buf[:n], []byte("\r\n")) {
					m, err := c.Read(buf[n:])
					n += m
					if err != nil {
						return
					}
				}
				if bytes.Contains(buf[:n], []byte(largePath)) {
					c.Write(large)
				} else {
					c.Write(small)
				}
			}()
		}
	}()
	return &target{addr: l.Addr().String(), stop: func() { l.Close(); wg.Wait() }}, nil
}

// startGmkit runs gemini.Server with a FileServer over the in-memory files,
// built per request as the serve package does with its snapshot, and, as
// gmkit serve does for a site without access rules or CGI, asking clients
// for no certificate.
func startGmkit(_ context.Context, fx *fixture) (*target, error) {
	srv := &gemini.Server{
		GetCertificate: fx.gmkitCert,
		Hostnames:      []string{"localhost"},
		NoClientCerts:  true,
		Handler: gemini.HandlerFunc(func(w gemini.ResponseWriter, r *gemini.Request) {
			gemini.FileServer(fx.fsys, gemini.Options{}).ServeGemini(w, r)
		}),
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	done := make(chan struct{})
	go func() { // ends when srv is closed
		defer close(done)
		srv.Serve(l)
	}()
	return &target{addr: l.Addr().String(), stop: func() { srv.Close(); <-done }}, nil
}

// startMolly runs molly-brown on a free port with a configuration written
// into the fixture's folder, and waits until it answers.
func startMolly(ctx context.Context, fx *fixture, exe string) (*target, error) {
	path, err := exec.LookPath(exe)
	if err != nil {
		return nil, fmt.Errorf("%s not found (apt-get install molly-brown): %w", exe, err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(fx.dir, "molly.conf")
	text := fmt.Sprintf("Port = %d\nHostname = \"localhost\"\nCertPath = %q\nKeyPath = %q\nDocBase = %q\nAccessLog = %q\nErrorLog = %q\n",
		port, fx.certFile, fx.keyFile, fx.docs+"/", "/dev/null", filepath.Join(fx.dir, "molly-error.log"))
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		return nil, fmt.Errorf("%s: %w", conf, err)
	}
	cmd := exec.CommandContext(ctx, path, "-c", conf)
	cmd.Dir = fx.dir
	out, err := os.Create(filepath.Join(fx.dir, "molly-output.log"))
	if err != nil {
		return nil, fmt.Errorf("molly-brown output: %w", err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		out.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	stop := func() {
		cmd.Process.Kill()
		cmd.Wait()
		out.Close()
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if err := waitReady(ctx, addr); err != nil {
		stop()
		log, _ := os.ReadFile(out.Name())
		return nil, fmt.Errorf("molly-brown did not answer on %s: %w (output: %q)", addr, err, log)
	}
	return &target{addr: addr, stop: stop, pid: cmd.Process.Pid}, nil
}

// waitReady polls addr with requests for the small page until one succeeds.
func waitReady(ctx context.Context, addr string) error {
	cfg := &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"}
	line := "gemini://localhost:" + portOf(addr) + smallPath + "\r\n"
	buf := make([]byte, 32<<10)
	var err error
	for range 100 {
		if _, _, err = fetch(ctx, addr, line, cfg, buf); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return err
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

// cell is one server answering one case with one kind of client.
type cell struct {
	label   string // "small/gmkit"
	kind    string // small, large or resume
	server  *target
	line    string
	want    int    // body bytes
	version string // "" (1.2 to 1.3), "tls12" or "tls13"
	resume  bool
	samples []sample
}

func makeCells(servers []*target, fx *fixture, o options) []*cell {
	var cells []*cell
	addCell := func(c *cell) {
		if o.only == nil || o.only.MatchString(c.label) {
			cells = append(cells, c)
		}
	}
	for _, kind := range []string{"small", "large"} {
		path, want := smallPath, len(fx.small)
		if kind == "large" {
			path, want = largePath, len(fx.large)
		}
		for _, t := range servers {
			addCell(&cell{label: kind + "/" + t.name, kind: kind, server: t, line: requestLine(t, path), want: want})
		}
	}
	for _, t := range servers {
		if t.name != "gmkit" {
			continue
		}
		for _, v := range []string{"tls13", "tls12"} {
			for _, resume := range []bool{false, true} {
				mode := "full"
				if resume {
					mode = "resumed"
				}
				addCell(&cell{
					label: "resume/gmkit-" + v + "-" + mode, kind: "resume", server: t,
					line: requestLine(t, smallPath), want: len(fx.small), version: v, resume: resume,
				})
			}
		}
	}
	return cells
}

func requestLine(t *target, path string) string {
	return "gemini://localhost:" + portOf(t.addr) + path + "\r\n"
}

// sample is one cell's result in one round.
type sample struct {
	Reqs      int
	Bytes     int64 // body bytes received
	Elapsed   time.Duration
	Resumed   int
	Errs      int
	FirstErr  string
	server    usage         // what the server used meanwhile
	clientCPU time.Duration // CPU the clients used
}

func (s sample) rate() float64 { return float64(s.Reqs) / s.Elapsed.Seconds() }
func (s sample) mbps() float64 { return float64(s.Bytes) / 1e6 / s.Elapsed.Seconds() }

// cpuPerReq returns the server's CPU time per request, in microseconds.
func (s sample) cpuPerReq() float64 {
	if s.Reqs == 0 {
		return 0
	}
	return float64(s.server.cpu.Microseconds()) / float64(s.Reqs)
}

// sysPerReq returns the server's read and write system calls per request.
func (s sample) sysPerReq() (float64, float64) {
	if s.Reqs == 0 {
		return 0, 0
	}
	return float64(s.server.reads) / float64(s.Reqs), float64(s.server.writes) / float64(s.Reqs)
}

// cliPerReq returns the clients' CPU time per request, in microseconds.
func (s sample) cliPerReq() float64 {
	if s.Reqs == 0 {
		return 0
	}
	return float64(s.clientCPU.Microseconds()) / float64(s.Reqs)
}

// measure runs the clients for c in a child process (so that their CPU
// time is not counted as the server's) for d, and reads the CPU time the
// server used meanwhile.
func measure(ctx context.Context, c *cell, o options, d time.Duration) (sample, error) {
	exe, err := os.Executable()
	if err != nil {
		return sample{}, fmt.Errorf("own executable: %w", err)
	}
	args := []string{"-client",
		"-addr", c.server.addr, "-line", c.line, "-want", strconv.Itoa(c.want),
		"-clients", strconv.Itoa(o.clients), "-dur", d.String(),
		"-version", c.version, "-curve", o.curve,
	}
	if c.resume {
		args = append(args, "-resume")
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Stderr = os.Stderr
	before, err := readUsage(c.server.pid)
	if err != nil {
		return sample{}, err
	}
	out, err := cmd.Output()
	if err != nil {
		return sample{}, fmt.Errorf("client process: %w", err)
	}
	after, err := readUsage(c.server.pid)
	if err != nil {
		return sample{}, err
	}
	var s sample
	if err := json.Unmarshal(out, &s); err != nil {
		return sample{}, fmt.Errorf("client output %q: %w", out, err)
	}
	s.server = after.minus(before)
	s.clientCPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return s, nil
}

// clientOptions configure the load generator (the -client mode).
type clientOptions struct {
	addr, line, version, curve string
	want, clients              int
	dur                        time.Duration
	resume                     bool
}

// runClients is the -client mode: it runs the clients and prints a sample
// as JSON.
func runClients(ctx context.Context, o clientOptions) error {
	cfg := &tls.Config{InsecureSkipVerify: true, ServerName: "localhost", MinVersion: tls.VersionTLS12}
	switch o.version {
	case "tls12":
		cfg.MaxVersion = tls.VersionTLS12
	case "tls13":
		cfg.MinVersion = tls.VersionTLS13
	}
	if o.curve == "x25519" {
		cfg.CurvePreferences = []tls.CurveID{tls.X25519}
	}
	if o.resume {
		// One cache for all clients: returning visitors, each connection
		// using the latest ticket.
		cfg.ClientSessionCache = tls.NewLRUClientSessionCache(64)
	}
	start := time.Now()
	deadline := start.Add(o.dur)
	results := make([]sample, o.clients)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func(s *sample) { // ends at the deadline
			defer wg.Done()
			buf := make([]byte, 32<<10)
			for time.Now().Before(deadline) && ctx.Err() == nil {
				n, resumed, err := fetch(ctx, o.addr, o.line, cfg, buf)
				if err == nil && n != o.want {
					err = fmt.Errorf("body of %d bytes, want %d", n, o.want)
				}
				if err != nil {
					if s.Errs == 0 {
						s.FirstErr = err.Error()
					}
					s.Errs++
					continue
				}
				s.Reqs++
				s.Bytes += int64(n)
				if resumed {
					s.Resumed++
				}
			}
		}(&results[i])
	}
	wg.Wait()
	total := sample{Elapsed: time.Since(start)}
	for _, s := range results {
		total.Reqs += s.Reqs
		total.Bytes += s.Bytes
		total.Resumed += s.Resumed
		if total.Errs == 0 {
			total.FirstErr = s.FirstErr
		}
		total.Errs += s.Errs
	}
	return json.NewEncoder(os.Stdout).Encode(total)
}

// fetch makes one request on a new connection and returns the body size.
// It fails unless the status is 20.
func fetch(ctx context.Context, addr, line string, cfg *tls.Config, buf []byte) (int, bool, error) {
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return 0, false, err
	}
	c := tls.Client(raw, cfg)
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	if err := c.HandshakeContext(ctx); err != nil {
		return 0, false, err
	}
	resumed := c.ConnectionState().DidResume
	if _, err := io.WriteString(c, line); err != nil {
		return 0, resumed, err
	}
	n, body := 0, -1
	for body < 0 {
		m, err := c.Read(buf[n:])
		n += m
		if i := bytes.Index(buf[:n], []byte("\r\n")); i >= 0 {
			if !bytes.HasPrefix(buf[:i], []byte("20")) {
				return 0, resumed, fmt.Errorf("answer %q", buf[:i])
			}
			body = n - i - 2
			break
		}
		if err != nil {
			return 0, resumed, fmt.Errorf("header: %w", err)
		}
		if n == len(buf) {
			return 0, resumed, errors.New("header too long")
		}
	}
	for {
		m, err := c.Read(buf)
		body += m
		if err == io.EOF {
			return body, resumed, nil
		}
		if err != nil {
			return body, resumed, err
		}
	}
}

// report prints the table: medians over the rounds, and ratios as medians
// of per-round ratios.
func report(w io.Writer, cells []*cell) {
	find := func(label string) *cell {
		for _, c := range cells {
			if c.label == label {
				return c
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "cell\treq/s\tMB/s\tsrv us/req\tcli us/req\treads/req\twrites/req\tx floor\tx molly\tx go-gemini\tgain\tresumed\terrors\t")
	for _, c := range cells {
		rates := make([]float64, len(c.samples))
		mbs := make([]float64, len(c.samples))
		cpus := make([]float64, len(c.samples))
		clis := make([]float64, len(c.samples))
		rds := make([]float64, len(c.samples))
		wrs := make([]float64, len(c.samples))
		var resumed, reqs, errs int
		for i, s := range c.samples {
			rates[i], mbs[i], cpus[i], clis[i] = s.rate(), s.mbps(), s.cpuPerReq(), s.cliPerReq()
			rds[i], wrs[i] = s.sysPerReq()
			resumed += s.Resumed
			reqs += s.Reqs
			errs += s.Errs
		}
		row := []string{c.label, fmt.Sprintf("%.0f", median(rates)), fmt.Sprintf("%.2f", median(mbs)), fmt.Sprintf("%.0f", median(cpus)), fmt.Sprintf("%.0f", median(clis)),
			fmt.Sprintf("%.1f", median(rds)), fmt.Sprintf("%.1f", median(wrs))}
		switch c.kind {
		case "small", "large":
			row = append(row, ratio(c, find(c.kind+"/floor")))
			if c.server.name == "gmkit" {
				row = append(row, ratio(c, find(c.kind+"/molly")), ratio(c, find(c.kind+"/go-gemini")))
			} else {
				row = append(row, "", "")
			}
			row = append(row, "")
		case "resume":
			row = append(row, "", "", "")
			if full, ok := strings.CutSuffix(c.label, "-resumed"); ok {
				row = append(row, ratio(c, find(full+"-full")))
			} else {
				row = append(row, "")
			}
		}
		pct := "-"
		if reqs > 0 {
			pct = fmt.Sprintf("%.0f%%", 100*float64(resumed)/float64(reqs))
		}
		row = append(row, pct, strconv.Itoa(errs))
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	tw.Flush()
}

// ratio returns the median over rounds of a's rate over b's in the same
// round, with the range; "" when b is missing or is a itself.
func ratio(a, b *cell) string {
	if b == nil || a == b || len(b.samples) != len(a.samples) {
		return ""
	}
	rs := make([]float64, 0, len(a.samples))
	for i := range a.samples {
		if br := b.samples[i].rate(); br > 0 {
			rs = append(rs, a.samples[i].rate()/br)
		}
	}
	if len(rs) == 0 {
		return ""
	}
	return fmt.Sprintf("%.2f (%.2f-%.2f)", median(rs), slices.Min(rs), slices.Max(rs))
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
