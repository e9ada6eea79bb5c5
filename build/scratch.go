package build

import (
	"bufio"
	"bytes"
	"unsafe"

	"github.com/gmkit/gmkit/build/output"
)

// maxScratch is the largest scratch buffer kept for reuse; bigger ones (a
// huge index page) go to the garbage collector.
const maxScratch = 1 << 20

// scratch returns an empty buffer for one rendering or template run. Give it
// back with release once nothing refers to its bytes.
func (r *run) scratch() *bytes.Buffer {
	if b, ok := r.bufs.Get().(*bytes.Buffer); ok {
		return b
	}
	return new(bytes.Buffer)
}

// release makes a scratch buffer available again.
func (r *run) release(b *bytes.Buffer) {
	if b.Cap() > maxScratch {
		return
	}
	b.Reset()
	r.bufs.Put(b)
}

// bufWriter returns a scratch buffer behind a recycled bufio.Writer: goldmark
// renderers write through a bufio.Writer and make a fresh 4 KB one per page
// when given anything else. Flush it, then release the buffer.
func (r *run) bufWriter() (*bufio.Writer, *bytes.Buffer) {
	buf := r.scratch()
	w, ok := r.writers.Get().(*bufio.Writer)
	if !ok {
		return bufio.NewWriter(buf), buf
	}
	w.Reset(buf)
	return w, buf
}

// releaseWriter makes a writer from bufWriter available again.
func (r *run) releaseWriter(w *bufio.Writer) {
	w.Reset(nil)
	r.writers.Put(w)
}

// execute runs a template into a scratch buffer and returns what tidy makes
// of the output; tidy must return fresh bytes, not a part of its input.
func (r *run) execute(set output.Templates, name string, d *Data, tidy func([]byte) ([]byte, error)) ([]byte, error) {
	buf := r.scratch()
	defer r.release(buf)
	if err := set.ExecuteTo(buf, name, d); err != nil {
		return nil, err
	}
	return tidy(buf.Bytes())
}

// frozen returns b as a string without copying it. The caller promises that
// nothing writes to b afterwards: rendered bodies are never modified once
// made (they are shared with the cache and with templates).
func frozen(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}
