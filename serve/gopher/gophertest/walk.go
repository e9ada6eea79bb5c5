// Package gophertest has helpers for testing Gopher servers over real
// connections; its Walk follows every menu item reachable from a server's
// root and reports anything dangling.
package gophertest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gmkit/gmkit/build/gophermap"
)

// Options tune Walk. The zero value walks the server at the address given.
type Options struct {
	// Host and Port are what the server's menus call it; items pointing
	// elsewhere are listed but not fetched. Empty/zero: the walked address.
	Host string
	// Port: see Host.
	Port int
	// Search is the text sent to type-7 search items. Empty means "gopher".
	Search string
	// MaxItems bounds the number of fetches. Zero means 10000.
	MaxItems int
	// MaxBytes bounds one response. Zero means 64 MiB.
	MaxBytes int64
	// Timeout bounds one fetch. Zero means 30 s.
	Timeout time.Duration
}

// A Visit is one menu item met during a walk.
type Visit struct {
	// From is the selector of the menu that listed the item ("" for the
	// root itself).
	From string
	// Type, Display, Selector, Host and Port are the item's fields.
	Type     gophermap.Type
	Display  string
	Selector string
	Host     string
	Port     int
	// Fetched is false for items not on the walked server (and info lines,
	// which are never fetched).
	Fetched bool
	// Bytes is the size of the answer.
	Bytes int
	// Problem says what is wrong with the item, or is empty.
	Problem string
}

// Walk fetches the root menu of the Gopher server at addr and, breadth
// first, every item on that server reachable from it, each selector once.
// It returns every item met (in order) and an error listing the problems:
// answers that are type-3 error menus, menus that are malformed (a line
// with fewer than four TAB-separated fields, no ".\r\n" end, a bare LF),
// error lines inside menus, "URL:" pages without their URL, and items whose
// host or port is malformed.
func Walk(ctx context.Context, addr string, opts Options) ([]Visit, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("gophertest: address %q: %w", addr, err)
	}
	if opts.Host == "" {
		opts.Host = host
	}
	if opts.Port == 0 {
		if opts.Port, err = strconv.Atoi(portStr); err != nil {
			return nil, fmt.Errorf("gophertest: port in %q: %w", addr, err)
		}
	}
	if opts.Search == "" {
		opts.Search = "gopher"
	}
	if opts.MaxItems == 0 {
		opts.MaxItems = 10000
	}
	if opts.MaxBytes == 0 {
		opts.MaxBytes = 64 << 20
	}
	if opts.Timeout == 0 {
		opts.Timeout = 30 * time.Second
	}
	w := &walker{addr: addr, opts: opts, seen: map[string]bool{}}
	root := Visit{Type: '1', Display: "(root)", Host: opts.Host, Port: opts.Port}
	queue := []Visit{root}
	var visits []Visit
	var problems []string
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		if w.fetches >= opts.MaxItems {
			problems = append(problems, fmt.Sprintf("stopped after %d fetches", opts.MaxItems))
			break
		}
		if err := ctx.Err(); err != nil {
			return visits, err
		}
		children := w.visit(ctx, &v)
		visits = append(visits, v)
		if v.Problem != "" {
			problems = append(problems, fmt.Sprintf("%q (%c %q, listed in %q): %s", v.Selector, v.Type, v.Display, v.From, v.Problem))
		}
		queue = append(queue, children...)
	}
	if len(problems) > 0 {
		return visits, errors.New("gophertest: " + strings.Join(problems, "\n"))
	}
	return visits, nil
}

type walker struct {
	addr    string
	opts    Options
	seen    map[string]bool
	fetches int
}

// visit fetches v when it is on the walked server and returns the items of
// the menu it was, if it was one.
func (w *walker) visit(ctx context.Context, v *Visit) []Visit {
	switch v.Type {
	case 'i', '3', '8', 'T', '+':
		return nil
	}
	if v.Host != w.opts.Host || v.Port != w.opts.Port {
		return nil
	}
	req := v.Selector
	if v.Type == '7' {
		req += "\t" + w.opts.Search
	}
	key := string(v.Type) + req
	if w.seen[key] {
		return nil
	}
	w.seen[key] = true
	w.fetches++
	v.Fetched = true
	body, err := w.fetch(ctx, req)
	v.Bytes = len(body)
	if err != nil {
		v.Problem = err.Error()
		return nil
	}
	if isErrorMenu(body) {
		v.Problem = "answered with an error item: " + strings.TrimSpace(strings.SplitN(string(body[1:]), "\t", 2)[0])
		return nil
	}
	switch v.Type {
	case '1', '7':
		children, problem := parseMenu(body, v.Selector)
		v.Problem = problem
		return children
	case 'h':
		if u, ok := strings.CutPrefix(v.Selector, "URL:"); ok && !strings.Contains(string(body), u) && !strings.Contains(string(body), htmlEscape(u)) {
			v.Problem = "URL page does not carry the URL"
		}
	case '0':
		if strings.Contains(strings.ReplaceAll(string(body), "\r\n", ""), "\n") {
			v.Problem = "text with a bare LF line ending"
		}
	}
	return nil
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "'", "&#39;", "<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(s)
}

// fetch sends one request and reads the whole answer.
func (w *walker) fetch(ctx context.Context, req string) ([]byte, error) {
	d := net.Dialer{Timeout: w.opts.Timeout}
	c, err := d.DialContext(ctx, "tcp", w.addr)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(w.opts.Timeout)); err != nil {
		return nil, err
	}
	if _, err := io.WriteString(c, req+"\r\n"); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(c, w.opts.MaxBytes+1))
	if err != nil {
		return body, err
	}
	if int64(len(body)) > w.opts.MaxBytes {
		return body, fmt.Errorf("answer over %d bytes", w.opts.MaxBytes)
	}
	return body, nil
}

// isErrorMenu reports whether body is a menu made of type-3 lines only.
func isErrorMenu(body []byte) bool {
	s, ok := strings.CutSuffix(string(body), ".\r\n")
	if !ok || s == "" {
		return false
	}
	for line := range strings.Lines(s) {
		if !strings.HasPrefix(line, "3") || strings.Count(line, "\t") < 3 {
			return false
		}
	}
	return true
}

// parseMenu splits a menu answer into its items, reporting the first
// formatting problem.
func parseMenu(body []byte, from string) ([]Visit, string) {
	s := string(body)
	rest, ok := strings.CutSuffix(s, ".\r\n")
	if !ok {
		return nil, "menu does not end with .CRLF"
	}
	var items []Visit
	problem := ""
	for line := range strings.Lines(rest) {
		text, ok := strings.CutSuffix(line, "\r\n")
		if !ok || strings.Contains(text, "\r") {
			if problem == "" {
				problem = fmt.Sprintf("line %q does not end in CRLF", line)
			}
			continue
		}
		f := strings.Split(text, "\t")
		if len(f) < 4 || f[0] == "" {
			if problem == "" {
				problem = fmt.Sprintf("line %q has fewer than four fields", text)
			}
			continue
		}
		v := Visit{From: from, Type: gophermap.Type(f[0][0]), Display: f[0][1:], Selector: f[1], Host: f[2]}
		if v.Type == '3' && problem == "" {
			problem = fmt.Sprintf("error line in menu: %q", text)
		}
		port, err := strconv.Atoi(f[3])
		if err != nil || port < 0 || port > 65535 {
			if v.Type != 'i' && problem == "" {
				problem = fmt.Sprintf("line %q has a bad port", text)
			}
		}
		v.Port = port
		items = append(items, v)
	}
	return items, problem
}
