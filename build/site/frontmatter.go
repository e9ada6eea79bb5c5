package site

import (
	"bytes"
	"errors"
	"fmt"
	"math"
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
	// IgnoredOutputs are the values of `outputs` that name no output of
	// this build, such as Hugo's "html" or "rss"; they are left out of
	// Outputs, and Load reports each value once.
	IgnoredOutputs []string
	Weight         int
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
		if v == nil {
			// "description:" with no value leaves the key unset, as
			// Hugo, Jekyll and Zola read it.
			continue
		}
		var ok bool
		switch strings.ToLower(k) {
		case "title":
			fm.Title, ok = scalarString(v)
			if !ok {
				return fm, bad(k, "a string", v)
			}
		case "summary", "description":
			fm.Summary, ok = scalarString(v)
			if !ok {
				return fm, bad(k, "a string", v)
			}
		case "slug":
			fm.Slug, ok = scalarString(v)
			if !ok || strings.ContainsAny(fm.Slug, "/\\\t\r\n") || fm.Slug == "." || fm.Slug == ".." {
				return fm, bad(k, "a name without slashes", v)
			}
		case "draft":
			fm.Draft, ok = boolValue(v)
			if !ok {
				return fm, bad(k, "true or false", v)
			}
		case "weight":
			fm.Weight, ok = intValue(v)
			if !ok {
				return fm, bad(k, "a whole number", v)
			}
		case "date":
			t, err := parseDate(v)
			if err != nil {
				return fm, bad(k, "a date like 2026-11-20 or 2026-11-20T15:04:05Z", v)
			}
			fm.Date = t
		case "tags":
			fm.Tags, ok = termList(v)
			if !ok {
				return fm, bad(k, "a list of strings", v)
			}
		case "categories", "keywords":
			terms, ok := termList(v)
			if !ok {
				return fm, bad(k, "a list of strings", v)
			}
			if fm.Params == nil {
				fm.Params = map[string]any{}
			}
			list := make([]any, len(terms))
			for i, t := range terms {
				list[i] = t
			}
			fm.Params[k] = list
		case "aliases", "redirect_from": // Hugo's, Jekyll's
			list, ok := stringList(v)
			if !ok {
				return fm, bad(k, "a list of paths", v)
			}
			fm.Aliases = append(fm.Aliases, list...)
		case "outputs":
			names, ok := stringList(v)
			if !ok {
				return fm, bad(k, `a list like ["gemini", "gopher"]`, v)
			}
			fm.Outputs, fm.IgnoredOutputs = outputNames(names, outputs)
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

// stringList reads a list of scalars, or one scalar as a list of one.
func stringList(v any) ([]string, bool) {
	if l, ok := v.([]any); ok {
		out := make([]string, 0, len(l))
		for _, e := range l {
			s, ok := scalarString(e)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	s, ok := scalarString(v)
	if !ok {
		return nil, false
	}
	return []string{s}, true
}

// termList reads tags, categories or keywords: a list, or one string that
// is split on commas when it has any, else on white space (Jekyll's rule).
// Empty terms are dropped.
func termList(v any) ([]string, bool) {
	s, isString := v.(string)
	if !isString {
		l, ok := stringList(v)
		if !ok {
			return nil, false
		}
		out := l[:0]
		for _, t := range l {
			if t = strings.TrimSpace(t); t != "" {
				out = append(out, t)
			}
		}
		return out, true
	}
	var parts []string
	if strings.Contains(s, ",") {
		parts = strings.Split(s, ",")
	} else {
		parts = strings.Fields(s)
	}
	out := make([]string, 0, len(parts))
	for _, t := range parts {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out, true
}

// scalarString is a scalar as text: `title: 1984` is the title "1984".
// Lists, maps and nulls are not scalars.
func scalarString(v any) (string, bool) {
	switch s := v.(type) {
	case string:
		return s, true
	case bool:
		return strconv.FormatBool(s), true
	case int:
		return strconv.Itoa(s), true
	case int64:
		return strconv.FormatInt(s, 10), true
	case uint64:
		return strconv.FormatUint(s, 10), true
	case float64:
		return strconv.FormatFloat(s, 'f', -1, 64), true
	case time.Time:
		if s.Hour() == 0 && s.Minute() == 0 && s.Second() == 0 && s.Nanosecond() == 0 {
			return s.Format("2006-01-02"), true
		}
		return s.Format(time.RFC3339Nano), true
	case toml.LocalDate:
		return s.String(), true
	case toml.LocalDateTime:
		return s.String(), true
	case toml.LocalTime:
		return s.String(), true
	}
	return "", false
}

// boolValue reads true or false, also when written as a string
// (`draft: "true"`) or as YAML 1.1's yes/no and on/off.
func boolValue(v any) (bool, bool) {
	switch b := v.(type) {
	case bool:
		return b, true
	case string:
		switch strings.ToLower(strings.TrimSpace(b)) {
		case "true", "yes", "y", "on":
			return true, true
		case "false", "no", "n", "off":
			return false, true
		}
	}
	return false, false
}

// intValue reads a whole number, also when written as a string
// (`weight: "10"`) or as a float with no fraction (`weight: 10.0`).
func intValue(v any) (int, bool) {
	const maxInt = int64(^uint(0) >> 1)
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		if n > maxInt || n < -maxInt-1 {
			return 0, false
		}
		return int(n), true
	case uint64:
		if n > uint64(maxInt) {
			return 0, false
		}
		return int(n), true
	case float64:
		if n != math.Trunc(n) || n > float64(maxInt) || n < float64(-maxInt-1) {
			return 0, false
		}
		return int(n), true
	case string:
		i, err := strconv.Atoi(strings.TrimSpace(n))
		return i, err == nil
	}
	return 0, false
}

// dateLayouts are the layouts Hugo, Jekyll and Zola document for dates
// written as strings, tried in order.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999 Z07:00",
	"2006-01-02 15:04:05.999999999 -0700",
	"2006-01-02 15:04:05.999999999 -0700 MST",
	"2006-01-02 15:04:05.999999999 MST",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04 -0700",
	"2006-01-02 15:04 Z07:00",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006-1-2",
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05 MST",
	time.RFC822Z,
	time.RFC822,
	time.RFC850,
	time.ANSIC,
	time.UnixDate,
	time.RubyDate,
	"January 2, 2006",
	"Jan 2, 2006",
	"2 January 2006",
	"02 Jan 2006",
}

// parseDate reads a date: a YAML or TOML date, or a string in one of
// dateLayouts. A date without a zone is UTC.
func parseDate(v any) (time.Time, error) {
	switch d := v.(type) {
	case time.Time:
		return d, nil
	case toml.LocalDate:
		return d.AsTime(time.UTC), nil
	case toml.LocalDateTime:
		return d.AsTime(time.UTC), nil
	case string:
		d = strings.TrimSpace(d)
		for _, l := range dateLayouts {
			if t, err := time.Parse(l, d); err == nil {
				return t, nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("not a date: %v", v)
}

// outputNames reads the values of `outputs` as other generators write
// them too: in any case, "gemtext" for gemini. Values that name no output
// of known (nil allows any) are returned apart, as ignored; when nothing
// is left, the page goes to every output, as with no `outputs` at all.
func outputNames(names, known []string) (use, ignored []string) {
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		if n == "gemtext" {
			n = "gemini"
		}
		switch {
		case n == "":
		case known == nil || slices.Contains(known, n):
			if !slices.Contains(use, n) {
				use = append(use, n)
			}
		case !slices.Contains(ignored, n):
			ignored = append(ignored, n)
		}
	}
	return use, ignored
}
