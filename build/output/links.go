package output

import "strings"

// Query is the query part of a link destination ("?q=1" of "/x?q=1#f"),
// or "". A "?" in the fragment starts no query.
func Query(dest string) string {
	if i := strings.IndexByte(dest, '#'); i >= 0 {
		dest = dest[:i]
	}
	if i := strings.IndexByte(dest, '?'); i >= 0 {
		q := dest[i:]
		if j := strings.IndexByte(q, '#'); j >= 0 {
			q = q[:j]
		}
		return q
	}
	return ""
}

// HasScheme reports whether s starts with a URL scheme ("gemini:").
func HasScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			return i > 0
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return false
}

// FolderFile is the file, relative to an output's folder, that serves an
// address: a folder's ("/posts/") is its index file ("posts/index.gmi"),
// any other address is its own file without the leading slash.
func FolderFile(url, index string) string {
	if strings.HasSuffix(url, "/") {
		return strings.TrimPrefix(url, "/") + index
	}
	return strings.TrimPrefix(url, "/")
}
