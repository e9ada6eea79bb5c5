// Package shortcode reads the template syntax that Hugo, Jekyll (Liquid)
// and Zola blogs leave in their Markdown and renders what it means, so that
// no reader sees raw braces:
//
//   - Hugo shortcodes {{< name args >}} and {{% name args %}}, with a body
//     up to {{< /name >}} or self-closed with />}};
//   - Liquid tags {% name args %} (bodies end at {% endname %}) and output
//     tags {{ 'x' | relative_url }};
//   - Zola shortcodes {{ name(args) }} and {% name(args) %}...{% end %}.
//
// Known ones become Markdown nodes (see Render for the list): code bodies
// preformatted with their language, images as images, embedded media and
// posts as links to the thing, links to other pages (ref, relref, link,
// post_url) as link destinations the build resolves like other.md. Unknown
// ones are removed with one warning per name and file. Escaped shortcodes
// ({{</* x */>}}, {{/* x */}}) print as written without the comment marks,
// in code too; other braces in code stay as they are.
package shortcode

import (
	"bytes"
	"strings"
)

// Syntax says which template language a tag is written in.
type Syntax uint8

const (
	// HugoAngle is {{< name >}}: the body is not Markdown for Hugo.
	HugoAngle Syntax = iota + 1
	// HugoPercent is {{% name %}}: the body is Markdown.
	HugoPercent
	// LiquidTag is {% name args %}, Liquid's tags and Zola's body
	// shortcodes {% name(args) %}.
	LiquidTag
	// LiquidOutput is {{ expression }}, Liquid's output tags and Zola's
	// inline shortcodes {{ name(args) }}.
	LiquidOutput
)

// Tag is one template tag as written.
type Tag struct {
	Syntax Syntax
	// Name is the shortcode or tag name ("figure", "highlight",
	// "endhighlight", "post_url"); for a Liquid output tag that is not a
	// call, it is empty and Expr holds the expression.
	Name string
	// Close is set for {{< /name >}}; Liquid's {% endname %} and Zola's
	// {% end %} keep their name and are recognised by it.
	Close bool
	// SelfClose is set for {{< name />}}.
	SelfClose bool
	// Call is set for a Zola call, name(args).
	Call bool
	// Pos are the positional arguments, unquoted.
	Pos []string
	// Named are the named arguments (key=value, key: value), unquoted.
	Named map[string]string
	// Expr is the expression of a Liquid output tag.
	Expr string
	// Escaped is set for a commented-out tag ({{</* x */>}}); Literal is
	// then what it prints.
	Escaped bool
	Literal string
	// Raw is the tag as written.
	Raw string
}

// Arg returns the named argument key, else the positional argument at
// index pos (if pos >= 0), else "".
func (t *Tag) Arg(key string, pos int) string {
	if v, ok := t.Named[key]; ok {
		return v
	}
	if pos >= 0 && pos < len(t.Pos) {
		return t.Pos[pos]
	}
	return ""
}

// FirstNamed returns the first of the named arguments keys that is set.
func (t *Tag) FirstNamed(keys ...string) string {
	for _, k := range keys {
		if v, ok := t.Named[k]; ok && v != "" {
			return v
		}
	}
	return ""
}

// maxTag is the longest a tag may be, line breaks included.
const maxTag = 4 << 10

// delims are the opening and closing delimiters, longest first.
var delims = []struct {
	open, close string
	syntax      Syntax
}{
	{"{{<", ">}}", HugoAngle},
	{"{{%", "%}}", HugoPercent},
	{"{%", "%}", LiquidTag},
	{"{{", "}}", LiquidOutput},
}

// Starts reports whether b starts with the opening delimiter of a tag.
func Starts(b []byte) bool {
	return len(b) >= 2 && b[0] == '{' && (b[1] == '{' || b[1] == '%')
}

// Parse reads the tag at the start of b. It returns the tag and its length
// in bytes, or ok=false when b does not start with a well-formed tag.
func Parse(b []byte) (t Tag, n int, ok bool) {
	if !Starts(b) {
		return Tag{}, 0, false
	}
	for _, d := range delims {
		if !bytes.HasPrefix(b, []byte(d.open)) {
			continue
		}
		rest := b[len(d.open):]
		if len(rest) > maxTag {
			rest = rest[:maxTag]
		}
		// An escaped tag: the comment marks sit right inside the
		// delimiters ({{</* x */>}}, {{/* x */}}).
		if bytes.HasPrefix(rest, []byte("/*")) {
			end := bytes.Index(rest[2:], []byte("*/"+d.close))
			if end < 0 {
				return Tag{}, 0, false
			}
			inner := rest[2 : 2+end]
			n := len(d.open) + 2 + end + 2 + len(d.close)
			return Tag{Syntax: d.syntax, Escaped: true, Literal: d.open + string(inner) + d.close, Raw: string(b[:n])}, n, true
		}
		if bytes.Index(rest, []byte(d.close)) < 0 {
			return Tag{}, 0, false // the common failure, found fast
		}
		end := indexClose(rest, d.close)
		if end < 0 {
			return Tag{}, 0, false
		}
		inner := string(rest[:end])
		n := len(d.open) + end + len(d.close)
		t := Tag{Syntax: d.syntax, Raw: string(b[:n])}
		if !t.read(inner) {
			return Tag{}, 0, false
		}
		return t, n, true
	}
	return Tag{}, 0, false
}

// indexClose finds the closing delimiter, skipping quoted strings.
func indexClose(b []byte, close string) int {
	var quote byte
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else if c == '\n' && i+1 < len(b) && b[i+1] == '\n' {
				return -1 // a blank line ends the search
			}
		case c == '"' || c == '`':
			quote = c
		case c == '\n' && i+1 < len(b) && (b[i+1] == '\n' || b[i+1] == '\r' && i+2 < len(b) && b[i+2] == '\n'):
			return -1
		case bytes.HasPrefix(b[i:], []byte(close)):
			return i
		}
	}
	return -1
}

// read fills t from the text between the delimiters.
func (t *Tag) read(inner string) bool {
	s := strings.TrimSpace(inner)
	// Liquid's white space control: {%- x -%}, {{- x -}}.
	if t.Syntax == LiquidTag || t.Syntax == LiquidOutput {
		s = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(s, "-"), "-"))
	}
	if t.Syntax == HugoAngle || t.Syntax == HugoPercent {
		if strings.HasPrefix(s, "/") {
			t.Close = true
			s = strings.TrimSpace(s[1:])
		}
		if strings.HasSuffix(s, "/") {
			t.SelfClose = true
			s = strings.TrimSpace(s[:len(s)-1])
		}
	}
	if s == "" {
		return false
	}
	// A Zola call: name(args).
	if i := strings.IndexByte(s, '('); i > 0 && strings.HasSuffix(s, ")") && isName(s[:i]) {
		t.Name, t.Call = s[:i], true
		t.Named = map[string]string{}
		for _, a := range splitTop(s[i+1:len(s)-1], ',') {
			k, v, ok := strings.Cut(a, "=")
			if ok && isName(strings.TrimSpace(k)) {
				t.Named[strings.TrimSpace(k)] = unquote(strings.TrimSpace(v))
			} else if a = strings.TrimSpace(a); a != "" {
				t.Pos = append(t.Pos, unquote(a))
			}
		}
		return true
	}
	if t.Syntax == LiquidOutput {
		t.Expr = s
		return true
	}
	words := fields(s)
	if len(words) == 0 || !isName(words[0]) {
		return false
	}
	t.Name = words[0]
	for _, w := range words[1:] {
		if k, v, ok := cutArg(w); ok {
			if t.Named == nil {
				t.Named = map[string]string{}
			}
			t.Named[k] = unquote(v)
			continue
		}
		t.Pos = append(t.Pos, unquote(w))
	}
	return true
}

// cutArg splits key=value and key:value (value not empty).
func cutArg(w string) (k, v string, ok bool) {
	if w == "" || w[0] == '"' || w[0] == '\'' || w[0] == '`' {
		return "", "", false
	}
	i := strings.IndexAny(w, "=:")
	if i <= 0 || !isName(w[:i]) {
		return "", "", false
	}
	v = w[i+1:]
	if w[i] == ':' && (v == "" || strings.HasPrefix(v, "/")) {
		return "", "", false // "lang:ruby" yes, "http://x" no
	}
	return w[:i], v, true
}

// isName reports whether s is a tag or argument name.
func isName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == '/' && i > 0) {
			return false
		}
	}
	return true
}

// fields splits s at white space outside quotes; a quoted part stays with
// what it is attached to (key="a b").
func fields(s string) []string {
	var out []string
	var cur strings.Builder
	var quote byte
	in := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			cur.WriteByte(c)
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'' || c == '`':
			quote = c
			cur.WriteByte(c)
			in = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out
}

// splitTop splits s at sep outside quotes and brackets.
func splitTop(s string, sep byte) []string {
	var out []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'' || c == '`':
			quote = c
		case c == '[' || c == '(' || c == '{':
			depth++
		case c == ']' || c == ')' || c == '}':
			depth--
		case c == sep && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// unquote removes matching quotes around s.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'' || s[0] == '`') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// Unescape replaces the escaped tags in code ({{</* x */>}}) by what they
// print, and removes Liquid's {% raw %} and {% endraw %}, which Jekyll
// removes everywhere. It returns s itself when there is nothing to do.
func Unescape(s string) string {
	if !strings.Contains(s, "/*") && !strings.Contains(s, "raw") {
		return s
	}
	b := []byte(s)
	var sb strings.Builder
	done := 0 // s[:done] is in sb
	for k := 0; k < len(b); {
		j := bytes.IndexByte(b[k:], '{')
		if j < 0 {
			break
		}
		j += k
		t, n, ok := Parse(b[j:])
		if ok && (t.Escaped || t.Syntax == LiquidTag && (t.Name == "raw" || t.Name == "endraw")) {
			sb.WriteString(s[done:j])
			if t.Escaped {
				sb.WriteString(t.Literal)
			}
			done, k = j+n, j+n
			continue
		}
		k = j + 1
	}
	if done == 0 {
		return s
	}
	sb.WriteString(s[done:])
	return sb.String()
}
