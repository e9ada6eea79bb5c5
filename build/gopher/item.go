package gopher

import "github.com/gmkit/gmkit/build/gophermap"

// Item is one gophermap line, the unit the renderer writes. The line type,
// its item types, parsing and linting live in build/gophermap, which the
// Gopher server imports too.
type Item = gophermap.Item

// hexDigits writes a selector's TAB, CR and LF as %XX.
const hexDigits = "0123456789ABCDEF"
