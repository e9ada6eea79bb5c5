package spartan

import (
	"strconv"
	"strings"
)

// Status is the one-digit status of a Spartan response.
type Status int

// The four Spartan statuses.
const (
	// StatusSuccess: meta is the body's MIME type.
	StatusSuccess Status = 2
	// StatusRedirect: meta is an absolute path on the same host.
	StatusRedirect Status = 3
	// StatusClientError: the request cannot be answered (not found, bad
	// request); meta is a message.
	StatusClientError Status = 4
	// StatusServerError: the server failed; meta is a message.
	StatusServerError Status = 5
)

// DefaultMIME is the type of a success sent with an empty meta.
const DefaultMIME = "text/gemini"

// Valid reports whether s is one of the four statuses.
func (s Status) Valid() bool { return s >= StatusSuccess && s <= StatusServerError }

// String returns the status's name ("success", "redirect", "client error",
// "server error"), or the number for an unknown status.
func (s Status) String() string {
	switch s {
	case StatusSuccess:
		return "success"
	case StatusRedirect:
		return "redirect"
	case StatusClientError:
		return "client error"
	case StatusServerError:
		return "server error"
	}
	return strconv.Itoa(int(s))
}

// statusLine normalizes status and meta as ResponseWriter.WriteHeader
// describes and returns the line to send, with its CRLF.
func statusLine(status Status, meta string) (Status, string, string) {
	if !status.Valid() {
		status, meta = StatusServerError, "Invalid response status"
	}
	meta = asciiMeta(meta)
	if meta == "" {
		switch status {
		case StatusSuccess:
			meta = DefaultMIME
		case StatusRedirect:
			status, meta = StatusServerError, "Redirect without a path"
		case StatusClientError:
			meta = "Bad request"
		case StatusServerError:
			meta = "Server error"
		}
	}
	return status, meta, strconv.Itoa(int(status)) + " " + meta + "\r\n"
}

// maxMeta bounds the meta of a status line, in bytes.
const maxMeta = 1024

// asciiMeta cuts meta at its first CR or LF, shortens it to maxMeta bytes
// and replaces every character outside printable ASCII (TAB aside) with
// '?': a status line is ASCII.
func asciiMeta(meta string) string {
	if i := strings.IndexAny(meta, "\r\n"); i >= 0 {
		meta = meta[:i]
	}
	if len(meta) > maxMeta {
		meta = meta[:maxMeta]
	}
	return strings.Map(func(r rune) rune {
		if (r < 0x20 && r != '\t') || r >= 0x7f {
			return '?'
		}
		return r
	}, meta)
}
