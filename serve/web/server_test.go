package web

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gmkit/gmkit/serve/policy"
	"github.com/gmkit/gmkit/serve/ratelimit"
)

// start serves s on a loopback port and stops it when the test ends.
func start(t *testing.T, s *Server) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return "http://" + l.Addr().String()
}

func get(t *testing.T, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestServerServesAndLogs(t *testing.T) {
	logs := &syncBuffer{}
	s := &Server{
		Handler: Headers(FileServer(site(), Options{}), HeaderOptions{}),
		Logger:  slog.New(slog.NewTextHandler(logs, nil)),
	}
	base := start(t, s)
	resp, body := get(t, http.DefaultClient, base+"/posts/hello/")
	if resp.StatusCode != 200 || !strings.Contains(body, "hello") {
		t.Fatalf("got %d %q", resp.StatusCode, body)
	}
	for k, want := range map[string]string{
		"Content-Security-Policy":   DefaultCSP,
		"X-Content-Type-Options":    "nosniff",
		"Referrer-Policy":           DefaultReferrerPolicy,
		"X-Frame-Options":           "DENY",
		"Strict-Transport-Security": "",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s: got %q, want %q", k, got, want)
		}
	}
	log := logs.String()
	for _, want := range []string{"proto=http", "path=/posts/hello/", "status=200", "bytes=13", "method=GET", "remote=127.0.0.1:"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %s:\n%s", want, log)
		}
	}
}

func TestServerKeepAlive(t *testing.T) {
	base := start(t, &Server{Handler: FileServer(site(), Options{})})
	var conns int
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conns++
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	for range 10 {
		if resp, _ := get(t, c, base+"/style.css"); resp.StatusCode != 200 {
			t.Fatalf("got %d", resp.StatusCode)
		}
	}
	if conns != 1 {
		t.Errorf("connections: got %d for 10 requests, want 1", conns)
	}
}

func TestServerRateLimit(t *testing.T) {
	s := &Server{Handler: FileServer(site(), Options{}),
		Limiter: ratelimit.New(ratelimit.Config{PerSecond: 0.001, Burst: 2})}
	base := start(t, s)
	var codes []int
	for range 4 {
		resp, _ := get(t, http.DefaultClient, base+"/style.css")
		codes = append(codes, resp.StatusCode)
		if resp.StatusCode == 429 && resp.Header.Get("Retry-After") == "" {
			t.Errorf("429 without Retry-After")
		}
	}
	if want := []int{200, 200, 429, 429}; !equalInts(codes, want) {
		t.Errorf("statuses: got %v, want %v", codes, want)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestServerShutdownWaitsForAnswers(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	s := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		io.WriteString(w, "finished")
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(l) }()
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + l.Addr().String() + "/")
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	<-started
	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()
	close(release)
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if b := <-got; b != "finished" {
		t.Errorf("answer in flight: got %q, want finished", b)
	}
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve: got %v, want ErrServerClosed", err)
	}
}

func TestShutdownBeforeServe(t *testing.T) {
	s := &Server{}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := s.Serve(l); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve after Shutdown: got %v, want ErrServerClosed", err)
	}
}

func TestRedirects(t *testing.T) {
	pol := &policy.Policy{}
	h := TreeHandler(pol.Tree(site(), DefaultIndex, []policy.Redirect{
		{From: "/old/", To: "/new/"},
		{From: "/tmp", To: "https://example.org/x", Temporary: true},
		{From: "/q", To: "/target?keep=1"},
	}), nil, Options{})
	tests := []struct {
		target string
		code   int
		loc    string
	}{
		{"/old/", 301, "/new/"},
		{"/old", 301, "/new/"},
		{"/old/?a=b", 301, "/new/?a=b"},
		{"/tmp", 302, "https://example.org/x"},
		{"/q?x=y", 301, "/target?keep=1"},
		{"/style.css", 200, ""},
	}
	for _, tt := range tests {
		w := do(h, "GET", tt.target)
		if w.Code != tt.code || w.Header().Get("Location") != tt.loc {
			t.Errorf("%s: got %d %q, want %d %q", tt.target, w.Code, w.Header().Get("Location"), tt.code, tt.loc)
		}
	}
}

func TestPolicyHostsAndCertificates(t *testing.T) {
	pol := &policy.Policy{Hostnames: []string{"example.org"}, Rules: []policy.Rule{{Prefix: "/private/"}}}
	h := TreeHandler(pol.Tree(site(), DefaultIndex, nil), nil, Options{})
	r := httptest.NewRequest("GET", "http://other.test/", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusMisdirectedRequest {
		t.Errorf("other host: got %d, want 421", w.Code)
	}
	for _, host := range []string{"example.org", "EXAMPLE.ORG.", "example.org:8080"} {
		r = httptest.NewRequest("GET", "http://x/style.css", nil)
		r.Host = host
		w = httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			t.Errorf("host %s: got %d, want 200", host, w.Code)
		}
	}
	r = httptest.NewRequest("GET", "http://example.org/private/x", nil)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusForbidden {
		t.Errorf("certificate rule: got %d, want 403", w.Code)
	}
}

func TestRedirectHTTPS(t *testing.T) {
	tests := []struct {
		host   string
		port   int
		target string
		want   string
	}{
		{"example.org", 0, "/a?b=c", "https://example.org/a?b=c"},
		{"EXAMPLE.org:80", 443, "/", "https://example.org/"},
		{"www.example.org", 8443, "/x", "https://www.example.org:8443/x"},
		{"evil.test", 0, "/x", "https://example.org/x"},
	}
	for _, tt := range tests {
		h := RedirectHTTPS([]string{"example.org", "www.example.org"}, tt.port)
		r, _ := http.NewRequest("GET", "http://x"+tt.target, nil)
		r.Host = tt.host
		w := do(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { h.ServeHTTP(w, r) }), "GET", "/")
		if w.Code != 301 || w.Header().Get("Location") != tt.want {
			t.Errorf("%s%s: got %d %q, want 301 %q", tt.host, tt.target, w.Code, w.Header().Get("Location"), tt.want)
		}
	}
}

func TestHeadersHSTSOnlyOverTLS(t *testing.T) {
	h := Headers(http.NotFoundHandler(), HeaderOptions{HSTS: 24 * time.Hour, CSP: "default-src 'self'"})
	w := do(h, "GET", "/")
	if got := w.Header().Get("Strict-Transport-Security"); got != "" {
		t.Errorf("HSTS over plain HTTP: got %q", got)
	}
	if got := w.Header().Get("Content-Security-Policy"); got != "default-src 'self'" {
		t.Errorf("CSP: got %q", got)
	}
}

func TestServerConnsPerAddr(t *testing.T) {
	base := start(t, &Server{Handler: FileServer(site(), Options{}), MaxConnsPerAddr: 2})
	addr := strings.TrimPrefix(base, "http://")
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	// Two connections, each answered once and kept alive: both are
	// counted before the third is made (a connection is counted on its
	// first read, in its own goroutine).
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
		c.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(c, "GET /style.css HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("a held connection: %v", err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	// The third connection from the same address is closed unanswered.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if b, _ := io.ReadAll(c); len(b) != 0 {
		t.Errorf("third connection answered: %q", b)
	}
	// Once one is given back, a new one is served.
	held[0].Close()
	held = held[1:]
	var resp *http.Response
	for range 100 {
		tr := &http.Transport{DisableKeepAlives: true}
		resp, err = (&http.Client{Transport: tr}).Get(base + "/style.css")
		if err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond) // the server notices the close
	}
	if err != nil {
		t.Fatalf("after a place was freed: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("got %d", resp.StatusCode)
	}
}
