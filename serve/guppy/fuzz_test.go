package guppy

import (
	"bytes"
	"testing"
)

// FuzzParseClientPacket feeds arbitrary datagrams to the server-side parser:
// it must never panic, and whatever it accepts must encode back to the same
// bytes (so that no two spellings mean the same ack).
func FuzzParseClientPacket(f *testing.F) {
	for _, s := range []string{
		"guppy://example.com/\r\n", "guppy://h/a?b%20c\r\n", "6\r\n", "2147483647\r\n",
		"2147483648\r\n", "0123\r\n", "123", "\r\n", "guppy://h/\r\n\r\n", "guppy://h/\x00\r\n",
		"guppy://user@h/#x\r\n", "\xff\xfe\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseClientPacket(b)
		if err != nil {
			return
		}
		if got := p.Append(nil); !bytes.Equal(got, b) {
			t.Errorf("ParseClientPacket(%q) = %+v, which encodes as %q", b, p, got)
		}
		if p.Kind == KindAck && (p.Seq < MinSeq || p.Seq > MaxSeq) {
			t.Errorf("ack %d out of range", p.Seq)
		}
		if p.Kind == KindRequest {
			if u, err := ParseRequestURL(p.Meta); err == nil && u.Host == "" {
				t.Errorf("ParseRequestURL(%q) accepted a URL without host", p.Meta)
			}
		}
	})
}

// FuzzParseServerPacket feeds arbitrary datagrams to the client-side parser.
func FuzzParseServerPacket(f *testing.F) {
	for _, s := range []string{
		"6 text/gemini\r\n# hi\n", "1001\r\nmore", "1002\r\n", "1 Name?\r\n", "3 /x/\r\n",
		"4 gone\r\n", "2 x\r\n", "5\r\n", "7 \r\n", "07\r\nx", "4 x\r\ny", "\r\n", "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseServerPacket(b)
		if err != nil {
			return
		}
		if got := p.Append(nil); !bytes.Equal(got, b) {
			t.Errorf("ParseServerPacket(%q) = %+v, which encodes as %q", b, p, got)
		}
	})
}

// FuzzServerDatagram runs arbitrary datagrams through a server's packet
// handling (no socket) and checks the session table stays consistent.
func FuzzServerDatagram(f *testing.F) {
	f.Add([]byte("guppy://h/\r\n"), []byte("6\r\n"))
	f.Add([]byte("guppy://h/x?y\r\n"), []byte("guppy://h/x?y\r\n"))
	f.Add([]byte("gemini://h/\r\n"), []byte("1000\r\n"))
	f.Add([]byte("\x00"), []byte("2147483647\r\n"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		srv := &Server{Handler: HandlerFunc(func(w ResponseWriter, r *Request) {})}
		c := newConn(srv, nil)
		defer c.cancel()
		addr := netipAddrPort("192.0.2.1:1234")
		var bt batch
		c.handleDatagram(a, addr, &bt)
		c.handleDatagram(b, addr, &bt)
		c.handleDatagram(a, addr, &bt)
		c.mu.Lock()
		defer c.mu.Unlock()
		if len(c.sessions) > 1 || int(srv.stats.sessions.Load()) != len(c.sessions) {
			t.Errorf("%d sessions, counter says %d", len(c.sessions), srv.stats.sessions.Load())
		}
		// Before any handler ran, only refusals go out (error packets for
		// unusable requests), within 3x of what was received.
		sent := 0
		for _, o := range bt.sends {
			if o.resp.status != StatusError {
				t.Errorf("sent a %d packet before any handler ran", o.resp.status)
			}
			sent += o.resp.size(o.idx)
		}
		if received := 2*len(a) + len(b); sent > 3*received {
			t.Errorf("sent %d bytes for %d received, over 3x", sent, received)
		}
	})
}
