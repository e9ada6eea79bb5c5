// Package record reads and writes the build cache's file: binary records
// (varints, byte strings, times, front matter values) behind a header that
// names the file's format and the key it was made for, with a checksum of
// everything after the header. A file that is damaged, cut short, of
// another format or made for another key is refused as a whole: nothing in
// it is ever half read.
package record

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"
	"unsafe"
)

// Key says what a cache file was made for (the program, the configuration):
// a file is read only by a reader asking for the same key.
type Key [32]byte

// magic opens every cache file; version changes with the layout of the
// header.
const (
	magic   = "gmkit build cache\x00"
	version = 1
	// headerLen is magic, version (4), key, payload length (8) and the
	// payload's CRC-32 (IEEE: the fastest here by far) (4).
	headerLen = len(magic) + 4 + len(Key{}) + 8 + 4
)

var crcTable = crc32.IEEETable

// ErrDamaged is wrapped by every error about a file that is there but not
// usable: cut short, damaged, or not a cache file.
var ErrDamaged = errors.New("damaged")

// ErrOtherKey means the file was made for another key (another program or
// configuration): it is intact but of no use.
var ErrOtherKey = errors.New("made for another program or configuration")

// ReadFile returns the payload of the cache file at name if it is intact and
// was made for key. An error wraps fs.ErrNotExist when there is no file,
// ErrOtherKey or ErrDamaged.
func ReadFile(name string, key Key) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var h [headerLen]byte
	if _, err := io.ReadFull(f, h[:]); err != nil || string(h[:len(magic)]) != magic {
		return nil, fmt.Errorf("%s: %w: not a build cache file", name, ErrDamaged)
	}
	rest := h[len(magic):]
	if v := binary.LittleEndian.Uint32(rest); v != version {
		return nil, fmt.Errorf("%s: %w (format %d)", name, ErrOtherKey, v)
	}
	if Key(rest[4:36]) != key {
		return nil, fmt.Errorf("%s: %w", name, ErrOtherKey)
	}
	n, sum := binary.LittleEndian.Uint64(rest[36:44]), binary.LittleEndian.Uint32(rest[44:48])
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if size := st.Size(); size < int64(headerLen) || uint64(size)-uint64(headerLen) != n {
		return nil, fmt.Errorf("%s: %w: %d bytes of data, want %d", name, ErrDamaged, st.Size()-int64(headerLen), n)
	}
	// Mapped, the file is summed straight from the system's page cache,
	// with no copy into fresh memory (on 10,000 posts, a 150 MB file: the
	// copy and its page faults cost more than reading everything else).
	// The mapping is never undone: the payload is in use until the
	// program ends. Cache files are only ever replaced by a rename, never
	// changed in place, so what was summed stays what is read.
	if whole, ok := mapFile(f, int64(headerLen)+int64(n)); ok {
		payload := whole[headerLen:]
		if crc32.Checksum(payload, crcTable) != sum {
			unmapFile(whole)
			return nil, fmt.Errorf("%s: %w: checksum mismatch", name, ErrDamaged)
		}
		return payload, nil
	}
	// Else read in pieces, each summed while it is still in the CPU's
	// cache: summing the whole payload after reading it costs more.
	payload := make([]byte, n)
	var crc uint32
	for off := 0; off < len(payload); {
		end := min(off+readPiece, len(payload))
		if _, err := io.ReadFull(f, payload[off:end]); err != nil {
			return nil, fmt.Errorf("%s: %w: %w", name, ErrDamaged, err)
		}
		crc = crc32.Update(crc, crcTable, payload[off:end])
		off = end
	}
	if crc != sum {
		return nil, fmt.Errorf("%s: %w: checksum mismatch", name, ErrDamaged)
	}
	return payload, nil
}

// readPiece is how much ReadFile reads at a time.
const readPiece = 512 << 10

// File is a cache file being written: records go to a hidden temporary
// file beside it, which Commit renames into place in one step, so that a
// reader sees the old file or the new one, never a part. Two writers of
// the same file each write their own temporary file; the last to commit
// wins.
type File struct {
	Writer
	name string
	f    *os.File
	bw   *bufio.Writer
	crc  hash.Hash32
	key  Key
	n    uint64
	err  error
}

// Create starts writing the cache file name (its folder is made if need
// be) for key.
func Create(name string, key Key) (*File, error) {
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(name)+".tmp*")
	if err != nil {
		return nil, err
	}
	c := &File{name: name, f: f, bw: bufio.NewWriterSize(f, 1<<20), crc: crc32.New(crcTable), key: key}
	var hdr [headerLen]byte // written again with the length and sum at Commit
	if _, err := c.bw.Write(hdr[:]); err != nil {
		c.Abort()
		return nil, err
	}
	c.Writer.flush = c.write
	return c, nil
}

func (c *File) write(p []byte) {
	if c.err != nil {
		return
	}
	c.crc.Write(p)
	c.n += uint64(len(p))
	_, c.err = c.bw.Write(p)
}

// Commit finishes the file and renames it into place. The file is not
// synced to disk: a cache that a crash cuts short fails its checksum and is
// made again.
func (c *File) Commit() error {
	c.Writer.Flush()
	err := c.err
	if err == nil {
		err = c.bw.Flush()
	}
	if err == nil {
		hdr := make([]byte, 0, headerLen)
		hdr = append(hdr, magic...)
		hdr = binary.LittleEndian.AppendUint32(hdr, version)
		hdr = append(hdr, c.key[:]...)
		hdr = binary.LittleEndian.AppendUint64(hdr, c.n)
		hdr = binary.LittleEndian.AppendUint32(hdr, c.crc.Sum32())
		_, err = c.f.WriteAt(hdr, 0)
	}
	if cerr := c.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(c.f.Name(), c.name)
	}
	if err != nil {
		os.Remove(c.f.Name())
		return fmt.Errorf("writing %s: %w", c.name, err)
	}
	return nil
}

// Abort removes the unfinished file.
func (c *File) Abort() {
	c.f.Close()
	os.Remove(c.f.Name())
}

// Writer appends records to a buffer, handing it on in large pieces when
// it belongs to a File.
type Writer struct {
	buf   []byte
	flush func([]byte)
}

const flushAt = 256 << 10

func (w *Writer) grow() {
	if w.flush != nil && len(w.buf) >= flushAt {
		w.Flush()
	}
}

// Flush hands what is buffered on.
func (w *Writer) Flush() {
	if w.flush != nil && len(w.buf) > 0 {
		w.flush(w.buf)
		w.buf = w.buf[:0]
	}
}

// Reset empties a Writer that belongs to no File, keeping its buffer.
func (w *Writer) Reset() { w.buf = w.buf[:0] }

// Data is what a Writer that belongs to no File has written.
func (w *Writer) Data() []byte { return w.buf }

// Uint writes a non-negative number.
func (w *Writer) Uint(v uint64) {
	w.buf = binary.AppendUvarint(w.buf, v)
	w.grow()
}

// Int writes a number.
func (w *Writer) Int(v int64) {
	w.buf = binary.AppendVarint(w.buf, v)
	w.grow()
}

// Byte writes one byte.
func (w *Writer) Byte(b byte) {
	w.buf = append(w.buf, b)
	w.grow()
}

// Bool writes a boolean.
func (w *Writer) Bool(b bool) {
	if b {
		w.Byte(1)
	} else {
		w.Byte(0)
	}
}

// Fixed writes b without its length: the reader knows it.
func (w *Writer) Fixed(b []byte) {
	if w.flush != nil && len(b) >= flushAt {
		w.Flush()
		w.flush(b)
		return
	}
	w.buf = append(w.buf, b...)
	w.grow()
}

// Blob writes a byte string.
func (w *Writer) Blob(b []byte) {
	w.Uint(uint64(len(b)))
	w.Fixed(b)
}

// String writes a string.
func (w *Writer) String(s string) {
	w.Uint(uint64(len(s)))
	w.buf = append(w.buf, s...)
	w.grow()
}

// Strings writes a list of strings, telling nil from empty.
func (w *Writer) Strings(ss []string) {
	if ss == nil {
		w.Uint(0)
		return
	}
	w.Uint(uint64(len(ss)) + 1)
	for _, s := range ss {
		w.String(s)
	}
}

// Time kinds: how a time's location is written.
const (
	timeZero  = iota // the zero Time
	timeUTC          // in UTC
	timeLocal        // in time.Local
	timeFixed        // in an unnamed fixed zone (as parsed from "+02:00")
)

// Time writes t with its location, and reports whether it could: a time
// in a named location other than UTC and Local cannot be written (the
// location would come back as a fixed zone). A monotonic clock reading is
// not written.
func (w *Writer) Time(t time.Time) bool {
	loc := t.Location()
	name, off := t.Zone()
	switch {
	case t == time.Time{}:
		w.Byte(timeZero)
		return true
	case loc == time.UTC:
		w.Byte(timeUTC)
	case loc == time.Local:
		w.Byte(timeLocal)
	case loc.String() == "" && name == "":
		w.Byte(timeFixed)
		w.Int(int64(off))
	default:
		return false
	}
	w.Int(t.Unix())
	w.Uint(uint64(t.Nanosecond()))
	return true
}

// Value kinds.
const (
	valNil = iota
	valString
	valBool
	valInt
	valInt64
	valUint64
	valFloat64
	valTime
	valList
	valMap
	valStrings
)

// Value writes a front matter value (what the YAML and TOML decoders make:
// nil, strings, booleans, numbers, times, lists and maps of them) with its
// exact Go type, and reports whether it could: false for any other type.
// What it wrote is then of no use and the record must be dropped.
func (w *Writer) Value(v any) bool {
	switch v := v.(type) {
	case nil:
		w.Byte(valNil)
	case string:
		w.Byte(valString)
		w.String(v)
	case bool:
		w.Byte(valBool)
		w.Bool(v)
	case int:
		w.Byte(valInt)
		w.Int(int64(v))
	case int64:
		w.Byte(valInt64)
		w.Int(v)
	case uint64:
		w.Byte(valUint64)
		w.Uint(v)
	case float64:
		w.Byte(valFloat64)
		w.Uint(math.Float64bits(v))
	case time.Time:
		w.Byte(valTime)
		return w.Time(v)
	case []string:
		w.Byte(valStrings)
		w.Strings(v)
	case []any:
		w.Byte(valList)
		if v == nil {
			w.Uint(0)
			return true
		}
		w.Uint(uint64(len(v)) + 1)
		for _, e := range v {
			if !w.Value(e) {
				return false
			}
		}
	case map[string]any:
		w.Byte(valMap)
		if v == nil {
			w.Uint(0)
			return true
		}
		w.Uint(uint64(len(v)) + 1)
		for k, e := range v {
			w.String(k)
			if !w.Value(e) {
				return false
			}
		}
	default:
		return false
	}
	return true
}

// Reader reads records from a payload. The first problem (data cut short,
// a value out of range) sticks: every later read returns a zero value, and
// Err reports it.
type Reader struct {
	data []byte
	err  error
}

// NewReader reads from data. The byte strings and strings it returns
// point into data, which must not change after.
func NewReader(data []byte) *Reader {
	return &Reader{data: data}
}

// Err is the first problem met, wrapping ErrDamaged.
func (r *Reader) Err() error { return r.err }

// Done reports an error unless every byte was read.
func (r *Reader) Done() error {
	if r.err == nil && len(r.data) > 0 {
		r.fail("%d bytes left over", len(r.data))
	}
	return r.err
}

func (r *Reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", ErrDamaged, fmt.Sprintf(format, args...))
	}
	r.data = nil
}

// Uint reads a non-negative number.
func (r *Reader) Uint() uint64 {
	v, n := binary.Uvarint(r.data)
	if n <= 0 {
		r.fail("bad number")
		return 0
	}
	r.data = r.data[n:]
	return v
}

// Int reads a number.
func (r *Reader) Int() int64 {
	v, n := binary.Varint(r.data)
	if n <= 0 {
		r.fail("bad number")
		return 0
	}
	r.data = r.data[n:]
	return v
}

// Len reads a count of things each at least one byte long, refusing one
// larger than what is left.
func (r *Reader) Len() int {
	n := r.Uint()
	if n > uint64(len(r.data)) {
		r.fail("count %d past the end", n)
		return 0
	}
	return int(n)
}

// Byte reads one byte.
func (r *Reader) Byte() byte {
	if len(r.data) == 0 {
		r.fail("cut short")
		return 0
	}
	b := r.data[0]
	r.data = r.data[1:]
	return b
}

// Bool reads a boolean.
func (r *Reader) Bool() bool {
	switch r.Byte() {
	case 0:
		return false
	case 1:
		return true
	}
	r.fail("bad boolean")
	return false
}

// Fixed reads n bytes.
func (r *Reader) Fixed(n int) []byte {
	if n < 0 || n > len(r.data) {
		r.fail("cut short")
		return nil
	}
	b := r.data[:n:n]
	r.data = r.data[n:]
	return b
}

// Blob reads a byte string: it points into the payload (appending to it
// copies).
func (r *Reader) Blob() []byte { return r.Fixed(r.Len()) }

// Sub reads a byte string written by Blob and returns a Reader of it.
func (r *Reader) Sub() *Reader { return &Reader{data: r.Blob()} }

// String reads a string. It shares the payload's memory, as Blob does:
// the payload must not change while the strings read from it are in use.
func (r *Reader) String() string {
	b := r.Blob()
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// Strings reads a list written by Writer.Strings.
func (r *Reader) Strings() []string {
	n := r.Len()
	if n == 0 {
		return nil
	}
	ss := make([]string, n-1)
	for i := range ss {
		ss[i] = r.String()
	}
	return ss
}

// Time reads a time written by Writer.Time.
func (r *Reader) Time() time.Time {
	kind := r.Byte()
	if kind == timeZero {
		return time.Time{}
	}
	var loc *time.Location
	switch kind {
	case timeUTC:
		loc = time.UTC
	case timeLocal:
		loc = time.Local
	case timeFixed:
		loc = time.FixedZone("", int(r.Int()))
	default:
		r.fail("bad time")
		return time.Time{}
	}
	sec, nsec := r.Int(), r.Uint()
	if nsec >= 1e9 {
		r.fail("bad time")
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).In(loc)
}

// Value reads a value written by Writer.Value.
func (r *Reader) Value() any {
	switch kind := r.Byte(); kind {
	case valNil:
		return nil
	case valString:
		return r.String()
	case valBool:
		return r.Bool()
	case valInt:
		return int(r.Int())
	case valInt64:
		return r.Int()
	case valUint64:
		return r.Uint()
	case valFloat64:
		return math.Float64frombits(r.Uint())
	case valTime:
		return r.Time()
	case valStrings:
		return r.Strings()
	case valList:
		n := r.Len()
		if n == 0 {
			return []any(nil)
		}
		l := make([]any, n-1)
		for i := range l {
			l[i] = r.Value()
		}
		return l
	case valMap:
		n := r.Len()
		if n == 0 {
			return map[string]any(nil)
		}
		m := make(map[string]any, n-1)
		for range n - 1 {
			k := r.String()
			m[k] = r.Value()
		}
		return m
	default:
		r.fail("bad value kind %d", kind)
		return nil
	}
}
