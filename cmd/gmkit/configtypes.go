package main

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gmkit/gmkit/build/site"
)

// valueType is the type of a config key: the accepted form in words (for
// errors and docs/config.md) and a parser that turns a value as it came
// (text from a flag or a GMKIT_* variable, or a decoded TOML/YAML value) into
// the one value gmkit uses, or says why it can't.
type valueType struct {
	form  string
	parse func(v any) (any, error)
	// list means that, written as text (a flag or a GMKIT_* variable), the
	// value is items separated by commas.
	list bool
}

// errForm means "not of the accepted form"; the caller prints the form.
var errForm = errors.New("not of the accepted form")

// boolWords is how a boolean reads everywhere: in the file, in a GMKIT_*
// variable and after a flag, in any case.
var boolWords = map[string]bool{
	"true": true, "yes": true, "on": true, "1": true,
	"false": false, "no": false, "off": false, "0": false,
}

// parseBool reads a boolean written as text.
func parseBool(s string) (bool, bool) {
	b, ok := boolWords[strings.ToLower(strings.TrimSpace(s))]
	return b, ok
}

var tBool = valueType{
	form: "true or false (yes/no, on/off and 1/0 also work)",
	parse: func(v any) (any, error) {
		switch v := v.(type) {
		case bool:
			return v, nil
		case string:
			if b, ok := parseBool(v); ok {
				return b, nil
			}
		case int64:
			if v == 0 || v == 1 {
				return v == 1, nil
			}
		case int:
			if v == 0 || v == 1 {
				return v == 1, nil
			}
		}
		return nil, errForm
	},
}

// tInt is a whole number from lo to hi.
func tInt(lo, hi int) valueType {
	form := fmt.Sprintf("a whole number from %d to %d", lo, hi)
	if hi == math.MaxInt32 {
		form = fmt.Sprintf("a whole number, at least %d", lo)
	}
	return valueType{form: form, parse: func(v any) (any, error) {
		var n int64
		switch v := v.(type) {
		case int64:
			n = v
		case int:
			n = int64(v)
		case uint64:
			if v > math.MaxInt64 {
				return nil, errForm
			}
			n = int64(v)
		case string:
			var err error
			if n, err = strconv.ParseInt(strings.TrimSpace(v), 10, 64); err != nil {
				return nil, errForm
			}
		default:
			return nil, errForm
		}
		if n < int64(lo) || n > int64(hi) {
			return nil, errForm
		}
		return int(n), nil
	}}
}

// tRate is a number of requests per second, 0 for no limit.
var tRate = valueType{
	form: "a number of requests per second, 0 or more (0: no limit)",
	parse: func(v any) (any, error) {
		var f float64
		switch v := v.(type) {
		case float64:
			f = v
		case int64:
			f = float64(v)
		case int:
			f = float64(v)
		case string:
			var err error
			if f, err = strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil {
				return nil, errForm
			}
		default:
			return nil, errForm
		}
		if f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, errForm
		}
		return f, nil
	},
}

// tDuration is a Go duration; zero is allowed only when zeroOK.
func tDuration(zeroOK bool) valueType {
	form := "a duration like 10s, 1m30s or 500ms, more than 0"
	if zeroOK {
		form = "a duration like 50ms or 1s, 0 or more"
	}
	return valueType{form: form, parse: func(v any) (any, error) {
		s, ok := v.(string)
		if !ok {
			return nil, errForm
		}
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil || d < 0 || d == 0 && !zeroOK {
			return nil, errForm
		}
		return d.String(), nil
	}}
}

// tEnum is one of a few words.
func tEnum(words ...string) valueType {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = "`" + w + "`"
	}
	form := "one of " + strings.Join(quoted, ", ")
	return valueType{form: form, parse: func(v any) (any, error) {
		s, ok := v.(string)
		if !ok {
			return nil, errForm
		}
		s = strings.ToLower(strings.TrimSpace(s))
		for _, w := range words {
			if s == w {
				return s, nil
			}
		}
		return nil, errForm
	}}
}

// hasControl reports whether s holds a control character (a newline, a
// tab, NUL...) or is not UTF-8.
func hasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return true
		}
	}
	return false
}

// tText is one line of text.
var tText = valueType{
	form: "a string on one line",
	parse: func(v any) (any, error) {
		s, ok := v.(string)
		if !ok || hasControl(s) {
			return nil, errForm
		}
		return s, nil
	},
}

// tLang is a language tag or nothing.
var tLang = valueType{
	form: "a language tag like `en` or `pt-BR`, or empty",
	parse: func(v any) (any, error) {
		s, ok := v.(string)
		if !ok {
			return nil, errForm
		}
		if s == "" {
			return s, nil
		}
		for i, part := range strings.Split(s, "-") {
			if len(part) < 1 || len(part) > 8 || i == 0 && len(part) < 2 {
				return nil, errForm
			}
			for _, r := range part {
				if r > unicode.MaxASCII || !unicode.IsLetter(r) && !unicode.IsDigit(r) {
					return nil, errForm
				}
			}
		}
		return s, nil
	},
}

// tPath is a file or folder path; relative paths are relative to the site.
// With optional, empty means "none".
func tPath(optional bool) valueType {
	form := "a path (relative to the site folder, or absolute)"
	if optional {
		form += ", or empty for none"
	}
	return valueType{form: form, parse: func(v any) (any, error) {
		s, ok := v.(string)
		if !ok || hasControl(s) || s == "" && !optional {
			return nil, errForm
		}
		return s, nil
	}}
}

// tOutput is the output folder: a path that is not the site folder itself.
var tOutput = valueType{
	form: "a folder path other than the site folder itself",
	parse: func(v any) (any, error) {
		s, ok := v.(string)
		if !ok || hasControl(s) || s == "" || filepath.Clean(s) == "." {
			return nil, errForm
		}
		return s, nil
	},
}

// tName is one folder name, no slashes.
var tName = valueType{
	form: "a folder name (no slashes)",
	parse: func(v any) (any, error) {
		s, ok := v.(string)
		if !ok || s == "" || s == "." || s == ".." || hasControl(s) || strings.ContainsAny(s, `/\`) {
			return nil, errForm
		}
		return s, nil
	},
}

// validHost reports whether s is a DNS host name (ASCII labels of letters,
// digits and '-', not starting or ending with '-') or an IP address.
func validHost(s string) bool {
	if net.ParseIP(s) != nil {
		return true
	}
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

const hostForm = "a host name like example.org (ASCII letters, digits, '-' and '.'; write an international name in its xn-- form) or an IP address"

// tHost is a host name; with optional, empty means "the default".
func tHost(optional bool) valueType {
	form := hostForm
	if optional {
		form += ", or empty"
	}
	return valueType{form: form, parse: func(v any) (any, error) {
		s, ok := v.(string)
		if !ok || !(validHost(s) || optional && s == "") {
			return nil, errForm
		}
		return s, nil
	}}
}

// tAddr is a listen address; with optional, empty means "off".
func tAddr(optional bool) valueType {
	form := "an address like :1965, 127.0.0.1:1965 or [::1]:1965 (port 0: any free port)"
	if optional {
		form += ", or empty for off"
	}
	return valueType{form: form, parse: func(v any) (any, error) {
		s, ok := v.(string)
		if !ok {
			return nil, errForm
		}
		if s == "" && optional {
			return s, nil
		}
		host, port, err := net.SplitHostPort(s)
		if err != nil || host != "" && !validHost(host) {
			return nil, errForm
		}
		if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			return nil, errForm
		}
		return s, nil
	}}
}

// tList is a list of elem, described as what (plural) with an example. In
// the file it is a list (`["a", "b"]`); in a flag or a GMKIT_* variable,
// the items separated by commas.
func tList(elem valueType, what, example string) valueType {
	return valueType{
		list: true,
		form: fmt.Sprintf("a list of %s like %s (in a GMKIT_* variable: separated by commas)", what, example),
		parse: func(v any) (any, error) {
			var items []any
			switch v := v.(type) {
			case []any:
				items = v
			case []string:
				for _, s := range v {
					items = append(items, s)
				}
			default:
				return nil, errForm
			}
			out := make([]string, 0, len(items))
			for _, it := range items {
				got, err := elem.parse(it)
				if err != nil {
					return nil, fmt.Errorf("item %s: want %s", show(it), elem.form)
				}
				out = append(out, got.(string))
			}
			return out, nil
		},
	}
}

// tPrefix is a URL path prefix.
var tPrefix = valueType{
	form: "a path starting with / like \"/private/\"",
	parse: func(v any) (any, error) {
		s, ok := v.(string)
		if !ok || !strings.HasPrefix(s, "/") || hasControl(s) {
			return nil, errForm
		}
		return s, nil
	},
}

// tFingerprint is the SHA-256 fingerprint of a certificate.
var tFingerprint = valueType{
	form: "a SHA-256 fingerprint: 64 hex digits, colons and a SHA256: prefix allowed",
	parse: func(v any) (any, error) {
		s, ok := v.(string)
		if !ok {
			return nil, errForm
		}
		h := strings.ReplaceAll(s, ":", "")
		for _, p := range []string{"SHA256", "sha256"} {
			h = strings.TrimPrefix(h, p)
		}
		if len(h) != 64 {
			return nil, errForm
		}
		for i := 0; i < len(h); i++ {
			if !strings.ContainsRune("0123456789abcdefABCDEF", rune(h[i])) {
				return nil, errForm
			}
		}
		return s, nil
	},
}

// tParams is the free-form [params] table.
var tParams = valueType{
	form: "a table of values for templates (in GMKIT_PARAMS: key=value pairs separated by commas)",
	parse: func(v any) (any, error) {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, errForm
		}
		return m, nil
	},
}

// tPermalinks is the [permalinks] table: a pattern per section folder.
var tPermalinks = valueType{
	form: "a table of address patterns by section folder, like posts = \"/:year/:month/:slug/\"; only in the config file",
	parse: func(v any) (any, error) {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, errForm
		}
		for k, x := range m {
			s, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf("%s = %s: want a pattern such as \"/:year/:month/:slug/\"", k, show(x))
			}
			if err := site.CheckPermalink(s); err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
		}
		return m, nil
	},
}

// tTaxonomies is the [taxonomies] table: singular = plural names, each a
// lower-case name that can be a folder of every output. From a variable:
// "tag=tags,category=categories".
var tTaxonomies = valueType{
	form: `a table of singular = plural names, like { tag = "tags", category = "categories" } (in GMKIT_TAXONOMIES: "tag=tags,category=categories")`,
	parse: func(v any) (any, error) {
		m, ok := v.(map[string]any)
		if s, isText := v.(string); isText {
			m, ok = map[string]any{}, true
			for _, pair := range strings.Split(s, ",") {
				if strings.TrimSpace(pair) == "" {
					continue
				}
				one, many, found := strings.Cut(pair, "=")
				if !found {
					return nil, errForm
				}
				m[strings.TrimSpace(one)] = strings.TrimSpace(many)
			}
		}
		if !ok {
			return nil, errForm
		}
		plurals := map[string]string{}
		for one, x := range m {
			many, ok := x.(string)
			if !ok || !taxonomyName(one) || !taxonomyName(many) {
				return nil, fmt.Errorf("%s = %s: want lower-case names of letters, digits, - and _, like tag = \"tags\"", one, show(x))
			}
			if other, dup := plurals[many]; dup {
				return nil, fmt.Errorf("%s and %s both name %q", min(one, other), max(one, other), many)
			}
			plurals[many] = one
		}
		return m, nil
	},
}

// taxonomyName reports whether s can name a taxonomy: lower-case
// letters, digits, - and _, not starting with - or _.
func taxonomyName(s string) bool {
	if s == "" || s[0] == '-' || s[0] == '_' {
		return false
	}
	for _, r := range s {
		if !(unicode.IsLower(r) || unicode.IsDigit(r) || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// tRedirects is the [[redirects]] list.
var tRedirects = valueType{
	form: "a list of tables with `from` (a path starting with /), `to` (a path or an absolute URL) and an optional `permanent` (true or false); only in the config file",
	parse: func(v any) (any, error) {
		list, ok := v.([]any)
		if !ok {
			return nil, errForm
		}
		for i, e := range list {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("entry %d is %s, not a table", i+1, show(e))
			}
			for k, x := range m {
				switch k {
				case "from", "to":
					s, ok := x.(string)
					if !ok || hasControl(s) || !strings.HasPrefix(s, "/") && (k == "from" || !strings.Contains(s, "://")) {
						return nil, fmt.Errorf("entry %d: %s = %s: want a path starting with /%s", i+1, k, show(x), map[bool]string{true: " or an absolute URL"}[k == "to"])
					}
				case "permanent":
					b, err := tBool.parse(x)
					if err != nil {
						return nil, fmt.Errorf("entry %d: permanent = %s: want %s", i+1, show(x), tBool.form)
					}
					m[k] = b
				default:
					return nil, fmt.Errorf("entry %d: unknown key %s (want from, to, permanent)", i+1, k)
				}
			}
			for _, k := range []string{"from", "to"} {
				if _, ok := m[k]; !ok {
					return nil, fmt.Errorf("entry %d has no %s", i+1, k)
				}
			}
		}
		return list, nil
	},
}

// show prints a value as the user wrote it, near enough.
func show(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = show(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		return "{…}"
	}
	return fmt.Sprint(v)
}

// tNetSource is an IP address or a CIDR range.
var tNetSource = valueType{
	form: "an IP address or a CIDR range like 10.0.0.0/8",
	parse: func(v any) (any, error) {
		s, ok := v.(string)
		if !ok {
			return nil, errForm
		}
		if _, err := netip.ParsePrefix(s); err == nil {
			return s, nil
		}
		if _, err := netip.ParseAddr(s); err == nil {
			return s, nil
		}
		return nil, errForm
	},
}
