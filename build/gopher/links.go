package gopher

import (
	"bytes"
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/util"

	"github.com/gmkit/gmkit/build/gophermap"
)

// target is where a link points once mapped: an item, and the address a
// text-mode reference prints.
type target struct {
	item Item   // Display left empty
	url  string // what a reader of plain text sees
}

// linkStatus says what became of a destination.
type linkStatus int

const (
	linkOK    linkStatus = iota
	linkNone             // nothing to point at: empty, or a fragment in this page
	linkUnfit            // the selector cannot be sent: longer than MaxSelector, or holding TAB, CR or LF
)

// resolve maps a destination to a target, following WithLinkResolver.
func (c *config) resolve(dest string) (target, linkStatus) {
	return c.resolveTarget(dest, true)
}

// resolveTarget is resolve; the target's url is only made if wantURL is set.
func (c *config) resolveTarget(dest string, wantURL bool) (target, linkStatus) {
	dest = strings.ToValidUTF8(strings.TrimSpace(dest), "\uFFFD")
	if dest == "" || dest[0] == '#' {
		return target{}, linkNone
	}
	var t target
	if c.resolveFn != nil {
		if it, ok := c.resolveFn(dest); ok {
			typ := it.Type
			if typ == 0 {
				typ = gophermap.TypeForPath(it.Selector)
			}
			if !gophermap.KnownType(typ) || typ == 'i' || typ == '3' {
				typ = '9'
			}
			t.item = Item{Type: typ, Selector: it.Selector, Host: c.host, Port: c.port}
			if wantURL {
				t.url = gopherURL(c.host, c.port, typ, it.Selector)
			}
			return t, checkLen(t)
		}
	}
	switch scheme := urlScheme(dest); {
	case strings.EqualFold(scheme, "gopher"):
		if it, ok := parseGopherURL(dest); ok {
			return target{item: it, url: dest}, checkLen(target{item: it})
		}
		fallthrough
	case scheme != "":
		t.item = Item{Type: 'h', Selector: "URL:" + dest, Host: c.host, Port: c.port}
		t.url = dest
		return t, checkLen(t)
	case strings.HasPrefix(dest, "//"):
		return target{}, linkNone // scheme-relative: no way to know the protocol
	}
	p := dest
	if i := strings.IndexByte(p, '#'); i >= 0 {
		p = p[:i]
	}
	if p == "" {
		return target{}, linkNone
	}
	if u, err := url.PathUnescape(p); err == nil {
		p = u
	}
	typ := gophermap.TypeForPath(p)
	t.item = Item{Type: typ, Selector: p, Host: c.host, Port: c.port}
	if wantURL {
		t.url = gopherURL(c.host, c.port, typ, p)
	}
	return t, checkLen(t)
}

func checkLen(t target) linkStatus {
	if len(t.item.Selector) > gophermap.MaxSelector || strings.ContainsAny(t.item.Selector, "\t\r\n") {
		return linkUnfit
	}
	return linkOK
}

// urlScheme returns the scheme of an absolute URL ("" for a path): a letter
// followed by letters, digits, '+', '-' or '.', then ':'.
func urlScheme(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return s[:i]
		default:
			return ""
		}
	}
	return ""
}

// parseGopherURL reads gopher://host[:port][/Tselector] (RFC 4266): the
// selector is percent-decoded and ends at a TAB (%09, which starts a search
// string) or a fragment. A query ("?...") is part of the selector. It fails
// for an empty or malformed host, a bad port or an unknown item type.
func parseGopherURL(s string) (Item, bool) {
	if len(s) < len("gopher://") || !strings.EqualFold(s[:len("gopher://")], "gopher://") {
		return Item{}, false
	}
	rest := s[len("gopher://"):]
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	hostport, path := rest, ""
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		hostport, path = rest[:i], rest[i:]
	}
	host, port := hostport, 70
	if strings.HasPrefix(hostport, "[") || strings.Count(hostport, ":") == 1 {
		h, p, err := net.SplitHostPort(hostport)
		if err != nil {
			if !strings.HasSuffix(hostport, "]") {
				return Item{}, false
			}
			h = strings.Trim(hostport, "[]") // "[::1]" without a port
		} else if p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > 65535 {
				return Item{}, false
			}
			port = n
		}
		host = h
	}
	if host == "" || strings.ContainsAny(host, "\t\r\n @/\\") {
		return Item{}, false
	}
	path = strings.TrimPrefix(path, "/")
	if path == "" {
		return Item{Type: '1', Host: host, Port: port}, true
	}
	typ := gophermap.Type(path[0])
	if !gophermap.KnownType(typ) || typ == 'i' || typ == '3' {
		return Item{}, false
	}
	sel := percentDecode(path[1:])
	if i := strings.IndexByte(sel, '\t'); i >= 0 {
		sel = sel[:i]
	}
	return Item{Type: typ, Selector: sel, Host: host, Port: port}, true
}

// percentDecode decodes %XX escapes and leaves malformed ones as they are.
func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// gopherURL writes the gopher:// URL of an item on host:port.
func gopherURL(host string, port int, typ gophermap.Type, sel string) string {
	var b strings.Builder
	b.WriteString("gopher://")
	if strings.Contains(host, ":") {
		b.WriteString("[" + host + "]")
	} else {
		b.WriteString(host)
	}
	if port != 70 {
		b.WriteString(":" + strconv.Itoa(port))
	}
	b.WriteByte('/')
	b.WriteByte(byte(typ))
	for i := 0; i < len(sel); i++ {
		c := sel[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("-._~!$&'()*+,;=:@/", c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
		}
	}
	return b.String()
}

// unescape resolves backslash escapes of ASCII punctuation and HTML
// character references (named, decimal, hexadecimal) in Markdown text, as
// CommonMark specifies. Invalid code points become U+FFFD.
func unescape(v []byte) string {
	if bytes.IndexByte(v, '\\') < 0 && bytes.IndexByte(v, '&') < 0 {
		return string(v)
	}
	return string(appendUnescaped(make([]byte, 0, len(v)), v))
}

// appendUnescaped appends v to b with escapes resolved as unescape does.
func appendUnescaped(b, v []byte) []byte {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\\' && i+1 < len(v) && util.IsPunct(v[i+1]) {
			b = append(b, v[i+1])
			i++
			continue
		}
		if c == '&' {
			if s, n := charRef(v[i:]); n > 0 {
				b = append(b, s...)
				i += n - 1
				continue
			}
		}
		b = append(b, c)
	}
	return b
}

// charRef decodes a character reference at the start of v ("&amp;",
// "&#65;", "&#x41;") and returns it with its length, or n=0.
func charRef(v []byte) (string, int) {
	end := -1
	for i := 1; i < len(v) && i < 40; i++ {
		if v[i] == ';' {
			end = i
			break
		}
	}
	if end < 2 {
		return "", 0
	}
	body := string(v[1:end])
	if body[0] != '#' {
		for i := 0; i < len(body); i++ {
			if !util.IsAlphaNumeric(body[i]) {
				return "", 0
			}
		}
		if e, ok := util.LookUpHTML5EntityByName(body); ok {
			return string(e.Characters), end + 1
		}
		return "", 0
	}
	digits, base := body[1:], 10
	if len(digits) > 0 && (digits[0] == 'x' || digits[0] == 'X') {
		digits, base = digits[1:], 16
	}
	if digits == "" || (base == 10 && len(digits) > 7) || (base == 16 && len(digits) > 6) {
		return "", 0
	}
	n, err := strconv.ParseUint(digits, base, 32)
	if err != nil {
		return "", 0
	}
	r := rune(n)
	if r == 0 || !utf8.ValidRune(r) {
		r = utf8.RuneError
	}
	return string(r), end + 1
}
