package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Bounds of what the cache keeps.
const (
	// hashLimit: files up to this size get an ETag from their content;
	// larger ones from their size and modification time, so that a
	// video is never read whole just to name it.
	hashLimit = 16 << 20
	// gzipLimit: text up to this size is kept gzipped; larger text is
	// sent as it is.
	gzipLimit = 2 << 20
	// gzipMin: smaller files gain nothing from compression.
	gzipMin = 256
	// maxGzipBytes bounds the compressed copies kept in memory.
	maxGzipBytes = 64 << 20
	// dataLimit: files on disk up to this size are kept in memory as
	// they are, and answered from there while their size and
	// modification time stay the same.
	dataLimit = 256 << 10
	// maxDataBytes bounds the files kept in memory.
	maxDataBytes = 64 << 20
	// maxEntries bounds the table; past it the table starts afresh.
	maxEntries = 1 << 17
)

// entry is what is known about one file as it was when seen.
type entry struct {
	size   int64
	mod    time.Time
	etag   string
	gz     []byte // nil: not worth compressing, or not compressible
	gzETag string
	// data is the file as it is, kept for a small file on disk (see
	// keepData); nil otherwise.
	data []byte
}

// cache keeps an entry per file name. An entry is used only while the
// file's size and modification time still match, so files changed on disk
// under a running server get new ETags.
type cache struct {
	mu        sync.RWMutex
	m         map[string]*entry
	gzBytes   int
	dataBytes int
}

func newCache() *cache { return &cache{m: map[string]*entry{}} }

func (c *cache) get(fsys fs.FS, name string, fi fs.FileInfo, comp bool) (*entry, error) {
	c.mu.RLock()
	e := c.m[name]
	c.mu.RUnlock()
	if e != nil && e.size == fi.Size() && e.mod.Equal(fi.ModTime()) {
		return e, nil
	}
	e, err := makeEntry(fsys, name, fi, comp)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxEntries {
		c.m, c.gzBytes, c.dataBytes = map[string]*entry{}, 0, 0
	}
	if old := c.m[name]; old != nil {
		c.gzBytes -= len(old.gz)
		c.dataBytes -= len(old.data)
	}
	if c.gzBytes+len(e.gz) > maxGzipBytes {
		e.gz, e.gzETag = nil, ""
	}
	if c.dataBytes+len(e.data) > maxDataBytes {
		e.data = nil
	}
	c.gzBytes += len(e.gz)
	c.dataBytes += len(e.data)
	c.m[name] = e
	return e, nil
}

func makeEntry(fsys fs.FS, name string, fi fs.FileInfo, comp bool) (*entry, error) {
	e := &entry{size: fi.Size(), mod: fi.ModTime()}
	if fi.Size() > hashLimit {
		e.etag = fmt.Sprintf(`"%x-%x"`, fi.ModTime().UnixNano(), fi.Size())
		return e, nil
	}
	file, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	defer file.Close()
	h := sha256.New()
	var buf *bytes.Buffer
	w := io.Writer(h)
	gz := comp && fi.Size() >= gzipMin && fi.Size() <= gzipLimit
	keep := keepData(fi)
	if gz || keep {
		buf = bytes.NewBuffer(make([]byte, 0, fi.Size()))
		w = io.MultiWriter(h, buf)
	}
	if _, err := io.Copy(w, file); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	sum := base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:12])
	e.etag = `"` + sum + `"`
	// A file that changed while it was read is not kept: its bytes may
	// mix the two versions.
	if keep && int64(buf.Len()) == fi.Size() {
		e.data = buf.Bytes()
	}
	if gz {
		if z := gzipBytes(buf.Bytes()); len(z) < buf.Len()*9/10 {
			e.gz = z
			e.gzETag = `"` + sum + `-gz"`
		}
	}
	return e, nil
}

// keepData reports whether a file is kept in memory as it is: a small
// file on disk, whose FileInfo carries the system's own description of
// it. An in-memory tree's files are answered from the tree itself.
func keepData(fi fs.FileInfo) bool {
	return fi.Sys() != nil && fi.Mode().IsRegular() && fi.Size() <= dataLimit
}

func gzipBytes(b []byte) []byte {
	var out bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&out, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}

// compressible reports whether a type is text worth gzipping.
func compressible(ctype string) bool {
	base, _, err := mime.ParseMediaType(ctype)
	if err != nil {
		return false
	}
	if strings.HasPrefix(base, "text/") {
		return true
	}
	switch base {
	case "application/xml", "application/atom+xml", "application/rss+xml", "application/json",
		"application/javascript", "application/manifest+json", "image/svg+xml":
		return true
	}
	return strings.HasSuffix(base, "+xml") || strings.HasSuffix(base, "+json")
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip
// (RFC 9110: "gzip" or "*" with a q-value above zero).
func acceptsGzip(r *http.Request) bool {
	ok := false
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding != "gzip" && coding != "x-gzip" && coding != "*" {
				continue
			}
			q := 1.0
			if k, val, found := strings.Cut(strings.TrimSpace(params), "="); found && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
					q = f
				}
			}
			if coding == "*" {
				if q > 0 && !ok {
					ok = true
				}
				continue
			}
			return q > 0
		}
	}
	return ok
}
