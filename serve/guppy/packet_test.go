package guppy

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func TestParseClientPacket(t *testing.T) {
	tests := []struct {
		in   string
		want Packet
		err  error
	}{
		{"guppy://example.com/\r\n", Packet{Kind: KindRequest, Meta: "guppy://example.com/"}, nil},
		{"guppy://h/search?a%20b\r\n", Packet{Kind: KindRequest, Meta: "guppy://h/search?a%20b"}, nil},
		{"guppy://h/caf\u00e9\r\n", Packet{Kind: KindRequest, Meta: "guppy://h/caf\u00e9"}, nil},
		{"6\r\n", Packet{Kind: KindAck, Seq: 6}, nil},
		{"2147483647\r\n", Packet{Kind: KindAck, Seq: MaxSeq}, nil},
		{"12345\r\n", Packet{Kind: KindAck, Seq: 12345}, nil},
		{"5\r\n", Packet{}, ErrMalformed},          // below MinSeq
		{"2147483648\r\n", Packet{}, ErrMalformed}, // above MaxSeq
		{"99999999999\r\n", Packet{}, ErrMalformed},
		{"0123\r\n", Packet{}, ErrMalformed}, // leading zero: never read as 123
		{"123", Packet{}, ErrMalformed},      // no CRLF
		{"123\n", Packet{}, ErrMalformed},
		{"guppy://h/\n", Packet{}, ErrMalformed},
		{"guppy://h/\r\nextra", Packet{}, ErrMalformed},
		{"guppy://h/\r\n\r\n", Packet{}, ErrMalformed},
		{"\r\n", Packet{}, ErrMalformed},
		{"", Packet{}, ErrMalformed},
		{"guppy://h/\x00\r\n", Packet{}, ErrMalformed},
		{"guppy://h/\tx\r\n", Packet{}, ErrMalformed},
		{"guppy://h/\xff\r\n", Packet{}, ErrMalformed},
		{"\ufeffguppy://h/\r\n", Packet{Kind: KindRequest, Meta: "\ufeffguppy://h/"}, nil}, // the URL parser refuses it later
		{"guppy://h/" + strings.Repeat("a", MaxRequestSize-12) + "\r\n", Packet{Kind: KindRequest, Meta: "guppy://h/" + strings.Repeat("a", MaxRequestSize-12)}, nil},
		{"guppy://h/" + strings.Repeat("a", MaxRequestSize-11) + "\r\n", Packet{}, ErrTooLarge},
	}
	for _, tt := range tests {
		got, err := ParseClientPacket([]byte(tt.in))
		if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
			t.Errorf("ParseClientPacket(%q) error = %v, want %v", tt.in, err, tt.err)
			continue
		}
		if diff := cmp.Diff(got, tt.want); diff != "" {
			t.Errorf("ParseClientPacket(%q) (-got +want):\n%s", tt.in, diff)
		}
	}
}

func TestParseServerPacket(t *testing.T) {
	tests := []struct {
		in   string
		want Packet
		ok   bool
	}{
		{"6 text/gemini\r\n# hi\n", Packet{Kind: KindSuccess, Seq: 6, Meta: "text/gemini", Data: []byte("# hi\n")}, true},
		{"1000 text/plain; charset=utf-8\r\n", Packet{Kind: KindSuccess, Seq: 1000, Meta: "text/plain; charset=utf-8", Data: []byte{}}, true},
		{"1001\r\nmore\r\ndata", Packet{Kind: KindContinuation, Seq: 1001, Data: []byte("more\r\ndata")}, true},
		{"1002\r\n", Packet{Kind: KindEOF, Seq: 1002}, true},
		{"1 Your name?\r\n", Packet{Kind: KindInput, Meta: "Your name?"}, true},
		{"1 \r\n", Packet{Kind: KindInput, Meta: ""}, true},
		{"3 /dir/\r\n", Packet{Kind: KindRedirect, Meta: "/dir/"}, true},
		{"4 not found\r\n", Packet{Kind: KindError, Meta: "not found"}, true},
		{"3 \r\n", Packet{}, false},            // redirect without URL
		{"4 x\r\ndata", Packet{}, false},       // status packets carry no data
		{"4\r\n", Packet{}, false},             // status without space
		{"2 text/gemini\r\n", Packet{}, false}, // 2 and 5 mean nothing
		{"5\r\n", Packet{}, false},
		{"7 \r\nx", Packet{}, false}, // empty MIME
		{"07\r\nx", Packet{}, false},
		{"-7\r\nx", Packet{}, false},
		{"2147483648\r\n", Packet{}, false},
		{"6 text/gemini", Packet{}, false},
		{"6 te\x01xt\r\n", Packet{}, false},
		{"", Packet{}, false},
	}
	for _, tt := range tests {
		got, err := ParseServerPacket([]byte(tt.in))
		if (err == nil) != tt.ok {
			t.Errorf("ParseServerPacket(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseServerPacket(%q) error = %v, want one wrapping ErrMalformed", tt.in, err)
		}
		if diff := cmp.Diff(got, tt.want); diff != "" {
			t.Errorf("ParseServerPacket(%q) (-got +want):\n%s", tt.in, diff)
		}
	}
}

func TestPacketAppendRoundTrip(t *testing.T) {
	pkts := []Packet{
		{Kind: KindSuccess, Seq: 77, Meta: "text/gemini", Data: []byte("abc")},
		{Kind: KindContinuation, Seq: 78, Data: []byte("def")},
		{Kind: KindEOF, Seq: 79},
		{Kind: KindInput, Meta: "Query?"},
		{Kind: KindRedirect, Meta: "/x/"},
		{Kind: KindError, Meta: "nope"},
	}
	for _, p := range pkts {
		wire := p.Append(nil)
		got, err := ParseServerPacket(wire)
		if err != nil {
			t.Errorf("ParseServerPacket(%q): %v", wire, err)
			continue
		}
		if p.Data == nil && got.Data != nil && len(got.Data) == 0 {
			got.Data = nil
		}
		if diff := cmp.Diff(got, p); diff != "" {
			t.Errorf("round trip of %q (-got +want):\n%s", wire, diff)
		}
	}
	for _, p := range []Packet{{Kind: KindAck, Seq: 123456}, {Kind: KindRequest, Meta: "guppy://h/"}} {
		wire := p.Append(nil)
		got, err := ParseClientPacket(wire)
		if err != nil || !cmp.Equal(got, p) {
			t.Errorf("ParseClientPacket(%q) = %+v, %v; want %+v", wire, got, err, p)
		}
	}
}

func TestParseRequestURL(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		path string
	}{
		{"guppy://example.com/", true, "/"},
		{"guppy://example.com", true, ""},
		{"guppy://example.com:6775/a/b.gmi?x%20y", true, "/a/b.gmi"},
		{"gemini://example.com/", true, "/"}, // scheme checked by the server
		{"GUPPY://example.com/", true, "/"},
		{"guppy://[::1]:6775/", true, "/"},
		{"/just/a/path", false, ""},
		{"//example.com/", false, ""},
		{"example.com/", false, ""},
		{"guppy:opaque", false, ""},
		{"guppy://user@example.com/", false, ""},
		{"guppy://example.com/#frag", false, ""},
		{"guppy://example.com/#", false, ""},
		{"guppy://example.com/%zz", false, ""},
		{"\ufeffguppy://example.com/", false, ""},
		{"guppy://exa mple.com/", false, ""},
		{"", false, ""},
		{"hello world", false, ""},
	}
	for _, tt := range tests {
		u, err := ParseRequestURL(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseRequestURL(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if err == nil && u.Path != tt.path {
			t.Errorf("ParseRequestURL(%q).Path = %q, want %q", tt.in, u.Path, tt.path)
		}
	}
}

// TestResponsePackets checks how responses are cut into packets against a
// golden file (go test -run TestResponsePackets -update rewrites it).
func TestResponsePackets(t *testing.T) {
	var out bytes.Buffer
	cases := []struct {
		name         string
		status       Status
		meta         string
		body         string
		first, chunk int
	}{
		{"empty", StatusSuccess, "text/gemini", "", 512, 1200},
		{"one chunk", StatusSuccess, "text/gemini", "# Hello\n", 512, 1200},
		{"exactly first", StatusSuccess, "text/plain", strings.Repeat("a", 8), 8, 16},
		{"many chunks", StatusSuccess, "text/gemini", "0123456789abcdefghijklmnopqrstuvwxyz", 8, 10},
		{"utf-8 split", StatusSuccess, "text/gemini", "\u00e9\u00e9\u00e9\u00e9\u00e9", 3, 3},
		{"input", StatusInput, "Your name?", "", 512, 1200},
		{"redirect", StatusRedirect, "/dir/", "", 512, 1200},
		{"error", StatusError, "not found", "", 512, 1200},
	}
	for _, c := range cases {
		r := newResponse(c.status, c.meta, []byte(c.body), c.first, c.chunk)
		if c.status == StatusSuccess {
			if r.base < MinSeq || uint64(r.base)+uint64(r.last) > MaxSeq {
				t.Errorf("%s: base %d with %d packets is out of range", c.name, r.base, r.last+1)
			}
			r.base = 1000 // fixed for the golden file
		}
		out.WriteString("== " + c.name + "\n")
		for i := 0; i <= r.last; i++ {
			out.WriteString(strconv.Quote(string(r.packet(nil, i))) + "\n")
		}
	}
	golden := filepath.Join("testdata", "packets.golden")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(out.String(), string(want)); diff != "" {
		t.Errorf("packets (-got +want):\n%s", diff)
	}
}

func TestResponseDatagramSize(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 100_000)
	for _, meta := range []string{"text/gemini", strings.Repeat("m", 1000), cleanMeta(StatusSuccess, strings.Repeat("m", 5000))} {
		r := newResponse(StatusSuccess, meta, body, 512, 5000)
		var got []byte
		r.base = MaxSeq - uint32(r.last) // longest sequence numbers
		for i := 0; i <= r.last; i++ {
			p := r.packet(nil, i)
			if len(p) > MaxDatagram {
				t.Fatalf("meta of %d bytes: packet %d is %d bytes, want <= %d", len(meta), i, len(p), MaxDatagram)
			}
			pkt, err := ParseServerPacket(p)
			if err != nil {
				t.Fatalf("packet %d: %v", i, err)
			}
			got = append(got, pkt.Data...)
		}
		if !bytes.Equal(got, body) {
			t.Errorf("meta of %d bytes: reassembled %d bytes, want %d", len(meta), len(got), len(body))
		}
	}
}

func TestCleanMeta(t *testing.T) {
	tests := []struct {
		status   Status
		in, want string
	}{
		{StatusSuccess, "", "text/gemini"},
		{StatusError, "", ""},
		{StatusError, "a\r\nb", "a  b"},
		{StatusError, "bad \xff utf", "bad \ufffd utf"},
		{StatusInput, "tab\there", "tab here"},
	}
	for _, tt := range tests {
		if got := cleanMeta(tt.status, tt.in); got != tt.want {
			t.Errorf("cleanMeta(%v, %q) = %q, want %q", tt.status, tt.in, got, tt.want)
		}
	}
	long := cleanMeta(StatusError, strings.Repeat("\u00e9", 2000))
	if len(long) > MaxDatagram-maxSeqHeader-1 || !strings.HasSuffix(long, "\u00e9") {
		t.Errorf("cleanMeta of a long message: %d bytes, ends %q", len(long), long[len(long)-3:])
	}
}
