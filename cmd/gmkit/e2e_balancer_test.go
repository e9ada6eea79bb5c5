package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// freePort returns a loopback port nothing listens on (for the balancer's
// own listeners, which it binds itself).
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestReplicasBehindHAProxy runs two `serve --no-build` replicas over one
// built tree behind HAProxy in TCP mode, Gemini's TLS passed through and
// every connection prefixed with PROXY v2, as docs/deploy.md configures
// it. Under load it publishes a new build (gmkit build, then SIGHUP),
// then takes one replica out of the balancer and stops it. It asserts that no request fails (HAProxy's
// retries with redispatch cover a replica going away), that every answer
// is the old tree or the new one, and that the replicas log the clients'
// own addresses, not HAProxy's. Skipped where haproxy is not installed
// (.ci/run installs it).
func TestReplicasBehindHAProxy(t *testing.T) {
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		t.Skip("haproxy is not installed (apt-get install haproxy); .ci/run installs it")
	}
	if testing.Short() {
		t.Skip("-short")
	}
	dir := t.TempDir()
	writeArchive(t, dir, filepath.Join("testdata", "e2e", "site.txtar"))
	t.Setenv("XDG_STATE_HOME", t.TempDir()) // one localhost certificate for both replicas
	t.Setenv("GMKIT_SERVE_PROXY_PROTOCOL", "127.0.0.1")
	build := func() {
		t.Helper()
		if code := runContext(context.Background(), []string{"build", "--site", dir}, io.Discard, io.Discard); code != 0 {
			t.Fatalf("gmkit build exited %d", code)
		}
	}
	build()
	replica := func() *instance {
		return startServe(t, "serve", "--site", dir, "--no-build", "--gemini", "127.0.0.1:0", "--gopher", "127.0.0.1:0",
			"--no-guppy", "--no-spartan", "--no-nex", "--no-http", "--log-format", "json")
	}
	a, b := replica(), replica()

	gemPort, gopPort := freePort(t), freePort(t)
	sock := filepath.Join(t.TempDir(), "haproxy.sock")
	cfg := fmt.Sprintf(`global
  maxconn 512
  stats socket %s level admin
defaults
  mode tcp
  timeout connect 2s
  timeout client 10s
  timeout server 10s
  retries 3
  option redispatch 1
frontend gemini
  bind 127.0.0.1:%d
  default_backend gemini
backend gemini
  balance roundrobin
  server a %s send-proxy-v2 check inter 200ms fall 1 rise 1
  server b %s send-proxy-v2 check inter 200ms fall 1 rise 1
frontend gopher
  bind 127.0.0.1:%d
  default_backend gopher
backend gopher
  balance roundrobin
  server a %s send-proxy-v2 check inter 200ms fall 1 rise 1
  server b %s send-proxy-v2 check inter 200ms fall 1 rise 1
`, sock, gemPort, a.gemini, b.gemini, gopPort, a.gopher, b.gopher)
	cfgFile := filepath.Join(t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	hctx, hcancel := context.WithCancel(context.Background())
	hp := exec.CommandContext(hctx, haproxy, "-db", "-f", cfgFile)
	var hlog syncBuffer
	hp.Stdout, hp.Stderr = &hlog, &hlog
	if err := hp.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { hcancel(); hp.Wait() }()
	gemAddr, gopAddr := fmt.Sprintf("127.0.0.1:%d", gemPort), fmt.Sprintf("127.0.0.1:%d", gopPort)
	ports := map[string]bool{} // the clients' own addresses
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := viaGopher(gopAddr, "/posts/low-tide/")
		ports[r.local] = true
		if err == nil && strings.Contains(r.body, "bravo-one") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("haproxy does not answer on %s:\n%s", gopAddr, hlog.String())
		}
		time.Sleep(50 * time.Millisecond)
	}

	// The load: four clients, each alternating Gemini and Gopher requests
	// for a page that the new build changes, until told to stop.
	var (
		mu       sync.Mutex
		failures []string
		answers  = map[string]int{}
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for c := 0; c < 4; c++ {
		wg.Go(func() {
			for n := 0; n < 2000; n++ {
				select {
				case <-stop:
					return
				default:
				}
				var r fetched
				var err error
				if n%2 == 0 {
					r, err = viaGemini(gemAddr, "/posts/low-tide/")
				} else {
					r, err = viaGopher(gopAddr, "/posts/low-tide/")
				}
				mu.Lock()
				switch {
				case err != nil:
					failures = append(failures, err.Error())
				case strings.Contains(r.body, "bravo-one"):
					answers["old"]++
				case strings.Contains(r.body, "bravo-seven"):
					answers["new"]++
				default:
					failures = append(failures, fmt.Sprintf("neither tree: %q", r.body))
				}
				if r.local != "" {
					ports[r.local] = true
				}
				mu.Unlock()
			}
		})
	}
	time.Sleep(500 * time.Millisecond)
	saveAtomically(t, filepath.Join(dir, "content", "posts", "low-tide.md"),
		"---\ntitle: Low tide\ndate: 2025-01-02\ntags: [tides]\n---\nMarker bravo-seven.\n")
	build()
	offA, offB := len(a.stderr.String()), len(b.stderr.String())
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	a.waitLog("HUP", offA, "SIGHUP: serving the output folder as it is now")
	b.waitLog("HUP", offB, "SIGHUP: serving the output folder as it is now")
	time.Sleep(500 * time.Millisecond)
	// Stop replica b as docs/deploy.md says: take it out of the balancer
	// first (HAProxy retries a connection a replica refuses, not one its
	// kernel accepted just before it closed), then stop it.
	for _, be := range []string{"gemini", "gopher"} {
		haproxyCommand(t, sock, "set server "+be+"/b state maint")
	}
	time.Sleep(200 * time.Millisecond)
	if code := b.stop(); code != 0 {
		t.Errorf("replica b exited %d", code)
	}
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	t.Logf("answers: %v, failures: %d, client ports: %d", answers, len(failures), len(ports))
	for i, f := range failures {
		if i == 5 {
			t.Errorf("... and %d more", len(failures)-5)
			break
		}
		t.Errorf("failed request: %s", f)
	}
	if answers["old"] == 0 || answers["new"] == 0 {
		t.Errorf("answers %v: want some from the old tree and some from the new", answers)
	}
	// Every request logged by a replica names a client's own address.
	remote := regexp.MustCompile(`"msg":"request","proto":"(?:gemini|gopher)","remote":"([^"]+)"`)
	logged := 0
	for _, in := range []*instance{a, b} {
		for _, m := range remote.FindAllStringSubmatch(in.stderr.String(), -1) {
			logged++
			if !ports[m[1]] && logged < 20 {
				t.Errorf("a replica logged remote=%s, which is not a client's address (HAProxy's?)", m[1])
			}
		}
	}
	if logged == 0 {
		t.Errorf("no request logged by the replicas")
	}
}

// fetched is one answer through the balancer, with the client's own
// address (what the replica should log).
type fetched struct {
	body  string
	local string
}

func viaGemini(addr, path string) (fetched, error) {
	c, err := net.DialTimeout("tcp", addr, fetchWait)
	if err != nil {
		return fetched{}, err
	}
	defer c.Close()
	local := c.LocalAddr().String()
	_ = c.SetDeadline(time.Now().Add(fetchWait))
	tc := tls.Client(c, &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"})
	if _, err := fmt.Fprintf(tc, "gemini://%s%s\r\n", addr, path); err != nil {
		return fetched{local: local}, fmt.Errorf("gemini: %w", err)
	}
	br := bufio.NewReader(tc)
	head, err := br.ReadString('\n')
	if err != nil {
		return fetched{local: local}, fmt.Errorf("gemini header: %w", err)
	}
	if !strings.HasPrefix(head, "20 ") {
		return fetched{local: local}, fmt.Errorf("gemini: %q", head)
	}
	body, err := io.ReadAll(br)
	if err != nil {
		return fetched{local: local}, fmt.Errorf("gemini body: %w", err)
	}
	return fetched{body: string(body), local: local}, nil
}

func viaGopher(addr, sel string) (fetched, error) {
	c, err := net.DialTimeout("tcp", addr, fetchWait)
	if err != nil {
		return fetched{}, err
	}
	defer c.Close()
	local := c.LocalAddr().String()
	_ = c.SetDeadline(time.Now().Add(fetchWait))
	if _, err := io.WriteString(c, sel+"\r\n"); err != nil {
		return fetched{local: local}, fmt.Errorf("gopher: %w", err)
	}
	body, err := io.ReadAll(c)
	if err != nil {
		return fetched{local: local}, fmt.Errorf("gopher: %w", err)
	}
	if len(body) == 0 || body[0] == '3' {
		return fetched{local: local}, fmt.Errorf("gopher: %q", body)
	}
	return fetched{body: string(body), local: local}, nil
}

// haproxyCommand sends one command to HAProxy's runtime API.
func haproxyCommand(t *testing.T, sock, cmd string) {
	t.Helper()
	c, err := net.DialTimeout("unix", sock, fetchWait)
	if err != nil {
		t.Fatalf("haproxy socket: %v", err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(fetchWait))
	if _, err := io.WriteString(c, cmd+"\n"); err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(c)
	if s := strings.TrimSpace(string(out)); s != "" {
		t.Fatalf("haproxy %q: %s", cmd, s)
	}
}
