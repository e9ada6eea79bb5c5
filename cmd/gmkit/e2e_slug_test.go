package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestNewAddressesOpenInClients: the addresses gmkit makes (a post named
// by `gmkit new` from a title with accents, CJK and an emoji; one from a
// title with no Latin letters; tag pages for such tags) are ASCII and open
// in lynx and curl, followed from the menus as a reader would.
func TestNewAddressesOpenInClients(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	if code, _, errOut := gmkit(t, "init", dir); code != 0 {
		t.Fatalf("init: status %d: %s", code, errOut)
	}
	today := time.Now().Format("2006-01-02")
	for _, c := range []struct{ title, file string }{
		{"Ça va? 日本語 🎉", "ca-va.md"},
		{"日本語 🎉", today + ".md"},
		{"日本語", today + "_2.md"},
	} {
		code, out, errOut := gmkit(t, "new", "--site", dir, "post", c.title)
		want := filepath.Join(dir, "content", "posts", c.file)
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("new post %q: got %d %q %q, want 0 and %s", c.title, code, out, errOut, want)
		}
	}
	// Tags with accents and with no Latin letters at all.
	post := filepath.Join(dir, "content", "posts", "ca-va.md")
	b, err := os.ReadFile(post)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, post, strings.Replace(string(b), "tags: []", "tags: [café, 日本語]", 1), 0o644)

	in := startServe(t, "serve", "--site", dir, "--gemini", "127.0.0.1:0", "--gopher", "127.0.0.1:0", "--guppy", "127.0.0.1:0", "--spartan", "127.0.0.1:0", "--nex", "127.0.0.1:0", "--http", "127.0.0.1:0")
	in.check("the post, on every protocol", expect{path: "/posts/ca-va/", want: []string{"Ça va? 日本語 🎉"}})
	in.check("the tag pages", expect{path: "/tags/cafe/", want: []string{"Ça va"}})
	in.check("the date-named post", expect{path: "/posts/" + today + "/", want: []string{"日本語 🎉"}})

	// The address the tag had before slugs were ASCII redirects to the
	// new one.
	if r, err := geminiGet(in.gemini, "/tags/caf%C3%A9/"); err != nil || r.head != "31 /tags/cafe/" {
		t.Errorf("gemini /tags/café/: got %v %v, want 31 /tags/cafe/", r, err)
	}

	// Every link the Gemini pages and the Gopher menus carry is ASCII.
	nonASCII := regexp.MustCompile(`[^\x00-\x7f]`)
	for _, p := range []string{"/posts/", "/posts/ca-va/", "/tags/"} {
		r, err := geminiGet(in.gemini, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(r.body, "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "=>" && nonASCII.MatchString(f[1]) {
				t.Errorf("gemini %s links to %q, not ASCII", p, f[1])
			}
		}
		g, err := gopherGet(in.gopher, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(g.body, "\r\n") {
			if f := strings.Split(line, "\t"); len(f) >= 2 && nonASCII.MatchString(f[1]) {
				t.Errorf("gopher %s has selector %q, not ASCII", p, f[1])
			}
		}
	}

	// lynx and curl follow the links from the menus.
	if _, err := exec.LookPath("lynx"); err != nil {
		t.Skip("lynx is not installed; skipping the real-client check (apt-get install lynx curl)")
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed; skipping the real-client check (apt-get install lynx curl)")
	}
	base := "gopher://" + in.gopher
	links := map[string]string{} // URL -> what the page says
	for _, menu := range []string{"/1/posts/", "/1/tags/"} {
		for _, u := range strings.Fields(runTool(t, "lynx", "-dump", "-listonly", "-nonumbers", base+menu)) {
			u = strings.Replace(u, "gopher://localhost:", "gopher://127.0.0.1:", 1)
			switch {
			case strings.Contains(u, "/posts/ca-va/"):
				links[u] = "Write here."
			case strings.Contains(u, "/posts/"+today+"/"):
				links[u] = "Write here."
			case strings.Contains(u, "/tags/cafe/"):
				links[u] = "Ça va"
			case strings.Contains(u, "/tags/tag-"):
				links[u] = "Ça va"
			}
		}
	}
	if len(links) != 4 {
		t.Fatalf("lynx found %d of the 4 new addresses in the menus: %v", len(links), links)
	}
	for u, want := range links {
		if got := runTool(t, "lynx", "-dump", "-nolist", "-assume_charset=utf-8", "-display_charset=utf-8", u); !strings.Contains(got, want) {
			t.Errorf("lynx %s: got\n%s\nwant it to contain %q", u, got, want)
		}
		if got := runTool(t, "curl", "-sS", "--max-time", "30", u); !strings.Contains(got, want) {
			t.Errorf("curl %s: got\n%s\nwant it to contain %q", u, got, want)
		}
	}
}

// runTool runs a client installed on the machine and returns its output.
func runTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), name, args...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "TERM=dumb", "LANG=C.UTF-8"}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}
