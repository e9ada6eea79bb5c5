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
	"fmt"
	"github.com/gmkit/gmkit/build/tasks"
	"github.com/gmkit/gmkit/build/tree"
	"io"
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
	unlock, err := lockOutput(ctx, parent, base)
	if err != nil {
		return err
	}
	defer unlock()
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
	unlock, err := lockOutput(ctx, parent, base)
	if err != nil {
		return err
	}
	defer unlock()
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
	if err := writeTree(ctx, out, tmp, out.Paths()); err != nil {
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

// writeTree writes the named files of out below dir, in parallel. dir is
// a new, empty folder nobody reads yet: folders are made with one mkdir
// each and files written in place.
func writeTree(ctx context.Context, out *tree.Tree, dir string, paths []string) error {
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
		if err := os.Mkdir(full, 0o755); err != nil {
			return fmt.Errorf("creating %s: %w", full, err)
		}
		return nil
	}
	for _, p := range paths {
		if err := mkdir(path.Dir(p)); err != nil {
			return err
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(2 * tasks.Workers())
	for _, p := range paths {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			return writeNew(out.File(p), filepath.Join(dir, filepath.FromSlash(p)))
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
