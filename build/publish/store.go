//go:build linux

package publish

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// store is the folder of manifests kept beside an output folder:
// .<base>.manifests, holding one manifest per tree written there, named by
// the inode number of the tree's top folder. Renames (the swap that
// publishes a tree, the rename that keeps the tree it replaced) leave that
// number as it is, so a manifest follows its tree wherever it is moved,
// while the published tree holds only what is published. A manifest is only
// ever trusted entry by entry (lstat must still match), so a stale one
// naming a reused inode number trusts nothing.
type store struct{ dir string }

func storeOf(parent, base string) store {
	return store{filepath.Join(parent, "."+base+".manifests")}
}

// storeFor is the store of the output folder dir.
func storeFor(dir string) store {
	parent, base := filepath.Split(filepath.Clean(dir))
	if parent == "" {
		parent = "."
	}
	return storeOf(parent, base)
}

// real reports whether the store is a real folder (not a file, nor a
// symlink, which is never followed).
func (s store) real() bool {
	fi, err := os.Lstat(s.dir)
	return err == nil && fi.IsDir()
}

// name is the manifest file of the tree whose top folder is root; ok is
// false when root is not a folder (or not there) or the store is not a
// real folder.
func (s store) name(root string) (string, bool, error) {
	if !s.real() {
		return "", false, nil
	}
	st, err := lstatDisk(root)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("reading %s: %w", root, err)
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFDIR {
		return "", false, nil
	}
	return filepath.Join(s.dir, strconv.FormatUint(st.Ino, 10)), true, nil
}

// take reads and removes the manifest of the tree at root, before anything
// in that tree changes, so that it is never trusted again whatever happens
// next. It returns nil when there is none or it is damaged.
func (s store) take(root string) (*manifest, error) {
	mpath, ok, err := s.name(root)
	if err != nil || !ok {
		return nil, err
	}
	data, rerr := readNoFollow(mpath)
	if err := os.RemoveAll(mpath); err != nil {
		return nil, fmt.Errorf("removing %s: %w", mpath, err)
	}
	if rerr != nil {
		return nil, nil
	}
	m, err := parseManifest(data)
	if err != nil {
		return nil, nil
	}
	return m, nil
}

// has reports whether the tree at root has a manifest.
func (s store) has(root string) bool {
	mpath, ok, err := s.name(root)
	if err != nil || !ok {
		return false
	}
	_, err = os.Lstat(mpath)
	return err == nil
}

// put writes m as the manifest of the tree at root.
func (s store) put(root string, m *manifest) error {
	if fi, err := os.Lstat(s.dir); err == nil && !fi.IsDir() {
		// A file or symlink by that name is removed, never followed.
		if err := os.Remove(s.dir); err != nil {
			return fmt.Errorf("removing %s: %w", s.dir, err)
		}
	}
	if err := os.Mkdir(s.dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("creating %s: %w", s.dir, err)
	}
	mpath, ok, err := s.name(root)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("writing the manifest of %s: not a folder", root)
	}
	if err := os.RemoveAll(mpath); err != nil {
		return fmt.Errorf("removing %s: %w", mpath, err)
	}
	fd, err := createFile(mpath, 0o644)
	if err != nil {
		return fmt.Errorf("writing %s: %w", mpath, err)
	}
	err = writeFull(fd, m.encode())
	if cerr := syscall.Close(fd); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(mpath)
		return fmt.Errorf("writing %s: %w", mpath, err)
	}
	return nil
}

// drop removes the manifest of the tree at root, if it has one.
func (s store) drop(root string) {
	if mpath, ok, err := s.name(root); err == nil && ok {
		_ = os.Remove(mpath)
	}
}

// prune removes every manifest but those of the trees at keep: what is
// left of trees removed or replaced since.
func (s store) prune(keep ...string) error {
	if !s.real() {
		return nil
	}
	want := map[string]bool{}
	for _, root := range keep {
		if mpath, ok, err := s.name(root); err == nil && ok {
			want[filepath.Base(mpath)] = true
		}
	}
	ents, err := os.ReadDir(s.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", s.dir, err)
	}
	for _, e := range ents {
		if want[e.Name()] {
			continue
		}
		full := filepath.Join(s.dir, e.Name())
		if err := os.RemoveAll(full); err != nil {
			return fmt.Errorf("removing %s: %w", full, err)
		}
	}
	return nil
}

// remove removes the whole store (a symlink by its name is removed, not
// followed).
func (s store) remove() error {
	if err := os.RemoveAll(s.dir); err != nil {
		return fmt.Errorf("removing %s: %w", s.dir, err)
	}
	return nil
}

// keptByWrite reports whether prev is a tree a recycling Write kept (it has
// a manifest in the store).
func keptByWrite(parent, base, prev string) bool { return storeOf(parent, base).has(prev) }

// removeStore removes the manifests kept beside an output folder.
func removeStore(parent, base string) error { return storeOf(parent, base).remove() }
