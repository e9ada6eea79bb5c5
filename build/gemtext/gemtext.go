// Package gemtext renders a Markdown AST parsed by goldmark as gemtext, the
// line-oriented text format of the Gemini protocol.
//
// Gemtext has six line types (text, "=>" links, "#" headings, "* " list
// items, "> " quotes and ``` preformatted blocks), no inline markup and one
// link per line. The renderer maps every Markdown construct that CommonMark,
// the GitHub extensions (tables, strikethrough, task lists, autolinks) and
// footnotes can produce onto those lines:
//
//   - headings keep their level; levels 4 to 6 become "###";
//   - a paragraph becomes one line (soft breaks joined with a space, hard
//     breaks start a new line);
//   - link labels stay in the text and "=> URL label" lines are printed
//     according to the [LinkMode]; a paragraph or list item made only of
//     links becomes just its link lines;
//   - images become "=> src alt" lines; an image inside a link gives the
//     link its label;
//   - list items become "* item" lines, ordered items "* 1. item", task
//     items "* [x] item"; nested levels carry a marker per level;
//   - quotes prefix every line with "> ";
//   - code blocks become preformatted blocks with the info string as alt
//     text; tables are drawn with box characters in a preformatted block
//     with alt text "table", columns aligned by display width;
//   - emphasis, strong, strikethrough and code span markers are stripped,
//     raw HTML blocks are dropped (build/markdown puts their meaning
//     before them in an mdnode.TextOnly node, rendered like any block),
//     inline tags print nothing but <br>, entities are decoded;
//   - footnote references become "[1]" and the notes are printed at the end;
//   - thematic breaks become a line of "-" (see [WithThematicBreak]).
//
// The output always satisfies [Check]: valid UTF-8, LF line endings, no
// trailing white space, at most one blank line in a row outside
// preformatted blocks, exactly one final newline (or no output at all),
// every preformatted block closed, and no TAB or CR in headings or link
// labels.
//
// The renderer is safe for concurrent use: every call to Render keeps its
// own state, so one renderer can render many documents in parallel (the
// link rewriter, if any, must then be safe for concurrent use as well).
package gemtext

import (
	"fmt"
	"strings"

	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// LinkMode says where the "=>" lines for inline links and images go.
type LinkMode int

const (
	// LinkParagraph keeps the label in the text and prints the link lines
	// right after the top-level block (paragraph, whole list, whole quote,
	// table) that holds the links. This is the default.
	LinkParagraph LinkMode = iota
	// LinkAtEnd keeps the label in the text and prints every link line at
	// the end of the page, once per distinct address and label.
	LinkAtEnd
	// LinkCopy keeps the label in the text and prints each link line right
	// after the innermost paragraph, list item text, heading or table that
	// holds the link, so links stay next to their text even inside lists.
	LinkCopy
	// LinkOff keeps the labels in the text and prints no link lines for
	// inline links and images at all.
	LinkOff
)

// linkModeNames lists the configuration names, indexed by LinkMode.
const linkModeNames = "paragraph at-end copy off"

// name returns the configuration name of m, or "" for an unknown mode.
func (m LinkMode) name() string {
	names := strings.Fields(linkModeNames)
	if m < 0 || int(m) >= len(names) {
		return ""
	}
	return names[m]
}

// String returns the configuration name of m: "paragraph", "at-end",
// "copy" or "off".
func (m LinkMode) String() string {
	if n := m.name(); n != "" {
		return n
	}
	return fmt.Sprintf("LinkMode(%d)", int(m))
}

// ParseLinkMode maps a configuration string ("paragraph", "at-end", "copy",
// "off"; case-insensitive, surrounding spaces ignored) to its LinkMode. The
// empty string means the default, LinkParagraph.
func ParseLinkMode(s string) (LinkMode, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if v == "" {
		return LinkParagraph, nil
	}
	for m, name := range strings.Fields(linkModeNames) {
		if v == name {
			return LinkMode(m), nil
		}
	}
	return LinkParagraph, fmt.Errorf("gemtext: unknown link mode %q (want paragraph, at-end, copy or off)", s)
}

// MarshalText implements encoding.TextMarshaler with the names that
// ParseLinkMode reads.
func (m LinkMode) MarshalText() ([]byte, error) {
	n := m.name()
	if n == "" {
		return nil, fmt.Errorf("gemtext: invalid link mode %d", int(m))
	}
	return []byte(n), nil
}

// UnmarshalText implements encoding.TextUnmarshaler using ParseLinkMode, so
// a LinkMode can sit directly in a configuration struct.
func (m *LinkMode) UnmarshalText(b []byte) error {
	v, err := ParseLinkMode(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// DefaultThematicBreak is the line a thematic break ("***", "---") becomes
// unless WithThematicBreak says otherwise.
const DefaultThematicBreak = "---"

// DefaultNestedListMarker is what each nesting level below the first adds
// after the "* " of a list item unless WithNestedListMarker says otherwise.
const DefaultNestedListMarker = "◦"

type config struct {
	linkMode       LinkMode
	rewrite        func(dest string) string
	keepMarkers    bool
	keepHTML       bool
	orderedNumbers bool
	thematicBreak  string
	nestedMarker   string
	asciiTables    bool
}

func newConfig(opts []Option) *config {
	c := &config{
		linkMode:       LinkParagraph,
		orderedNumbers: true,
		thematicBreak:  DefaultThematicBreak,
		nestedMarker:   DefaultNestedListMarker,
	}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	c.thematicBreak = oneLine(c.thematicBreak)
	c.nestedMarker = oneLine(c.nestedMarker)
	return c
}

// oneLine turns an option string into something that fits on one output
// line: white space runs (including line breaks and tabs) become one space
// and surrounding spaces go.
func oneLine(s string) string {
	return string(collapseSpace(nil, []byte(s)))
}

// An Option configures a renderer made by New or NewNodeRenderer.
type Option func(*config)

// WithLinkMode sets where link lines go; the default is LinkParagraph.
// An unknown mode is treated as LinkParagraph.
func WithLinkMode(m LinkMode) Option {
	return func(c *config) {
		if m.name() == "" {
			m = LinkParagraph
		}
		c.linkMode = m
	}
}

// WithLinkRewriter sets the function that maps a link or image destination
// (backslash escapes and entities already resolved, otherwise exactly as
// written, e.g. "other.md#x") to the address printed on the "=>" line. A
// nil function prints destinations as written. Returning "" drops the link
// line (the label stays in the text). White space and control characters
// in the result are percent-encoded. The function is called from every
// Render call, so it must be safe for concurrent use when documents are
// rendered in parallel.
func WithLinkRewriter(f func(dest string) string) Option {
	return func(c *config) { c.rewrite = f }
}

// WithKeepMarkers keeps the Markdown markers of emphasis (*a*), strong
// (**a**), strikethrough (~~a~~) and code spans (`a`) in the text instead of
// stripping them. Link labels on "=>" lines are always plain.
func WithKeepMarkers(keep bool) Option {
	return func(c *config) { c.keepMarkers = keep }
}

// WithKeepHTML keeps raw HTML blocks as preformatted blocks with alt text
// "html" instead of dropping them (and skips the mdnode.TextOnly nodes
// that say what they mean). Inline HTML is always dropped (a <br>
// tag still breaks the line).
func WithKeepHTML(keep bool) Option {
	return func(c *config) { c.keepHTML = keep }
}

// WithOrderedNumbers says whether ordered list items keep their numbers
// ("* 1. item", the default) or become plain items ("* item").
func WithOrderedNumbers(keep bool) Option {
	return func(c *config) { c.orderedNumbers = keep }
}

// WithThematicBreak sets the text line a thematic break becomes (default
// DefaultThematicBreak); "" makes it a blank line. The same line separates
// the footnotes from the body. Line breaks in s become spaces.
func WithThematicBreak(s string) Option {
	return func(c *config) { c.thematicBreak = s }
}

// WithNestedListMarker sets what each nesting level below the first adds to
// a list item after its "* " (default DefaultNestedListMarker, so a second
// level item reads "* ◦ item" and a third "* ◦ ◦ item"). Gemtext has no
// nested lists; "" flattens them.
func WithNestedListMarker(s string) Option {
	return func(c *config) { c.nestedMarker = s }
}

// WithASCIITables draws tables with +, - and | instead of box-drawing
// characters, for clients whose fonts lack them.
func WithASCIITables(ascii bool) Option {
	return func(c *config) { c.asciiTables = ascii }
}

// New returns a goldmark renderer that writes gemtext:
//
//	md := goldmark.New(
//		goldmark.WithExtensions(extension.GFM, extension.Footnote),
//		goldmark.WithRenderer(gemtext.New()),
//	)
//
// It is safe for concurrent Render calls.
func New(opts ...Option) renderer.Renderer {
	return renderer.NewRenderer(renderer.WithNodeRenderers(util.Prioritized(NewNodeRenderer(opts...), 1000)))
}
