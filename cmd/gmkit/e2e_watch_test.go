package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serveArgs runs serve over dir on loopback ports the system picks.
func serveArgs(dir string, extra ...string) []string {
	return append([]string{"serve", "--site", dir,
		"--gemini", "127.0.0.1:0", "--gopher", "127.0.0.1:0", "--guppy", "127.0.0.1:0",
		"--spartan", "127.0.0.1:0", "--nex", "127.0.0.1:0", "--http", "127.0.0.1:0"}, extra...)
}

// TestServeWatch runs `gmkit serve --watch` over a site and changes the
// site the ways a writer does (edit, add, delete, a broken save and its
// fix, a template, the configuration). After each step every protocol must
// serve the change, with the indexes (home, section, tags, feed) following,
// before the next step starts. Then the command is stopped as Ctrl-C does.
func TestServeWatch(t *testing.T) {
	dir := t.TempDir()
	writeArchive(t, dir, filepath.Join("testdata", "e2e", "site.txtar"))
	src := func(p string) string { return filepath.Join(dir, "content", filepath.FromSlash(p)) }

	in := startServe(t, serveArgs(dir, "--watch")...)
	if got, want := in.protocols(), []string{"gemini", "gopher", "guppy", "spartan", "nex", "http"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("serving %v, want %v\nstdout:\n%s", got, want, in.stdout)
	}
	if !strings.Contains(in.stdout.String(), "Watching for changes.") {
		t.Errorf("stdout does not say it watches:\n%s", in.stdout)
	}

	// All along, a reader keeps asking for pages that exist in every
	// state of the site: no answer may be missing or half built.
	stopReader := make(chan struct{})
	readerDone := make(chan []string, 1)
	go func() { readerDone <- readContinuously(in, stopReader) }()
	stopReading := func() {
		if stopReader == nil {
			return
		}
		close(stopReader)
		stopReader = nil
		for _, p := range <-readerDone {
			t.Errorf("while the site changed: %s", p)
		}
	}
	defer stopReading()

	in.check("first build",
		expect{path: "/", want: []string{"Harbour Notes", "Storm warning", "Low tide", "First light", "About this harbour"}},
		expect{path: "/posts/", want: []string{"Storm warning", "Low tide", "First light"}},
		expect{path: "/posts/low-tide/", want: []string{"bravo-one"}},
		expect{path: "/tags/", want: []string{"dawn", "tides", "weather"}},
		expect{path: "/tags/tides/", want: []string{"Low tide"}},
		expect{path: "/cgi-bin/echo?q", want: []string{"query=q"}, only: []string{"gemini", "guppy"}},
	)

	// 1. Edit a post, saved the way editors do (temporary file + rename):
	// its page, and every index listing it, change.
	saveAtomically(t, src("posts/low-tide.md"), `---
title: Very low tide
date: 2025-01-02
tags: [tides]
---
The mud flats showed all the way out. Marker bravo-two.
`)
	in.waitFor("edit a post",
		expect{path: "/posts/low-tide/", want: []string{"Very low tide", "bravo-two"}, not: []string{"bravo-one"}},
		expect{path: "/", want: []string{"Very low tide"}},
		expect{path: "/posts/", want: []string{"Very low tide"}},
		expect{path: "/tags/tides/", want: []string{"Very low tide"}},
		expect{path: "/atom.xml", want: []string{"Very low tide"}},
	)

	// 2. Add a post with an old tag and a new one.
	writeFile(t, src("posts/new-moon.md"), `---
title: New moon
date: 2025-01-04
tags: [tides, night]
---
Springs tonight. Marker delta-one.
`, 0o644)
	in.waitFor("add a post",
		expect{path: "/posts/new-moon/", want: []string{"New moon", "delta-one"}},
		expect{path: "/", want: []string{"New moon", "Very low tide"}},
		expect{path: "/posts/", want: []string{"New moon"}},
		expect{path: "/tags/", want: []string{"night"}},
		expect{path: "/tags/night/", want: []string{"New moon"}},
		expect{path: "/tags/tides/", want: []string{"New moon", "Very low tide"}},
		expect{path: "/atom.xml", want: []string{"New moon"}},
	)

	// 2b. A new folder, made with a post already in it (as `cp -r` or a
	// `git checkout` makes it): the post is served, and its section.
	writeFile(t, src("notes/deep/tide-table.md"), `---
title: Tide table
date: 2025-01-03
---
High water at noon. Marker echo-one.
`, 0o644)
	in.waitFor("a new folder",
		expect{path: "/notes/deep/tide-table/", want: []string{"Tide table", "echo-one"}},
		expect{path: "/notes/", want: []string{"Tide table"}},
	)

	// 3. Delete a post: its page, its only tag and every mention go.
	if err := os.Remove(src("posts/storm-warning.md")); err != nil {
		t.Fatal(err)
	}
	in.waitFor("delete a post",
		expect{path: "/posts/storm-warning/", gone: true},
		expect{path: "/tags/weather/", gone: true},
		expect{path: "/", want: []string{"New moon"}, not: []string{"Storm warning"}},
		expect{path: "/posts/", not: []string{"Storm warning"}},
		expect{path: "/tags/", want: []string{"tides"}, not: []string{"weather"}},
		expect{path: "/atom.xml", not: []string{"Storm warning"}},
	)

	// 4. Break a post's front matter: the error is logged with file and
	// line, and the last good build goes on being served.
	offset := len(in.stderr.String())
	writeFile(t, src("posts/first-light.md"), `---
title: [First light, unclosed
date: 2025-01-01
---
Marker alpha-two.
`, 0o644)
	in.waitLog("break the front matter", offset, "rebuild failed", filepath.Join("content", "posts", "first-light.md")+":2:")
	in.check("broken front matter keeps the last good build",
		expect{path: "/posts/first-light/", want: []string{"alpha-one"}, not: []string{"alpha-two"}},
		expect{path: "/", want: []string{"First light", "New moon"}},
		expect{path: "/tags/dawn/", want: []string{"First light"}},
	)
	// ... and the next good save is served.
	writeFile(t, src("posts/first-light.md"), `---
title: First light, again
date: 2025-01-01
tags: [dawn]
---
Marker alpha-three.
`, 0o644)
	in.waitFor("fix the front matter",
		expect{path: "/posts/first-light/", want: []string{"First light, again", "alpha-three"}, not: []string{"alpha-one", "alpha-two"}},
		expect{path: "/", want: []string{"First light, again"}},
		expect{path: "/tags/", not: []string{"boats"}},
		expect{path: "/tags/boats/", gone: true},
		expect{path: "/tags/dawn/", want: []string{"First light, again"}},
	)

	// 5. Override a template of the built-in theme (themes/ did not exist
	// until now): every page built from it changes; the indexes do not.
	writeFile(t, filepath.Join(dir, "themes", "default", "gemini", "page.gmi"),
		"# {{ .Page.Title }}\n\nTemplate marker echo-one.\n\n{{ .Content }}\n{{ template \"footer\" . }}", 0o644)
	writeFile(t, filepath.Join(dir, "themes", "default", "gopher", "page.gophermap"),
		"{{ info (.Page.Title | upper) }}\n{{- info \"Template marker echo-one.\" }}\n{{- .Content }}\n{{- template \"footer\" . }}", 0o644)
	writeFile(t, filepath.Join(dir, "themes", "default", "html", "page.html"),
		"{{ template \"head\" . }}<h1>{{ .Page.Title }}</h1>\n<p>Template marker echo-one.</p>\n{{ safeHTML .Content }}\n{{ template \"foot\" . }}", 0o644)
	in.waitFor("change a template",
		expect{path: "/posts/new-moon/", want: []string{"echo-one", "delta-one"}},
		expect{path: "/posts/low-tide/", want: []string{"echo-one", "bravo-two"}},
		expect{path: "/about/", want: []string{"echo-one"}},
		expect{path: "/", not: []string{"echo-one"}},
	)

	// 6. Change the configuration: the title is on every page, and a new
	// redirect answers.
	config := filepath.Join(dir, "gmkit.toml")
	good := strings.Replace(readFile(t, config), `title = "Harbour Notes"`, `title = "Harbour Journal"`, 1) + `
[[redirects]]
from = "/old-log/"
to = "/posts/"
`
	writeFile(t, config, good, 0o644)
	in.waitFor("change gmkit.toml",
		expect{path: "/", want: []string{"Harbour Journal"}, not: []string{"Harbour Notes"}},
		expect{path: "/posts/", want: []string{"Harbour Journal"}},
		expect{path: "/tags/", want: []string{"Harbour Journal"}},
		expect{path: "/posts/low-tide/", want: []string{"Harbour Journal", "echo-one"}},
		expect{path: "/old-log/", head: "31 /posts/", only: []string{"gemini"}},
	)
	// A broken gmkit.toml is reported and changes nothing; its fix is
	// served.
	offset = len(in.stderr.String())
	writeFile(t, config, good+"\n[build\n", 0o644)
	in.waitLog("break gmkit.toml", offset, "rebuild failed", "gmkit.toml")
	in.check("broken gmkit.toml keeps the last good build",
		expect{path: "/", want: []string{"Harbour Journal"}},
		expect{path: "/old-log/", head: "31 /posts/", only: []string{"gemini"}},
	)
	writeFile(t, config, strings.Replace(good, "Harbour Journal", "Harbour Diary", 1), 0o644)
	in.waitFor("fix gmkit.toml", expect{path: "/", want: []string{"Harbour Diary"}, not: []string{"Harbour Journal"}})

	// 7. A new static file is served as it is.
	writeFile(t, filepath.Join(dir, "static", "tide-table.txt"), "high water 06:12 golf-one\n", 0o644)
	in.waitFor("add a static file", expect{path: "/tide-table.txt", want: []string{"golf-one"}})

	stopReading()

	// Ctrl-C: the command ends with status 0 and frees every port.
	if code := in.stop(); code != 0 {
		t.Errorf("serve exited with %d, want 0\nstderr:\n%s", code, in.stderr)
	}
	if !strings.Contains(in.stdout.String(), "Stopped.") {
		t.Errorf("stdout does not end with Stopped.:\n%s", in.stdout)
	}
	assertReleased(t, in)

	// The output folder on disk followed the same steps.
	if home := readFile(t, filepath.Join(dir, "public", "gemini", "index.gmi")); !strings.Contains(home, "Harbour Diary") || strings.Contains(home, "Storm warning") {
		t.Errorf("public/gemini/index.gmi is stale:\n%s", home)
	}
	for _, gone := range []string{"gemini/posts/storm-warning", "gopher/posts/storm-warning", "gemini/tags/weather"} {
		if _, err := os.Stat(filepath.Join(dir, "public", filepath.FromSlash(gone))); !os.IsNotExist(err) {
			t.Errorf("public/%s: got err %v, want it removed", gone, err)
		}
	}
}

// assertReleased checks that every address the instance listened on can be
// bound again.
func assertReleased(t *testing.T, in *instance) {
	t.Helper()
	for _, a := range []string{in.gemini, in.gopher} {
		if a == "" {
			continue
		}
		l, err := net.Listen("tcp", a)
		if err != nil {
			t.Errorf("TCP %s still in use after stop: %v", a, err)
			continue
		}
		l.Close()
	}
	if in.guppy != "" {
		pc, err := net.ListenPacket("udp", in.guppy)
		if err != nil {
			t.Errorf("UDP %s still in use after stop: %v", in.guppy, err)
			return
		}
		pc.Close()
	}
}

func readFile(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// readContinuously fetches the home page and a page that never changes,
// over every protocol in turn, until stop is closed, and returns what was
// wrong (at most a few problems).
func readContinuously(in *instance, stop <-chan struct{}) []string {
	var problems []string
	exps := []expect{
		{path: "/", want: []string{"About this harbour", "Low tide"}},
		{path: "/about/", want: []string{"A page that is not a post."}},
	}
	for n := 0; ; n++ {
		select {
		case <-stop:
			if n == 0 {
				problems = append(problems, "the reader made no request")
			}
			return problems
		default:
		}
		e := exps[n%len(exps)]
		proto := in.protocols()[n/len(exps)%len(in.protocols())]
		r, err := in.fetch(proto, e.path)
		why := ""
		if err != nil {
			why = err.Error()
		} else {
			why = e.problem(r)
		}
		if why != "" && len(problems) < 5 {
			problems = append(problems, fmt.Sprintf("%s %s: %s\ngot %v", proto, e.path, why, r))
		}
		time.Sleep(pollEvery / 4)
	}
}
