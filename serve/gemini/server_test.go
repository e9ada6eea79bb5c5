package gemini

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gmkit/gmkit/serve/ratelimit"
)

// TestRequestTable runs every row of the Gemini table in the protocol
// notes over real TLS.
func TestRequestTable(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret.gmi"), []byte("secret"), 0o644)
	os.WriteFile(filepath.Join(dir, "index.gmi"), []byte("# Home\n"), 0o644)
	os.MkdirAll(filepath.Join(dir, "dir"), 0o755)
	os.WriteFile(filepath.Join(dir, "dir", "index.gmi"), []byte("# Dir\n"), 0o644)
	os.WriteFile(filepath.Join(dir, ".secret.gmi"), []byte("hidden"), 0o644)
	os.Symlink(filepath.Join(outside, "secret.gmi"), filepath.Join(dir, "out.gmi"))
	os.Symlink("../"+filepath.Base(outside), filepath.Join(dir, "outdir"))
	os.Symlink("index.gmi", filepath.Join(dir, "in.gmi"))

	ts := startServer(t, &Server{
		Handler:   FileServer(os.DirFS(dir), Options{}),
		Hostnames: []string{"example.org"},
	})
	b := ts.base()
	long := func(n int) string { // a URL of exactly n bytes
		u := b + "/"
		return u + strings.Repeat("a", n-len(u))
	}
	tests := []struct {
		name, line, want string
	}{
		{"root with slash", b + "/", "20 text/gemini; charset=utf-8"},
		{"root without slash", b, "20 text/gemini; charset=utf-8"},
		{"URL of exactly 1024 bytes", long(1024), "51 Not found"},
		{"URL of 1025 bytes", long(1025), "59 URL too long"},
		{"URL of 2000 bytes", long(2000), "59 URL too long"},
		{"empty line", "", "59 Empty request"},
		{"slash", "/", "59 URL is not absolute"},
		{"scheme-relative", "//localhost/", "59 URL is not absolute"},
		{"free text", "hello there", "59 URL contains a space or control character"},
		{"word", "hello", "59 URL is not absolute"},
		{"invalid UTF-8", b + "/\xff\xfe", "59 URL is not valid UTF-8"},
		{"NUL byte", b + "/a\x00b", "59 URL contains a space or control character"},
		{"leading BOM", "\uFEFF" + b + "/", "59 URL starts with a byte order mark"},
		{"userinfo", "gemini://u@localhost:" + itoa(ts.port) + "/", "59 URL has user information"},
		{"fragment", b + "/#top", "59 URL has a fragment"},
		{"empty fragment", b + "/#", "59 URL has a fragment"},
		{"no host", "gemini:///", "59 URL has no host"},
		{"opaque", "gemini:foo", "59 URL has no host"},
		{"bad escape", b + "/%zz", "59 Malformed URL"},
		{"http", "http://localhost/", "53 Proxy request refused"},
		{"https", "https://example.org/", "53 Proxy request refused"},
		{"gopher", "gopher://localhost/", "53 Proxy request refused"},
		{"host not served", "gemini://other.example:" + itoa(ts.port) + "/", "53 Host not served"},
		{"configured host", "gemini://example.org:" + itoa(ts.port) + "/", "20 text/gemini; charset=utf-8"},
		{"host case-insensitive", "gemini://EXAMPLE.org:" + itoa(ts.port) + "/", "20 text/gemini; charset=utf-8"},
		{"loopback IP", "gemini://127.0.0.1:" + itoa(ts.port) + "/", "20 text/gemini; charset=utf-8"},
		{"loopback IPv6", "gemini://[::1]:" + itoa(ts.port) + "/", "20 text/gemini; charset=utf-8"},
		{"scheme case-insensitive", "GEMINI://localhost:" + itoa(ts.port) + "/", "20 text/gemini; charset=utf-8"},
		{"other port", "gemini://localhost:1/", "53 Port not served"},
		{"no port means 1965", "gemini://localhost/", "53 Port not served"},
		{"directory without slash", b + "/dir", "31 /dir/"},
		{"directory with slash", b + "/dir/", "20 text/gemini; charset=utf-8"},
		{"dot-dot", b + "/../etc/passwd", "59 Invalid path"},
		{"dot-dot inside", b + "/dir/../index.gmi", "59 Invalid path"},
		{"encoded dot-dot", b + "/%2e%2e/etc/passwd", "59 Invalid path"},
		{"encoded dot-dot upper", b + "/%2E%2E/etc/passwd", "59 Invalid path"},
		{"encoded slash", b + "/..%2Fetc%2Fpasswd", "59 Invalid path"},
		{"encoded backslash", b + "/..%5Cetc", "59 Invalid path"},
		{"double slash", b + "//index.gmi", "59 Invalid path"},
		{"symlink out of root", b + "/out.gmi", "51 Not found"},
		{"symlinked folder out of root", b + "/outdir/secret.gmi", "51 Not found"},
		{"symlink inside root", b + "/in.gmi", "20 text/gemini; charset=utf-8"},
		{"dotfile", b + "/.secret.gmi", "51 Not found"},
		{"missing", b + "/nope.gmi", "51 Not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header, body := get(t, ts.addr, tt.line, nil)
			if header != tt.want {
				t.Errorf("got %q, want %q", header, tt.want)
			}
			if header[0] >= '3' && body != "" {
				t.Errorf("%s answer has a body %q", header, body)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestDefaultPort(t *testing.T) {
	ts := startServer(t, &Server{Handler: FileServer(testFS(), Options{}), Port: 1965})
	for _, line := range []string{"gemini://localhost/", "gemini://localhost:1965/"} {
		if h, _ := get(t, ts.addr, line, nil); h != "20 text/gemini; charset=utf-8" {
			t.Errorf("%s: got %q, want 20", line, h)
		}
	}
	if h, _ := get(t, ts.addr, "gemini://localhost:1966/", nil); h != "53 Port not served" {
		t.Errorf("got %q, want 53", h)
	}
	ts2 := startServer(t, &Server{Handler: FileServer(testFS(), Options{}), IgnorePort: true})
	if h, _ := get(t, ts2.addr, "gemini://localhost:4242/", nil); h != "20 text/gemini; charset=utf-8" {
		t.Errorf("IgnorePort: got %q, want 20", h)
	}
}

func TestBareLFGetsNoAnswer(t *testing.T) {
	ts := startServer(t, &Server{Handler: FileServer(testFS(), Options{}), ReadTimeout: 100 * time.Millisecond})
	got, err := rawRequest(t, ts.addr, ts.base()+"/\n", nil)
	if err != nil || got != "" {
		t.Errorf("got %q, %v; want no answer", got, err)
	}
}

func TestHeaderAndBody(t *testing.T) {
	ts := startServer(t, &Server{Handler: FileServer(testFS(), Options{Lang: "en"})})
	resp, err := rawRequest(t, ts.addr, ts.base()+"/about.gmi\r\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "20 text/gemini; charset=utf-8; lang=en\r\n# About\n"; resp != want {
		t.Errorf("got %q, want %q", resp, want)
	}
}

func TestTLS(t *testing.T) {
	ts := startServer(t, &Server{Handler: FileServer(testFS(), Options{})})
	t.Run("TLS 1.3 preferred", func(t *testing.T) {
		c, err := tls.Dial("tcp", ts.addr, clientConfig())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if v := c.ConnectionState().Version; v != tls.VersionTLS13 {
			t.Errorf("version %x, want TLS 1.3", v)
		}
	})
	t.Run("TLS 1.2 accepted", func(t *testing.T) {
		cfg := clientConfig()
		cfg.MaxVersion = tls.VersionTLS12
		if h, _ := get(t, ts.addr, ts.base()+"/", cfg); h[:2] != "20" {
			t.Errorf("got %q", h)
		}
	})
	t.Run("TLS 1.1 refused", func(t *testing.T) {
		cfg := clientConfig()
		cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
		if c, err := tls.Dial("tcp", ts.addr, cfg); err == nil {
			c.Close()
			t.Error("handshake with TLS 1.1 succeeded")
		}
	})
	t.Run("no SNI gets the default certificate", func(t *testing.T) {
		cfg := &tls.Config{InsecureSkipVerify: true}
		c, err := tls.Dial("tcp", ts.addr, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if cn := c.ConnectionState().PeerCertificates[0].Subject.CommonName; cn != "localhost" {
			t.Errorf("CN %q, want localhost", cn)
		}
	})
	t.Run("plaintext client gets nothing", func(t *testing.T) {
		c, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, ts.base()+"/\r\n")
		b, _ := io.ReadAll(c)
		if len(b) != 0 {
			t.Errorf("got %q, want nothing", b)
		}
	})
}

// recordConn records the raw bytes read from the server.
type recordConn struct {
	net.Conn
	mu  sync.Mutex
	buf bytes.Buffer
}

func (c *recordConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	c.buf.Write(p[:n])
	c.mu.Unlock()
	return n, err
}

// lastRecordType walks TLS records and returns the type of the last one.
func lastRecordType(raw []byte) byte {
	var last byte
	for len(raw) >= 5 {
		n := int(raw[3])<<8 | int(raw[4])
		last = raw[0]
		if len(raw) < 5+n {
			break
		}
		raw = raw[5+n:]
	}
	return last
}

func TestCloseNotifyOnEveryPath(t *testing.T) {
	ts := startServer(t, &Server{
		Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
			if r.URL.Path == "/panic" {
				panic("boom")
			}
			FileServer(testFS(), Options{}).ServeGemini(w, r)
		}),
		Limiter: nil,
	})
	for _, line := range []string{ts.base() + "/", ts.base() + "/missing", "http://x/", "", ts.base() + "/panic", strings.Repeat("x", 1100)} {
		raw, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		rc := &recordConn{Conn: raw}
		cfg := clientConfig()
		cfg.MaxVersion = tls.VersionTLS12 // record types are visible in 1.2
		c := tls.Client(rc, cfg)
		io.WriteString(c, line+"\r\n")
		resp, err := io.ReadAll(c)
		c.Close()
		if err != nil || len(resp) == 0 {
			t.Errorf("%q: got %q, %v", line, resp, err)
		}
		rc.mu.Lock()
		if typ := lastRecordType(rc.buf.Bytes()); typ != 21 {
			t.Errorf("%q: last record type %d, want 21 (alert: close_notify)", line, typ)
		}
		rc.mu.Unlock()
	}
}

func TestPanicAnswers40(t *testing.T) {
	var log bytes.Buffer
	ts := startServer(t, &Server{
		Handler: HandlerFunc(func(w ResponseWriter, r *Request) { panic("boom") }),
		Logger:  slog.New(slog.NewTextHandler(&log, nil)),
	})
	if h, _ := get(t, ts.addr, ts.base()+"/", nil); h != "40 Internal server error" {
		t.Errorf("got %q, want 40", h)
	}
	if h, _ := get(t, ts.addr, ts.base()+"/", nil); h != "40 Internal server error" {
		t.Errorf("server did not survive: got %q", h)
	}
	ts.srv.Close()
	if !strings.Contains(log.String(), "panic in handler") {
		t.Errorf("log lacks the panic: %s", log.String())
	}
}

func TestEmptyHandlerAnswers40(t *testing.T) {
	ts := startServer(t, &Server{Handler: HandlerFunc(func(w ResponseWriter, r *Request) {})})
	if h, _ := get(t, ts.addr, ts.base()+"/", nil); h != "40 No response" {
		t.Errorf("got %q", h)
	}
}

func TestRateLimit(t *testing.T) {
	ts := startServer(t, &Server{
		Handler: FileServer(testFS(), Options{}),
		Limiter: ratelimit.New(ratelimit.Config{PerSecond: 0.1, Burst: 2}),
	})
	for i := 0; i < 2; i++ {
		if h, _ := get(t, ts.addr, ts.base()+"/", nil); h[:2] != "20" {
			t.Fatalf("request %d: got %q, want 20", i, h)
		}
	}
	if h, body := get(t, ts.addr, ts.base()+"/", nil); h != "44 10" || body != "" {
		t.Errorf("got %q %q, want \"44 10\" and no body", h, body)
	}
}

// TestIdleClientsDoNotBlock opens more idle connections from one address
// (127.0.0.2) than the server serves at once: the per-address cap keeps
// them from taking the places of other clients. The read timeout is long,
// so a server without the cap would hang here.
func TestIdleClientsDoNotBlock(t *testing.T) {
	ts := startServer(t, &Server{Handler: FileServer(testFS(), Options{}), MaxConns: 64, ReadTimeout: time.Hour})
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}
	var idle []net.Conn
	defer func() {
		for _, c := range idle {
			c.Close()
		}
	}()
	for i := 0; i < 200; i++ {
		c, err := d.Dial("tcp", ts.addr)
		if err != nil {
			t.Skipf("cannot dial from 127.0.0.2: %v", err)
		}
		c.Write([]byte{0x16}) // one byte of a handshake, then silence
		idle = append(idle, c)
	}
	if h, _ := get(t, ts.addr, ts.base()+"/", nil); h[:2] != "20" {
		t.Errorf("got %q, want 20", h)
	}
}

func TestShutdownWithRequestInFlight(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	ts := startServer(t, &Server{Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
		close(entered)
		<-release
		w.WriteHeader(20, "text/plain")
		io.WriteString(w, "finished")
	})})
	got := make(chan string, 1)
	go func() {
		resp, err := rawRequest(t, ts.addr, ts.base()+"/\r\n", nil)
		if err != nil {
			resp = err.Error()
		}
		got <- resp
	}()
	<-entered
	shut := make(chan error, 1)
	go func() { shut <- ts.srv.Shutdown(context.Background()) }()
	for { // wait until the listener is closed
		c, err := net.Dial("tcp", ts.addr)
		if err != nil {
			break
		}
		c.Close()
		time.Sleep(time.Millisecond)
	}
	close(release)
	if err := <-shut; err != nil {
		t.Errorf("Shutdown = %v", err)
	}
	if resp := <-got; resp != "20 text/plain; charset=utf-8\r\nfinished" && resp != "20 text/plain\r\nfinished" {
		t.Errorf("in-flight request got %q", resp)
	}
}

func TestLogLine(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	ts := startServer(t, &Server{
		Handler: FileServer(testFS(), Options{}),
		Logger:  slog.New(slog.NewJSONHandler(&lockedWriter{w: &buf, mu: &mu}, nil)),
	})
	get(t, ts.addr, ts.base()+"/about.gmi?x=1", nil)
	ts.srv.Close()
	mu.Lock()
	defer mu.Unlock()
	var rec map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(buf.Bytes()), &rec); err != nil {
		t.Fatalf("log %q: %v", buf.String(), err)
	}
	for k, want := range map[string]any{"proto": "gemini", "host": "localhost", "path": "/about.gmi?x=1", "status": 20.0, "bytes": 8.0} {
		if rec[k] != want {
			t.Errorf("%s = %v, want %v", k, rec[k], want)
		}
	}
	for _, k := range []string{"remote", "dur", "time"} {
		if _, ok := rec[k]; !ok {
			t.Errorf("log line lacks %q: %v", k, rec)
		}
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestNoCertificate(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &Server{Handler: FileServer(testFS(), Options{}), TLSConfig: &tls.Config{}}
	if err := srv.Serve(l); err == nil || strings.Contains(err.Error(), "closed") {
		t.Errorf("Serve without a certificate = %v, want an error", err)
	}
}

// TestHugeRequestLineGets59 sends a 1 MB request line as a client does:
// all of it, then it reads. The client's send buffer is small, as it is on
// most systems, so its write only ends once the server has taken in nearly
// all of the line. The server reads no more than a request line may hold,
// answers 59, and must then read and drop the rest before it closes: a
// close with unread input is a reset, which fails the client's write and
// destroys the answer.
func TestHugeRequestLineGets59(t *testing.T) {
	ts := startServer(t, &Server{Handler: FileServer(testFS(), Options{})})
	for _, size := range []int{2048, 64 << 10, 1 << 20} {
		raw, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		raw.(*net.TCPConn).SetWriteBuffer(16 << 10)
		c := tls.Client(raw, clientConfig())
		_, werr := io.WriteString(c, ts.base()+"/"+strings.Repeat("a", size)+"\r\n")
		resp, rerr := io.ReadAll(c)
		c.Close()
		if werr != nil || rerr != nil {
			t.Errorf("%d-byte request line: write: %v, read: %v (answer %q)", size, werr, rerr, resp)
			continue
		}
		if !strings.HasPrefix(string(resp), "59 ") {
			t.Errorf("%d-byte request line: got %q, want a 59 answer", size, resp)
		}
	}
}
