package gophermap

// The line-reader implementation of Lint from before LintBytes, kept as the
// reference that LintBytes and Lint are compared with (tests, fuzzing) and
// as the baseline of BenchmarkLint.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// refLint is the old Lint: bufio lines, strings.Split fields.
func refLint(r io.Reader, strict bool) []Problem {
	var probs []Problem
	add := func(line int, format string, args ...any) {
		probs = append(probs, Problem{Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		line, err := br.ReadString('\n')
		if line == "" && err != nil {
			if !errors.Is(err, io.EOF) {
				add(n, "read error: %v", err)
			}
			return probs
		}
		terminated := strings.HasSuffix(line, "\n")
		line = strings.TrimSuffix(line, "\n")
		if strict {
			if !terminated {
				add(n, "last line does not end in LF")
			}
			refLintStrict(n, line, add)
		} else {
			line = strings.TrimSuffix(line, "\r")
			if line == "." {
				return probs
			}
			refLintLenient(n, line, add)
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				add(n, "read error: %v", err)
			}
			return probs
		}
	}
}

type refAddFunc func(line int, format string, args ...any)

func refLintStrict(n int, line string, add refAddFunc) {
	if line == "" {
		add(n, "empty line (an empty info line is \"i\\t\\thost\\tport\")")
		return
	}
	if !KnownType(Type(line[0])) {
		add(n, "unknown item type %q", line[0])
	}
	f := strings.Split(line, "\t")
	if len(f) != 4 {
		add(n, "%d TAB-separated fields, want 4 (type+display, selector, host, port)", len(f))
		return
	}
	refLintFields(n, f, add)
	if !utf8.ValidString(line) {
		add(n, "invalid UTF-8")
	}
	if line[0] != 'i' && line[0] != '3' && f[2] == "" {
		add(n, "empty host in a %q item", line[0])
	}
}

// lintFields checks what is common to both modes for a line with TABs.
func refLintFields(n int, f []string, add refAddFunc) {
	display := ""
	if f[0] != "" {
		display = f[0][1:]
	}
	for i := 0; i < len(display); i++ {
		if c := display[i]; c < 0x20 || c == 0x7f {
			add(n, "control character %q in the display string", c)
			break
		}
	}
	if len(f) > 1 && len(f[1]) > MaxSelector {
		add(n, "selector is %d bytes, more than %d", len(f[1]), MaxSelector)
	}
	if len(f) > 3 {
		if _, err := parsePort(f[3]); err != nil {
			add(n, "%v", err)
		}
	}
}

func refLintLenient(n int, line string, add refAddFunc) {
	if line == "" || line[0] == '#' {
		return
	}
	if !strings.Contains(line, "\t") {
		if refLooksLikeLostTabs(line) {
			add(n, "no TAB: shown as an info line, but it looks like a %q link whose TABs became spaces", line[0])
		}
		return
	}
	switch {
	case line[0] == '\t':
		add(n, "no item type before the first TAB")
	case !KnownType(Type(line[0])):
		add(n, "unknown item type %q", line[0])
	}
	f := strings.Split(line, "\t")
	switch {
	case len(f) == 5 && (f[4] == "+" || f[4] == "?" || f[4] == "$"):
		f = f[:4] // Gopher+ marker
	case len(f) > 4:
		add(n, "%d TAB-separated fields, want at most 4 (a TAB in the display string?)", len(f))
		f = f[:4]
	}
	if len(f) > 3 && f[3] == "" {
		f = f[:3] // an empty port means the server's own
	}
	refLintFields(n, f, add)
}

// looksLikeLostTabs reports whether a line without TAB reads as a link line
// typed with spaces: a link type, display text, then a selector-looking word
// (a path, a URL: selector or a URL), optionally followed by a host and a
// port and nothing else.
func refLooksLikeLostTabs(line string) bool {
	if !linkType(line[0]) {
		return false
	}
	words := strings.Fields(line[1:])
	for j := len(words) - 1; j >= 1 && j >= len(words)-3; j-- {
		w := words[j]
		if !strings.HasPrefix(w, "/") && !strings.HasPrefix(w, "URL:") && !strings.Contains(w, "://") {
			continue
		}
		rest := words[j+1:]
		if len(rest) >= 1 && !strings.Contains(rest[0], ".") && rest[0] != "localhost" {
			return false
		}
		if len(rest) == 2 {
			if _, err := parsePort(rest[1]); err != nil {
				return false
			}
		}
		return true
	}
	return false
}
