package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestServePortInUse: an address already taken fails the command before it
// serves anything, with an error that names the address, the flag that
// changes it and the one that turns the server off.
func TestServePortInUse(t *testing.T) {
	dir := t.TempDir()
	writeArchive(t, dir, filepath.Join("testdata", "e2e", "site.txtar"))
	for _, tc := range []struct{ server, flag, network string }{
		{"gemini", "--gemini", "tcp"},
		{"gopher", "--gopher", "tcp"},
		{"guppy", "--guppy", "udp"},
		{"spartan", "--spartan", "tcp"},
		{"nex", "--nex", "tcp"},
		{"http", "--http", "tcp"},
	} {
		t.Run(tc.server, func(t *testing.T) {
			var taken string
			if tc.network == "tcp" {
				l, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				defer l.Close()
				taken = l.Addr().String()
			} else {
				pc, err := net.ListenPacket("udp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				defer pc.Close()
				taken = pc.LocalAddr().String()
			}
			args := serveArgs(dir)
			for i, a := range args {
				if a == tc.flag {
					args[i+1] = taken
				}
			}
			var stdout, stderr syncBuffer
			ctx, cancel := context.WithTimeout(context.Background(), startWait)
			defer cancel()
			code := runContext(ctx, args, &stdout, &stderr)
			if code != 1 {
				t.Fatalf("exit status %d, want 1\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
			}
			msg := stderr.String()
			for _, want := range []string{tc.server, taken, "already in use", tc.flag, "--no-" + tc.server} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not mention %q", msg, want)
				}
			}
			if strings.Contains(stdout.String(), "://") {
				t.Errorf("printed addresses although it did not serve:\n%s", &stdout)
			}
		})
	}
}

// TestServeNoGopher: --no-gopher leaves Gopher off and the rest on.
func TestServeNoGopher(t *testing.T) {
	dir := t.TempDir()
	writeArchive(t, dir, filepath.Join("testdata", "e2e", "site.txtar"))
	in := startServe(t, serveArgs(dir, "--no-gopher")...)
	if got, want := strings.Join(in.protocols(), " "), "gemini guppy spartan nex http"; got != want {
		t.Fatalf("serving %q, want %q\nstdout:\n%s", got, want, in.stdout)
	}
	if strings.Contains(in.stdout.String(), "gopher://") {
		t.Errorf("stdout names a Gopher address:\n%s", in.stdout)
	}
	in.check("--no-gopher", expect{path: "/", want: []string{"Harbour Notes", "Low tide"}})
	if _, err := os.Stat(filepath.Join(dir, "public", "gopher")); !os.IsNotExist(err) {
		t.Errorf("public/gopher: got err %v, want no Gopher output", err)
	}
	if code := in.stop(); code != 0 {
		t.Errorf("exit status %d, want 0\nstderr:\n%s", code, in.stderr)
	}
	assertReleased(t, in)
}

// TestServeNoGemini: with Gemini off, Guppy still gets the capsule it
// serves (it used to start and answer "not found" to everything).
func TestServeNoGemini(t *testing.T) {
	dir := t.TempDir()
	writeArchive(t, dir, filepath.Join("testdata", "e2e", "site.txtar"))
	in := startServe(t, serveArgs(dir, "--no-gemini")...)
	if got := in.protocols(); slices.Contains(got, "gemini") || !slices.Contains(got, "guppy") {
		t.Fatalf("serving %q, want Guppy and not Gemini\nstdout:\n%s", got, in.stdout)
	}
	if strings.Contains(in.stdout.String(), "gemini://") {
		t.Errorf("stdout names a Gemini address:\n%s", in.stdout)
	}
	in.check("--no-gemini", expect{path: "/", want: []string{"Harbour Notes", "Low tide"}})
	in.check("--no-gemini, a post over Guppy", expect{path: "/posts/low-tide/", want: []string{"bravo-one"}, only: []string{"guppy"}})
	if code := in.stop(); code != 0 {
		t.Errorf("exit status %d, want 0\nstderr:\n%s", code, in.stderr)
	}
}

// TestServeNoBuild: --no-build serves the output folder as it is, without
// building (the sources say something else) and without watching.
func TestServeNoBuild(t *testing.T) {
	dir := t.TempDir()
	writeArchive(t, dir, filepath.Join("testdata", "e2e", "site.txtar"))
	writeArchive(t, dir, filepath.Join("testdata", "e2e", "prebuilt.txtar"))
	in := startServe(t, serveArgs(dir, "--no-build")...)
	in.check("--no-build",
		expect{path: "/", want: []string{"Prebuilt capsule foxtrot-one"}, not: []string{"Low tide"}, only: []string{"gemini", "guppy"}},
		expect{path: "/", want: []string{"Prebuilt hole foxtrot-one"}, not: []string{"Low tide"}, only: []string{"gopher"}},
		expect{path: "/", want: []string{"Prebuilt web foxtrot-one"}, not: []string{"Low tide"}, only: []string{"http"}},
		expect{path: "/notes.txt", want: []string{"plain notes"}},
		expect{path: "/posts/low-tide/", gone: true},
	)
	if strings.Contains(in.stdout.String(), "built ") || strings.Contains(in.stdout.String(), "Watching") {
		t.Errorf("--no-build built or watched:\n%s", in.stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "public", "gemini", "posts")); !os.IsNotExist(err) {
		t.Errorf("public/gemini/posts: got err %v, want public/ untouched", err)
	}
	if code := in.stop(); code != 0 {
		t.Errorf("exit status %d, want 0\nstderr:\n%s", code, in.stderr)
	}
}

// TestReadmeFirstCommand follows the README as a newcomer would: its first
// command, run in a folder that is not a site, serves the example site
// built into the binary on all three protocols, CGI included.
func TestReadmeFirstCommand(t *testing.T) {
	readme := readFile(t, filepath.Join("..", "..", "README.md"))
	m := regexp.MustCompile("(?s)```sh\n(.*?)\n```").FindStringSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no ```sh block")
	}
	first := strings.TrimSpace(strings.SplitN(m[1], "\n", 2)[0])
	const goRun = "go run ./cmd/gmkit "
	if !strings.HasPrefix(first, goRun) {
		t.Fatalf("README's first command is %q, want %q...", first, goRun)
	}
	args := strings.Fields(strings.TrimPrefix(first, goRun))
	if strings.Join(args, " ") != "serve --watch" {
		t.Fatalf("README's first command runs gmkit %q, want serve --watch", args)
	}

	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	t.Chdir(t.TempDir())

	// The README's command, on ports the system picks.
	in := startServe(t, append(args, "--gemini", "127.0.0.1:0", "--gopher", "127.0.0.1:0", "--guppy", "127.0.0.1:0", "--spartan", "127.0.0.1:0", "--nex", "127.0.0.1:0", "--http", "127.0.0.1:0")...)
	if got, want := strings.Join(in.protocols(), " "), "gemini gopher guppy spartan nex http"; got != want {
		t.Fatalf("serving %q, want %q\nstdout:\n%s", got, want, in.stdout)
	}
	example := filepath.Join(home, ".cache", "gmkit", "example")
	if out := in.stdout.String(); !strings.Contains(out, "serving the example site") || !strings.Contains(out, example) {
		t.Errorf("stdout does not say it serves the example from %s:\n%s", example, out)
	}
	if _, err := os.Stat(filepath.Join(example, "gmkit.toml")); err != nil {
		t.Errorf("example not extracted: %v", err)
	}
	if !regexp.MustCompile(`Certificate for localhost: SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}`).MatchString(in.stdout.String()) {
		t.Errorf("stdout has no certificate fingerprint:\n%s", in.stdout)
	}
	in.check("the example's home page", expect{path: "/", want: []string{"Quiet Carrier"}})
	in.check("the example's CGI over Gemini", expect{path: "/cgi-bin/hello", want: []string{"Hello from Quiet Carrier", "Protocol: GEMINI"}, only: []string{"gemini"}})
	if code := in.stop(); code != 0 {
		t.Errorf("exit status %d, want 0\nstderr:\n%s", code, in.stderr)
	}

	// The banner invites edits: they are still there on the next run.
	writeFile(t, filepath.Join(example, "content", "posts", "my-edit.md"), "---\ntitle: My Own Edit\ndate: 2025-01-02\n---\n\nKept.\n", 0o644)
	in = startServe(t, append(args, "--gemini", "127.0.0.1:0", "--gopher", "127.0.0.1:0", "--guppy", "127.0.0.1:0", "--spartan", "127.0.0.1:0", "--nex", "127.0.0.1:0", "--http", "127.0.0.1:0")...)
	if out := in.stdout.String(); !strings.Contains(out, "serving your copy of the example site") || !strings.Contains(out, example) {
		t.Errorf("second run: stdout does not say it serves the copy in %s:\n%s", example, out)
	}
	in.check("the edit, on the second run", expect{path: "/posts/my-edit/", want: []string{"Kept."}})
	if code := in.stop(); code != 0 {
		t.Errorf("second run: exit status %d, want 0\nstderr:\n%s", code, in.stderr)
	}
}
