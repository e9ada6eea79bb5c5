package gopher

import "github.com/gmkit/gmkit/build/gophermap"

// typeForPath returns the item type of a regular file by its name
// (gophermap.TypeForPath, the mapping the renderer uses), for generated
// listings and for deciding whether a file is sent as text (CRLF) or raw.
// A file whose name has no extension (README, LICENSE, a gophermap asked
// for by name) is text: the menu type TypeForPath gives such names is for
// directories.
func typeForPath(name string) gophermap.Type {
	t := gophermap.TypeForPath(name)
	if t == gophermap.TypeMenu {
		return gophermap.TypeText
	}
	return t
}
