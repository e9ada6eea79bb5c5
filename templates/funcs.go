package templates

import (
	"fmt"
	"reflect"
	"strings"
	"text/template"
	"time"

	"github.com/mattn/go-runewidth"
)

// Funcs returns the functions every template can call:
//
//	date T              T as 2006-01-02 ("" for the zero time)
//	dateFormat LAYOUT T T in a Go time layout
//	upper S, lower S, trim S
//	join SEP LIST       a list of strings joined
//	default DEF V       V, or DEF when V is empty
//	limit N LIST        the first N elements of LIST
//	truncate N S        S cut to N display columns at a word, with "…"
//	pad N S             S padded with spaces to N display columns
//	repeat N S          S repeated N times
//	width S             display width of S (CJK and emoji count double)
//
// Every function is pure: its result depends on its arguments alone (no
// clock, no files), as Set.Freeze requires of these and of any function a
// caller adds with Load.
func Funcs() template.FuncMap {
	return template.FuncMap{
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.Format("2006-01-02")
		},
		"dateFormat": func(layout string, t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.Format(layout)
		},
		"upper": strings.ToUpper,
		"lower": strings.ToLower,
		"trim":  strings.TrimSpace,
		"join": func(sep string, list []string) string {
			return strings.Join(list, sep)
		},
		"default": func(def, v any) any {
			if v == nil {
				return def
			}
			rv := reflect.ValueOf(v)
			if rv.IsZero() || ((rv.Kind() == reflect.Slice || rv.Kind() == reflect.Map) && rv.Len() == 0) {
				return def
			}
			return v
		},
		"limit": func(n int, list any) (any, error) {
			rv := reflect.ValueOf(list)
			if rv.Kind() != reflect.Slice {
				return nil, fmt.Errorf("limit: want a list, got %T", list)
			}
			if n < 0 || n >= rv.Len() {
				return list, nil
			}
			return rv.Slice(0, n).Interface(), nil
		},
		"truncate": Truncate,
		"pad": func(n int, s string) string {
			return runewidth.FillRight(s, n)
		},
		"repeat": func(n int, s string) string {
			if n <= 0 {
				return ""
			}
			return strings.Repeat(s, n)
		},
		"width": runewidth.StringWidth,
	}
}

// Truncate cuts s to at most n display columns, at a word boundary when there
// is one, ending with "…" when it cut anything.
func Truncate(n int, s string) string {
	if runewidth.StringWidth(s) <= n {
		return s
	}
	if n <= 1 {
		return "…"
	}
	cut := runewidth.Truncate(s, n-1, "")
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.") + "…"
}
