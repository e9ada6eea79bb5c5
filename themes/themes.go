// Package themes holds the themes built into gmkit. The default theme is
// embedded in the binary, so a site needs no theme files of its own; a site
// theme (themes/NAME/ in the site) replaces any of its templates file by
// file.
package themes

import (
	"embed"
	"io/fs"
)

//go:embed all:default
var files embed.FS

// Default is the default theme: a folder per output ("gemini", "gopher")
// holding that output's templates.
func Default() fs.FS {
	sub, err := fs.Sub(files, "default")
	if err != nil {
		// fs.Sub fails only on an invalid path, and "default" is valid.
		return files
	}
	return sub
}
