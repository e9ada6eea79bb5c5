package policy

import (
	"io/fs"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A Path is a request path that has passed the path rules: no empty, "."
// or ".." segment in any encoding, no slash, backslash or NUL inside a
// segment. Its zero value is the root.
type Path struct {
	name   string // the fs.FS name: "a/b", or "" for the root
	slash  bool   // the request ended in a slash (the root always does)
	hidden bool   // a segment starts with a dot
}

// Root is the path "/".
var Root = Path{slash: true}

// ParseURLPath checks the escaped path of a URL (url.URL.EscapedPath) and
// returns it decoded. "" and "/" are the root. ok is false for a path that
// breaks the rules; the protocol answers its "bad request".
func ParseURLPath(escaped string) (p Path, ok bool) {
	if escaped == "" || escaped == "/" {
		return Root, true
	}
	if escaped[0] != '/' {
		return Path{}, false
	}
	rest := escaped[1:]
	p.slash = strings.HasSuffix(rest, "/")
	rest = strings.TrimSuffix(rest, "/")
	if !strings.Contains(rest, "%") {
		return p.check(rest)
	}
	var b strings.Builder
	for i, esc := range strings.Split(rest, "/") {
		seg, err := url.PathUnescape(esc)
		if err != nil || strings.Contains(seg, "/") {
			return Path{}, false
		}
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(seg)
	}
	return p.check(b.String())
}

// ParseSelector checks a Gopher-style selector: a path that is not
// percent-encoded, whose leading slash is optional. The empty selector is
// the root.
func ParseSelector(sel string) (p Path, ok bool) {
	rest := strings.TrimPrefix(sel, "/")
	if rest == "" {
		return Root, true
	}
	p.slash = strings.HasSuffix(rest, "/")
	return p.check(strings.TrimSuffix(rest, "/"))
}

// check validates the decoded name and fills in hidden.
func (p Path) check(name string) (Path, bool) {
	if !fs.ValidPath(name) || name == "." || strings.ContainsAny(name, "\\\x00") {
		return Path{}, false
	}
	p.name = name
	p.hidden = name[0] == '.' || strings.Contains(name, "/.") || unsafeName(name)
	return p, true
}

// unsafeName reports whether name holds a control character or is not
// UTF-8. Such a name is never served nor listed, on any protocol: in a
// listing's label or a menu line it would end the line and forge the
// next (a name with "\n=> gemini://elsewhere/" in it), and no client can
// ask for it reliably. The build refuses to publish such names; this keeps
// a tree copied to the disk by other means (serve --no-build) as safe.
func unsafeName(name string) bool {
	if !utf8.ValidString(name) {
		return true
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}

// Name is the path as an fs.FS name: "." for the root.
func (p Path) Name() string {
	if p.name == "" {
		return "."
	}
	return p.name
}

// IsRoot reports whether p is the root.
func (p Path) IsRoot() bool { return p.name == "" }

// Slash reports whether the request ended in a slash (true for the root).
func (p Path) Slash() bool { return p.slash || p.name == "" }

// Hidden reports whether a segment starts with a dot (a dotfile or a dot
// folder): never served, never listed.
func (p Path) Hidden() bool { return p.hidden }

// WithSlash returns p asking for a folder.
func (p Path) WithSlash() Path { p.slash = true; return p }

// String is the decoded URL path: "/", "/a/b" or "/a/b/".
func (p Path) String() string {
	if p.name == "" {
		return "/"
	}
	if p.slash {
		return "/" + p.name + "/"
	}
	return "/" + p.name
}

// under reports whether p is prefix (a path starting with "/") or below
// it. A prefix ending in a slash also covers the folder asked for without
// its slash ("/private" for "/private/").
func (p Path) under(prefix string) bool {
	s := p.String()
	if strings.HasPrefix(s, prefix) {
		return true
	}
	return !strings.HasSuffix(s, "/") && strings.HasPrefix(s+"/", prefix)
}
