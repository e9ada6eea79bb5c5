package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// gmkit runs the command line in-process and returns its exit status and
// output.
func gmkit(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestVersionAndHelp(t *testing.T) {
	code, out, _ := gmkit(t, "version")
	if code != 0 || !strings.HasPrefix(out, "gmkit ") {
		t.Errorf("version: got %d %q, want 0 and \"gmkit ...\"", code, out)
	}
	code, out, _ = gmkit(t, "--help")
	for _, cmd := range []string{"build", "serve", "init", "new", "cert", "guppy-get", "version"} {
		if !strings.Contains(out, "\n  "+cmd+" ") {
			t.Errorf("help does not list %q:\n%s", cmd, out)
		}
	}
	if code != 0 {
		t.Errorf("help: got status %d, want 0", code)
	}
	code, _, errOut := gmkit(t, "build", "--no-such-flag")
	if code != 2 || !strings.Contains(errOut, "no-such-flag") {
		t.Errorf("bad flag: got %d %q, want 2 and a message naming the flag", code, errOut)
	}
}

func TestInitBuildNew(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	if code, _, errOut := gmkit(t, "init", dir); code != 0 {
		t.Fatalf("init: status %d: %s", code, errOut)
	}
	for _, f := range []string{"gmkit.toml", ".gitignore", "content/_index.md", "content/posts/_index.md"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("init did not create %s: %v", f, err)
		}
	}
	st, err := os.Stat(filepath.Join(dir, "cgi-bin", "hello"))
	if err != nil || st.Mode().Perm()&0o100 == 0 {
		t.Errorf("cgi-bin/hello: got %v, %v; want an executable file", st, err)
	}
	if code, _, _ := gmkit(t, "init", dir); code != 1 {
		t.Errorf("init over a non-empty folder: got status %d, want 1", code)
	}

	code, out, errOut := gmkit(t, "new", "--site", dir, "post", "Hello, Small Web!")
	if code != 0 {
		t.Fatalf("new post: status %d: %s", code, errOut)
	}
	post := filepath.Join(dir, "content", "posts", "hello-small-web.md")
	b, err := os.ReadFile(post)
	if err != nil {
		t.Fatalf("new post did not create %s (said %q): %v", post, out, err)
	}
	today := time.Now().Format("2006-01-02")
	if !strings.Contains(string(b), `title: "Hello, Small Web!"`) || !strings.Contains(string(b), "date: "+today) {
		t.Errorf("new post front matter:\n%s\nwant the title and date %s", b, today)
	}
	if code, _, _ := gmkit(t, "new", "--site", dir, "post", "Hello, Small Web!"); code != 1 {
		t.Errorf("new over an existing file: got status %d, want 1", code)
	}
	if code, _, errOut := gmkit(t, "new", "--site", dir, "notes/2026-01-02-first-note.md"); code != 0 {
		t.Errorf("new by path: status %d: %s", code, errOut)
	}
	if code, _, _ := gmkit(t, "new", "--site", dir, "../outside.md"); code != 2 {
		t.Errorf("new outside content/: got status %d, want 2", code)
	}

	code, out, errOut = gmkit(t, "build", "--site", dir)
	if code != 0 {
		t.Fatalf("build: status %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out, "built ") || strings.Contains(errOut, "warning") {
		t.Errorf("build said %q, warnings %q", out, errOut)
	}
	for _, f := range []string{"public/gemini/posts/hello-small-web/index.gmi", "public/gemini/notes/first-note/index.gmi", "public/gopher/posts/hello-small-web/gophermap"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("build did not write %s: %v", f, err)
		}
	}
}

func TestBuildBrokenFrontMatterKeepsOutput(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	if code, _, errOut := gmkit(t, "init", dir); code != 0 {
		t.Fatalf("init: %s", errOut)
	}
	if code, _, errOut := gmkit(t, "build", "--site", dir); code != 0 {
		t.Fatalf("build: %s", errOut)
	}
	home := filepath.Join(dir, "public", "gemini", "index.gmi")
	before, err := os.ReadFile(home)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "content", "posts", "bad.md")
	if err := os.WriteFile(bad, []byte("+++\ntitle = \"ok\"\ndate = 2026-13-45\n+++\nbody\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := gmkit(t, "build", "--site", dir)
	if code != 1 || !strings.Contains(errOut, filepath.Join("content", "posts", "bad.md")+":3:") {
		t.Errorf("got status %d and %q; want 1 and an error naming content/posts/bad.md:3", code, errOut)
	}
	after, err := os.ReadFile(home)
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("the previous output changed after a failed build (err %v)", err)
	}
}

func TestBuildOutsideASite(t *testing.T) {
	code, _, errOut := gmkit(t, "build", "--site", t.TempDir())
	if code != 1 || !strings.Contains(errOut, "gmkit init") {
		t.Errorf("got %d %q; want 1 and a pointer to gmkit init", code, errOut)
	}
}

// TestSiteFoundUpwards: in a subfolder of a site, commands work on that
// site, as git does with a repository; outside any site, the commands that
// need one say so and create nothing.
func TestSiteFoundUpwards(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	if code, _, errOut := gmkit(t, "init", dir); code != 0 {
		t.Fatalf("init: status %d: %s", code, errOut)
	}
	t.Chdir(filepath.Join(dir, "content", "posts"))
	if code, _, errOut := gmkit(t, "build"); code != 0 {
		t.Fatalf("build in content/posts: status %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "public", "gemini", "index.gmi")); err != nil {
		t.Errorf("build in content/posts did not build the site: %v", err)
	}
	if code, out, errOut := gmkit(t, "new", "post", "From Below"); code != 0 || !strings.Contains(out, filepath.Join(dir, "content", "posts", "from-below.md")) {
		t.Errorf("new in content/posts: got %d %q %q, want 0 and the file in the site's content/posts", code, out, errOut)
	}

	outside := t.TempDir()
	t.Chdir(outside)
	for _, args := range [][]string{{"new", "post", "Stray"}, {"build"}, {"cert"}} {
		code, _, errOut := gmkit(t, args...)
		if code != 1 || !strings.Contains(errOut, "not in a gmkit site") || !strings.Contains(errOut, "gmkit init") {
			t.Errorf("%v outside a site: got %d %q, want 1 and a message saying there is no site", args, code, errOut)
		}
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Errorf("commands outside a site left %d entries behind (first %s), want none", len(ents), ents[0].Name())
	}
}

// certOf runs `gmkit cert` in site and returns the fingerprint it prints.
func certOf(t *testing.T, site string, args ...string) string {
	t.Helper()
	code, out, errOut := gmkit(t, append([]string{"cert", "--site", site}, args...)...)
	if code != 0 {
		t.Fatalf("cert in %s: status %d: %s", site, code, errOut)
	}
	_, rest, ok := strings.Cut(out, "SHA-256  ")
	if !ok {
		t.Fatalf("cert printed no fingerprint:\n%s", out)
	}
	return strings.Fields(rest)[0]
}

// TestOneLocalhostCertificateForEverySite: trying the example and then a
// site of one's own presents one localhost certificate, so clients that
// pinned it do not object; a real host name's certificate stays with its
// site. A stored certificate whose key is lost is an error until it is
// renewed on purpose.
func TestOneLocalhostCertificateForEverySite(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	var sites []string
	for _, host := range []string{"localhost", "localhost", "example.org", "example.org"} {
		dir := filepath.Join(t.TempDir(), "site")
		if code, _, errOut := gmkit(t, "init", dir); code != 0 {
			t.Fatalf("init: %s", errOut)
		}
		if err := os.WriteFile(filepath.Join(dir, "gmkit.toml"), []byte("hostname = \""+host+"\"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		sites = append(sites, dir)
	}
	if a, b := certOf(t, sites[0]), certOf(t, sites[1]); a != b {
		t.Errorf("two sites on localhost present %s and %s, want one certificate", a, b)
	}
	if a, b := certOf(t, sites[2]), certOf(t, sites[3]); a == b {
		t.Errorf("two sites named example.org share the certificate %s, want one each", a)
	}

	key := filepath.Join(sites[2], ".gmkit", "certs", "example.org.key")
	old := certOf(t, sites[2])
	os.Remove(key)
	code, _, errOut := gmkit(t, "cert", "--site", sites[2])
	if code == 0 || !strings.Contains(errOut, "gmkit cert --renew example.org") {
		t.Errorf("cert with the key gone: status %d, %q; want an error saying `gmkit cert --renew example.org`", code, errOut)
	}
	if renewed := certOf(t, sites[2], "--renew"); renewed == old {
		t.Error("--renew kept the old certificate")
	}
}

func TestBuildCache(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	if code, _, errOut := gmkit(t, "init", dir); code != 0 {
		t.Fatalf("init: %s", errOut)
	}
	cacheFiles := func() []string {
		files, err := filepath.Glob(filepath.Join(dir, ".gmkit", "cache", "*"))
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	if code, _, errOut := gmkit(t, "build", "--site", dir, "--no-cache"); code != 0 {
		t.Fatalf("build --no-cache: %s", errOut)
	}
	t.Setenv("GMKIT_BUILD_CACHE", "false")
	if code, _, errOut := gmkit(t, "build", "--site", dir); code != 0 {
		t.Fatalf("build with GMKIT_BUILD_CACHE=false: %s", errOut)
	}
	if files := cacheFiles(); len(files) > 0 {
		t.Fatalf("with the cache off: got %v in the state folder, want nothing", files)
	}
	t.Setenv("GMKIT_BUILD_CACHE", "")

	if code, _, errOut := gmkit(t, "build", "--site", dir); code != 0 {
		t.Fatalf("build: %s", errOut)
	}
	files := cacheFiles()
	if len(files) != 1 {
		t.Fatalf("got cache files %v, want one", files)
	}
	good, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(dir, "public", "gemini", "index.gmi")
	want, err := os.ReadFile(home)
	if err != nil {
		t.Fatal(err)
	}

	// A damaged cache is a debug-level note; the build is right and
	// writes the cache again.
	if err := os.WriteFile(files[0], good[:len(good)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "public", "gemini", "index.gmi")); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := gmkit(t, "build", "--site", dir)
	if code != 0 || errOut != "" {
		t.Fatalf("build over a damaged cache at log level info: status %d, said %q; want 0 and nothing", code, errOut)
	}
	if got, err := os.ReadFile(home); err != nil || !bytes.Equal(got, want) {
		t.Errorf("home page after a build over a damaged cache: %v\n%s\nwant\n%s", err, got, want)
	}
	if again, err := os.ReadFile(files[0]); err != nil || len(again) != len(good) {
		t.Errorf("cache file after that build: %d bytes (%v), want %d: written again", len(again), err, len(good))
	}
	if err := os.WriteFile(files[0], []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GMKIT_LOG_LEVEL", "debug")
	code, _, errOut = gmkit(t, "build", "--site", dir)
	if code != 0 || !strings.Contains(errOut, "build cache not used") || !strings.Contains(errOut, "damaged") {
		t.Errorf("build over a damaged cache at log level debug: status %d, said %q; want 0 and a note", code, errOut)
	}
}
