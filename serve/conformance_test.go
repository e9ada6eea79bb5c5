package serve

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"io/fs"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gmkit/gmkit/serve/guppy"
	"github.com/gmkit/gmkit/serve/nex"
	"github.com/gmkit/gmkit/serve/spartan"
)

// outcome is what a protocol's answer means, whatever its words.
type outcome string

const (
	served   outcome = "served"   // the file or script's output
	notFound outcome = "notfound" // Gemini 51, Gopher "3Not found", Guppy "4 not found"
	badPath  outcome = "bad"      // Gemini 59, Gopher "3Bad selector", Guppy "4 bad request"
	needCert outcome = "cert"     // Gemini 60, Gopher and Guppy: their certificate refusal
	badHost  outcome = "host"     // Gemini 53, Guppy "4 host not served"
	redirect outcome = "redirect" // Gemini 3x, Guppy 3
)

// answer is one response, classified.
type answer struct {
	outcome outcome
	text    string // the body, or the header for a refusal
}

// client asks one protocol for a path: host "" means the address itself;
// withCert presents a client certificate where the protocol can.
type client struct {
	name     string
	canCert  bool
	hasHosts bool
	redirect bool
	// noCGI: the protocol runs no scripts (Nex); their paths are not found.
	noCGI bool
	get   func(t *testing.T, s *Servers, host, path string, withCert bool) answer
}

var clients = []client{
	{name: "gemini", canCert: true, hasHosts: true, redirect: true, get: geminiAnswer},
	{name: "gopher", get: gopherAnswer},
	{name: "guppy", hasHosts: true, redirect: true, get: guppyAnswer},
	{name: "http", hasHosts: true, redirect: true, get: httpAnswer},
	{name: "spartan", hasHosts: true, redirect: true, get: spartanAnswer},
	{name: "nex", redirect: true, noCGI: true, get: nexAnswer},
}

// rule is one line of the policy, asked of every protocol.
type rule struct {
	name string
	path string
	host string // another host name to ask for; "" for the server's own
	cert bool   // present a client certificate (where the protocol can)
	disk bool   // only on disk (symbolic links)
	want outcome
	// wantNoCert is the outcome on a protocol that cannot present a
	// certificate, when it differs.
	wantNoCert outcome
	// body must appear in a served answer.
	body string
}

var rules = []rule{
	{name: "home", path: "/", want: served, body: "HOME"},
	{name: "file", path: "/doc.txt", want: served, body: "DOC"},
	{name: "missing", path: "/nope.txt", want: notFound},
	{name: "dotfile", path: "/.secret", want: notFound},
	{name: "dot folder", path: "/.git/config", want: notFound},
	{name: "dot-dot", path: "/../doc.txt", want: badPath},
	{name: "dot-dot inside", path: "/sub/../doc.txt", want: badPath},
	{name: "dot segment", path: "/./doc.txt", want: badPath},
	{name: "file as folder", path: "/doc.txt/", want: notFound},
	{name: "folder without index, listings off", path: "/noindex/", want: notFound},
	{name: "folder with index", path: "/sub/", want: served, body: "SUB"},
	{name: "private file, no certificate", path: "/private/doc.txt", want: needCert},
	{name: "private folder without its slash", path: "/private", want: needCert},
	{name: "private file, certificate", path: "/private/doc.txt", cert: true, want: served, wantNoCert: needCert, body: "PRIVATE"},
	{name: "cgi", path: "/cgi-bin/env", want: served, body: "SCRIPT_NAME=/cgi-bin/env"},
	{name: "cgi path info", path: "/cgi-bin/env/extra", want: served, body: "PATH_INFO=/extra"},
	{name: "cgi dot-dot", path: "/cgi-bin/env/../../etc", want: badPath},
	{name: "cgi dot-dot to another script", path: "/cgi-bin/../cgi-bin/env", want: badPath},
	{name: "cgi dotfile", path: "/cgi-bin/.hidden", want: notFound},
	{name: "cgi behind an access rule", path: "/cgi-bin/secret", want: needCert},
	{name: "cgi behind an access rule, certificate", path: "/cgi-bin/secret", cert: true, want: served, wantNoCert: needCert, body: "SECRET"},
	{name: "another host", path: "/", host: "other.example", want: badHost},
	{name: "redirect", path: "/old/", want: redirect},
	{name: "link to a dotfile", path: "/link-secret", disk: true, want: notFound},
	{name: "link out of the tree", path: "/link-out", disk: true, want: notFound},
	{name: "link into a private folder", path: "/link-private", disk: true, want: needCert},
	{name: "link inside the tree", path: "/link-doc", disk: true, want: served, body: "DOC"},
}

// TestEveryRuleOnEveryProtocol runs the policy table against every
// server over real listeners, serving a snapshot from memory and the same
// tree from disk through os.Root (serve --no-build).
func TestEveryRuleOnEveryProtocol(t *testing.T) {
	scripts := t.TempDir()
	// A script answers HTTP with a CGI header, the others with Gemini's.
	header := `case "$SERVER_PROTOCOL" in HTTP*) printf 'Content-Type: text/plain\r\n\r\n';; *) printf '20 text/plain\r\n';; esac; `
	writeScript(t, scripts, "env", header+"env | sort")
	writeScript(t, scripts, "secret", header+"echo SECRET")
	writeScript(t, scripts, ".hidden", header+"echo HIDDEN")

	for _, mode := range []string{"memory", "disk"} {
		t.Run(mode, func(t *testing.T) {
			s := startAll(t, scripts, contentFor(t, mode == "disk"))
			for _, r := range rules {
				if r.disk && mode != "disk" {
					continue
				}
				for _, c := range clients {
					want := r.want
					if r.wantNoCert != "" && !c.canCert {
						want = r.wantNoCert
					}
					if r.host != "" && !c.hasHosts {
						continue // the protocol names no host
					}
					if want == redirect && !c.redirect {
						want = notFound // Gopher has no redirects
					}
					if want == served && c.noCGI && strings.HasPrefix(r.path, "/cgi-bin/") {
						want = notFound
					}
					got := c.get(t, s, r.host, r.path, r.cert)
					if got.outcome != want {
						t.Errorf("%s: %s %s: got %s (%q), want %s", r.name, c.name, r.path, got.outcome, clip(got.text), want)
						continue
					}
					if want == served && !strings.Contains(got.text, r.body) {
						t.Errorf("%s: %s %s: served %q, want it to contain %q", r.name, c.name, r.path, clip(got.text), r.body)
					}
				}
			}
		})
	}
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:120] + "..."
	}
	return s
}

func writeScript(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

// tree is the site both outputs hold, with an index file of their own.
var tree = map[string]string{
	"doc.txt":         "DOC\n",
	".secret":         "SECRET FILE\n",
	".git/config":     "GIT\n",
	"noindex/a.txt":   "A\n",
	"private/doc.txt": "PRIVATE\n",
}

func contentFor(t *testing.T, disk bool) Content {
	outputs := map[string]map[string]string{
		"gemini": {"index.gmi": "# HOME\n", "sub/index.gmi": "# SUB\n", "private/index.gmi": "# PRIVATE\n"},
		"gopher": {"gophermap": "iHOME\t\tlocalhost\t70\n", "sub/gophermap": "iSUB\t\tlocalhost\t70\n", "private/gophermap": "iPRIVATE\t\tlocalhost\t70\n"},
		"html":   {"index.html": "<p>HOME</p>\n", "sub/index.html": "<p>SUB</p>\n", "private/index.html": "<p>PRIVATE</p>\n"},
	}
	c := Content{Outputs: map[string]Output{}, Redirects: []Redirect{{From: "/old/", To: "/doc.txt"}}}
	root := t.TempDir()
	for out, files := range outputs {
		for name, data := range tree {
			files[name] = data
		}
		if !disk {
			m := fstest.MapFS{}
			for name, data := range files {
				m[name] = &fstest.MapFile{Data: []byte(data)}
			}
			c.Outputs[out] = Output{FS: m}
			continue
		}
		dir := filepath.Join(root, "public", out)
		for name, data := range files {
			p := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(root, "public", "outside.txt"), []byte("OUTSIDE\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		for link, target := range map[string]string{
			"link-secret": ".secret", "link-out": "../outside.txt",
			"link-private": "private/doc.txt", "link-doc": "doc.txt",
		} {
			if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
				t.Fatal(err)
			}
		}
		r, err := os.OpenRoot(dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		if _, ok := r.FS().(fs.ReadLinkFS); !ok {
			t.Fatal("os.Root's FS reports no links: the symlink rules would not be tested")
		}
		c.Outputs[out] = Output{FS: r.FS()}
	}
	return c
}

// startAll runs every protocol on 127.0.0.1:0 with /private/ and
// /cgi-bin/secret behind a client certificate.
func startAll(t *testing.T, scripts string, c Content) *Servers {
	t.Helper()
	addrs := map[string]string{}
	for _, p := range Protocols() {
		addrs[p.Info().Name] = "127.0.0.1:0"
	}
	return runServers(t, Config{
		StateDir:      t.TempDir(),
		SharedCertDir: t.TempDir(),
		RequireCert:   []string{"/private/", "/cgi-bin/secret"},
		CGI:           CGIConfig{Dir: scripts, Timeout: 10 * time.Second},
		Settings:      listen(addrs),
	}, c)
}

// runServers runs the servers of cfg over c until the test ends.
func runServers(t *testing.T, cfg Config, c Content) *Servers {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	s.Swap(c)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return s
}

func hostPort(s *Servers, name, host string) (addr, authority string) {
	addr = s.Addr(name).String()
	if host == "" {
		return addr, addr
	}
	_, port, _ := net.SplitHostPort(addr)
	return addr, net.JoinHostPort(host, port)
}

func geminiAnswer(t *testing.T, s *Servers, host, path string, withCert bool) answer {
	t.Helper()
	addr, authority := hostPort(s, "gemini", host)
	cfg := &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"}
	if withCert {
		cfg.Certificates = []tls.Certificate{selfSigned(t)}
	}
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", addr, cfg)
	if err != nil {
		t.Fatalf("gemini dial: %v", err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	io.WriteString(c, "gemini://"+authority+path+"\r\n")
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("gemini %s: %v", path, err)
	}
	header, body, _ := strings.Cut(string(b), "\r\n")
	switch {
	case strings.HasPrefix(header, "2"):
		return answer{served, body}
	case strings.HasPrefix(header, "3"):
		return answer{redirect, header}
	case strings.HasPrefix(header, "51"):
		return answer{notFound, header}
	case strings.HasPrefix(header, "59"):
		return answer{badPath, header}
	case strings.HasPrefix(header, "53"):
		return answer{badHost, header}
	case strings.HasPrefix(header, "6"):
		return answer{needCert, header}
	}
	return answer{"other", header}
}

func httpAnswer(t *testing.T, s *Servers, host, path string, _ bool) answer {
	t.Helper()
	addr, authority := hostPort(s, "http", host)
	req, err := http.NewRequest("GET", "http://"+addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = authority
	c := &http.Client{Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("http %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	switch resp.StatusCode {
	case http.StatusOK:
		return answer{served, string(b)}
	case http.StatusMovedPermanently, http.StatusFound:
		return answer{redirect, resp.Header.Get("Location")}
	case http.StatusNotFound:
		return answer{notFound, string(b)}
	case http.StatusBadRequest:
		return answer{badPath, string(b)}
	case http.StatusForbidden:
		return answer{needCert, string(b)}
	case http.StatusMisdirectedRequest:
		return answer{badHost, string(b)}
	}
	return answer{"other", resp.Status + " " + string(b)}
}

func gopherAnswer(t *testing.T, s *Servers, _, path string, _ bool) answer {
	t.Helper()
	got := gopherGet(t, s.Addr("gopher").String(), path)
	switch {
	case strings.HasPrefix(got, "3Not found"):
		return answer{notFound, got}
	case strings.HasPrefix(got, "3Bad selector"):
		return answer{badPath, got}
	case strings.HasPrefix(got, "3This page needs a client certificate"):
		return answer{needCert, got}
	case strings.HasPrefix(got, "3"):
		return answer{"other", got}
	}
	return answer{served, got}
}

func guppyAnswer(t *testing.T, s *Servers, host, path string, _ bool) answer {
	t.Helper()
	addr, authority := hostPort(s, "guppy", host)
	if host != "" {
		return guppyRaw(t, addr, "guppy://"+authority+path)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	resp, err := (&guppy.Client{}).Get(ctx, "guppy://"+authority+path)
	if err != nil {
		t.Fatalf("guppy %s: %v", path, err)
	}
	switch {
	case resp.Status == guppy.StatusSuccess:
		return answer{served, string(resp.Body)}
	case resp.Status == guppy.StatusRedirect:
		return answer{redirect, resp.Meta}
	case resp.Meta == "not found":
		return answer{notFound, resp.Meta}
	case resp.Meta == "bad request":
		return answer{badPath, resp.Meta}
	case resp.Meta == guppy.CertMessage:
		return answer{needCert, resp.Meta}
	case resp.Meta == "host not served":
		return answer{badHost, resp.Meta}
	}
	return answer{"other", resp.Meta}
}

func spartanAnswer(t *testing.T, s *Servers, host, path string, _ bool) answer {
	t.Helper()
	if host == "" {
		host = "localhost"
	}
	got := gopherGet(t, s.Addr("spartan").String(), host+" "+path+" 0")
	header, body, _ := strings.Cut(got, "\r\n")
	switch {
	case strings.HasPrefix(header, "2 "):
		return answer{served, body}
	case strings.HasPrefix(header, "3 "):
		return answer{redirect, header}
	case header == "4 Not found":
		return answer{notFound, header}
	case header == "4 Invalid path":
		return answer{badPath, header}
	case header == "4 Host not served":
		return answer{badHost, header}
	case header == "4 "+spartan.CertMessage:
		return answer{needCert, header}
	}
	return answer{"other", got}
}

func nexAnswer(t *testing.T, s *Servers, _, path string, _ bool) answer {
	t.Helper()
	got := gopherGet(t, s.Addr("nex").String(), path)
	switch {
	case got == nex.NotFoundText:
		return answer{notFound, got}
	case got == nex.BadPathText:
		return answer{badPath, got}
	case got == nex.CertMessage+"\n":
		return answer{needCert, got}
	case strings.HasPrefix(got, "Moved\n\n=> "):
		return answer{redirect, got}
	}
	return answer{served, got}
}

// guppyRaw sends one request naming a host the client cannot dial and
// reads the one packet of a refusal.
func guppyRaw(t *testing.T, addr, url string) answer {
	t.Helper()
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, 2048)
	for try := 0; try < 10; try++ {
		io.WriteString(c, url+"\r\n")
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, err := c.Read(buf)
		if err != nil {
			continue
		}
		p, err := guppy.ParseServerPacket(buf[:n])
		if err != nil {
			t.Fatalf("guppy %s: %v", url, err)
		}
		if p.Kind == guppy.KindError && p.Meta == "host not served" {
			return answer{badHost, p.Meta}
		}
		return answer{outcome(p.Kind.String()), p.Meta}
	}
	t.Fatalf("guppy %s: no answer", url)
	return answer{}
}

// selfSigned makes a client certificate valid for an hour.
func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "reader"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
