package gopher

import (
	"fmt"
	"strings"

	"github.com/gmkit/gmkit/build/gophermap"
)

// Mode selects what a page becomes in the Gopher hole.
type Mode int

const (
	// ModeMenu renders a page as a gophermap: its text as info lines, and
	// each block's links as real, selectable items right after the block.
	// This is the default.
	ModeMenu Mode = iota
	// ModeText renders a page as plain text (item type 0) with a numbered
	// references list at the end.
	ModeText
)

// String returns "menu" or "text".
func (m Mode) String() string {
	switch m {
	case ModeMenu:
		return "menu"
	case ModeText:
		return "text"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ParseMode parses "menu" or "text" (case-insensitive, surrounding spaces
// ignored). The empty string is ModeMenu.
func ParseMode(s string) (Mode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "menu":
		return ModeMenu, nil
	case "text":
		return ModeText, nil
	}
	return ModeMenu, fmt.Errorf("gopher: unknown mode %q (want \"menu\" or \"text\")", s)
}

// HeadingStyle is how headings stand out in plain text.
type HeadingStyle int

const (
	// HeadingUnderline underlines a heading: "=" under level 1, "-" under
	// the others. This is the default.
	HeadingUnderline HeadingStyle = iota
	// HeadingUpper writes a heading in upper case.
	HeadingUpper
)

// String returns "underline" or "upper".
func (h HeadingStyle) String() string {
	switch h {
	case HeadingUnderline:
		return "underline"
	case HeadingUpper:
		return "upper"
	}
	return fmt.Sprintf("HeadingStyle(%d)", int(h))
}

// ParseHeadingStyle parses "underline" or "upper" (case-insensitive; also
// "uppercase" and "upper-case"). The empty string is HeadingUnderline.
func ParseHeadingStyle(s string) (HeadingStyle, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "underline":
		return HeadingUnderline, nil
	case "upper", "uppercase", "upper-case":
		return HeadingUpper, nil
	}
	return HeadingUnderline, fmt.Errorf("gopher: unknown heading style %q (want \"underline\" or \"upper\")", s)
}

// Target is an internal link target: an item type and a selector on this
// server (the renderer adds the configured host and port).
type Target struct {
	Type     gophermap.Type
	Selector string
}

// LinkResolver maps a link or image destination, with backslash escapes and
// character references resolved and otherwise as written in the Markdown
// ("other.md#part", "/img/a.png", "https://example.org/"), to an internal
// target. ok=false means "not internal": the renderer then maps the URL
// itself (see WithLinkResolver).
type LinkResolver func(dest string) (t Target, ok bool)

// DefaultWidth is the column at which text wraps unless WithWidth says
// otherwise.
const DefaultWidth = 70

// MinWidth is the narrowest wrapping width; smaller widths are raised to it.
const MinWidth = 20

// config is the renderer's configuration; its zero value is not used,
// defaults come from newConfig.
type config struct {
	mode      Mode
	width     int
	host      string
	port      int
	resolveFn LinkResolver
	headings  HeadingStyle
}

func newConfig(opts []Option) config {
	c := config{mode: ModeMenu, width: DefaultWidth, host: "localhost", port: 70}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}

// Option configures a renderer made by New or NewNodeRenderer.
type Option func(*config)

// WithMode selects menu (the default) or text output.
func WithMode(m Mode) Option {
	return func(c *config) {
		if m == ModeMenu || m == ModeText {
			c.mode = m
		}
	}
}

// WithWidth sets the wrapping width in display columns (default 70; 67 is
// safer for 80-column clients). Zero or less keeps the default; widths below
// MinWidth are raised to MinWidth.
func WithWidth(n int) Option {
	return func(c *config) {
		switch {
		case n <= 0:
			c.width = DefaultWidth
		case n < MinWidth:
			c.width = MinWidth
		default:
			c.width = n
		}
	}
}

// WithHost sets the public host name and port written into every generated
// menu line and into the gopher:// URLs of text-mode references (default
// "localhost", 70). They may differ from where the server listens. An empty
// host or a port outside 1..65535 keeps the previous value.
func WithHost(host string, port int) Option {
	return func(c *config) {
		if h := strings.Map(dropTabCRLF, host); h != "" {
			c.host = h
		}
		if port > 0 && port <= 65535 {
			c.port = port
		}
	}
}

// WithLinkResolver sets the function that recognises internal targets.
// For a destination it does not claim (or with no resolver), the renderer
// maps the URL itself:
//   - gopher://host[:port]/Tselector becomes an item of type T on that host
//     and port ("gopher://host" and "gopher://host/" are its root menu);
//   - any other URL with a scheme (https, gemini, mailto, ...) becomes an
//     'h' item with selector "URL:<url>" on this server;
//   - a path without a scheme becomes a selector on this server, typed by
//     TypeForPath, fragment dropped;
//   - a fragment alone ("#part") points inside the page and gets no item.
func WithLinkResolver(f LinkResolver) Option {
	return func(c *config) { c.resolveFn = f }
}

// WithHeadingStyle selects underlined (default) or upper-case headings.
func WithHeadingStyle(h HeadingStyle) Option {
	return func(c *config) {
		if h == HeadingUnderline || h == HeadingUpper {
			c.headings = h
		}
	}
}

func dropTabCRLF(r rune) rune {
	if r == '\t' || r == '\r' || r == '\n' {
		return -1
	}
	return r
}
