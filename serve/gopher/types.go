package gopher

import (
	"path"
	"strings"
)

// typeForPath returns the item type for a file name by its extension, for
// generated listings and for deciding whether a file is sent as text (CRLF)
// or raw. Unknown extensions are binary (9); names without an extension
// (README, LICENSE) are text.
//
// This is the server's private copy of the mapping build/gopher.TypeForPath
// will provide; it moves there once that lands.
func typeForPath(name string) byte {
	ext := strings.ToLower(path.Ext(path.Base(name)))
	switch ext {
	case "":
		return TypeText
	case ".txt", ".text", ".md", ".markdown", ".gmi", ".gemini", ".csv", ".tsv",
		".log", ".conf", ".ini", ".toml", ".yaml", ".yml", ".json", ".xml",
		".atom", ".rss", ".asc", ".diff", ".patch", ".go", ".c", ".h", ".py",
		".sh", ".rs", ".js", ".css":
		return TypeText
	case ".gif":
		return TypeGIF
	case ".png", ".jpg", ".jpeg", ".webp", ".bmp", ".svg", ".ico", ".tif", ".tiff", ".avif":
		return TypeImage
	case ".mp3", ".ogg", ".oga", ".opus", ".wav", ".flac", ".m4a":
		return TypeSound
	case ".pdf", ".ps", ".epub", ".doc", ".docx", ".odt", ".rtf":
		return TypeDoc
	case ".html", ".htm", ".xhtml":
		return TypeHTML
	}
	return TypeBinary
}
