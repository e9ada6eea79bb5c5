//go:build linux

package publish

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/gmkit/gmkit/build/tasks"
	"github.com/gmkit/gmkit/build/tree"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"
)

// recycleSupported reports whether Write recycles the previous tree
// (it needs inode numbers and change times from lstat).
const recycleSupported = true

// writeRecycling is Write on Linux: the previous output, kept as the
// hidden sibling .<base>.prev by the last write, is claimed and brought in
// line with out in place (see recycler) when its manifest is trusted;
// otherwise out is written into a fresh folder. Either way the result takes
// dir's place in one swap and what dir held becomes the new .<base>.prev.
// The manifests live in the store beside dir (see store), never in the
// published tree.
func writeRecycling(ctx context.Context, out *tree.Tree, dir, parent, base string) error {
	prev := filepath.Join(parent, "."+base+".prev")
	st := storeOf(parent, base)
	tmp, err := os.MkdirTemp(parent, "."+base+".new-")
	if err != nil {
		return fmt.Errorf("creating a folder beside %s: %w", dir, err)
	}
	old, err := claimPrev(st, prev, tmp)
	if err != nil {
		discardTree(st, tmp)
		return err
	}
	if old == nil {
		// Nothing to recycle: make sure tmp is the empty folder MkdirTemp
		// made (an untrusted claimed tree is thrown away whole).
		if err := ensureEmpty(tmp); err != nil {
			discardTree(st, tmp)
			return err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		discardTree(st, tmp)
		return fmt.Errorf("creating %s: %w", tmp, err)
	}
	r := newRecycler(out, tmp, old)
	m, err := r.run(ctx)
	if err == nil {
		err = st.put(tmp, m)
	}
	if err != nil {
		discardTree(st, tmp)
		return err
	}
	if err := swapDir(tmp, dir); err != nil {
		discardTree(st, tmp)
		return fmt.Errorf("replacing %s: %w", dir, err)
	}
	// tmp now holds the previous output, if there was one: keep it for
	// the next write to recycle.
	if _, err := os.Lstat(tmp); err == nil {
		if err := keepPrev(tmp, prev); err != nil {
			// The name is taken by a folder we did not make (another
			// build's kept tree, or something else): leave it, drop ours.
			st.drop(tmp)
			if err := os.RemoveAll(tmp); err != nil {
				return fmt.Errorf("removing the previous output %s: %w", tmp, err)
			}
		}
	}
	return st.prune(dir, prev)
}

// keepPrev renames the previous output tmp to prev; a file or symlink
// named prev is replaced, a folder is not.
func keepPrev(tmp, prev string) error {
	err := os.Rename(tmp, prev)
	if err == nil {
		return nil
	}
	if fi, lerr := os.Lstat(prev); lerr != nil || fi.IsDir() {
		return err
	}
	if err := os.Remove(prev); err != nil {
		return err
	}
	return os.Rename(tmp, prev)
}

// claimPrev renames prev (the tree kept by the last write) to tmp, an empty
// folder, reads its manifest and removes it before anything else, so that
// the claimed tree is never trusted again whatever happens next. It returns
// the manifest, or nil when there is nothing trustworthy to recycle (no
// prev, no or a bad manifest, prev not a folder); an untrusted tree is
// removed once claimed, and tmp is then empty again.
func claimPrev(st store, prev, tmp string) (*manifest, error) {
	// syscall.Rename, not os.Rename: os.Rename refuses to replace a
	// folder, even an empty one.
	if err := renameNoEINTR(prev, tmp); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		// A file or symlink by that name is removed (never followed); a
		// folder that cannot be moved (a mount point, say) is left alone.
		if fi, lerr := os.Lstat(prev); lerr == nil && !fi.IsDir() {
			if err := os.Remove(prev); err != nil {
				return nil, fmt.Errorf("removing %s: %w", prev, err)
			}
		}
		return nil, nil
	}
	m, err := st.take(tmp)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, clearTree(tmp)
	}
	return m, nil
}

// clearTree empties the folder dir (a claimed tree that cannot be trusted).
func clearTree(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("removing %s: %w", dir, err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	return nil
}

// ensureEmpty checks that dir has no entries.
func ensureEmpty(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("reading %s: %w", dir, err)
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	if err != nil && err != io.EOF {
		return fmt.Errorf("reading %s: %w", dir, err)
	}
	if len(names) > 0 {
		return fmt.Errorf("reading %s: %q appeared in a new folder", dir, names[0])
	}
	return nil
}

// discardTree removes a tree that will not be published: its manifest
// first, so that even a partial removal leaves nothing trusted.
func discardTree(st store, dir string) {
	st.drop(dir)
	_ = os.RemoveAll(dir)
}

// readNoFollow reads a regular file without following a symlink.
func readNoFollow(name string) ([]byte, error) {
	fd, err := openNoFollow(name, syscall.O_RDONLY)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", name)
	}
	return io.ReadAll(f)
}

// recycler brings the tree at root in line with out: root is either a new,
// empty folder (old == nil) or a previous output whose manifest, old, says
// what was written there (but not what happened to it since).
//
// Folders are settled first, parents before children: each is checked with
// lstat against its manifest entry. A folder that matches (same inode,
// mode, size, mtime and ctime) still has exactly the entries the manifest
// lists, since adding, removing or renaming an entry changes its times;
// those the Output lacks are removed by name. Any other folder is listed
// and everything in it the Output lacks is removed; a non-folder where a
// folder belongs is removed and the folder made. Then every file is
// written, in parallel: kept as it is when lstat matches its entry and the
// entry's content key equals the new one; else overwritten in place when it
// is a regular file of ours alone (one link); else created. Nothing found in
// the tree is ever followed: symlinks are removed, never opened.
type recycler struct {
	out      *tree.Tree
	root     string
	old      *manifest // nil for a fresh folder
	fileMode uint32    // permission bits of the files we create
	dirMode  uint32

	dirs  []string // the Output's folders but ".", sorted
	dirAt map[string]int
	dst   []dirState
}

// dirState is what the recycler learnt about one folder.
type dirState struct {
	st      diskStat // lstat before any change below it
	created bool     // made in this write (so it was empty)
	clean   bool     // matched its manifest entry
	changed bool     // entries added or removed since st was taken
}

func newRecycler(out *tree.Tree, root string, old *manifest) *recycler {
	fileMode, dirMode := createModes()
	r := &recycler{out: out, root: root, old: old, fileMode: fileMode, dirMode: dirMode}
	r.dirs = out.Dirs()
	r.dirAt = make(map[string]int, len(r.dirs))
	for i, d := range r.dirs {
		r.dirAt[d] = i
	}
	r.dst = make([]dirState, len(r.dirs))
	return r
}

func (r *recycler) full(p string) string {
	return r.root + string(filepath.Separator) + filepath.FromSlash(p)
}

// parentCreated reports whether p's folder was made in this write.
func (r *recycler) parentCreated(p string) bool {
	d := path.Dir(p)
	if d == "." {
		return r.old == nil
	}
	return r.dst[r.dirAt[d]].created
}

// markChanged records that entries were added to or removed from folder d.
func (r *recycler) markChanged(d string) {
	if d != "." {
		r.dst[r.dirAt[d]].changed = true
	}
}

// run settles the tree and returns its new manifest (Written not yet set).
func (r *recycler) run(ctx context.Context) (*manifest, error) {
	if r.old != nil {
		if err := r.pruneDir("."); err != nil {
			return nil, err
		}
	}
	if err := r.settleDirs(ctx); err != nil {
		return nil, err
	}
	if err := r.pruneClean(); err != nil {
		return nil, err
	}
	paths := r.out.Paths()
	res := make([]manEntry, len(paths))
	created := make([]bool, len(paths))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(2 * tasks.Workers())
	for i, p := range paths {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			var err error
			res[i], created[i], err = r.settleFile(p, r.out.File(p))
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for i, p := range paths {
		if created[i] {
			r.markChanged(path.Dir(p))
		}
	}
	// Folders whose entries changed: stat them again, now that they are
	// final.
	for i, d := range r.dirs {
		s := &r.dst[i]
		if s.created || s.changed {
			st, err := lstatDisk(r.full(d))
			if err != nil {
				return nil, fmt.Errorf("reading %s: %w", r.full(d), err)
			}
			s.st = st
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m := &manifest{Entries: make([]manEntry, 0, len(paths)+len(r.dirs))}
	// Merge the two sorted lists.
	i, j := 0, 0
	for i < len(r.dirs) || j < len(paths) {
		if j == len(paths) || (i < len(r.dirs) && r.dirs[i] < paths[j]) {
			m.Entries = append(m.Entries, manEntry{Path: r.dirs[i], Dir: true, diskStat: r.dst[i].st})
			i++
			continue
		}
		m.Entries = append(m.Entries, res[j])
		j++
	}
	m.Written = time.Now().UnixNano()
	return m, nil
}

// settleDirs makes every folder of the Output exist as a real folder,
// parents first: the folders of one depth are settled in parallel, after
// those above them.
func (r *recycler) settleDirs(ctx context.Context) error {
	var levels [][]int
	for i, d := range r.dirs {
		depth := strings.Count(d, "/")
		for len(levels) <= depth {
			levels = append(levels, nil)
		}
		levels[depth] = append(levels[depth], i)
	}
	for _, level := range levels {
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(2 * tasks.Workers())
		for _, i := range level {
			g.Go(func() error {
				if err := gctx.Err(); err != nil {
					return err
				}
				return r.settleDir(i)
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		for _, i := range level {
			if r.dst[i].created {
				r.markChanged(path.Dir(r.dirs[i]))
			}
		}
	}
	return ctx.Err()
}

// settleDir settles the folder r.dirs[i]. It changes only r.dst[i] (the
// caller marks the parent of a created folder as changed).
func (r *recycler) settleDir(i int) error {
	d, s := r.dirs[i], &r.dst[i]
	full := r.full(d)
	if r.parentCreated(d) {
		return r.mkdir(d, s)
	}
	st, err := lstatDisk(full)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return r.mkdir(d, s)
	case err != nil:
		return fmt.Errorf("reading %s: %w", full, err)
	case st.Mode&syscall.S_IFMT != syscall.S_IFDIR:
		// A file, symlink or anything else where a folder belongs: remove
		// the name (a symlink's target is never touched).
		if err := os.Remove(full); err != nil {
			return fmt.Errorf("removing %s: %w", full, err)
		}
		return r.mkdir(d, s)
	}
	s.st = st
	e := r.old.lookup(d)
	s.clean = e != nil && e.Dir && e.matches(st) && !r.old.racy(e)
	if st.Mode&0o7777 != r.dirMode {
		if err := os.Chmod(full, fs.FileMode(r.dirMode)); err != nil {
			return fmt.Errorf("writing %s: %w", full, err)
		}
		s.changed = true // its ctime moved
	}
	if !s.clean {
		return r.pruneDir(d)
	}
	return nil
}

func (r *recycler) mkdir(d string, s *dirState) error {
	full := r.full(d)
	if err := os.Mkdir(full, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", full, err)
	}
	s.created = true
	return nil
}

// pruneDir lists folder d (which lstat showed to be a folder) and removes
// every entry the Output does not have there.
func (r *recycler) pruneDir(d string) error {
	full := r.root
	if d != "." {
		full = r.full(d)
	}
	fd, err := openNoFollow(full, syscall.O_RDONLY|syscall.O_DIRECTORY)
	if err != nil {
		return fmt.Errorf("reading %s: %w", full, err)
	}
	f := os.NewFile(uintptr(fd), full)
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return fmt.Errorf("reading %s: %w", full, err)
	}
	slices.Sort(names)
	for _, name := range names {
		p := name
		if d != "." {
			p = d + "/" + name
		}
		if r.out.File(p) != nil {
			continue
		}
		if r.out.IsDir(p) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(full, name)); err != nil {
			return fmt.Errorf("removing %s: %w", filepath.Join(full, name), err)
		}
		r.markChanged(d)
	}
	return nil
}

// pruneClean removes what the manifest lists in clean folders that the
// Output no longer has. (Entries of unclean folders went with pruneDir;
// entries below a removed folder went with it.)
func (r *recycler) pruneClean() error {
	if r.old == nil {
		return nil
	}
	for i := range r.old.Entries {
		e := &r.old.Entries[i]
		if r.out.File(e.Path) != nil {
			continue
		}
		if r.out.IsDir(e.Path) {
			continue
		}
		d := path.Dir(e.Path)
		k, ok := r.dirAt[d]
		if !ok || !r.dst[k].clean {
			continue
		}
		full := r.full(e.Path)
		var err error
		if e.Dir {
			err = os.RemoveAll(full)
		} else {
			err = os.Remove(full)
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing %s: %w", full, err)
		}
		r.markChanged(d)
	}
	return nil
}

// settleFile makes the file at p hold f, reusing what is there when it can.
// It returns the file's manifest entry and whether it made a new name in
// its folder.
func (r *recycler) settleFile(p string, f *tree.File) (manEntry, bool, error) {
	full := r.full(p)
	e := manEntry{Path: p, Key: contentKey(f)}
	if r.parentCreated(p) {
		st, err := r.create(full, f)
		e.diskStat = st
		return e, true, err
	}
	st, err := lstatDisk(full)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		st, err := r.create(full, f)
		e.diskStat = st
		return e, true, err
	case err != nil:
		return e, false, fmt.Errorf("reading %s: %w", full, err)
	case st.Mode&syscall.S_IFMT == syscall.S_IFDIR:
		if err := os.RemoveAll(full); err != nil {
			return e, false, fmt.Errorf("removing %s: %w", full, err)
		}
		st, err := r.create(full, f)
		e.diskStat = st
		return e, true, err
	case st.Mode&syscall.S_IFMT != syscall.S_IFREG:
		if err := os.Remove(full); err != nil {
			return e, false, fmt.Errorf("removing %s: %w", full, err)
		}
		st, err := r.create(full, f)
		e.diskStat = st
		return e, true, err
	}
	if old := r.old.lookup(p); old != nil && !old.Dir && old.Key == e.Key && old.matches(st) && st.Mode&0o7777 == r.fileMode {
		if !r.old.racy(old) || (f.Source() == "") && sameContent(full, f.Data()) {
			e.diskStat = st
			return e, false, nil
		}
	}
	st, made, err := r.rewrite(full, f, st)
	e.diskStat = st
	return e, made, err
}

// sameContent reports whether the regular file full holds exactly data.
func sameContent(full string, data []byte) bool {
	fd, err := openNoFollow(full, syscall.O_RDONLY|syscall.O_NONBLOCK)
	if err != nil {
		return false
	}
	defer syscall.Close(fd)
	buf := make([]byte, len(data)+1)
	n := 0
	for n < len(buf) {
		k, err := syscall.Read(fd, buf[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return false
		}
		if k == 0 {
			break
		}
		n += k
	}
	return bytes.Equal(buf[:n], data)
}

// rewrite overwrites the regular file full (lstat gave old) with f in
// place: no new inode, no folder change. A file with other links (a hard
// link made elsewhere would see the change) or that is no longer a regular
// file is replaced by a new one instead.
func (r *recycler) rewrite(full string, f *tree.File, old diskStat) (diskStat, bool, error) {
	fd, err := openNoFollow(full, syscall.O_WRONLY|syscall.O_NONBLOCK)
	if err != nil {
		return r.replace(full, f)
	}
	var st syscall.Stat_t
	if err := fstat(fd, &st); err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG || st.Nlink != 1 {
		syscall.Close(fd)
		return r.replace(full, f)
	}
	// Overwrite, then cut what is left of a longer old file: cheaper than
	// O_TRUNC, which frees every block and (on ext4) forces the new ones
	// out on close.
	n, err := r.fill(fd, f, full)
	if err == nil && st.Size > n {
		err = ftruncate(fd, n)
	}
	if err == nil && st.Mode&0o7777 != r.fileMode {
		err = fchmod(fd, r.fileMode)
	}
	var got diskStat
	if err == nil {
		got, err = fstatDisk(fd)
	}
	if cerr := syscall.Close(fd); err == nil {
		err = cerr
	}
	if err != nil {
		return got, false, fmt.Errorf("writing %s: %w", full, err)
	}
	return got, false, nil
}

// replace removes whatever is at full and creates the file anew.
func (r *recycler) replace(full string, f *tree.File) (diskStat, bool, error) {
	if err := os.Remove(full); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return diskStat{}, false, fmt.Errorf("removing %s: %w", full, err)
	}
	st, err := r.create(full, f)
	return st, true, err
}

// create writes f as a new file at full.
func (r *recycler) create(full string, f *tree.File) (diskStat, error) {
	fd, err := createFile(full, 0o644)
	if err != nil {
		return diskStat{}, fmt.Errorf("writing %s: %w", full, err)
	}
	_, err = r.fill(fd, f, full)
	var st diskStat
	if err == nil {
		st, err = fstatDisk(fd)
	}
	if cerr := syscall.Close(fd); err == nil {
		err = cerr
	}
	if err != nil {
		return st, fmt.Errorf("writing %s: %w", full, err)
	}
	return st, nil
}

// fill writes f's bytes to fd from its current offset and returns how many.
func (r *recycler) fill(fd int, f *tree.File, full string) (int64, error) {
	if f.Source() == "" {
		return int64(len(f.Data())), writeFull(fd, f.Data())
	}
	src, err := os.Open(f.Source())
	if err != nil {
		return 0, err
	}
	defer src.Close()
	// A duplicate descriptor lets os.File (and copy_file_range) do the
	// copy while fd stays ours to stat and close.
	dup, err := syscall.Dup(fd)
	if err != nil {
		return 0, err
	}
	dst := os.NewFile(uintptr(dup), full)
	n, err := io.Copy(dst, src)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// createModes returns the permission bits os.OpenFile(..., 0o644) and
// os.Mkdir(..., 0o755) give under this process's umask, read from
// /proc/self/status (022 when that is not available). Reading it does not
// change the umask, unlike syscall.Umask.
func createModes() (file, dir uint32) {
	umask := uint32(0o022)
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for line := range strings.Lines(string(b)) {
			if v, ok := strings.CutPrefix(line, "Umask:"); ok {
				if u, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32); err == nil {
					umask = uint32(u)
				}
				break
			}
		}
	}
	return 0o644 &^ umask, 0o755 &^ umask
}

// The system calls, without os.File's extra fstat and poller setup.

func openNoFollow(name string, flags int) (int, error) {
	for {
		fd, err := syscall.Open(name, flags|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return -1, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return fd, nil
	}
}

func renameNoEINTR(from, to string) error {
	for {
		err := syscall.Rename(from, to)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
		}
		return nil
	}
}

func createFile(name string, perm uint32) (int, error) {
	for {
		fd, err := syscall.Open(name, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, perm)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return -1, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return fd, nil
	}
}

func writeFull(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := syscall.Write(fd, b)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n <= 0 {
			return io.ErrShortWrite
		}
		b = b[n:]
	}
	return nil
}

func fstat(fd int, st *syscall.Stat_t) error {
	for {
		err := syscall.Fstat(fd, st)
		if err != syscall.EINTR {
			return err
		}
	}
}

func ftruncate(fd int, n int64) error {
	for {
		err := syscall.Ftruncate(fd, n)
		if err != syscall.EINTR {
			return err
		}
	}
}

func fchmod(fd int, mode uint32) error {
	for {
		err := syscall.Fchmod(fd, mode)
		if err != syscall.EINTR {
			return err
		}
	}
}

func toDiskStat(st *syscall.Stat_t) diskStat {
	return diskStat{
		Mode:  st.Mode,
		Ino:   st.Ino,
		Size:  st.Size,
		Mtime: st.Mtim.Nano(),
		Ctime: st.Ctim.Nano(),
	}
}

func fstatDisk(fd int) (diskStat, error) {
	var st syscall.Stat_t
	if err := fstat(fd, &st); err != nil {
		return diskStat{}, err
	}
	return toDiskStat(&st), nil
}

// lstatDisk lstats name; a missing name gives an error matching
// fs.ErrNotExist.
func lstatDisk(name string) (diskStat, error) {
	var st syscall.Stat_t
	for {
		err := syscall.Lstat(name, &st)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return diskStat{}, &fs.PathError{Op: "lstat", Path: name, Err: err}
		}
		return toDiskStat(&st), nil
	}
}
