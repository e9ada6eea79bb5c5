package gopher

import (
	"bytes"
	"io"
	"strconv"
	"strings"

	"github.com/gmkit/gmkit/build/gophermap"
)

// item is one menu line: build/gopher's line type, shared with the
// renderer that writes the built gophermaps.
type item = gophermap.Item

// appendItem appends it as one CRLF-terminated menu line (build/gopher's
// AppendTo keeps a line to four fields whatever the strings hold).
func appendItem(b []byte, it item) []byte {
	return append(it.AppendTo(b), '\r', '\n')
}

// endMenu is the line that ends every menu.
const endMenu = ".\r\n"

// Error answers with a one-line type-3 error menu carrying msg, its control
// characters replaced by spaces. Messages are best kept fixed: echoing what
// a client sent gives it a say in what other clients' logs and screens show.
func Error(w ResponseWriter, msg string) {
	w.SetType(gophermap.TypeError)
	msg = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, msg)
	b := appendItem(nil, item{Type: gophermap.TypeError, Display: msg, Host: "error.host", Port: 1})
	b = append(b, endMenu...)
	_, _ = w.Write(b)
}

// NotFound answers with the type-3 error item "Not found".
func NotFound(w ResponseWriter) { Error(w, "Not found") }

// place is where generated and completed menu lines point: the advertised
// host and port, plus an optional host:port to rewrite to them.
type place struct {
	host        string
	port        int
	rewriteFrom string
}

func (p place) info(text string) item {
	return item{Type: gophermap.TypeInfo, Display: text, Host: p.host, Port: p.port}
}

// normalizeMap turns the gophermap data of directory dir (a path in the
// fs.FS, "." for the root) into a complete CRLF menu ending in ".\r\n".
//
// Lines that are already complete items (type, display, selector, host and
// port separated by TABs; what the build writes) pass through, pointed at
// the served host and port when they carry p.rewriteFrom. Hand-written maps in
// the gophernicus style are completed:
//   - a line without a TAB is info text ('i'); an empty line a blank one;
//   - "#..." is a comment and "." alone ends the map;
//   - "!title" is an info line with the title;
//   - "*" inserts the generated listing of dir, without names hidden by
//     "-name" lines;
//   - "=..." (include or execute) is ignored: this server runs nothing
//     outside its CGI folder;
//   - missing host and port mean this server; a missing selector is the
//     display string; a selector on this server that does not start with
//     '/' (nor "URL:") is relative to dir.
func normalizeMap(data []byte, dir string, p place, listing func(hide map[string]bool) []item) []byte {
	var hide map[string]bool
	for line := range bytes.Lines(data) {
		if len(line) > 1 && line[0] == '-' && !bytes.ContainsRune(line, '\t') {
			if hide == nil {
				hide = map[string]bool{}
			}
			hide[strings.TrimRight(string(line[1:]), "\r\n")] = true
		}
	}
	out := make([]byte, 0, len(data)+len(data)/4+8)
	for raw := range bytes.Lines(data) {
		line := strings.TrimRight(string(raw), "\r\n")
		if !strings.Contains(line, "\t") {
			switch {
			case line == ".":
				return append(out, endMenu...)
			case strings.HasPrefix(line, "#"), strings.HasPrefix(line, "="),
				strings.HasPrefix(line, "-") && len(line) > 1:
				continue
			case line == "*":
				if listing != nil {
					for _, it := range listing(hide) {
						out = appendItem(out, it)
					}
				}
				continue
			case strings.HasPrefix(line, "!"):
				out = appendItem(out, p.info(line[1:]))
				continue
			}
			out = appendItem(out, p.info(line))
			continue
		}
		out = appendItem(out, completeItem(line, dir, p))
	}
	return append(out, endMenu...)
}

// completeItem parses a map line holding at least one TAB and fills in what
// a hand-written map may leave out.
func completeItem(line, dir string, p place) item {
	f := strings.SplitN(line, "\t", 5)
	it := item{Type: gophermap.TypeInfo}
	if head := f[0]; head != "" {
		it.Type, it.Display = gophermap.Type(head[0]), head[1:]
	}
	if len(f) > 1 {
		it.Selector = f[1]
	}
	if len(f) > 2 {
		it.Host = f[2]
	}
	port := ""
	if len(f) > 3 {
		port = f[3]
	}
	local := it.Host == ""
	if local {
		it.Host, it.Port = p.host, p.port
	} else if n, err := strconv.Atoi(port); err == nil && n > 0 && n <= 65535 {
		it.Port = n
	} else {
		it.Port = DefaultPort // missing or unreadable: the Gopher port
	}
	if p.rewriteFrom != "" && it.Host+":"+strconv.Itoa(it.Port) == p.rewriteFrom {
		it.Host, it.Port = p.host, p.port
	}
	if it.Type == gophermap.TypeInfo || it.Type == gophermap.TypeError {
		return it
	}
	if it.Selector == "" && local && len(f) == 2 {
		it.Selector = it.Display
	}
	if local && it.Selector != "" && !strings.HasPrefix(it.Selector, "/") &&
		!strings.HasPrefix(it.Selector, "URL:") {
		it.Selector = joinSelector(dir, it.Selector)
	}
	return it
}

// joinSelector makes the selector for name inside directory dir ("." is the
// root). A trailing slash on name is kept.
func joinSelector(dir, name string) string {
	if dir == "." || dir == "" {
		return "/" + name
	}
	return "/" + dir + "/" + name
}

// writeMenu sends items as a menu.
func writeMenu(w io.Writer, items []item) error {
	var b []byte
	for _, it := range items {
		b = appendItem(b, it)
	}
	b = append(b, endMenu...)
	_, err := w.Write(b)
	return err
}
