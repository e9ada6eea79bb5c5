package gopher

import gophermap "github.com/gmkit/gmkit/build/gopher"

// typeForPath returns the item type of a regular file by its name
// (build/gopher.TypeForPath, the mapping the renderer uses), for generated
// listings and for deciding whether a file is sent as text (CRLF) or raw.
// A file whose name has no extension (README, LICENSE, a gophermap asked
// for by name) is text: the menu type TypeForPath gives such names is for
// directories.
func typeForPath(name string) byte {
	t := gophermap.TypeForPath(name)
	if t == TypeMenu {
		return TypeText
	}
	return t
}
