package serve

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	proxyproto "github.com/pires/go-proxyproto"
)

// lockedBuffer is a log sink for servers writing from many goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestProxyProtocol runs Gemini, Gopher and HTTP behind a balancer that
// sends the PROXY protocol from 127.0.0.1: requests from it carry the
// client address the header names into the log and into CGI's
// REMOTE_ADDR, with v1 and v2 headers, before TLS for Gemini. From any
// other address (127.0.0.2) a header is not trusted: it is read as the
// request, and the log shows the real peer.
func TestProxyProtocol(t *testing.T) {
	scripts := t.TempDir()
	writeScript(t, scripts, "addr", `printf '20 text/plain\r\nREMOTE_ADDR=%s\n' "$REMOTE_ADDR"`)
	writeScript(t, scripts, "gaddr", `printf 'REMOTE_ADDR=%s\r\n' "$REMOTE_ADDR"`)
	var log lockedBuffer
	s, err := New(Config{
		StateDir:      t.TempDir(),
		SharedCertDir: t.TempDir(),
		ProxyFrom:     []string{"127.0.0.1"},
		CGI:           CGIConfig{Dir: scripts, Timeout: 10 * time.Second},
		Logger:        slog.New(slog.NewTextHandler(&log, nil)),
		Settings:      listen(map[string]string{"gemini": "127.0.0.1:0", "gopher": "127.0.0.1:0"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	s.Swap(content("Proxied"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	gem, gop := s.Addr("gemini").String(), s.Addr("gopher").String()

	// header is what a balancer sends: the client's address, and the
	// address the client connected to (the server's, here).
	header := func(version byte, client, server string) []byte {
		src, _ := net.ResolveTCPAddr("tcp", client)
		dst, _ := net.ResolveTCPAddr("tcp", server)
		h := proxyproto.HeaderProxyFromAddrs(version, src, dst)
		b, err := h.Format()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	dial := func(from, to string) net.Conn {
		t.Helper()
		d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
		c, err := d.Dial("tcp", to)
		if err != nil {
			t.Fatalf("dial %s from %s: %v", to, from, err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		return c
	}
	gopherVia := func(from string, hdr []byte, sel string) string {
		t.Helper()
		c := dial(from, gop)
		defer c.Close()
		c.Write(append(hdr, sel+"\r\n"...))
		b, _ := io.ReadAll(c)
		return string(b)
	}
	geminiVia := func(hdr []byte, url string) string {
		t.Helper()
		c := dial("127.0.0.1", gem)
		c.Write(hdr)
		tc := tls.Client(c, &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"})
		defer tc.Close()
		io.WriteString(tc, url+"\r\n")
		b, _ := io.ReadAll(tc)
		return string(b)
	}
	_, gemPort, _ := net.SplitHostPort(gem)

	if got := gopherVia("127.0.0.1", header(1, "203.0.113.7:40001", gop), "/cgi-bin/gaddr"); !strings.Contains(got, "REMOTE_ADDR=203.0.113.7") {
		t.Errorf("gopher, PROXY v1 from the balancer: CGI saw %q, want REMOTE_ADDR=203.0.113.7", got)
	}
	if got := gopherVia("127.0.0.1", header(2, "[2001:db8::9]:40002", "[::1]:70"), ""); !strings.Contains(got, "Proxied") {
		t.Errorf("gopher, PROXY v2 from the balancer: got %q, want the menu", got)
	}
	if got := geminiVia(header(2, "198.51.100.4:40003", gem), "gemini://localhost:"+gemPort+"/cgi-bin/addr"); !strings.Contains(got, "REMOTE_ADDR=198.51.100.4") {
		t.Errorf("gemini, PROXY v2 before TLS: CGI saw %q, want REMOTE_ADDR=198.51.100.4", got)
	}
	// (A bare CRLF, the root selector, would be taken for the start of a
	// v2 signature: a balancer's checks send the header, or a selector.)
	if got := gopherVia("127.0.0.1", nil, "/"); !strings.Contains(got, "Proxied") {
		t.Errorf("gopher from the balancer without a header (a health check): got %q, want the menu", got)
	}
	// Not a listed balancer: a header is part of the request, not trusted.
	if got := gopherVia("127.0.0.2", header(1, "192.0.2.66:40004", gop), "/cgi-bin/gaddr"); strings.Contains(got, "192.0.2.66") {
		t.Errorf("gopher, a PROXY header from 127.0.0.2: got %q, want it not trusted", got)
	}

	deadline := time.Now().Add(10 * time.Second)
	for {
		l := log.String()
		ok := strings.Contains(l, "remote=203.0.113.7:40001") && strings.Contains(l, "remote=[2001:db8::9]:40002") &&
			strings.Contains(l, "remote=198.51.100.4:40003") && strings.Contains(l, "remote=127.0.0.2:")
		if ok {
			if strings.Contains(l, "remote=192.0.2.66") {
				t.Errorf("the log believed a header from a source that is not a balancer:\n%s", l)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the log does not show the clients' addresses:\n%s", l)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestProxyFromChecked: an entry that is neither an address nor a range
// is an error naming the key.
func TestProxyFromChecked(t *testing.T) {
	_, err := New(Config{StateDir: t.TempDir(), ProxyFrom: []string{"balancer.example"}, Settings: listen(nil)})
	if err == nil || !strings.Contains(err.Error(), "serve.proxy_protocol") {
		t.Errorf("got %v, want an error naming serve.proxy_protocol", err)
	}
}
