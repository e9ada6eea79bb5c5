package web

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gcgi "github.com/gmkit/gmkit/serve/cgi"
	"github.com/gmkit/gmkit/serve/cgi/cgitest"
	"github.com/gmkit/gmkit/serve/policy"
)

// syncBuffer is a log sink safe for the handler's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func writeScript(t *testing.T, dir, name, body string, mode os.FileMode) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), mode); err != nil {
		t.Fatal(err)
	}
}

// cgiFixture serves site() with the scripts below at /cgi-bin.
func cgiFixture(t *testing.T) (http.Handler, *CGI, *syncBuffer) {
	t.Helper()
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh to run CGI scripts")
	}
	dir := t.TempDir()
	writeScript(t, dir, "env", `printf 'Content-Type: text/plain\r\n\r\n'; env | sort`, 0o755)
	writeScript(t, dir, "post", `printf 'Content-Type: text/plain\r\n\r\n'; printf 'got:'; cat`, 0o755)
	writeScript(t, dir, "status", `printf 'Status: 418 teapot\r\nContent-Type: text/plain\r\nX-Script: yes\r\n\r\nshort and stout\n'`, 0o755)
	writeScript(t, dir, "moved", `printf 'Location: https://example.org/\r\n\r\n'`, 0o755)
	writeScript(t, dir, "sub/deep", `printf 'Content-Type: text/plain\r\n\r\ndeep %s\n' "$PATH_INFO"`, 0o755)
	writeScript(t, dir, "noexec", `echo no`, 0o644)
	writeScript(t, dir, ".hidden", `printf 'Content-Type: text/plain\r\n\r\nhidden\n'`, 0o755)
	writeScript(t, dir, "slow", `printf 'Content-Type: text/plain\r\n\r\nstart\n'; sleep 30; echo never`, 0o755)
	writeScript(t, dir, "big", `printf 'Content-Type: text/plain\r\n\r\n'; yes 0123456789abcdef`, 0o755)
	writeScript(t, dir, "noheader", `echo just text`, 0o755)
	writeScript(t, dir, "stderr", `echo oops >&2; printf 'Content-Type: text/plain\r\n\r\nok\n'`, 0o755)
	logs := &syncBuffer{}
	r := &gcgi.Runner{Dir: dir, Timeout: time.Second, MaxOutput: 4096, Software: "gmkit/test",
		Logger: slog.New(slog.NewTextHandler(logs, nil))}
	c := &CGI{Runner: r, DocumentRoot: "/srv/html"}
	pol := &policy.Policy{CGIMount: policy.DefaultCGIMount}
	return TreeHandler(pol.Tree(site(), DefaultIndex, nil), c, Options{}), c, logs
}

func TestCGI(t *testing.T) {
	h, _, logs := cgiFixture(t)
	t.Setenv("GMKIT_TEST_SECRET", "s3cret")
	tests := []struct {
		name, method, target, body string
		code                       int
		has                        []string
		hasNot                     []string
	}{
		{"env", "GET", "/cgi-bin/env/extra/path?q=a%20b", "", 200,
			[]string{"GATEWAY_INTERFACE=CGI/1.1", "REQUEST_METHOD=GET", "QUERY_STRING=q=a%20b",
				"SCRIPT_NAME=/cgi-bin/env", "PATH_INFO=/extra/path", "SERVER_SOFTWARE=gmkit/test",
				"PATH=" + gcgi.DefaultPath, "DOCUMENT_ROOT=/srv/html", "PATH_TRANSLATED=/srv/html/extra/path",
				"REMOTE_ADDR=192.0.2.1", "SERVER_PROTOCOL=HTTP/1.1", "HTTP_USER_AGENT=tester"},
			[]string{"GMKIT_TEST_SECRET", "SCRIPT_FILENAME=/usr/bin/timeout"}},
		{"post", "POST", "/cgi-bin/post", "name=web", 200, []string{"got:name=web"}, nil},
		{"status and headers", "GET", "/cgi-bin/status", "", 418, []string{"short and stout"}, nil},
		{"location", "GET", "/cgi-bin/moved", "", 302, nil, nil},
		{"nested", "GET", "/cgi-bin/sub/deep/more", "", 200, []string{"deep /more"}, nil},
		{"not executable", "GET", "/cgi-bin/noexec", "", 404, nil, []string{"no\n"}},
		{"dotfile", "GET", "/cgi-bin/.hidden", "", 404, nil, []string{"hidden"}},
		{"folder", "GET", "/cgi-bin/sub", "", 404, nil, nil},
		{"missing", "GET", "/cgi-bin/nope", "", 404, nil, nil},
		{"escape", "GET", "/cgi-bin/%2e%2e/etc/passwd", "", 400, nil, []string{"root:"}},
		{"no header", "GET", "/cgi-bin/noheader", "", 500, nil, []string{"just text"}},
		{"stderr", "GET", "/cgi-bin/stderr", "", 200, []string{"ok"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			r.RemoteAddr = "192.0.2.1:5555"
			r.Header.Set("User-Agent", "tester")
			if tt.body != "" {
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.code {
				t.Fatalf("status: got %d, want %d (body %q)", w.Code, tt.code, w.Body.String())
			}
			for _, s := range tt.has {
				if !strings.Contains(w.Body.String(), s) {
					t.Errorf("body lacks %q:\n%s", s, w.Body.String())
				}
			}
			for _, s := range tt.hasNot {
				if strings.Contains(w.Body.String(), s) {
					t.Errorf("body holds %q:\n%s", s, w.Body.String())
				}
			}
		})
	}
	if !strings.Contains(logs.String(), "oops") {
		t.Errorf("stderr not logged; log:\n%s", logs.String())
	}
}

func TestCGIHeadersFromScript(t *testing.T) {
	h, _, _ := cgiFixture(t)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/cgi-bin/status", nil))
	if got := w.Header().Get("X-Script"); got != "yes" {
		t.Errorf("X-Script: got %q, want yes", got)
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/cgi-bin/moved", nil))
	if got := w.Header().Get("Location"); got != "https://example.org/" {
		t.Errorf("Location: got %q", got)
	}
}

func TestCGITimeoutAndCap(t *testing.T) {
	h, _, logs := cgiFixture(t)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/cgi-bin/slow", nil))
	if w.Code != http.StatusGatewayTimeout || strings.Contains(w.Body.String(), "start") {
		t.Errorf("slow script: got %d %q, want 504 and none of its output", w.Code, w.Body.String())
	}
	if !strings.Contains(logs.String(), "timed out") {
		t.Errorf("timeout not logged:\n%s", logs.String())
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/cgi-bin/big", nil))
	if w.Code != http.StatusBadGateway || strings.Contains(w.Body.String(), "0123456789abcdef") {
		t.Errorf("output cap: got %d with %d bytes, want 502 and none of the output", w.Code, w.Body.Len())
	}
	if !strings.Contains(logs.String(), "over the cap") {
		t.Errorf("cap not logged:\n%s", logs.String())
	}
}

// TestCGIChildrenEndWithRequest runs scripts that start background
// children over a real HTTP server: one that keeps the script's stdout
// open, one writing elsewhere, one whose script is still running when the
// time is up, and one whose client goes away. The answer does not wait
// for a child, and no child outlives its request.
func TestCGIChildrenEndWithRequest(t *testing.T) {
	if !cgitest.CanWatch() {
		t.Skip("needs /proc to look at processes")
	}
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh to run CGI scripts")
	}
	dir, tmp := t.TempDir(), t.TempDir()
	ok := `printf 'Content-Type: text/plain\r\n\r\nanswer\n'` + "\n"
	writeScript(t, dir, "holder", "(sleep 3600; echo late) &\necho $! > "+tmp+"/holder.pid\n"+ok, 0o755)
	writeScript(t, dir, "detached", "sleep 3600 >/dev/null 2>&1 &\necho $! > "+tmp+"/detached.pid\n"+ok, 0o755)
	writeScript(t, dir, "stuck", "sleep 3600 >/dev/null 2>&1 &\necho $! > "+tmp+"/stuck.pid\n"+ok+"sleep 3600\n", 0o755)
	writeScript(t, dir, "left", "sleep 3600 >/dev/null 2>&1 &\necho $! > "+tmp+"/left.pid\nsleep 3600\n", 0o755)
	r := &gcgi.Runner{Dir: dir, Timeout: 2 * time.Second}
	pol := &policy.Policy{CGIMount: policy.DefaultCGIMount}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &Server{Handler: TreeHandler(pol.Tree(site(), DefaultIndex, nil), &CGI{Runner: r}, Options{})}
	go srv.Serve(l)
	defer srv.Close()
	base := "http://" + l.Addr().String()
	for _, tt := range []struct {
		name string
		code int
		body string
	}{
		{"holder", 200, "answer\n"},
		{"detached", 200, "answer\n"},
		{"stuck", 504, ""},
	} {
		resp, err := http.Get(base + "/cgi-bin/" + tt.name)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.code || tt.body != "" && string(body) != tt.body {
			t.Errorf("%s: got %d %q, want %d %q", tt.name, resp.StatusCode, body, tt.code, tt.body)
		}
		cgitest.WaitGone(t, tt.name, cgitest.ReadPID(t, filepath.Join(tmp, tt.name+".pid")))
	}
	// A client that goes away while the script runs ends it and its
	// children at once, long before the time is up.
	r.Timeout = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/cgi-bin/left", nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	pidFile := filepath.Join(tmp, "left.pid")
	for i := 0; ; i++ {
		if b, err := os.ReadFile(pidFile); err == nil && strings.HasSuffix(string(b), "\n") {
			break
		}
		if i == 1000 {
			t.Fatal("the script did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	cgitest.WaitGone(t, "client gone", cgitest.ReadPID(t, pidFile))
}
