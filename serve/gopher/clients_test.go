package gopher

import (
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runClient runs a real Gopher client, skipping the test when it is not
// installed (CI installs curl and lynx to run these).
func runClient(t *testing.T, name string, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed; skipping the real-client check (apt-get install %s)", name, name)
	}
	cmd := exec.CommandContext(t.Context(), bin, args...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "TERM=dumb", "LANG=C.UTF-8"}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

func TestCurl(t *testing.T) {
	addr := startServer(t, &Server{Handler: FileServer(testHole(), Options{Listing: true})})
	root := runClient(t, "curl", "-sS", "--max-time", "30", "gopher://"+addr+"/")
	if want := "1Posts\t/posts/\tgopher.example\t70\r\n"; !strings.Contains(root, want) {
		t.Errorf("curl root menu:\ngot  %q\nwant it to contain %q", root, want)
	}
	// Text comes through byte for byte, CRLF endings, no "." terminator.
	post := runClient(t, "curl", "-sS", "--max-time", "30", "gopher://"+addr+"/0/posts/hello.txt")
	if want := "Hello, world\r\nline two\r\nline three\r\n"; post != want {
		t.Errorf("curl post: got %q, want %q", post, want)
	}
	// A text whose own last line is "." keeps it, and nothing more.
	about := runClient(t, "curl", "-sS", "--max-time", "30", "gopher://"+addr+"/0/about.txt")
	if want := "About this hole.\r\n\r\nSecond paragraph.\r\n.\r\n"; about != want {
		t.Errorf("curl about: got %q, want %q", about, want)
	}
}

func TestLynx(t *testing.T) {
	addr := startServer(t, &Server{Handler: FileServer(testHole(), Options{Listing: true, RewriteFrom: "gopher.example:70"})})
	post := runClient(t, "lynx", "-dump", "-nolist", "gopher://"+addr+"/0/posts/hello.txt")
	if got, want := strings.TrimRight(post, "\n"), "Hello, world\nline two\nline three"; got != want {
		t.Errorf("lynx -dump post:\ngot  %q\nwant %q (no stray \".\" line)", got, want)
	}
	root := runClient(t, "lynx", "-dump", "gopher://"+addr+"/")
	for _, want := range []string{"Welcome to the hole", "Posts", "gopher://" + addr + "/1/posts/", "gopher://" + addr + "/0/about.txt"} {
		if !strings.Contains(root, want) {
			t.Errorf("lynx -dump root:\n%s\nlacks %q", root, want)
		}
	}
}

// TestUMNGopher opens the hole's root menu in the UMN gopher client
// (Debian's "gopher" package), driven in a tmux session: it asks for the
// first menu with a Gopher+ request ("TAB $") and shows nothing but an
// error unless the answer is in Gopher+ form. Skips when gopher or tmux is
// missing (CI installs both).
func TestUMNGopher(t *testing.T) {
	client, err := exec.LookPath("gopher")
	if err != nil {
		t.Skip("the UMN gopher client is not installed; skipping (apt-get install gopher)")
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not installed; skipping the UMN gopher client check (apt-get install tmux)")
	}
	addr := startServer(t, &Server{Handler: FileServer(testHole(), Options{RewriteFrom: "gopher.example:70"})})
	host, port, _ := net.SplitHostPort(addr)
	dir := t.TempDir()
	sock := filepath.Join(dir, "tmux.sock")
	run := func(args ...string) string {
		out, err := exec.Command(tmux, append([]string{"-S", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	run("new-session", "-d", "-s", "umn", "-x", "100", "-y", "30",
		"env", "HOME="+dir, "TERM=xterm", "LANG=C.UTF-8", client, host, port)
	t.Cleanup(func() { exec.Command(tmux, "-S", sock, "kill-server").Run() })
	var screen string
	for range 300 { // the client starts in well under a second; the bound is for a loaded machine
		screen = run("capture-pane", "-p", "-t", "umn")
		if strings.Contains(screen, "RETURN") {
			run("send-keys", "-t", "umn", "Enter")
		}
		if strings.Contains(screen, "Welcome to the hole") && strings.Contains(screen, "Posts/") {
			return
		}
		if strings.Contains(screen, "Nothing received") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("the UMN gopher client did not show the root menu; its screen:\n%s", screen)
}
