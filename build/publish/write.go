// Package publish writes a build's tree (see build/tree) to disk as one
// atomic change: the new tree is made beside the output folder and swapped
// into its place in one rename, so readers see the old tree or the new one,
// never a mix, and a failed write leaves the old one as it was. On Linux the
// tree it replaces is kept and brought in line in place by the next write
// (recycling), guided by a manifest of what was written that lives beside
// the output folder, never in it.
package publish

import (
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

	"golang.org/x/sync/errgroup"
)

// Write writes out into dir as a whole: the new tree is made beside dir,
// where nobody reads it, and then takes dir's place in one rename. If
// anything fails, dir is left as it was. dir holds exactly out's files;
// the manifest of what was written is kept beside it, in .<base>.manifests
// (see store).
//
// On Linux the tree dir held before is not removed but kept as the hidden
// sibling .<base>.prev (public -> .public.prev), and the next Write
// starts from it: files whose manifest entry still matches the disk and
// whose content is unchanged are kept, the others are overwritten in place
// or created, and what out lacks is removed. Without a trustworthy
// .<base>.prev, the tree is written into a fresh folder.
func Write(ctx context.Context, out *tree.Tree, dir string) error {
	parent, base, err := outputParent(dir)
	if err != nil {
		return err
	}
	if recycleSupported {
		return writeRecycling(ctx, out, dir, parent, base)
	}
	return writeFresh(ctx, out, dir, parent, base)
}

// WriteFresh writes out into dir as Write does, but into a
// fresh folder, and removes the tree it replaces along with any previous
// output kept beside dir (one Write made, with its manifest).
func WriteFresh(ctx context.Context, out *tree.Tree, dir string) error {
	parent, base, err := outputParent(dir)
	if err != nil {
		return err
	}
	if err := writeFresh(ctx, out, dir, parent, base); err != nil {
		return err
	}
	prev := filepath.Join(parent, "."+base+".prev")
	if keptByWrite(parent, base, prev) {
		if err := os.RemoveAll(prev); err != nil {
			return fmt.Errorf("removing the kept previous output %s: %w", prev, err)
		}
	}
	return removeStore(parent, base)
}

// outputParent splits dir into the folder it sits in, which it creates if
// need be, and its own name.
func outputParent(dir string) (parent, base string, err error) {
	parent, base = filepath.Split(filepath.Clean(dir))
	if parent == "" {
		parent = "."
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", "", fmt.Errorf("creating %s: %w", parent, err)
	}
	return parent, base, nil
}

// writeFresh writes out into a new folder beside dir, swaps it in and
// removes the previous tree (where recycling is not supported).
func writeFresh(ctx context.Context, out *tree.Tree, dir, parent, base string) error {
	tmp, err := os.MkdirTemp(parent, "."+base+".new-")
	if err != nil {
		return fmt.Errorf("creating a folder beside %s: %w", dir, err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("creating %s: %w", tmp, err)
	}
	if err := writeTree(ctx, out, tmp, out.Paths(), true); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := swapDir(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("replacing %s: %w", dir, err)
	}
	// tmp now holds the previous output, if there was one.
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("removing the previous output %s: %w", tmp, err)
	}
	return nil
}

// Update brings dir, which holds prev, in line with next by writing
// only the files that differ and removing those that are gone. Each file is
// replaced by a rename, so a reader never sees half a file; a reader of the
// whole tree may see old and new files side by side for a moment (the
// servers read from memory, not from dir, so they never do).
//
// dir's manifest is removed before anything changes and, when it was
// trustworthy, written again afterwards with the entries of what changed
// brought up to date; if the update fails, dir has no manifest (and will
// not be recycled until it has been written whole again).
func Update(ctx context.Context, prev, next *tree.Tree, dir string) error {
	man, err := takeManifest(dir)
	if err != nil {
		return err
	}
	var changed []string
	for _, p := range next.Paths() {
		f, old := next.File(p), prev.File(p)
		if old != nil && old.Source() == f.Source() && old.Size() == f.Size() && old.ModTime().Equal(f.ModTime()) && string(old.Data()) == string(f.Data()) {
			continue
		}
		changed = append(changed, p)
	}
	if err := writeTree(ctx, next, dir, changed, false); err != nil {
		return err
	}
	var gone, goneDirs []string
	for _, p := range prev.Paths() {
		if next.File(p) == nil {
			gone = append(gone, p)
		}
	}
	for _, p := range gone {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.Remove(full); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing %s: %w", full, err)
		}
		// Remove folders left empty, up to dir.
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			if next.IsDir(d) {
				break
			}
			if err := os.Remove(filepath.Join(dir, filepath.FromSlash(d))); err != nil {
				break
			}
			goneDirs = append(goneDirs, d)
		}
	}
	if man == nil {
		return nil
	}
	return keepManifest(dir, man, next, changed, gone, goneDirs)
}

// writeTree writes the named files of out below dir, in parallel. When
// fresh, dir is a new, empty folder nobody reads yet: folders are made with
// one mkdir each and files written in place; otherwise each file is
// replaced by a rename (see writeOne).
func writeTree(ctx context.Context, out *tree.Tree, dir string, paths []string, fresh bool) error {
	made := map[string]bool{".": true}
	var mkdir func(d string) error
	mkdir = func(d string) error {
		if made[d] {
			return nil
		}
		if err := mkdir(path.Dir(d)); err != nil {
			return err
		}
		made[d] = true
		full := filepath.Join(dir, filepath.FromSlash(d))
		if fresh {
			if err := os.Mkdir(full, 0o755); err != nil {
				return fmt.Errorf("creating %s: %w", full, err)
			}
			return nil
		}
		if err := os.MkdirAll(full, 0o755); err != nil {
			return fmt.Errorf("creating %s: %w", full, err)
		}
		return nil
	}
	for _, p := range paths {
		if err := mkdir(path.Dir(p)); err != nil {
			return err
		}
	}
	write := writeOne
	if fresh {
		write = writeNew
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(2 * tasks.Workers())
	for _, p := range paths {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			return write(out.File(p), filepath.Join(dir, filepath.FromSlash(p)))
		})
	}
	return g.Wait()
}

// writeNew writes one file that does not exist yet, in a folder nobody reads
// until the write is over: no temporary file and rename are needed.
func writeNew(f *tree.File, full string) error {
	dst, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("writing %s: %w", full, err)
	}
	if f.Source() == "" {
		_, err = dst.Write(f.Data())
	} else {
		var src *os.File
		src, err = os.Open(f.Source())
		if err == nil {
			_, err = io.Copy(dst, src)
			src.Close()
		}
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", full, err)
	}
	return nil
}

// writeOne writes one file by writing a temporary file beside it and renaming
// it into place.
func writeOne(f *tree.File, full string) error {
	tmp, err := os.CreateTemp(filepath.Dir(full), "."+f.Name()+".tmp-")
	if err != nil {
		return fmt.Errorf("writing %s: %w", full, err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if f.Source() == "" {
		_, err = tmp.Write(f.Data())
	} else {
		var src *os.File
		src, err = os.Open(f.Source())
		if err == nil {
			_, err = io.Copy(tmp, src)
			src.Close()
		}
	}
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", full, err)
	}
	if err := os.Rename(tmp.Name(), full); err != nil {
		return fmt.Errorf("writing %s: %w", full, err)
	}
	return nil
}
