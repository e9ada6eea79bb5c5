package serve

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gmkit/gmkit/serve/guppy"
	"github.com/gmkit/gmkit/serve/protocol"
)

// listen returns settings that turn on the protocols named in addrs, each
// listening on its address, and leave the others off.
func listen(addrs map[string]string) func(string) protocol.Settings {
	return func(name string) protocol.Settings {
		for _, p := range Protocols() {
			if p.Info().Name == name {
				addr, on := addrs[name]
				return protocol.Defaults(p.Info(), map[string]any{"enabled": on, "listen": addr})
			}
		}
		return nil
	}
}

func geminiGet(t *testing.T, addr, url string) string {
	t.Helper()
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"})
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, url+"\r\n"); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading %s: %v", url, err)
	}
	return string(b)
}

func gopherGet(t *testing.T, addr, sel string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, sel+"\r\n")
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func content(title string) Content {
	return Content{
		Outputs: map[string]Output{
			"gemini": {FS: fstest.MapFS{
				"index.gmi":       {Data: []byte("# " + title + "\n")},
				"posts/index.gmi": {Data: []byte("=> /posts/a/ 2026-01-01 A\n")},
			}},
			"gopher": {FS: fstest.MapFS{
				"gophermap": {Data: []byte("i" + title + "\t\tlocalhost\t70\n")},
			}},
		},
		Redirects: []Redirect{{From: "/old/", To: "/posts/"}},
	}
}

// TestServeSwap runs every server over one snapshot, swaps it, and checks
// every protocol answers from the new one.
func TestServeSwap(t *testing.T) {
	s, err := New(Config{StateDir: t.TempDir(), Settings: listen(map[string]string{
		"gemini": "127.0.0.1:0", "gopher": "127.0.0.1:0", "guppy": "127.0.0.1:0",
		"spartan": "127.0.0.1:0", "nex": "127.0.0.1:0",
	})})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	s.Swap(content("First"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	gem, gop, gup := s.Addr("gemini").String(), s.Addr("gopher").String(), s.Addr("guppy").String()
	spa, nx := s.Addr("spartan").String(), s.Addr("nex").String()
	_, gemPort, _ := net.SplitHostPort(gem)

	check := func(title string) {
		t.Helper()
		if got := geminiGet(t, gem, "gemini://localhost:"+gemPort+"/"); !strings.Contains(got, "# "+title) {
			t.Errorf("gemini: got %q, want the %q page", got, title)
		}
		_, port, _ := s.Public("gopher")
		if got := gopherGet(t, gop, ""); !strings.Contains(got, "i"+title+"\t") || !strings.HasSuffix(got, ".\r\n") {
			t.Errorf("gopher: got %q, want the %q menu (port %d) ending in .", got, title, port)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		resp, err := (&guppy.Client{}).Get(ctx, "guppy://"+gup+"/")
		if err != nil || !strings.Contains(string(resp.Body), "# "+title) {
			t.Errorf("guppy: got %+v, %v; want the %q page", resp, err, title)
		}
		if got := gopherGet(t, spa, "localhost / 0"); got != "2 text/gemini; charset=utf-8\r\n# "+title+"\n" {
			t.Errorf("spartan: got %q, want the %q page", got, title)
		}
		if got := gopherGet(t, nx, "/"); !strings.HasPrefix(got, title+"\n=") {
			t.Errorf("nex: got %q, want the %q page rendered", got, title)
		}
	}
	check("First")
	if got := geminiGet(t, gem, "gemini://localhost:"+gemPort+"/old/"); !strings.HasPrefix(got, "31 /posts/\r\n") {
		t.Errorf("redirect: got %q, want 31 /posts/", got)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	resp, err := (&guppy.Client{}).Get(ctx2, "guppy://"+gup+"/old")
	cancel2()
	if err != nil || resp.Status != guppy.StatusRedirect || resp.Meta != "/posts/" {
		t.Errorf("guppy redirect: got %+v, %v; want 3 /posts/", resp, err)
	}
	if got := gopherGet(t, spa, "localhost /old/ 0"); got != "3 /posts/\r\n" {
		t.Errorf("spartan redirect: got %q, want 3 /posts/", got)
	}
	if got := gopherGet(t, nx, "old/"); got != "Moved\n\n=> /posts/\n" {
		t.Errorf("nex redirect: got %q, want a one-link listing", got)
	}
	s.Swap(content("Second"))
	check("Second")
	if s.Seq() != 2 {
		t.Errorf("got seq %d after two swaps, want 2", s.Seq())
	}
}

func TestListenErrorNamesTheFix(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	s, err := New(Config{StateDir: t.TempDir(), Settings: listen(map[string]string{"gemini": busy.Addr().String()})})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Listen()
	if err == nil {
		t.Fatal("Listen on a busy port succeeded")
	}
	for _, want := range []string{"gemini", busy.Addr().String(), "already in use", "--gemini", "--no-gemini"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("got %q, want it to mention %q", err, want)
		}
	}
}
