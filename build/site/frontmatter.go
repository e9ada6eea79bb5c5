package site

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
	"go.yaml.in/yaml/v3"
)

// FrontMatter is what a page's front matter says about it. Every field is
// optional.
type FrontMatter struct {
	Title   string
	Date    time.Time
	Draft   bool
	Tags    []string
	Summary string
	Slug    string
	Aliases []string
	// Outputs lists the outputs that get the page ("gemini", "gopher");
	// empty means all of them.
	Outputs []string
	Weight  int
	// Params holds every key that is not one of the above.
	Params map[string]any
}

// SourceError is an error in one source file, at a line when one is known.
type SourceError struct {
	File string // path as the user knows it
	Line int    // 1-based; 0 when unknown
	Err  error
}

func (e *SourceError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *SourceError) Unwrap() error { return e.Err }

// splitFrontMatter separates the front matter from the body. It returns the
// front matter's format ("yaml", "toml" or ""), its text, the body, and the
// 1-based line on which the front matter text starts.
func splitFrontMatter(src []byte) (format string, fm, body []byte, line int, err error) {
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	var fence string
	switch {
	case hasFenceLine(src, "---"):
		format, fence = "yaml", "---"
	case hasFenceLine(src, "+++"):
		format, fence = "toml", "+++"
	default:
		return "", nil, src, 0, nil
	}
	rest := src[len(fence):]
	rest = bytes.TrimPrefix(bytes.TrimPrefix(rest, []byte("\r")), []byte("\n"))
	for off := 0; off <= len(rest); {
		end := bytes.IndexByte(rest[off:], '\n')
		var ln []byte
		next := len(rest) + 1
		if end < 0 {
			ln = rest[off:]
		} else {
			ln = rest[off : off+end]
			next = off + end + 1
		}
		if string(bytes.TrimRight(ln, " \t\r")) == fence {
			body := []byte{}
			if next <= len(rest) {
				body = rest[next:]
			}
			return format, rest[:off], body, 2, nil
		}
		off = next
	}
	return format, nil, nil, 1, fmt.Errorf("front matter opened with %q is never closed", fence)
}

func hasFenceLine(src []byte, fence string) bool {
	if !bytes.HasPrefix(src, []byte(fence)) {
		return false
	}
	rest := src[len(fence):]
	if nl := bytes.IndexByte(rest, '\n'); nl >= 0 {
		rest = rest[:nl]
	}
	return len(bytes.TrimSpace(rest)) == 0
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// parseFrontMatter decodes front matter text into fields. Line numbers in the
// returned *SourceError are lines of the whole file.
func parseFrontMatter(file, format string, text []byte, firstLine int, outputs []string) (FrontMatter, error) {
	var fm FrontMatter
	raw := map[string]any{}
	switch format {
	case "":
		return fm, nil
	case "yaml":
		if fastYAML(text, raw) {
			break
		}
		if err := yaml.Unmarshal(text, &raw); err != nil {
			line := firstLine
			if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
				n, _ := strconv.Atoi(m[1])
				line = firstLine + n - 1
			}
			msg := strings.TrimPrefix(err.Error(), "yaml: ")
			msg = yamlLine.ReplaceAllString(msg, "")
			msg = strings.TrimLeft(strings.TrimPrefix(strings.TrimSpace(msg), ":"), " ")
			return fm, &SourceError{File: file, Line: line, Err: fmt.Errorf("front matter (YAML): %s", msg)}
		}
	case "toml":
		if err := toml.Unmarshal(text, &raw); err != nil {
			line := firstLine
			var de *toml.DecodeError
			if errors.As(err, &de) {
				row, _ := de.Position()
				line = firstLine + row - 1
			}
			return fm, &SourceError{File: file, Line: line, Err: fmt.Errorf("front matter (TOML): %v", err)}
		}
	}
	bad := func(key string, want string, v any) error {
		return &SourceError{File: file, Line: firstLine + keyLine(text, key), Err: fmt.Errorf("front matter key %q: want %s, got %v (%T)", key, want, v, v)}
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := raw[k]
		var ok bool
		switch strings.ToLower(k) {
		case "title":
			fm.Title, ok = v.(string)
			if !ok {
				return fm, bad(k, "a string", v)
			}
		case "summary", "description":
			fm.Summary, ok = v.(string)
			if !ok {
				return fm, bad(k, "a string", v)
			}
		case "slug":
			fm.Slug, ok = v.(string)
			if !ok || strings.ContainsAny(fm.Slug, "/\\\t\r\n") || fm.Slug == "." || fm.Slug == ".." {
				return fm, bad(k, "a name without slashes", v)
			}
		case "draft":
			fm.Draft, ok = v.(bool)
			if !ok {
				return fm, bad(k, "true or false", v)
			}
		case "weight":
			switch n := v.(type) {
			case int:
				fm.Weight = n
			case int64:
				fm.Weight = int(n)
			default:
				return fm, bad(k, "a whole number", v)
			}
		case "date":
			t, err := parseDate(v)
			if err != nil {
				return fm, bad(k, "a date like 2026-11-20 or 2026-11-20T15:04:05Z", v)
			}
			fm.Date = t
		case "tags":
			fm.Tags, ok = stringList(v)
			if !ok {
				return fm, bad(k, "a list of strings", v)
			}
		case "aliases":
			fm.Aliases, ok = stringList(v)
			if !ok {
				return fm, bad(k, "a list of paths", v)
			}
		case "outputs":
			fm.Outputs, ok = stringList(v)
			if !ok {
				return fm, bad(k, `a list like ["gemini", "gopher"]`, v)
			}
			for _, o := range fm.Outputs {
				if outputs != nil && !slices.Contains(outputs, o) {
					return fm, bad(k, "one of "+quoteAll(outputs), o)
				}
			}
		default:
			if fm.Params == nil {
				fm.Params = map[string]any{}
			}
			fm.Params[k] = v
		}
	}
	return fm, nil
}

// keyLine finds the 0-based line of key in front matter text, for messages.
func keyLine(text []byte, key string) int {
	for i, ln := range strings.Split(string(text), "\n") {
		t := strings.TrimSpace(ln)
		if strings.HasPrefix(t, key) {
			rest := strings.TrimSpace(t[len(key):])
			if strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "=") {
				return i
			}
		}
	}
	return 0
}

func stringList(v any) ([]string, bool) {
	switch l := v.(type) {
	case string:
		return []string{l}, true
	case []any:
		out := make([]string, 0, len(l))
		for _, e := range l {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
}

func parseDate(v any) (time.Time, error) {
	switch d := v.(type) {
	case time.Time:
		return d, nil
	case toml.LocalDate:
		return d.AsTime(time.UTC), nil
	case toml.LocalDateTime:
		return d.AsTime(time.UTC), nil
	case string:
		for _, l := range dateLayouts {
			if t, err := time.Parse(l, strings.TrimSpace(d)); err == nil {
				return t, nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("not a date: %v", v)
}

// quoteAll is names quoted and joined by "or": `"a", "b" or "c"`.
func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	if len(q) < 2 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}
