package guppy

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gmkit/gmkit/serve/cgi"
)

func writeScript(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestTranslateHeader(t *testing.T) {
	tests := []struct {
		out    string
		status Status
		meta   string
		body   string
		ok     bool
	}{
		{"20 text/gemini\r\nhello", StatusSuccess, "text/gemini", "hello", true},
		{"20 text/plain\nhi\n", StatusSuccess, "text/plain", "hi\n", true},
		{"20\r\nbody", StatusSuccess, "", "body", true},
		{"10 Your name?\r\n", StatusInput, "Your name?", "", true},
		{"11 Password\r\n", StatusInput, "Password", "", true},
		{"30 /new\r\n", StatusRedirect, "/new", "", true},
		{"31 guppy://h/x\r\n", StatusRedirect, "guppy://h/x", "", true},
		{"40 slow down\r\n", StatusError, "slow down", "", true},
		{"51 Not found\r\n", StatusError, "Not found", "", true},
		{"60 cert\r\n", StatusError, "cert", "", true},
		{"59\r\n", StatusError, "error 59", "", true},
		{"30\r\n", 0, "", "", false},
		{"70 what\r\n", 0, "", "", false},
		{"2 text/gemini\r\n", 0, "", "", false},
		{"20text/gemini\r\n", 0, "", "", false},
		{"20 text/gemini", 0, "", "", false},
		{"hello world\n", 0, "", "", false},
		{"", 0, "", "", false},
		{"20 te\x00xt\r\n", 0, "", "", false},
	}
	for _, tt := range tests {
		status, meta, body, ok := translateHeader([]byte(tt.out))
		if status != tt.status || meta != tt.meta || string(body) != tt.body || ok != tt.ok {
			t.Errorf("translateHeader(%q) = %d %q %q %v, want %d %q %q %v", tt.out, status, meta, body, ok, tt.status, tt.meta, tt.body, tt.ok)
		}
	}
}

func TestCGI(t *testing.T) {
	dir := t.TempDir()
	writeScript(t, dir, "hello", `if [ -z "$QUERY_STRING" ]; then printf '10 Your name?\r\n'; exit; fi
printf '20 text/gemini\r\nHello, %s!\n' "$GEMINI_SEARCH_STRING"
`)
	writeScript(t, dir, "env", `printf '20 text/plain\r\n'; env | sort`)
	writeScript(t, dir, "moved", `printf '31 /cgi-bin/hello\r\n'`)
	writeScript(t, dir, "gone", `printf '51 No such thing\r\n'`)
	writeScript(t, dir, "bad", `echo "just text"`)
	writeScript(t, dir, "slow", `sleep 60; printf '20 text/gemini\r\nlate\n'`)
	writeScript(t, dir, "big", `printf '20 text/plain\r\n'; head -c 200000 /dev/zero | tr '\0' 'x'`)
	if err := os.WriteFile(filepath.Join(dir, "notexec"), []byte("#!/bin/sh\necho"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The timeout is long enough for every other script on a loaded
	// machine (300 ms was not, for "big" and "env" under -race).
	runner := &cgi.Runner{Dir: dir, Timeout: 3 * time.Second, MaxOutput: 300_000}
	srv := fastServer(&CGIHandler{Runner: runner, Mount: "/cgi-bin", DocumentRoot: "/srv/capsule"})
	addr := startServer(t, srv)
	base := "guppy://" + addr + "/cgi-bin/"
	c := fastClient()
	tests := []struct {
		url    string
		status Status
		meta   string
		body   string
	}{
		{base + "hello", StatusInput, "Your name?", ""},
		{base + "hello?Ada%20Lovelace", StatusSuccess, "text/gemini", "Hello, Ada Lovelace!\n"},
		{base + "moved", StatusRedirect, "/cgi-bin/hello", ""},
		{base + "gone", StatusError, "No such thing", ""},
		{base + "bad", StatusError, "CGI script sent an invalid header", ""},
		{base + "slow", StatusError, "CGI script timed out", ""},
		{base + "missing", StatusError, "not found", ""},
		{base + "notexec", StatusError, "not found", ""},
		{base + "../../bin/sh", StatusError, "bad request", ""},
		{base + "%2e%2e/hello", StatusError, "bad request", ""},
		{"guppy://" + addr + "/elsewhere", StatusError, "not found", ""},
	}
	for _, tt := range tests {
		resp := getOK(t, c, tt.url)
		if resp.Status != tt.status || resp.Meta != tt.meta || string(resp.Body) != tt.body {
			t.Errorf("%s: got %d %q %q, want %d %q %q", tt.url, resp.Status, resp.Meta, resp.Body, tt.status, tt.meta, tt.body)
		}
	}

	resp := getOK(t, c, base+"big")
	if len(resp.Body) != 200_000 || !bytes.Equal(resp.Body, bytes.Repeat([]byte("x"), 200_000)) {
		t.Errorf("big output: got %d %q and %d bytes, want 200000 x", resp.Status, resp.Meta, len(resp.Body))
	}

	resp = getOK(t, c, base+"env/extra?q%3D1+2")
	env := string(resp.Body)
	for _, want := range []string{
		"SERVER_PROTOCOL=GUPPY", "GATEWAY_INTERFACE=CGI/1.1", "REQUEST_METHOD=GET",
		"SCRIPT_NAME=/cgi-bin/env", "PATH_INFO=/extra", "PATH_TRANSLATED=/srv/capsule/extra",
		"QUERY_STRING=q%3D1+2", "GEMINI_SEARCH_STRING=q=1+2", "GEMINI_URL=guppy://" + addr + "/cgi-bin/env/extra?q%3D1+2",
		"GEMINI_URL_PATH=/cgi-bin/env/extra", "REMOTE_ADDR=127.0.0.1", "SERVER_NAME=127.0.0.1",
		"SERVER_PORT=" + addr[strings.LastIndex(addr, ":")+1:], "DOCUMENT_ROOT=/srv/capsule",
	} {
		if !strings.Contains(env, want+"\n") {
			t.Errorf("script environment lacks %q:\n%s", want, env)
		}
	}
}
