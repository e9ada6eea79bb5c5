// Package redirects is the file a build writes into each output's folder
// to list the old addresses of its pages (their aliases) and where they
// are now, and that `gmkit serve` reads back, whether it serves a build
// from memory or a folder from disk (--no-build): the redirects survive
// with the files. The file is a dotfile, which no server publishes.
//
// Its format is one redirect per line, the old path and the new address
// separated by a TAB ("/old/\t/posts/new/"); blank lines and lines
// starting with "#" are ignored.
package redirects

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"unicode"
)

// File is the name of the file in an output's folder.
const File = ".redirects"

// A Redirect sends requests for the path From to the address To.
type Redirect struct {
	From, To string
}

// Append appends the file's text for list to b. A redirect whose paths
// hold a TAB, a line break or another control character is left out: it
// could not be read back as written.
func Append(b []byte, list []Redirect) []byte {
	b = append(b, "# Old addresses of pages and where they are now (gmkit serve answers with redirects).\n"...)
	for _, r := range list {
		if !valid(r.From) || !valid(r.To) {
			continue
		}
		b = append(b, r.From...)
		b = append(b, '\t')
		b = append(b, r.To...)
		b = append(b, '\n')
	}
	return b
}

func valid(s string) bool {
	return s != "" && !strings.ContainsFunc(s, unicode.IsControl)
}

// Parse reads a redirects file. A line that is not "FROM<TAB>TO", with
// FROM a path starting with "/", is an error naming its line.
func Parse(r io.Reader) ([]Redirect, error) {
	var out []Redirect
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64*1024)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSuffix(sc.Bytes(), []byte("\r"))
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		from, to, ok := bytes.Cut(line, []byte("\t"))
		if !ok || len(from) == 0 || from[0] != '/' || len(to) == 0 || !valid(string(from)) || !valid(string(to)) {
			return nil, fmt.Errorf("line %d: want /old/path, a TAB and the new address", n)
		}
		out = append(out, Redirect{From: string(from), To: string(to)})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", n+1, err)
	}
	return out, nil
}

// Read reads the redirects file of the output folder fsys; none when it
// has no such file.
func Read(fsys fs.FS) ([]Redirect, error) {
	f, err := fsys.Open(File)
	if err != nil {
		if isNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	defer f.Close()
	list, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", File, err)
	}
	return list, nil
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
