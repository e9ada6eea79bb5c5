package site

import (
	"bytes"
	"encoding/json"
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
	Title string
	Date  time.Time
	Draft bool
	// Tags are the page's terms of the taxonomy "tags".
	Tags []string
	// Terms are the page's terms of every other taxonomy, by its name
	// ("categories" -> ["news"]); see Page.Terms.
	Terms   map[string][]string
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
	// PublishDate is when the page is published (`publishDate`, or Hugo's
	// other names for it: `pubdate`, `publishdate`, `published` given a
	// date); zero means its Date. A page whose publication date is in the
	// future is left out unless the build includes future pages.
	PublishDate time.Time
	// ExpiryDate is when the page stops being published (`expiryDate` or
	// `unpublishdate`); zero means never. An expired page is left out
	// unless the build includes expired pages.
	ExpiryDate time.Time
	// Headless leaves the page unwritten and unlisted (`headless: true`,
	// or Hugo's `_build`/`build` map with `render: never`).
	Headless bool
	// Unlisted publishes the page but keeps it out of every list: its
	// section's, the site's, the taxonomies' and the feeds' (Hugo's
	// `_build`/`build` map with `list: never`). ListLocal keeps it in its
	// section's list only (`list: local`).
	Unlisted, ListLocal bool
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
// front matter's format ("yaml", "toml", "json" or ""), its text, the body,
// and the 1-based line on which the front matter text starts.
func splitFrontMatter(src []byte) (format string, fm, body []byte, line int, err error) {
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	var fence string
	switch {
	case hasFenceLine(src, "---"):
		format, fence = "yaml", "---"
	case hasFenceLine(src, "+++"):
		format, fence = "toml", "+++"
	case isJSONObject(src):
		return splitJSON(src)
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

// isJSONObject reports whether src starts (after white space) with a JSON
// object: "{" followed by a quoted key or "}". Hugo reads any file starting
// with "{" as JSON front matter; a body that starts with a template tag
// ("{{< toc >}}", "{% include x %}") is not taken for one here.
func isJSONObject(src []byte) bool {
	src = bytes.TrimLeft(src, " \t\r\n")
	if len(src) == 0 || src[0] != '{' {
		return false
	}
	rest := bytes.TrimLeft(src[1:], " \t\r\n")
	return len(rest) > 0 && (rest[0] == '"' || rest[0] == '}')
}

// splitJSON separates JSON front matter, one object at the start of src,
// from the body that follows it, as Hugo does: the object ends at its
// closing brace, and the rest of that line, if blank, is not body.
func splitJSON(src []byte) (format string, fm, body []byte, line int, err error) {
	start := len(src) - len(bytes.TrimLeft(src, " \t\r\n"))
	line = 1 + bytes.Count(src[:start], []byte("\n"))
	end, err := jsonObjectEnd(src[start:])
	if err != nil {
		return "json", nil, nil, line, err
	}
	fm, rest := src[start:start+end], src[start+end:]
	if nl := bytes.IndexByte(rest, '\n'); nl >= 0 && len(bytes.TrimSpace(rest[:nl])) == 0 {
		rest = rest[nl+1:]
	} else if len(bytes.TrimSpace(rest)) == 0 {
		rest = rest[len(rest):]
	}
	return "json", fm, rest, line, nil
}

// jsonObjectEnd finds the end of the JSON object src starts with: the
// offset just past its closing brace. Braces in strings do not count.
func jsonObjectEnd(src []byte) (int, error) {
	depth := 0
	inString := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth == 0 {
				return i + 1, nil
			}
		}
	}
	return 0, errors.New("front matter (JSON): the object opened with \"{\" is never closed")
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
func parseFrontMatter(file, format string, text []byte, firstLine int, outputs []string, taxonomies []Taxonomy) (FrontMatter, error) {
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
	case "json":
		if err := decodeJSON(text, raw); err != nil {
			// The offset is just past the byte that was wrong.
			var off int64
			var se *json.SyntaxError
			var te *json.UnmarshalTypeError
			switch {
			case errors.As(err, &se):
				off = se.Offset - 1
			case errors.As(err, &te):
				off = te.Offset - 1
			}
			off = max(0, min(off, int64(len(text))))
			line := firstLine + bytes.Count(text[:off], []byte("\n"))
			return fm, &SourceError{File: file, Line: line, Err: fmt.Errorf("front matter (JSON): %s", strings.TrimPrefix(err.Error(), "json: "))}
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
	pub := map[string]time.Time{} // publication dates by key, see below
	unpublished := false
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
		lower := strings.ToLower(k)
		if lower != "tags" && isTaxonomy(taxonomies, lower) {
			terms, ok := termList(v)
			if !ok {
				return fm, bad(k, "a list of strings", v)
			}
			if fm.Terms == nil {
				fm.Terms = map[string][]string{}
			}
			fm.Terms[lower] = terms
		}
		switch lower {
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
				return fm, bad(k, wantDate, v)
			}
			fm.Date = t
		case "publishdate", "pubdate":
			t, err := parseDate(v)
			if err != nil {
				return fm, bad(k, wantDate, v)
			}
			pub[k] = t
		case "published":
			// Jekyll's `published: false` keeps a page out as a draft
			// does; Hugo reads a date here as the publication date.
			if b, ok := boolValue(v); ok {
				unpublished = !b
				break
			}
			t, err := parseDate(v)
			if err != nil {
				return fm, bad(k, "true, false or a date", v)
			}
			pub[k] = t
		case "expirydate", "unpublishdate":
			t, err := parseDate(v)
			if err != nil {
				return fm, bad(k, wantDate, v)
			}
			if fm.ExpiryDate.IsZero() || strings.ToLower(k) == "expirydate" {
				fm.ExpiryDate = t
			}
		case "headless":
			fm.Headless, ok = boolValue(v)
			if !ok {
				return fm, bad(k, "true or false", v)
			}
		case "_build", "build":
			if err := fm.buildOptions(v); err != nil {
				return fm, &SourceError{File: file, Line: firstLine + keyLine(text, k), Err: fmt.Errorf("front matter key %q: %w", k, err)}
			}
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
	// Hugo's order: publishDate, then pubdate, then published.
	for _, k := range []string{"publishdate", "pubdate", "published"} {
		for key, t := range pub {
			if strings.ToLower(key) == k && fm.PublishDate.IsZero() {
				fm.PublishDate = t
			}
		}
	}
	if fm.Date.IsZero() {
		fm.Date = fm.PublishDate // Hugo's date falls back to it too
	}
	if unpublished {
		fm.Draft = true
	}
	return fm, nil
}

// wantDate is what a date key wants, for messages.
const wantDate = "a date like 2026-11-20 or 2026-11-20T15:04:05Z"

// buildOptions reads Hugo's build options (`_build` or `build`): `render`
// (always, never, link; or true/false), `list` (always, never, local; or
// true/false) and `publishResources`, which is ignored (a headless
// bundle's files are left out with it, a published bundle's published).
func (fm *FrontMatter) buildOptions(v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("want a table like {render: never, list: never}, got %v (%T)", v, v)
	}
	for k, val := range m {
		if val == nil {
			continue
		}
		word, isWord := scalarString(val)
		if b, isBool := val.(bool); isBool {
			word = map[bool]string{true: "always", false: "never"}[b]
		}
		word = strings.ToLower(strings.TrimSpace(word))
		switch strings.ToLower(k) {
		case "render":
			switch {
			case isWord && (word == "always" || word == "true"):
			case isWord && (word == "never" || word == "false" || word == "link"):
				// "link" gives Hugo's page an address it does not
				// write; a text capsule has no use for an address
				// with nothing behind it.
				fm.Headless = true
			default:
				return fmt.Errorf("render: want always, never or link, got %v", val)
			}
		case "list":
			switch {
			case isWord && (word == "always" || word == "true"):
			case isWord && (word == "never" || word == "false"):
				fm.Unlisted = true
			case isWord && word == "local":
				fm.ListLocal = true
			default:
				return fmt.Errorf("list: want always, never or local, got %v", val)
			}
		case "publishresources":
			if _, ok := boolValue(val); !ok {
				return fmt.Errorf("publishResources: want true or false, got %v", val)
			}
		}
	}
	return nil
}

// keyLine finds the 0-based line of key in front matter text, for messages:
// a line starting with the key (YAML, TOML) or holding it quoted (JSON).
func keyLine(text []byte, key string) int {
	quoted := `"` + key + `"`
	for i, ln := range strings.Split(string(text), "\n") {
		t := strings.TrimSpace(ln)
		if strings.HasPrefix(t, key) {
			rest := strings.TrimSpace(t[len(key):])
			if strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "=") {
				return i
			}
		}
		if j := strings.Index(t, quoted); j >= 0 && strings.HasPrefix(strings.TrimSpace(t[j+len(quoted):]), ":") {
			return i
		}
	}
	return 0
}

// decodeJSON decodes a JSON object into raw, numbers as YAML and TOML give
// them: whole numbers as int64 (or uint64), others as float64.
func decodeJSON(text []byte, raw map[string]any) error {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return err
	}
	for k, v := range obj {
		raw[k] = jsonNumbers(v)
	}
	return nil
}

// jsonNumbers replaces the json.Numbers in v (and in the lists and objects
// it holds) with numbers.
func jsonNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return i
		}
		if u, err := strconv.ParseUint(string(x), 10, 64); err == nil {
			return u
		}
		f, _ := strconv.ParseFloat(string(x), 64) // out of range: ±Inf
		return f
	case []any:
		for i, e := range x {
			x[i] = jsonNumbers(e)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = jsonNumbers(e)
		}
	}
	return v
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
