package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/gmkit/gmkit/serve/guppy"
	"github.com/gmkit/gmkit/serve/nex"
)

// Bounds for the end-to-end tests. They bound waiting for something that
// should happen (a change to show, the command to start or stop); a test
// that passes never waits for them to run out.
const (
	startWait  = 30 * time.Second       // the first build and the listeners
	changeWait = 10 * time.Second       // a saved change reaching every protocol
	stopWait   = 15 * time.Second       // shutdown after cancel
	pollEvery  = 20 * time.Millisecond  // between two looks at a protocol
	fetchWait  = 3 * time.Second        // one request on one protocol
	guppyRetry = 100 * time.Millisecond // the Guppy client's first resend
	logWait    = changeWait             // a log line that must appear
)

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers:
// the command writes its output while the test reads it.
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

// writeArchive writes the files of a txtar archive under dir; files under
// cgi-bin/ are made executable.
func writeArchive(tb testing.TB, dir, archive string) {
	tb.Helper()
	a, err := txtar.ParseFile(archive)
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range a.Files {
		mode := os.FileMode(0o644)
		if strings.HasPrefix(f.Name, "cgi-bin/") {
			mode = 0o755
		}
		writeFile(tb, filepath.Join(dir, filepath.FromSlash(f.Name)), string(f.Data), mode)
	}
}

// writeFile writes a file the way an editor that saves in place does,
// creating its folder first.
func writeFile(tb testing.TB, name, data string, mode os.FileMode) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), mode); err != nil {
		tb.Fatal(err)
	}
}

// saveAtomically writes a file the way many editors save: a temporary file
// next to it, then a rename over it.
func saveAtomically(tb testing.TB, name, data string) {
	tb.Helper()
	tmp := filepath.Join(filepath.Dir(name), "."+filepath.Base(name)+".tmp-1234")
	if err := os.WriteFile(tmp, []byte(data), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, name); err != nil {
		tb.Fatal(err)
	}
}

// instance is one `gmkit serve` running in-process through runContext.
type instance struct {
	tb             testing.TB
	stdout, stderr *syncBuffer
	// Addresses (host:port) the command printed; "" for a server that is
	// off.
	gemini, gopher, guppy, spartan, nex, http string

	cancel context.CancelFunc
	done   chan int
	once   sync.Once
	code   int
}

// listening matches the lines serve prints for each server.
var listening = regexp.MustCompile(`(?m)^(Gemini|Gopher|Guppy|Spartan|Nex|HTTP) +(gemini|gopher|guppy|spartan|nex|http)://([^/\s]+)/$`)

// startServe runs `gmkit ARGS...` (a serve command) until it says it is
// serving, and learns the addresses from what it prints. The command is
// stopped when the test ends, if the test has not stopped it.
func startServe(tb testing.TB, args ...string) *instance {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{tb: tb, stdout: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() { in.done <- runContext(ctx, args, in.stdout, in.stderr) }()
	tb.Cleanup(func() { in.stop() })

	deadline := time.Now().Add(startWait)
	for !strings.Contains(in.stdout.String(), "Press Ctrl-C to stop.") {
		select {
		case code := <-in.done:
			in.done <- code
			tb.Fatalf("gmkit %s exited with %d before serving\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, in.stdout, in.stderr)
		case <-time.After(pollEvery):
		}
		if time.Now().After(deadline) {
			tb.Fatalf("gmkit %s: not serving after %s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), startWait, in.stdout, in.stderr)
		}
	}
	for _, m := range listening.FindAllStringSubmatch(in.stdout.String(), -1) {
		switch m[2] {
		case "gemini":
			in.gemini = m[3]
		case "gopher":
			in.gopher = m[3]
		case "guppy":
			in.guppy = m[3]
		case "spartan":
			in.spartan = m[3]
		case "nex":
			in.nex = m[3]
		case "http":
			in.http = m[3]
		}
	}
	return in
}

// stop cancels the command (what Ctrl-C does) and returns its exit status.
func (in *instance) stop() int {
	in.once.Do(func() {
		in.cancel()
		select {
		case in.code = <-in.done:
		case <-time.After(stopWait):
			in.code = -1
			in.tb.Errorf("gmkit serve still running %s after cancel\nstderr:\n%s", stopWait, in.stderr)
		}
	})
	return in.code
}

// protocols lists the protocols this instance serves.
func (in *instance) protocols() []string {
	var ps []string
	for _, p := range []struct{ name, addr string }{{"gemini", in.gemini}, {"gopher", in.gopher}, {"guppy", in.guppy}, {"spartan", in.spartan}, {"nex", in.nex}, {"http", in.http}} {
		if p.addr != "" {
			ps = append(ps, p.name)
		}
	}
	return ps
}

// reply is one answer, the same shape for every protocol.
type reply struct {
	found bool   // a success (Gemini 2x, Guppy success, Gopher not type 3)
	head  string // Gemini header, Guppy status and meta; "" for Gopher
	body  string
}

func (r reply) String() string {
	return fmt.Sprintf("found=%v head=%q body:\n%s", r.found, r.head, r.body)
}

// fetch asks one protocol for one path (a Gopher selector, for Gopher).
func (in *instance) fetch(proto, path string) (reply, error) {
	switch proto {
	case "gemini":
		return geminiGet(in.gemini, path)
	case "gopher":
		return gopherGet(in.gopher, path)
	case "guppy":
		return guppyGet(in.guppy, path)
	case "spartan":
		return spartanGet(in.spartan, path)
	case "nex":
		return nexGet(in.nex, path)
	case "http":
		return httpGet(in.http, path)
	}
	return reply{}, fmt.Errorf("unknown protocol %q", proto)
}

// geminiGet fetches gemini://addr/path, trusting any certificate.
func geminiGet(addr, path string) (reply, error) {
	d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: fetchWait}, Config: &tls.Config{InsecureSkipVerify: true, ServerName: "localhost", MinVersion: tls.VersionTLS12}}
	ctx, cancel := context.WithTimeout(context.Background(), fetchWait)
	defer cancel()
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return reply{}, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(fetchWait))
	if _, err := fmt.Fprintf(c, "gemini://%s%s\r\n", addr, path); err != nil {
		return reply{}, err
	}
	br := bufio.NewReader(c)
	head, err := br.ReadString('\n')
	if err != nil {
		return reply{}, fmt.Errorf("gemini header: %w", err)
	}
	body, err := io.ReadAll(br)
	if err != nil {
		return reply{}, fmt.Errorf("gemini body: %w", err)
	}
	head = strings.TrimRight(head, "\r\n")
	return reply{found: strings.HasPrefix(head, "2"), head: head, body: string(body)}, nil
}

// httpGet fetches http://addr/path, following no redirect: a redirect's
// head is its status and Location.
func httpGet(addr, path string) (reply, error) {
	c := &http.Client{Timeout: fetchWait, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get("http://" + addr + path)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, fmt.Errorf("http body: %w", err)
	}
	head := strconv.Itoa(resp.StatusCode)
	if loc := resp.Header.Get("Location"); loc != "" {
		head += " " + loc
	}
	return reply{found: resp.StatusCode == http.StatusOK, head: head, body: html.UnescapeString(string(body))}, nil
}

// gopherGet sends one selector and reads the answer to the end.
func gopherGet(addr, selector string) (reply, error) {
	c, err := net.DialTimeout("tcp", addr, fetchWait)
	if err != nil {
		return reply{}, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(fetchWait))
	if _, err := io.WriteString(c, selector+"\r\n"); err != nil {
		return reply{}, err
	}
	body, err := io.ReadAll(c)
	if err != nil {
		return reply{}, err
	}
	return reply{found: len(body) > 0 && body[0] != '3', body: string(body)}, nil
}

// guppyGet fetches guppy://addr/path.
func guppyGet(addr, path string) (reply, error) {
	c := guppy.Client{Timeout: fetchWait, RetryInterval: guppyRetry}
	resp, err := c.Get(context.Background(), "guppy://"+addr+path)
	if err != nil {
		return reply{}, err
	}
	return reply{found: resp.Status == guppy.StatusSuccess, head: fmt.Sprintf("%d %s", resp.Status, resp.Meta), body: string(resp.Body)}, nil
}

// spartanGet sends one Spartan request for path (with no data) and reads
// the answer to the end.
func spartanGet(addr, path string) (reply, error) {
	c, err := net.DialTimeout("tcp", addr, fetchWait)
	if err != nil {
		return reply{}, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(fetchWait))
	if _, err := fmt.Fprintf(c, "localhost %s 0\r\n", path); err != nil {
		return reply{}, err
	}
	br := bufio.NewReader(c)
	head, err := br.ReadString('\n')
	if err != nil {
		return reply{}, fmt.Errorf("spartan status line: %w", err)
	}
	body, err := io.ReadAll(br)
	if err != nil {
		return reply{}, fmt.Errorf("spartan body: %w", err)
	}
	head = strings.TrimRight(head, "\r\n")
	return reply{found: strings.HasPrefix(head, "2 "), head: head, body: string(body)}, nil
}

// nexGet sends one Nex path and reads the answer to the end.
func nexGet(addr, path string) (reply, error) {
	c, err := net.DialTimeout("tcp", addr, fetchWait)
	if err != nil {
		return reply{}, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(fetchWait))
	if _, err := io.WriteString(c, path+"\n"); err != nil {
		return reply{}, err
	}
	body, err := io.ReadAll(c)
	if err != nil {
		return reply{}, err
	}
	return reply{found: len(body) > 0 && string(body) != nex.NotFoundText, body: string(body)}, nil
}

// expect is what one path must answer, on every protocol checked.
type expect struct {
	path string
	// want and not are substrings, compared case-insensitively (Gopher
	// menus print headings in capitals).
	want, not []string
	// gone: the path must be "not found".
	gone bool
	// head, when set, is what the header must start with (Gemini, Guppy,
	// Spartan), and the body is not checked.
	head string
	// only limits the check to these protocols (nil: all served).
	only []string
}

// problem says what is wrong with r, or "" when it is as expected.
func (e expect) problem(r reply) string {
	if e.head != "" {
		if !strings.HasPrefix(r.head, e.head) {
			return fmt.Sprintf("header %q, want %q...", r.head, e.head)
		}
		return ""
	}
	if e.gone {
		if r.found {
			return "found, want not found"
		}
		return ""
	}
	if !r.found {
		return "not found"
	}
	body := strings.ToLower(r.body)
	for _, w := range e.want {
		if !strings.Contains(body, strings.ToLower(w)) {
			return fmt.Sprintf("missing %q", w)
		}
	}
	for _, n := range e.not {
		if strings.Contains(body, strings.ToLower(n)) {
			return fmt.Sprintf("still has %q", n)
		}
	}
	return ""
}

func (e expect) protocols(in *instance) []string {
	if e.only != nil {
		return e.only
	}
	return in.protocols()
}

// waitFor polls every protocol until each expectation holds, failing the
// test when they do not all hold within changeWait.
func (in *instance) waitFor(step string, exps ...expect) {
	in.tb.Helper()
	deadline := time.Now().Add(changeWait)
	for _, e := range exps {
		for _, proto := range e.protocols(in) {
			for {
				r, err := in.fetch(proto, e.path)
				var why string
				if err != nil {
					why = err.Error()
				} else if why = e.problem(r); why == "" {
					break
				}
				if time.Now().After(deadline) {
					in.tb.Fatalf("%s: %s %s after %s: %s\ngot %v\nstderr:\n%s", step, proto, e.path, changeWait, why, r, in.stderr)
				}
				time.Sleep(pollEvery)
			}
		}
	}
}

// check asserts that every expectation holds now, without waiting.
func (in *instance) check(step string, exps ...expect) {
	in.tb.Helper()
	for _, e := range exps {
		for _, proto := range e.protocols(in) {
			r, err := in.fetch(proto, e.path)
			if err != nil {
				in.tb.Errorf("%s: %s %s: %v", step, proto, e.path, err)
				continue
			}
			if why := e.problem(r); why != "" {
				in.tb.Errorf("%s: %s %s: %s\ngot %v", step, proto, e.path, why, r)
			}
		}
	}
}

// waitLog waits until the command's log (stderr) holds every one of the
// strings, counting only what was logged after offset.
func (in *instance) waitLog(step string, offset int, want ...string) {
	in.tb.Helper()
	deadline := time.Now().Add(logWait)
	for {
		log := in.stderr.String()[offset:]
		missing := ""
		for _, w := range want {
			if !strings.Contains(log, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			in.tb.Fatalf("%s: log has no %q after %s\nstderr since the step:\n%s", step, missing, logWait, log)
		}
		time.Sleep(pollEvery)
	}
}
