package spartan

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// A reply is one Spartan response as the test client read it.
type reply struct {
	Status Status
	Meta   string
	Body   []byte
}

// spartanGet is the tests' Spartan client: it sends "host path len CRLF"
// and data to addr and reads the whole answer, checking that the status
// line is well formed (one digit 2-5, a space, printable ASCII meta, CRLF)
// and that only a success carries a body.
func spartanGet(addr, host, path string, data []byte) (*reply, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := fmt.Fprintf(c, "%s %s %d\r\n", host, path, len(data)); err != nil {
		return nil, err
	}
	if _, err := c.Write(data); err != nil {
		return nil, err
	}
	return readReply(c)
}

// readReply reads and checks one response from r.
func readReply(r io.Reader) (*reply, error) {
	br := bufio.NewReader(r)
	line, err := br.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("reading the status line: %w (got %q)", err, line)
	}
	head, ok := strings.CutSuffix(line, "\r\n")
	if !ok {
		return nil, fmt.Errorf("status line %q does not end in CRLF", line)
	}
	if len(head) < 3 || head[0] < '2' || head[0] > '5' || head[1] != ' ' {
		return nil, fmt.Errorf("malformed status line %q", head)
	}
	for i := 0; i < len(head); i++ {
		if c := head[i]; c < 0x20 || c >= 0x7f {
			return nil, fmt.Errorf("status line %q is not printable ASCII", head)
		}
	}
	rep := &reply{Status: Status(head[0] - '0'), Meta: head[2:]}
	rep.Body, err = io.ReadAll(br)
	if err != nil {
		return nil, fmt.Errorf("reading the body: %w", err)
	}
	if rep.Status != StatusSuccess && len(rep.Body) > 0 {
		return nil, fmt.Errorf("status %d came with a body %q", rep.Status, rep.Body)
	}
	return rep, nil
}

// mustGet is spartanGet failing the test on a transport error.
func mustGet(t *testing.T, addr, host, path string, data []byte) *reply {
	t.Helper()
	rep, err := spartanGet(addr, host, path, data)
	if err != nil {
		t.Fatalf("%s %s %d: %v", host, path, len(data), err)
	}
	return rep
}

// rawExchange sends raw bytes and returns everything the server answered
// before it closed.
func rawExchange(t *testing.T, addr string, raw []byte) []byte {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := c.Write(raw); err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(c)
	return got
}

func TestClientRejectsMalformedReplies(t *testing.T) {
	for _, raw := range []string{"", "2 text/gemini\n", "20 text/gemini\r\n", "6 x\r\n", "4 gone\r\nbody", "2 caf\xc3\xa9\r\n"} {
		if _, err := readReply(strings.NewReader(raw)); err == nil {
			t.Errorf("readReply(%q) accepted it; want an error", raw)
		}
	}
	rep, err := readReply(strings.NewReader("2 text/plain\r\nhi"))
	if err != nil || rep.Status != StatusSuccess || rep.Meta != "text/plain" || !bytes.Equal(rep.Body, []byte("hi")) {
		t.Errorf("readReply(success) = %+v, %v", rep, err)
	}
}
