package web

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cgi"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	gcgi "github.com/gmkit/gmkit/serve/cgi"
)

// MaxCGIBody bounds the request body a script is handed (a form post).
const MaxCGIBody = 1 << 20

// CGI runs the scripts of a CGI folder, for the requests a TreeHandler's
// policy sends to its CGI mount, through net/http/cgi: the script writes CGI headers (Content-Type, Status,
// Location) and a body, and any method reaches it. Scripts are found by
// the same rules as over every other protocol (serve/cgi's Runner.Resolve:
// only executable files inside the folder, no dotfiles, no way out), see a
// clean environment with a fixed PATH, run in their own folder, and are
// bounded by the Runner's timeout and output cap.
type CGI struct {
	// Runner names the folder and the bounds; only its Resolve, Dir,
	// Timeout, MaxOutput, Software and Logger are used.
	Runner *gcgi.Runner
	// DocumentRoot is DOCUMENT_ROOT, the HTML output's folder on disk.
	DocumentRoot string

	once    sync.Once
	timeout string // the timeout(1) program, or "" when absent
}

// findTimeout looks for coreutils' timeout(1), which runs a script in its
// own process group and kills the whole group when time is up. Without it
// scripts over HTTP run unbounded in time, and that is logged.
func (c *CGI) findTimeout() {
	if p, err := exec.LookPath("timeout"); err == nil {
		c.timeout = p
		return
	}
	c.logger().Warn("timeout(1) not found: CGI scripts over HTTP run without a time limit")
}

func (c *CGI) logger() *slog.Logger {
	if c.Runner != nil && c.Runner.Logger != nil {
		return c.Runner.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// run runs the script at script (the path below mount, as the policy
// found it) for r.
func (c *CGI) run(w http.ResponseWriter, r *http.Request, mount, script string) {
	c.once.Do(c.findTimeout)
	s, err := c.Runner.Resolve(script)
	if err != nil {
		http.Error(w, "404 not found", http.StatusNotFound)
		return
	}
	timeout := c.Runner.Timeout
	if timeout <= 0 {
		timeout = gcgi.DefaultTimeout
	}
	maxOut := c.Runner.MaxOutput
	if maxOut <= 0 {
		maxOut = gcgi.DefaultMaxOutput
	}
	software := c.Runner.Software
	if software == "" {
		software = "gmkit"
	}
	scriptName := path.Join(mount, s.Name)
	env := []string{
		"PATH=" + gcgi.DefaultPath,
		"SERVER_SOFTWARE=" + software,
		"SCRIPT_FILENAME=" + s.File,
		"DOCUMENT_ROOT=" + c.DocumentRoot,
	}
	if s.PathInfo != "" && c.DocumentRoot != "" {
		env = append(env, "PATH_TRANSLATED="+filepath.Join(c.DocumentRoot, filepath.FromSlash(s.PathInfo)))
	}
	log := c.logger().With("script", scriptName)
	h := &cgi.Handler{
		Path:   s.File,
		Root:   scriptName,
		Dir:    filepath.Dir(s.File),
		Env:    env,
		Logger: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		Stderr: &stderrLog{log: log},
	}
	if c.timeout != "" {
		// timeout(1) puts itself and the script in a new process group
		// and kills the group: grandchildren do not outlive the limit.
		h.Path = c.timeout
		h.Args = []string{"-s", "KILL", strconv.FormatFloat(timeout.Seconds(), 'f', -1, 64), s.File}
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, MaxCGIBody)
	}
	start := time.Now()
	cw := &capWriter{ResponseWriter: w, left: maxOut}
	h.ServeHTTP(cw, r)
	if cw.full {
		log.Warn("cgi output over the cap; killed", "cap", maxOut)
	} else if d := time.Since(start); d >= timeout {
		log.Warn("cgi timed out; killed", "timeout", timeout)
	}
}

// errOutputCap stops net/http/cgi's copy, which then kills the script.
var errOutputCap = errors.New("cgi output over the cap")

// capWriter passes at most left body bytes, then fails every write.
type capWriter struct {
	http.ResponseWriter
	left int
	full bool
}

func (w *capWriter) Write(p []byte) (int, error) {
	if len(p) > w.left {
		n, _ := w.ResponseWriter.Write(p[:w.left])
		w.left = 0
		w.full = true
		return n, errOutputCap
	}
	w.left -= len(p)
	return w.ResponseWriter.Write(p)
}

// Unwrap gives http.ResponseController the writer underneath.
func (w *capWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// stderrLog sends a script's stderr to the log, a line at a time, keeping
// at most 16 KiB.
type stderrLog struct {
	log  *slog.Logger
	seen int
}

func (s *stderrLog) Write(p []byte) (int, error) {
	const max = 16 << 10
	if s.seen < max {
		b := p[:min(len(p), max-s.seen)]
		s.log.Warn("cgi stderr", "stderr", strings.TrimRight(string(b), "\n"))
	}
	s.seen += len(p)
	return len(p), nil
}

var _ io.Writer = (*stderrLog)(nil)
