package guppy

import (
	"bytes"
	"errors"
	"strconv"
	"unicode/utf8"
)

// Protocol limits.
const (
	// MinSeq is the smallest sequence number of a success packet.
	MinSeq = 6
	// MaxSeq is the largest sequence number any packet may carry.
	MaxSeq = 2147483647
	// MaxRequestSize is the largest request datagram, URL and CRLF included.
	MaxRequestSize = 2048
	// MaxDatagram is the largest datagram this package sends: it stays under
	// the smallest IPv6 MTU (1280) minus the IPv6 and UDP headers.
	MaxDatagram = 1232
	// maxSeqHeader is the length of the longest continuation header,
	// "2147483647\r\n".
	maxSeqHeader = 12
)

// Kind says what a packet is.
type Kind uint8

// Packet kinds. Requests and acks come from clients; the rest from servers.
const (
	KindInvalid      Kind = iota
	KindRequest           // "<url>\r\n"
	KindAck               // "<seq>\r\n" from a client
	KindSuccess           // "<seq> <mime>\r\n<data>"
	KindContinuation      // "<seq>\r\n<data>", data not empty
	KindEOF               // "<seq>\r\n", no data
	KindInput             // "1 <prompt>\r\n"
	KindRedirect          // "3 <url>\r\n"
	KindError             // "4 <message>\r\n"
)

var kindNames = [...]string{"invalid", "request", "ack", "success", "continuation", "eof", "input", "redirect", "error"}

// String returns the kind's name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// A Packet is one parsed Guppy datagram.
type Packet struct {
	Kind Kind
	// Seq is the sequence number of an ack, success, continuation or EOF.
	Seq uint32
	// Meta is the URL of a request, the MIME type of a success packet, the
	// prompt of an input packet, the URL of a redirect or the message of an
	// error.
	Meta string
	// Data is the payload of a success or continuation packet. Parsing
	// makes it alias the parsed bytes.
	Data []byte
}

// Parse errors. ErrTooLarge reports an oversized request; every other parse
// error wraps ErrMalformed.
var (
	ErrMalformed = errors.New("guppy: malformed packet")
	ErrTooLarge  = errors.New("guppy: request over 2048 bytes")
)

var crlf = []byte("\r\n")

// ParseClientPacket parses a datagram a server receives: a request or an
// ack. A request must be one line of valid UTF-8 without control characters,
// at most MaxRequestSize bytes with its CRLF; an ack must be a sequence
// number in MinSeq..MaxSeq written without leading zeros. The URL itself is
// not checked here (see ParseRequestURL).
func ParseClientPacket(b []byte) (Packet, error) {
	if len(b) > MaxRequestSize {
		return Packet{}, ErrTooLarge
	}
	i := bytes.Index(b, crlf)
	if i < 0 || i+2 != len(b) {
		return Packet{}, malformed("no single CRLF-terminated line")
	}
	line := b[:i]
	if len(line) == 0 {
		return Packet{}, malformed("empty line")
	}
	if isDigits(line) {
		seq, ok := parseSeq(line)
		if !ok || seq < MinSeq {
			return Packet{}, malformed("ack out of range")
		}
		return Packet{Kind: KindAck, Seq: seq}, nil
	}
	if !validText(line) {
		return Packet{}, malformed("request is not printable UTF-8")
	}
	return Packet{Kind: KindRequest, Meta: string(line)}, nil
}

// ParseServerPacket parses a datagram a client receives. Data aliases b.
func ParseServerPacket(b []byte) (Packet, error) {
	i := bytes.Index(b, crlf)
	if i < 0 {
		return Packet{}, malformed("no CRLF")
	}
	header, data := b[:i], b[i+2:]
	num, meta, hasMeta := bytes.Cut(header, []byte(" "))
	if !isDigits(num) {
		return Packet{}, malformed("header does not start with a number")
	}
	n, ok := parseSeq(num)
	if !ok {
		return Packet{}, malformed("number out of range")
	}
	if hasMeta && !validText(meta) {
		return Packet{}, malformed("header is not printable UTF-8")
	}
	switch {
	case n == 1 || n == 3 || n == 4:
		if !hasMeta || len(data) != 0 || (n == 3 && len(meta) == 0) {
			return Packet{}, malformed("bad status packet")
		}
		kind := KindInput
		if n == 3 {
			kind = KindRedirect
		} else if n == 4 {
			kind = KindError
		}
		return Packet{Kind: kind, Meta: string(meta)}, nil
	case n < MinSeq:
		return Packet{}, malformed("unknown status")
	case hasMeta:
		if len(meta) == 0 {
			return Packet{}, malformed("empty MIME type")
		}
		return Packet{Kind: KindSuccess, Seq: n, Meta: string(meta), Data: data}, nil
	case len(data) == 0:
		return Packet{Kind: KindEOF, Seq: n}, nil
	default:
		return Packet{Kind: KindContinuation, Seq: n, Data: data}, nil
	}
}

// Append appends the wire form of p to dst. It writes what the fields say
// and checks nothing: build packets through the Server, or parse them.
func (p Packet) Append(dst []byte) []byte {
	switch p.Kind {
	case KindRequest:
		dst = append(dst, p.Meta...)
	case KindAck, KindContinuation, KindEOF:
		dst = strconv.AppendUint(dst, uint64(p.Seq), 10)
	case KindSuccess:
		dst = strconv.AppendUint(dst, uint64(p.Seq), 10)
		dst = append(dst, ' ')
		dst = append(dst, p.Meta...)
	case KindInput:
		dst = append(dst, "1 "...)
		dst = append(dst, p.Meta...)
	case KindRedirect:
		dst = append(dst, "3 "...)
		dst = append(dst, p.Meta...)
	case KindError:
		dst = append(dst, "4 "...)
		dst = append(dst, p.Meta...)
	}
	dst = append(dst, crlf...)
	if p.Kind == KindSuccess || p.Kind == KindContinuation {
		dst = append(dst, p.Data...)
	}
	return dst
}

type malformedError string

func (e malformedError) Error() string { return "guppy: malformed packet: " + string(e) }
func (e malformedError) Unwrap() error { return ErrMalformed }

func malformed(why string) error { return malformedError(why) }

func isDigits(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parseSeq parses a canonical decimal number (no sign, no leading zero) not
// above MaxSeq.
func parseSeq(b []byte) (uint32, bool) {
	if len(b) == 0 || len(b) > 10 || (b[0] == '0' && len(b) > 1) {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if n > MaxSeq {
		return 0, false
	}
	return uint32(n), true
}

// validText reports whether b is valid UTF-8 without C0 controls or DEL.
func validText(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return utf8.Valid(b)
}
