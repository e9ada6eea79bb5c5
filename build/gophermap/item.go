// Package gophermap is the gophermap line: the Item type, the item types,
// parsing a line (ParseItem), writing one (Item.AppendTo, Item.String),
// choosing a type by file name (TypeForPath) and linting whole maps (Lint,
// LintBytes). The Gopher renderer (build/gopher) writes Items and the Gopher
// server (serve/gopher) reads and completes them; both import this package
// and nothing of each other.
//
// Menu lines are complete: "T display TAB selector TAB host TAB port". Info
// lines carry an empty selector and the public host and port:
// "i<text>\t\t<host>\t<port>". Lint checks whole maps, strictly for
// generated ones and leniently for hand-written ones in the gophernicus
// style.
package gophermap

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// MaxSelector is the longest selector, in bytes, that a menu line may carry.
const MaxSelector = 255

// Type is an item type: the first byte of a menu line, and what a Gopher
// server answers with (its status, as the log shows it).
type Type byte

// String returns the type as one character.
func (t Type) String() string { return string(rune(t)) }

// Item types: RFC 1436 plus the common extensions (i, h, I, g, s, d).
const (
	TypeText   Type = '0'
	TypeMenu   Type = '1'
	TypeError  Type = '3'
	TypeSearch Type = '7'
	TypeBinary Type = '9'
	TypeGIF    Type = 'g'
	TypeImage  Type = 'I'
	TypeSound  Type = 's'
	TypeDoc    Type = 'd'
	TypeHTML   Type = 'h'
	TypeInfo   Type = 'i'
)

// Item is one line of a gophermap: an item type, the display string shown to
// the reader, and where the item points (selector, host, port).
//
// Info lines (type 'i') follow one convention everywhere in gmkit: an empty
// selector and the server's own public host and port, as in
// "i<text>\t\t<host>\t<port>". Clients ignore those fields for info lines;
// keeping them real makes every line complete for clients that parse all four.
type Item struct {
	Type     Type
	Display  string
	Selector string
	Host     string
	Port     int
}

// Info returns an info line (type 'i') showing text. TAB, CR and LF in text
// become spaces. Selector, Host and Port are left empty; set Host and Port to
// the public address before writing the line into a menu (the renderer does).
func Info(text string) Item {
	return Item{Type: 'i', Display: cleanDisplay(text)}
}

// AppendTo appends the line "T display TAB selector TAB host TAB port" to b,
// without a line ending, and returns the extended slice. The stored form of
// a menu is complete lines each followed by LF; the server converts them to
// CRLF and adds the closing ".".
//
// A line is always four fields: TAB, CR and LF in the display string become
// spaces, in the selector they are written as %09, %0D and %0A, and in the
// host they are dropped.
func (it Item) AppendTo(b []byte) []byte {
	typ := it.Type
	if typ < 0x21 || typ > 0x7e {
		typ = '3'
	}
	b = append(b, byte(typ))
	b = appendClean(b, it.Display, func(b []byte, c byte) []byte { return append(b, ' ') })
	b = append(b, '\t')
	b = appendClean(b, it.Selector, func(b []byte, c byte) []byte {
		return append(b, '%', hexDigits[c>>4], hexDigits[c&0xf])
	})
	b = append(b, '\t')
	b = appendClean(b, it.Host, func(b []byte, c byte) []byte { return b })
	b = append(b, '\t')
	return strconv.AppendInt(b, int64(it.Port), 10)
}

// String returns the line AppendTo writes, in one allocation.
func (it Item) String() string {
	var b strings.Builder
	n := len(it.Display) + len(it.Selector) + len(it.Host) + 9
	for i := 0; i < len(it.Selector); i++ {
		if c := it.Selector[i]; c == '\t' || c == '\r' || c == '\n' {
			n += 2 // written as %XX
		}
	}
	b.Grow(n)
	typ := it.Type
	if typ < 0x21 || typ > 0x7e {
		typ = '3'
	}
	b.WriteByte(byte(typ))
	for i := 0; i < len(it.Display); i++ {
		switch c := it.Display[i]; c {
		case '\t', '\r', '\n':
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\t')
	for i := 0; i < len(it.Selector); i++ {
		switch c := it.Selector[i]; c {
		case '\t', '\r', '\n':
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\t')
	for i := 0; i < len(it.Host); i++ {
		if c := it.Host[i]; c != '\t' && c != '\r' && c != '\n' {
			b.WriteByte(c)
		}
	}
	b.WriteByte('\t')
	var port [20]byte
	b.Write(strconv.AppendInt(port[:0], int64(it.Port), 10))
	return b.String()
}

const hexDigits = "0123456789ABCDEF"

// appendClean appends s to b, passing TAB, CR and LF to repl.
func appendClean(b []byte, s string, repl func([]byte, byte) []byte) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\t', '\r', '\n':
			b = repl(b, c)
		default:
			b = append(b, c)
		}
	}
	return b
}

// cleanDisplay replaces TAB, CR and LF with spaces.
func cleanDisplay(s string) string {
	if !strings.ContainsAny(s, "\t\r\n") {
		return s
	}
	return string(appendClean(nil, s, func(b []byte, c byte) []byte { return append(b, ' ') }))
}

// ErrBadItem is wrapped by every error ParseItem returns.
var ErrBadItem = errors.New("gopher: malformed menu line")

// ParseItem parses one menu line "T display TAB selector TAB host TAB port".
// A trailing LF or CRLF is ignored. It fails (wrapping ErrBadItem) when the
// line is empty or holds CR or LF before its end, the type is not a
// printable ASCII character, the line does
// not have exactly four TAB-separated fields, or the port is not a number in
// 0..65535. It does not judge whether the type is a known one; Lint does.
func ParseItem(line string) (Item, error) {
	line = strings.TrimSuffix(line, "\n")
	line = strings.TrimSuffix(line, "\r")
	if line == "" {
		return Item{}, fmt.Errorf("%w: empty line", ErrBadItem)
	}
	if strings.ContainsAny(line, "\r\n") {
		return Item{}, fmt.Errorf("%w: CR or LF inside the line", ErrBadItem)
	}
	if c := line[0]; c < 0x21 || c > 0x7e {
		return Item{}, fmt.Errorf("%w: item type %q is not a printable character", ErrBadItem, c)
	}
	f := strings.Split(line, "\t")
	if len(f) != 4 {
		return Item{}, fmt.Errorf("%w: %d TAB-separated fields, want 4", ErrBadItem, len(f))
	}
	port, err := parsePort(f[3])
	if err != nil {
		return Item{}, fmt.Errorf("%w: %w", ErrBadItem, err)
	}
	return Item{Type: Type(f[0][0]), Display: f[0][1:], Selector: f[1], Host: f[2], Port: port}, nil
}

// parsePort parses a decimal port number in 0..65535.
func parsePort(s string) (int, error) {
	if s == "" || len(s) > 5 {
		return 0, fmt.Errorf("port %q is not a number in 0..65535", s)
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("port %q is not a number in 0..65535", s)
		}
		n = n*10 + int(c-'0')
	}
	if n > 65535 {
		return 0, fmt.Errorf("port %q is not a number in 0..65535", s)
	}
	return n, nil
}

// KnownType reports whether t is an item type gmkit accepts in a menu: the
// RFC 1436 types, the widespread additions (i info, h HTML, s sound,
// d document, p PNG, P PDF, r RTF, x XML, c calendar, M MIME) and the
// Gopher+ media types (: image, ; video, < sound).
func KnownType(t Type) bool {
	return t < 0x80 && strings.IndexByte("0123456789+TgIihsdpPrxcM:;<", byte(t)) >= 0
}

// linkTypes are the types that point somewhere; a line starting with one of
// them and no TAB is suspicious in a hand-written map.
func linkType(c byte) bool {
	return c != 'i' && c != '3' && KnownType(Type(c))
}

// TypeForPath returns the item type for a file or directory name by its
// extension: '1' for a directory or menu (a name ending in "/", a name with
// no extension, or "gophermap"), '0' for text, 'g' for GIF, 'I' for other
// images, 's' for sound, 'd' for documents (PDF, office, EPUB), 'h' for HTML
// and '9' for everything else. A query ("?...") or fragment ("#...") is
// ignored. Matching is case-insensitive.
func TypeForPath(name string) Type {
	if i := strings.IndexAny(name, "?#"); i >= 0 {
		name = name[:i]
	}
	if name == "" || strings.HasSuffix(name, "/") {
		return '1'
	}
	base := path.Base(name)
	if strings.EqualFold(base, "gophermap") {
		return '1'
	}
	ext := strings.ToLower(path.Ext(base))
	if ext == "" || ext == base {
		return '1'
	}
	switch ext {
	case ".txt", ".text", ".md", ".markdown", ".gmi", ".gemini", ".asc", ".csv", ".tsv",
		".json", ".xml", ".atom", ".rss", ".toml", ".yaml", ".yml", ".ini", ".conf", ".log",
		".go", ".c", ".h", ".py", ".sh", ".rs", ".js", ".css", ".diff", ".patch", ".org",
		".rst", ".tex", ".srt", ".vtt", ".sig":
		return '0'
	case ".gif":
		return 'g'
	case ".png", ".jpg", ".jpeg", ".webp", ".bmp", ".svg", ".ico", ".tif", ".tiff", ".avif", ".heic":
		return 'I'
	case ".mp3", ".ogg", ".oga", ".opus", ".wav", ".flac", ".m4a", ".aac", ".mid", ".midi":
		return 's'
	case ".pdf", ".ps", ".doc", ".docx", ".odt", ".rtf", ".epub", ".djvu":
		return 'd'
	case ".html", ".htm", ".xhtml":
		return 'h'
	}
	return '9'
}
