// Package gopher turns gmkit's Markdown into Gopher output; the gophermap
// line type it writes is build/gophermap's Item.
//
// The renderer (New, NodeRenderer) reads a goldmark AST parsed by
// build/markdown and writes either a gophermap (ModeMenu: the page's text as
// info lines, each block's links as selectable items right after the block)
// or plain text (ModeText: item type 0, with a numbered references list at
// the end). Both wrap at a width in display columns (CJK and emoji count
// two), with hanging indents for list items, quotes and footnotes; code
// blocks and tables are never reflowed. Output uses LF line endings; the
// server converts to CRLF and ends menus with ".".
//
// Menu lines are complete: "T display TAB selector TAB host TAB port". Info
// lines carry an empty selector and the configured public host and port:
// "i<text>\t\t<host>\t<port>" (see build/gophermap, which also lints whole
// maps).
package gopher
