package guppy

import (
	"math/rand/v2"
	"strconv"
)

// responseBuffer is the ResponseWriter a Server gives its handlers: it keeps
// the whole response, up to a limit, so that the handler never waits for
// the network.
type responseBuffer struct {
	status   Status
	meta     string
	body     []byte
	limit    int
	tooLarge bool
}

func (w *responseBuffer) WriteHeader(status Status, meta string) {
	if w.status != 0 {
		return
	}
	switch status {
	case StatusInput, StatusSuccess, StatusRedirect, StatusError:
	default:
		status, meta = StatusError, "bad status from handler"
	}
	w.status, w.meta = status, cleanMeta(status, meta)
}

func (w *responseBuffer) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(StatusSuccess, "")
	}
	if w.status != StatusSuccess {
		return 0, ErrBodyNotAllowed
	}
	if len(p) > w.limit-len(w.body) {
		w.tooLarge = true
		return 0, ErrBodyTooLarge
	}
	w.body = append(w.body, p...)
	return len(p), nil
}

// A response is what a session sends, cut into packets. It never changes
// once built, so packets can be encoded without holding any lock.
type response struct {
	status Status
	meta   string
	body   []byte
	// base is the sequence number of packet 0 (success packets only).
	base uint32
	// first is the data size of packet 0, chunk that of the others.
	first, chunk int
	// last is the index of the end-of-file packet (0 for a status packet).
	last int
}

// newResponse cuts a response into packets: packet 0 carries the MIME type
// and at most first bytes, the following ones at most chunk bytes, and the
// last one is the empty end of file. Both sizes are reduced as needed to
// keep every datagram within MaxDatagram.
func newResponse(status Status, meta string, body []byte, first, chunk int) *response {
	r := &response{status: status, meta: meta}
	if status != StatusSuccess {
		return r
	}
	r.body = body
	r.first = min(first, MaxDatagram-(maxSeqHeader+1+len(meta)))
	r.chunk = min(chunk, MaxDatagram-maxSeqHeader)
	rest := max(0, len(body)-r.first)
	r.last = 1 + (rest+r.chunk-1)/r.chunk
	// A random base makes acks hard to forge and leaves room for the last
	// packet: base+last <= MaxSeq.
	r.base = MinSeq + uint32(rand.N(MaxSeq-MinSeq-r.last+1))
	return r
}

// bounds returns the body range carried by packet i.
func (r *response) bounds(i int) (start, end int) {
	switch {
	case i == 0:
		return 0, min(r.first, len(r.body))
	case i >= r.last:
		return len(r.body), len(r.body)
	}
	start = r.first + (i-1)*r.chunk
	return start, min(start+r.chunk, len(r.body))
}

// size returns the length of packet i's wire form.
func (r *response) size(i int) int {
	if r.status != StatusSuccess {
		return len("N ") + len(r.meta) + len("\r\n")
	}
	n := digits(uint64(r.base)+uint64(i)) + len("\r\n")
	if i == 0 {
		n += 1 + len(r.meta)
	}
	start, end := r.bounds(i)
	return n + end - start
}

func digits(v uint64) int {
	n := 1
	for ; v >= 10; v /= 10 {
		n++
	}
	return n
}

// packet appends the wire form of packet i to dst.
func (r *response) packet(dst []byte, i int) []byte {
	if r.status != StatusSuccess {
		dst = strconv.AppendInt(dst, int64(r.status), 10)
		dst = append(dst, ' ')
		dst = append(dst, r.meta...)
		return append(dst, "\r\n"...)
	}
	dst = strconv.AppendUint(dst, uint64(r.base)+uint64(i), 10)
	if i == 0 {
		dst = append(dst, ' ')
		dst = append(dst, r.meta...)
	}
	dst = append(dst, "\r\n"...)
	start, end := r.bounds(i)
	return append(dst, r.body[start:end]...)
}
