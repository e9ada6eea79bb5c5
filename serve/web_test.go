package serve

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gmkit/gmkit/serve/certs/pebbletest"
	"github.com/gmkit/gmkit/serve/protocol"
)

func webContent() Content {
	c := content("Web")
	c.Outputs["html"] = Output{FS: fstest.MapFS{
		"index.html":       {Data: []byte("<!doctype html><title>Web</title><p>home</p>\n")},
		"posts/index.html": {Data: []byte("<!doctype html><title>Posts</title>\n")},
		"404.html":         {Data: []byte("<!doctype html><title>Missing</title>\n")},
	}}
	return c
}

// settings turns on the protocols in values, each with its own values
// over the defaults, and leaves the others off.
func settings(values map[string]map[string]any) func(string) protocol.Settings {
	return func(name string) protocol.Settings {
		for _, p := range Protocols() {
			if p.Info().Name == name {
				v, on := values[name]
				if !on {
					v = map[string]any{"enabled": false}
				} else {
					v["enabled"] = true
				}
				return protocol.Defaults(p.Info(), v)
			}
		}
		return nil
	}
}

// run starts srv and returns a function that stops it and checks that it
// stopped cleanly.
func run(t *testing.T, srv *Servers) func() {
	t.Helper()
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

// webClient gets pages from addr whatever the URL's host, trusting roots (nil:
// anything), without following redirects.
func webClient(addr string, roots *x509.CertPool, host string) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			ForceAttemptHTTP2: true,
			TLSClientConfig:   &tls.Config{RootCAs: roots, InsecureSkipVerify: roots == nil, ServerName: host},
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			},
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       2 * time.Minute,
	}
}

func getPage(t *testing.T, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestServeWeb serves the HTML output over HTTP and HTTPS beside Gemini,
// from the same snapshot: HTTP redirects to HTTPS, HTTPS answers with the
// security headers, redirects and the 404 page, and a swap shows.
func TestServeWeb(t *testing.T) {
	srv, err := New(Config{StateDir: t.TempDir(), Settings: settings(map[string]map[string]any{
		"gemini": {"listen": "127.0.0.1:0", "check_port": false},
		"http":   {"listen": "127.0.0.1:0", "https_listen": "127.0.0.1:0"},
	})})
	if err != nil {
		t.Fatal(err)
	}
	stop := run(t, srv)
	defer stop()
	httpAddr, httpsAddr := srv.Addr("http").String(), srv.Addr("https").String()
	_, httpsPort, _ := net.SplitHostPort(httpsAddr)

	// Before the first build: 503.
	resp, _ := getPage(t, webClient(httpsAddr, nil, "localhost"), "https://localhost/")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("before a build: got %d, want 503", resp.StatusCode)
	}
	srv.Swap(webContent())

	resp, _ = getPage(t, webClient(httpAddr, nil, ""), "http://localhost/posts/?a=1")
	if want := "https://localhost:" + httpsPort + "/posts/?a=1"; resp.StatusCode != 301 || resp.Header.Get("Location") != want {
		t.Errorf("plain HTTP: got %d %q, want 301 %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	c := webClient(httpsAddr, nil, "localhost")
	resp, body := getPage(t, c, "https://localhost/")
	if resp.StatusCode != 200 || !strings.Contains(body, "home") || resp.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("HTTPS home: got %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if resp.ProtoMajor != 2 {
		t.Errorf("HTTPS protocol: got %s, want HTTP/2", resp.Proto)
	}
	resp, _ = getPage(t, c, "https://localhost/old/")
	if resp.StatusCode != 301 || resp.Header.Get("Location") != "/posts/" {
		t.Errorf("alias: got %d %q, want 301 /posts/", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body = getPage(t, c, "https://localhost/nope")
	if resp.StatusCode != 404 || !strings.Contains(body, "Missing") {
		t.Errorf("404: got %d %q", resp.StatusCode, body)
	}
	if got := geminiGet(t, srv.Addr("gemini").String(), "gemini://localhost/"); !strings.Contains(got, "# Web") {
		t.Errorf("Gemini beside HTTP: got %q", got)
	}
	next := webContent()
	next.Outputs["html"].FS.(fstest.MapFS)["index.html"] = &fstest.MapFile{Data: []byte("<p>rebuilt</p>")}
	srv.Swap(next)
	if _, body = getPage(t, c, "https://localhost/"); !strings.Contains(body, "rebuilt") {
		t.Errorf("after a swap: got %q", body)
	}
}

// TestServeACMEWithPebble gets the HTTPS certificate from Pebble through
// gmkit serve's configuration, presents it over Gemini too (acme.gemini),
// and after a restart with the CA gone serves the same certificate from
// the state folder.
func TestServeACMEWithPebble(t *testing.T) {
	state := t.TempDir()
	var srv *Servers
	ca := pebbletest.Start(t, func() (int, int) {
		return protocol.Port(srv.Addr("http")), protocol.Port(srv.Addr("https"))
	})
	cfg := Config{Hostname: "gmkit.test", StateDir: state,
		ACME: ACMEConfig{Enabled: true, Gemini: true, DirectoryURL: ca.DirectoryURL, HTTPClient: ca.Client},
		Settings: settings(map[string]map[string]any{
			"gemini": {"listen": "127.0.0.1:0", "check_port": false},
			"http":   {"listen": "127.0.0.1:0", "https_listen": "127.0.0.1:0"},
		})}
	var err error
	if srv, err = New(cfg); err != nil {
		t.Fatal(err)
	}
	stop := run(t, srv)
	srv.Swap(webContent())
	resp, body := getPage(t, webClient(srv.Addr("https").String(), ca.Roots, "gmkit.test"), "https://gmkit.test/")
	if resp.StatusCode != 200 || !strings.Contains(body, "home") {
		t.Fatalf("HTTPS with the ACME certificate: got %d %q", resp.StatusCode, body)
	}
	first := resp.TLS.PeerCertificates[0]
	if !strings.Contains(first.Issuer.CommonName, "Pebble") {
		t.Errorf("issuer: got %q, want Pebble", first.Issuer.CommonName)
	}
	gc, err := tls.Dial("tcp", srv.Addr("gemini").String(), &tls.Config{RootCAs: ca.Roots, ServerName: "gmkit.test"})
	if err != nil {
		t.Fatalf("Gemini with acme.gemini: %v", err)
	}
	if got := gc.ConnectionState().PeerCertificates[0]; got.SerialNumber.Cmp(first.SerialNumber) != 0 {
		t.Errorf("Gemini certificate: serial %v, want the ACME one %v", got.SerialNumber, first.SerialNumber)
	}
	gc.Close()
	stop()
	ca.Close()

	if _, err := filepath.Glob(filepath.Join(state, "acme", "gmkit.test")); err != nil {
		t.Fatal(err)
	}
	cfg.ACME.DirectoryURL = "https://127.0.0.1:1/dir" // nothing there
	again, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	stop = run(t, again)
	defer stop()
	again.Swap(webContent())
	resp, _ = getPage(t, webClient(again.Addr("https").String(), ca.Roots, "gmkit.test"), "https://gmkit.test/")
	if got := resp.TLS.PeerCertificates[0]; got.SerialNumber.Cmp(first.SerialNumber) != 0 {
		t.Errorf("after restart: serial %v, want the kept %v", got.SerialNumber, first.SerialNumber)
	}
}

func TestServeACMERefusesLocalNames(t *testing.T) {
	_, err := New(Config{Hostname: "localhost", StateDir: t.TempDir(), ACME: ACMEConfig{Enabled: true},
		Settings: settings(map[string]map[string]any{"http": {"listen": "127.0.0.1:0"}})})
	if err == nil || !strings.Contains(err.Error(), "public") {
		t.Errorf("got %v, want an error saying the name is not public", err)
	}
}

// TestServeWebProxyProtocol: behind a listed balancer, a PROXY header
// gives the client's address to HTTP too (the request log and CGI see it).
func TestServeWebProxyProtocol(t *testing.T) {
	logs := &strings.Builder{}
	var mu sync.Mutex
	srv, err := New(Config{StateDir: t.TempDir(), ProxyFrom: []string{"127.0.0.1"},
		Logger: slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
			mu.Lock()
			defer mu.Unlock()
			return logs.Write(p)
		}), nil)),
		Settings: settings(map[string]map[string]any{"http": {"listen": "127.0.0.1:0"}})})
	if err != nil {
		t.Fatal(err)
	}
	stop := run(t, srv)
	defer stop()
	srv.Swap(webContent())
	c, err := net.Dial("tcp", srv.Addr("http").String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "PROXY TCP4 203.0.113.7 127.0.0.1 40000 80\r\nGET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
	b, _ := io.ReadAll(c)
	if !strings.HasPrefix(string(b), "HTTP/1.1 200") {
		t.Fatalf("got %q", b)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "remote=203.0.113.7:40000") {
		t.Errorf("the log does not name the client behind the balancer:\n%s", logs.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
