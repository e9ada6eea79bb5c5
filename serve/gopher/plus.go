package gopher

import (
	"bytes"
	"github.com/gmkit/gmkit/build/gophermap"
	"path"
	"strconv"
	"strings"
)

// servePlus answers a Gopher+ request (Request.Plus set) in the smallest
// well-formed Gopher+ form, so that clients that open a server with one
// (the UMN gopher client sends "TAB $" for its first menu) can read the
// hole. h answers as for plain Gopher, and its answer is wrapped:
//
//	TAB $  (attributes of every item of a menu): "+-1", then "+INFO: " and
//	       each menu line, then "." ; on a file, the one item's +INFO
//	TAB !  (attributes of one item): "+-1", "+INFO: " and the item's line,
//	       then "."
//	TAB +  (the item itself): "+-2" (the data ends when the connection
//	       closes), then the answer as plain Gopher sends it
//
// Items are listed without the Gopher+ flag, so the client asks for them
// in plain Gopher afterwards. An error item is answered "--2", then the
// error code 1 (item not available) and the message.
func servePlus(h Handler, w ResponseWriter, r *Request) {
	switch r.Plus[0] {
	case '+':
		h.ServeGopher(&plusData{w: w}, r)
		return
	case '$', '!':
	default:
		h.ServeGopher(w, r)
		return
	}
	rec := NewRecorder()
	h.ServeGopher(rec, r)
	w.SetType(rec.Type)
	if rec.Type == gophermap.TypeError {
		_, _ = w.Write(plusError(rec.Body.Bytes()))
		return
	}
	var b bytes.Buffer
	b.WriteString("+-1\r\n")
	if r.Plus[0] == '$' && rec.Type == gophermap.TypeMenu {
		for line := range strings.SplitSeq(rec.Body.String(), "\n") {
			line = strings.TrimSuffix(line, "\r")
			if line == "." {
				break
			}
			if line != "" {
				b.WriteString("+INFO: " + line + "\r\n")
			}
		}
	} else {
		t := rec.Type
		if t == 0 {
			t = gophermap.TypeText
		}
		name := path.Base(strings.TrimSuffix(r.Selector, "/"))
		if name == "." || name == "/" || name == "" {
			name = r.Host
		}
		b.WriteString("+INFO: " + string(rune(t)) + name + "\t" + r.Selector + "\t" + r.Host + "\t" + strconv.Itoa(r.Port) + "\r\n")
	}
	b.WriteString(".\r\n")
	_, _ = w.Write(b.Bytes())
}

// plusError turns an error menu into a Gopher+ error reply.
func plusError(menu []byte) []byte {
	line, _, _ := bytes.Cut(menu, []byte("\t"))
	msg := strings.TrimPrefix(string(line), string(rune(gophermap.TypeError)))
	return []byte("--2\r\n1 " + msg + "\r\n")
}

// plusData is the ResponseWriter for "TAB +": it puts "+-2" (or, for an
// error item, the "--2" reply) before the first byte of the answer.
type plusData struct {
	w       ResponseWriter
	typ     gophermap.Type
	started bool
}

func (p *plusData) SetType(t gophermap.Type) {
	p.typ = t
	p.w.SetType(t)
}

func (p *plusData) Write(b []byte) (int, error) {
	if !p.started {
		p.started = true
		if p.typ == gophermap.TypeError {
			_, err := p.w.Write(plusError(b))
			return len(b), err
		}
		if _, err := p.w.Write([]byte("+-2\r\n")); err != nil {
			return 0, err
		}
	}
	if p.typ == gophermap.TypeError {
		return len(b), nil
	}
	return p.w.Write(b)
}
