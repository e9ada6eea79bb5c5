// Package cgi runs CGI scripts for any of the servers (Gemini, Gopher,
// Guppy, Spartan). The caller gives the request facts and the variables its protocol
// adds; the Runner finds the script inside the CGI folder, runs it with a
// clean environment in the script's folder, bounds its time and output, logs
// its stderr, and hands back what it wrote on stdout.
package cgi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults for the zero values of Runner's fields.
const (
	DefaultTimeout   = 10 * time.Second
	DefaultMaxOutput = 1 << 20
	// DefaultPath is the only PATH a script sees.
	DefaultPath = "/usr/local/bin:/usr/bin:/bin"
	// maxStderr bounds how much of a script's stderr reaches the log.
	maxStderr = 16 << 10
)

// Errors returned by Runner.Run, to be told apart with errors.Is.
var (
	// ErrNotFound: no executable script matches the path (also for paths
	// that try to leave the CGI folder, dotfiles and non-executable files).
	ErrNotFound = errors.New("cgi: no such script")
	// ErrTimeout: the script ran past the timeout and was killed.
	ErrTimeout = errors.New("cgi: script timed out")
	// ErrOutputTooLarge: the script wrote more than the output cap and was
	// killed; Result.Output holds the first MaxOutput bytes.
	ErrOutputTooLarge = errors.New("cgi: script output too large")
)

// Runner runs scripts from one CGI folder. Its fields must not change while
// it is in use; it is safe for concurrent use.
type Runner struct {
	// Dir is the CGI folder. Only executable files inside it run.
	Dir string
	// Timeout bounds a script's run; after it the script's whole process
	// group is killed. The group is killed when the script exits, too:
	// nothing a script leaves behind outlives its request. Zero means
	// DefaultTimeout.
	Timeout time.Duration
	// MaxOutput caps the bytes read from a script's stdout. Zero means
	// DefaultMaxOutput.
	MaxOutput int
	// Software is SERVER_SOFTWARE, e.g. "gmkit/1.2.0". Empty means "gmkit".
	Software string
	// Logger receives the scripts' stderr and their failures. nil discards.
	Logger *slog.Logger
}

// Request holds the facts about one request that a script sees.
type Request struct {
	// Path is the decoded URL path below the CGI mount point, e.g.
	// "/hello/extra" for script "hello" with PATH_INFO "/extra".
	Path string
	// Mount is the URL path where the CGI folder is served, e.g.
	// "/cgi-bin"; SCRIPT_NAME is Mount plus the script's path.
	Mount string
	// RawQuery is the query as sent, still percent-encoded.
	RawQuery string
	// RemoteAddr is the client's "host:port".
	RemoteAddr string
	// ServerName and ServerPort name this server.
	ServerName string
	ServerPort int
	// Protocol is SERVER_PROTOCOL: "GEMINI", "GOPHER", "GUPPY" or
	// "SPARTAN".
	Protocol string
	// DocumentRoot is DOCUMENT_ROOT, also the base of PATH_TRANSLATED.
	DocumentRoot string
	// Env holds the protocol's own "KEY=value" variables; they are added
	// after the common ones and win over them.
	Env []string
	// Body, when not nil, is the script's standard input: data the client
	// uploaded (Spartan), ContentLength bytes of it. The script then sees
	// CONTENT_LENGTH and REQUEST_METHOD=POST, the form CGI libraries read
	// a request body in. nil gives the script an empty standard input and
	// REQUEST_METHOD=GET.
	Body          io.Reader
	ContentLength int64
}

// Result is what a script produced.
type Result struct {
	// Output is the script's stdout, at most MaxOutput bytes.
	Output []byte
	// ScriptName is SCRIPT_NAME, e.g. "/cgi-bin/hello".
	ScriptName string
	// ExitCode is the script's exit status (-1 when killed).
	ExitCode int
}

// Script is a resolved script.
type Script struct {
	// Name is the script's path relative to the CGI folder, with slashes.
	Name string
	// File is the script's absolute file name.
	File string
	// PathInfo is the rest of the request path after the script, or "".
	PathInfo string
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}

// Resolve finds the script for urlPath (decoded, relative to the CGI
// folder): it walks the path's segments through folders until it meets a
// file, which must be executable; the remaining segments become PATH_INFO.
// Segments that are empty, "." or "..", or start with a dot, or contain a
// NUL, are refused, and so is anything whose real location (symlinks
// followed) is outside the CGI folder. All failures wrap ErrNotFound.
func (r *Runner) Resolve(urlPath string) (Script, error) {
	if r.Dir == "" {
		return Script{}, fmt.Errorf("%w: no CGI folder configured", ErrNotFound)
	}
	root, err := filepath.Abs(r.Dir)
	if err != nil {
		return Script{}, fmt.Errorf("%w: CGI folder %s: %v", ErrNotFound, r.Dir, err)
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return Script{}, fmt.Errorf("%w: CGI folder %s: %v", ErrNotFound, root, err)
	}
	rest := strings.TrimPrefix(urlPath, "/")
	segs := strings.Split(rest, "/")
	for i, seg := range segs {
		if seg == "" || seg[0] == '.' || strings.ContainsAny(seg, "\x00\\") {
			return Script{}, fmt.Errorf("%w: %q", ErrNotFound, urlPath)
		}
		rel := strings.Join(segs[:i+1], "/")
		file := filepath.Join(root, filepath.FromSlash(rel))
		real, err := filepath.EvalSymlinks(file)
		if err != nil {
			return Script{}, fmt.Errorf("%w: %q", ErrNotFound, urlPath)
		}
		if !within(realRoot, real) {
			return Script{}, fmt.Errorf("%w: %q leaves the CGI folder", ErrNotFound, urlPath)
		}
		fi, err := os.Stat(real)
		if err != nil {
			return Script{}, fmt.Errorf("%w: %q", ErrNotFound, urlPath)
		}
		if fi.IsDir() {
			continue
		}
		if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			return Script{}, fmt.Errorf("%w: %s is not an executable file", ErrNotFound, file)
		}
		s := Script{Name: rel, File: real}
		if i+1 < len(segs) {
			s.PathInfo = "/" + strings.Join(segs[i+1:], "/")
		}
		return s, nil
	}
	return Script{}, fmt.Errorf("%w: %q is a folder", ErrNotFound, urlPath)
}

func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// Env returns the environment a script sees for req: only the variables
// listed in the protocol notes, a fixed PATH and req.Env, nothing from the
// server's own environment.
func (r *Runner) Env(s Script, req *Request) []string {
	software := r.Software
	if software == "" {
		software = "gmkit"
	}
	scriptName := path.Join("/", req.Mount, s.Name)
	method := "GET"
	if req.Body != nil {
		method = "POST"
	}
	host, port, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		host, port = req.RemoteAddr, ""
	}
	env := []string{
		"PATH=" + DefaultPath,
		"GATEWAY_INTERFACE=CGI/1.1",
		"SERVER_PROTOCOL=" + req.Protocol,
		"SERVER_SOFTWARE=" + software,
		"SERVER_NAME=" + req.ServerName,
		"SERVER_PORT=" + strconv.Itoa(req.ServerPort),
		"REQUEST_METHOD=" + method,
		"SCRIPT_NAME=" + scriptName,
		"SCRIPT_FILENAME=" + s.File,
		"QUERY_STRING=" + req.RawQuery,
		"REMOTE_ADDR=" + host,
		"REMOTE_HOST=" + host,
		"REMOTE_PORT=" + port,
		"DOCUMENT_ROOT=" + req.DocumentRoot,
	}
	if req.Body != nil {
		env = append(env, "CONTENT_LENGTH="+strconv.FormatInt(req.ContentLength, 10))
	}
	if s.PathInfo != "" {
		env = append(env, "PATH_INFO="+s.PathInfo)
		if req.DocumentRoot != "" {
			env = append(env, "PATH_TRANSLATED="+filepath.Join(req.DocumentRoot, filepath.FromSlash(s.PathInfo)))
		}
	}
	return append(env, req.Env...)
}

// Run resolves and runs the script for req and returns its output. Errors
// wrap ErrNotFound, ErrTimeout or ErrOutputTooLarge, or say why the script
// could not start. A script that exits non-zero is not an error: see
// Result.ExitCode. ctx cancels the run early (the process group is killed).
func (r *Runner) Run(ctx context.Context, req *Request) (*Result, error) {
	s, err := r.Resolve(req.Path)
	if err != nil {
		return nil, err
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	maxOut := r.MaxOutput
	if maxOut <= 0 {
		maxOut = DefaultMaxOutput
	}
	runCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	res := &Result{ScriptName: path.Join("/", req.Mount, s.Name), ExitCode: -1}
	out := &capBuffer{max: maxOut, onFull: cancel}
	errw := &capBuffer{max: maxStderr}
	cmd := exec.CommandContext(runCtx, s.File)
	cmd.Dir = filepath.Dir(s.File)
	cmd.Env = r.Env(s, req)
	setProcessGroup(cmd)

	start := time.Now()
	runErr := run(cmd, req.Body, out, errw)
	if cmd.ProcessState != nil {
		res.ExitCode = cmd.ProcessState.ExitCode()
	}
	res.Output = out.Bytes()
	log := r.logger().With("script", res.ScriptName, "dur", time.Since(start))
	if b := errw.Bytes(); len(b) > 0 {
		log.Warn("cgi stderr", "stderr", string(bytes.TrimRight(b, "\n")), "truncated", errw.full)
	}
	switch {
	case out.full:
		log.Warn("cgi output over the cap; killed", "cap", maxOut)
		return res, fmt.Errorf("%w: %s wrote more than %d bytes", ErrOutputTooLarge, s.File, maxOut)
	case errors.Is(runCtx.Err(), context.DeadlineExceeded):
		log.Warn("cgi timed out; killed", "timeout", timeout)
		return res, fmt.Errorf("%w: %s after %v", ErrTimeout, s.File, timeout)
	case ctx.Err() != nil:
		return res, fmt.Errorf("cgi: %s: %w", s.File, ctx.Err())
	}
	var exitErr *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exitErr) {
		log.Error("cgi failed to start", "err", runErr)
		return res, fmt.Errorf("cgi: run %s: %w", s.File, runErr)
	}
	if res.ExitCode != 0 {
		log.Warn("cgi exited non-zero", "code", res.ExitCode)
	}
	return res, nil
}

// pipeGrace bounds the wait for a script's pipes to close once its
// process group has been killed; only a process that left the group (with
// setsid) can hold them longer.
const pipeGrace = time.Second

// run starts cmd with its stdout and stderr on pipes read into out and
// errw, waits for the script itself to exit, and then kills its whole
// process group: children it left behind end with the request, and one
// that keeps stdout open neither delays the answer nor survives. The
// pipes are *os.File, so exec starts no copying goroutines of its own and
// Wait returns as soon as the script exits.
func run(cmd *exec.Cmd, stdin io.Reader, out, errw io.Writer) error {
	var inR, inW *os.File
	if stdin != nil {
		var err error
		if inR, inW, err = os.Pipe(); err != nil {
			return fmt.Errorf("cgi: pipe: %w", err)
		}
		defer inR.Close()
		cmd.Stdin = inR
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		if inW != nil {
			inW.Close()
		}
		return fmt.Errorf("cgi: pipe: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		if inW != nil {
			inW.Close()
		}
		return fmt.Errorf("cgi: pipe: %w", err)
	}
	defer outR.Close()
	defer errR.Close()
	cmd.Stdout, cmd.Stderr = outW, errW
	err = cmd.Start()
	outW.Close() // the script holds its own copies
	errW.Close()
	if inR != nil {
		inR.Close() // so that a script that reads nothing ends the copy
	}
	if err != nil {
		if inW != nil {
			inW.Close()
		}
		return err
	}
	// Each copy ends at its pipe's end (or a write error), or when its
	// deadline is set below, and then says so on done.
	done := make(chan struct{}, 3)
	copies := 2
	if inW != nil {
		// A script that does not read its input ends the copy with EPIPE
		// when it exits; one whose leftovers hold the pipe is cut below.
		copies++
		go func() {
			io.Copy(inW, stdin)
			inW.Close()
			done <- struct{}{}
		}()
	}
	for _, p := range []struct {
		r *os.File
		w io.Writer
	}{{outR, out}, {errR, errw}} {
		go func() {
			io.Copy(p.w, p.r)
			done <- struct{}{}
		}()
	}
	err = cmd.Wait()
	killGroup(cmd)
	// What the script wrote is in the pipes; its leftovers are being
	// killed, and the pipes reach their end when the last one dies. Only
	// a process that left the group can hold them open: after pipeGrace,
	// the copies are cut. (Not a deadline set now: the poller checks one
	// before it reads what is already in a pipe, so it would also cut a
	// copy that was merely slow to be scheduled.)
	grace := time.NewTimer(pipeGrace)
	defer grace.Stop()
	for range copies {
		select {
		case <-done:
		case <-grace.C:
			past := time.Unix(1, 0)
			outR.SetReadDeadline(past)
			errR.SetReadDeadline(past)
			if inW != nil {
				inW.SetWriteDeadline(past)
			}
			<-done
		}
	}
	return err
}

// capBuffer keeps the first max bytes written to it; past that it calls
// onFull once and drops the rest.
type capBuffer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	max    int
	full   bool
	onFull func()
}

func (b *capBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	room := b.max - b.buf.Len()
	if len(p) > room {
		b.buf.Write(p[:max(room, 0)])
		if !b.full {
			b.full = true
			if b.onFull != nil {
				b.onFull()
			}
		}
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *capBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Bytes()
}
