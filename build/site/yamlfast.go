package site

import (
	"bytes"
	"strings"
	"time"
	"unicode/utf8"
)

// Most front matter is a handful of "key: value" lines: a quoted title, a
// date, a list of tags. yaml.v3 spends more time on those than goldmark
// spends parsing the body that follows, so they are read here instead, and
// anything beyond the plainest YAML goes to yaml.v3. The fast path must
// give exactly what yaml.Unmarshal gives into a map[string]any;
// FuzzFastYAML holds it to that.

// fastYAML decodes text into raw when text is made only of top-level
// "key: value" lines whose values are plain words, simple quoted strings,
// dates, or flow lists of those. It reports false, leaving raw untouched,
// for anything else.
func fastYAML(text []byte, raw map[string]any) bool {
	type kv struct {
		k string
		v any
	}
	var buf [16]kv
	kvs := buf[:0]
	for len(text) > 0 {
		var line []byte
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			line, text = text, nil
		}
		if len(line) == 0 {
			continue
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 || !yamlKey(line[:colon]) || yamlSpecial(line[:colon]) || colon+1 >= len(line) || line[colon+1] != ' ' {
			return false
		}
		v, ok := yamlValue(trimSpaces(line[colon+1:]))
		if !ok {
			return false
		}
		k := string(line[:colon])
		for _, e := range kvs {
			if e.k == k {
				return false // yaml.v3 refuses a repeated key
			}
		}
		kvs = append(kvs, kv{k, v})
	}
	if len(kvs) == 0 {
		return false
	}
	for _, e := range kvs {
		raw[e.k] = e.v
	}
	return true
}

func trimSpaces(b []byte) []byte {
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return b
}

// yamlKey reports whether k is a plain ASCII word: a letter, then letters,
// digits, '_' or '-', and not long (YAML allows an implicit key 1024
// characters at most).
func yamlKey(k []byte) bool {
	if len(k) > 256 || !isASCIILetter(k[0]) {
		return false
	}
	for _, c := range k[1:] {
		if !isASCIILetter(c) && !isDigit(c) && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool       { return c >= '0' && c <= '9' }

// yamlValue decodes one value: a flow list, or a scalar.
func yamlValue(v []byte) (any, bool) {
	if len(v) == 0 {
		return nil, false
	}
	if v[0] != '[' {
		return yamlScalar(v, false)
	}
	if v[len(v)-1] != ']' {
		return nil, false
	}
	inner := trimSpaces(v[1 : len(v)-1])
	list := []any{}
	if len(inner) == 0 {
		return list, true
	}
	for len(inner) > 0 {
		var item []byte
		if i := bytes.IndexByte(inner, ','); i >= 0 {
			item, inner = trimSpaces(inner[:i]), inner[i+1:]
			if len(trimSpaces(inner)) == 0 {
				return nil, false // a trailing comma
			}
		} else {
			item, inner = trimSpaces(inner), nil
		}
		s, ok := yamlScalar(item, true)
		if !ok {
			return nil, false
		}
		list = append(list, s)
	}
	return list, true
}

// yamlScalar decodes a double- or single-quoted string without escapes, a
// date, or a plain word that YAML reads as a string. inList is set inside a
// flow list, where more characters are special.
func yamlScalar(v []byte, inList bool) (any, bool) {
	if len(v) == 0 {
		return nil, false
	}
	switch v[0] {
	case '"', '\'':
		if len(v) < 2 || v[len(v)-1] != v[0] {
			return nil, false
		}
		s := v[1 : len(v)-1]
		if bytes.IndexByte(s, v[0]) >= 0 || bytes.IndexByte(s, '\\') >= 0 || !quotedSafe(s) {
			return nil, false
		}
		return string(s), true
	}
	if t, ok := yamlDate(v); ok {
		return t, true
	}
	if !isASCIILetter(v[0]) {
		return nil, false // numbers, indicators, tags, anchors...
	}
	for i, c := range v {
		switch {
		case isASCIILetter(c) || isDigit(c):
		case c == ' ' || c == '-' || c == '_' || c == '.' || c == '/':
			if c == ' ' && i+1 < len(v) && v[i+1] == ' ' {
				return nil, false
			}
		case !inList && (c == '(' || c == ')' || c == '!' || c == '?' || c == '+' || c == '=' || c == ','):
		default:
			return nil, false // ':', '#', quotes, brackets, non-ASCII...
		}
	}
	if yamlSpecial(v) {
		return nil, false
	}
	return string(v), true
}

// yamlSpecial reports whether a plain word means a boolean or null in YAML
// 1.1 or 1.2 (whatever the case).
func yamlSpecial(w []byte) bool {
	if len(w) > 5 {
		return false
	}
	switch strings.ToLower(string(w)) {
	case "true", "false", "null", "yes", "no", "on", "off", "y", "n":
		return true
	}
	return false
}

// quotedSafe reports whether s, the inside of a quoted string, is valid
// UTF-8 with no control characters and none of the characters YAML treats
// as line breaks or byte-order marks.
func quotedSafe(s []byte) bool {
	for len(s) > 0 {
		c := s[0]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return false
			}
			s = s[1:]
			continue
		}
		r, n := utf8.DecodeRune(s)
		if r == utf8.RuneError || r < 0xa0 || r == 0x2028 || r == 0x2029 || r == 0xfeff || (r >= 0xd800 && r <= 0xdfff) || r == 0xfffe || r == 0xffff {
			return false
		}
		s = s[n:]
	}
	return true
}

// yamlDate reads YYYY-MM-DD and YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM) as
// yaml.v3 does (time.Parse with its layouts), and nothing looser.
func yamlDate(v []byte) (time.Time, bool) {
	digits := func(b []byte) bool {
		for _, c := range b {
			if !isDigit(c) {
				return false
			}
		}
		return true
	}
	if len(v) < 10 || !digits(v[0:4]) || v[4] != '-' || !digits(v[5:7]) || v[7] != '-' || !digits(v[8:10]) {
		return time.Time{}, false
	}
	if len(v) == 10 {
		t, err := time.Parse("2006-1-2", string(v))
		return t, err == nil
	}
	// 2006-01-02T15:04:05Z is 20 bytes; every byte after the T is a
	// digit, ':', '.', 'Z', '+' or '-'.
	if len(v) < 20 || v[10] != 'T' {
		return time.Time{}, false
	}
	for _, c := range v[11:] {
		if !isDigit(c) && c != ':' && c != '.' && c != 'Z' && c != '+' && c != '-' {
			return time.Time{}, false
		}
	}
	t, err := time.Parse("2006-1-2T15:4:5.999999999Z07:00", string(v))
	return t, err == nil
}
