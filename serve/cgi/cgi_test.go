package cgi

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gmkit/gmkit/serve/cgi/cgitest"
)

// writeScripts writes executable sh scripts (name -> body) into a fresh
// CGI folder, all before any runs (see golang.org/issue/22315).
func writeScripts(t *testing.T, scripts map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range scripts {
		file := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o755)
		if strings.HasSuffix(name, ".txt") {
			mode = 0o644
		}
		if err := os.WriteFile(file, []byte("#!/bin/sh\n"+body), mode); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func baseRequest(p string) *Request {
	return &Request{
		Path: p, Mount: "/cgi-bin", RawQuery: "a%20b", RemoteAddr: "127.0.0.1:40000",
		ServerName: "example.org", ServerPort: 1965, Protocol: "GEMINI",
		DocumentRoot: "/srv/capsule", Env: []string{"GEMINI_URL=gemini://example.org/cgi-bin/env"},
	}
}

func envOf(out []byte) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			m[k] = v
		}
	}
	return m
}

func TestEnvironment(t *testing.T) {
	t.Setenv("GMKIT_SECRET", "hunter2")
	dir := writeScripts(t, map[string]string{"sub/env": "env; echo CWD=$(pwd)\n"})
	r := &Runner{Dir: dir, Software: "gmkit/test"}
	res, err := r.Run(context.Background(), baseRequest("/sub/env/more/path"))
	if err != nil {
		t.Fatal(err)
	}
	env := envOf(res.Output)
	realDir, _ := filepath.EvalSymlinks(dir)
	want := map[string]string{
		"GATEWAY_INTERFACE": "CGI/1.1",
		"SERVER_PROTOCOL":   "GEMINI",
		"SERVER_SOFTWARE":   "gmkit/test",
		"SERVER_NAME":       "example.org",
		"SERVER_PORT":       "1965",
		"REQUEST_METHOD":    "GET",
		"SCRIPT_NAME":       "/cgi-bin/sub/env",
		"SCRIPT_FILENAME":   filepath.Join(realDir, "sub", "env"),
		"PATH_INFO":         "/more/path",
		"PATH_TRANSLATED":   "/srv/capsule/more/path",
		"QUERY_STRING":      "a%20b",
		"REMOTE_ADDR":       "127.0.0.1",
		"REMOTE_HOST":       "127.0.0.1",
		"REMOTE_PORT":       "40000",
		"DOCUMENT_ROOT":     "/srv/capsule",
		"GEMINI_URL":        "gemini://example.org/cgi-bin/env",
		"PATH":              DefaultPath,
		"CWD":               filepath.Join(realDir, "sub"),
	}
	for k, v := range want {
		if got := env[k]; got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if _, leaked := env["GMKIT_SECRET"]; leaked {
		t.Error("the server's environment leaked into the script")
	}
	if res.ScriptName != "/cgi-bin/sub/env" || res.ExitCode != 0 {
		t.Errorf("result = %q, %d; want /cgi-bin/sub/env, 0", res.ScriptName, res.ExitCode)
	}
}

func TestNoPathInfo(t *testing.T) {
	dir := writeScripts(t, map[string]string{"env": "env\n"})
	res, err := (&Runner{Dir: dir}).Run(context.Background(), baseRequest("/env"))
	if err != nil {
		t.Fatal(err)
	}
	env := envOf(res.Output)
	for _, k := range []string{"PATH_INFO", "PATH_TRANSLATED"} {
		if v, ok := env[k]; ok {
			t.Errorf("%s = %q, want unset", k, v)
		}
	}
	if env["SERVER_SOFTWARE"] != "gmkit" {
		t.Errorf("SERVER_SOFTWARE = %q, want gmkit", env["SERVER_SOFTWARE"])
	}
}

func TestResolveRefuses(t *testing.T) {
	outside := writeScripts(t, map[string]string{"evil": "echo evil\n"})
	dir := writeScripts(t, map[string]string{
		"ok":         "echo ok\n",
		".hidden":    "echo hidden\n",
		"notes.txt":  "not executable\n",
		"dir/inside": "echo inside\n",
	})
	if err := os.Symlink(filepath.Join(outside, "evil"), filepath.Join(dir, "link-out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "dir-out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("ok", filepath.Join(dir, "link-in")); err != nil {
		t.Fatal(err)
	}
	r := &Runner{Dir: dir}
	refused := []string{
		"", "/", "/missing", "/.hidden", "/notes.txt", "/dir", "/dir/", "/../" + filepath.Base(outside) + "/evil",
		"/dir/../ok", "/./ok", "//ok", "/link-out", "/dir-out/evil", "/ok\x00", "/dir\\inside",
	}
	for _, p := range refused {
		if s, err := r.Resolve(p); !errors.Is(err, ErrNotFound) {
			t.Errorf("Resolve(%q) = %+v, %v; want ErrNotFound", p, s, err)
		}
	}
	tests := []struct{ path, name, info string }{
		{"/ok", "ok", ""},
		{"ok", "ok", ""},
		{"/ok/", "ok", "/"},
		{"/ok/a/../b", "ok", "/a/../b"},
		{"/dir/inside/x", "dir/inside", "/x"},
		{"/link-in", "link-in", ""},
	}
	for _, tt := range tests {
		s, err := r.Resolve(tt.path)
		if err != nil {
			t.Errorf("Resolve(%q): %v", tt.path, err)
			continue
		}
		if s.Name != tt.name || s.PathInfo != tt.info {
			t.Errorf("Resolve(%q) = %q, %q; want %q, %q", tt.path, s.Name, s.PathInfo, tt.name, tt.info)
		}
	}
	if _, err := (&Runner{}).Resolve("/ok"); !errors.Is(err, ErrNotFound) {
		t.Errorf("no Dir: got %v, want ErrNotFound", err)
	}
}

func TestTimeoutKillsProcessGroup(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "survived")
	dir := writeScripts(t, map[string]string{
		// A grandchild that would write the marker if it outlived the kill.
		"slow": "(sleep 1; echo x > " + marker + ") &\nsleep 30\n",
	})
	r := &Runner{Dir: dir, Timeout: 200 * time.Millisecond}
	res, err := r.Run(context.Background(), baseRequest("/slow"))
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("got %v, want ErrTimeout", err)
	}
	if res.ExitCode != -1 {
		t.Errorf("ExitCode = %d, want -1", res.ExitCode)
	}
	if testing.Short() {
		return
	}
	time.Sleep(1500 * time.Millisecond)
	if _, err := os.Stat(marker); err == nil {
		t.Error("a grandchild survived the timeout")
	}
}

func TestOutputCap(t *testing.T) {
	dir := writeScripts(t, map[string]string{"flood": "while :; do echo yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy; done\n"})
	r := &Runner{Dir: dir, MaxOutput: 1000}
	res, err := r.Run(context.Background(), baseRequest("/flood"))
	if !errors.Is(err, ErrOutputTooLarge) {
		t.Fatalf("got %v, want ErrOutputTooLarge", err)
	}
	if len(res.Output) != 1000 {
		t.Errorf("len(Output) = %d, want 1000", len(res.Output))
	}
}

func TestStderrLoggedAndExitCode(t *testing.T) {
	var log bytes.Buffer
	dir := writeScripts(t, map[string]string{"fail": "echo 'something broke' >&2\necho partial\nexit 3\n"})
	r := &Runner{Dir: dir, Logger: slog.New(slog.NewTextHandler(&log, nil))}
	res, err := r.Run(context.Background(), baseRequest("/fail"))
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 3 || string(res.Output) != "partial\n" {
		t.Errorf("got %d, %q; want 3, %q", res.ExitCode, res.Output, "partial\n")
	}
	if !strings.Contains(log.String(), "something broke") {
		t.Errorf("log %q lacks the script's stderr", log.String())
	}
}

func TestContextCancel(t *testing.T) {
	dir := writeScripts(t, map[string]string{"slow": "sleep 30\n"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := (&Runner{Dir: dir}).Run(ctx, baseRequest("/slow"))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

// TestRequestEndEndsProcessGroup runs scripts that leave children behind:
// one with its output elsewhere, one that keeps the script's stdout open.
// The answer is what the script wrote before it exited, it does not wait
// for the pipe to close, and no child outlives the request.
func TestRequestEndEndsProcessGroup(t *testing.T) {
	if !cgitest.CanWatch() {
		t.Skip("needs /proc to look at processes")
	}
	tmp := t.TempDir()
	dir := writeScripts(t, map[string]string{
		"detached": "sleep 3600 >/dev/null 2>&1 &\necho $! > " + tmp + "/detached.pid\necho answer\n",
		"holder":   "(sleep 3600; echo late) &\necho $! > " + tmp + "/holder.pid\necho answer\n",
	})
	r := &Runner{Dir: dir, Timeout: time.Hour}
	for _, name := range []string{"detached", "holder"} {
		res, err := r.Run(context.Background(), baseRequest("/"+name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got, want := string(res.Output), "answer\n"; got != want {
			t.Errorf("%s: output %q, want %q", name, got, want)
		}
		cgitest.WaitGone(t, name, cgitest.ReadPID(t, filepath.Join(tmp, name+".pid")))
	}
}

func TestBodyOnStdin(t *testing.T) {
	dir := writeScripts(t, map[string]string{"up": "env; printf 'STDIN='; cat\n"})
	r := &Runner{Dir: dir}
	req := baseRequest("/up")
	req.Body, req.ContentLength = strings.NewReader("line one\nline two"), 17
	res, err := r.Run(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	out := string(res.Output)
	env := envOf(res.Output)
	if env["REQUEST_METHOD"] != "POST" || env["CONTENT_LENGTH"] != "17" {
		t.Errorf("REQUEST_METHOD = %q, CONTENT_LENGTH = %q; want POST, 17", env["REQUEST_METHOD"], env["CONTENT_LENGTH"])
	}
	if !strings.HasSuffix(out, "STDIN=line one\nline two") {
		t.Errorf("the script read %q from stdin; want the body", out[strings.LastIndex(out, "STDIN="):])
	}
	// A script that reads nothing of a body larger than a pipe holds still
	// finishes, and its output is kept.
	dir = writeScripts(t, map[string]string{"deaf": "echo done\n"})
	req = baseRequest("/deaf")
	big := strings.Repeat("x", 1<<20)
	req.Body, req.ContentLength = strings.NewReader(big), int64(len(big))
	if res, err := (&Runner{Dir: dir}).Run(context.Background(), req); err != nil || string(res.Output) != "done\n" {
		t.Errorf("script ignoring a 1 MB body: %v, %q", err, res.Output)
	}
	res, err = r.Run(context.Background(), baseRequest("/up"))
	if err != nil {
		t.Fatal(err)
	}
	if env := envOf(res.Output); env["REQUEST_METHOD"] != "GET" || env["CONTENT_LENGTH"] != "" || !strings.HasSuffix(string(res.Output), "STDIN=") {
		t.Errorf("without a body: REQUEST_METHOD %q, CONTENT_LENGTH %q, output ending %q", env["REQUEST_METHOD"], env["CONTENT_LENGTH"], res.Output[max(0, len(res.Output)-20):])
	}
}
