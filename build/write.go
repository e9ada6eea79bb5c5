package build

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"

	"golang.org/x/sync/errgroup"
)

// WriteOutput writes out into dir as a whole: the new tree is made beside
// dir, where nobody reads it, and then takes dir's place in one rename. If
// anything fails, dir is left as it was. The tree holds exactly out's
// files, plus a manifest (.gmkit-manifest, at the top, outside gemini/ and
// gopher/) of what was written.
//
// On Linux the tree dir held before is not removed but kept as the hidden
// sibling .<base>.prev (public -> .public.prev), and the next WriteOutput
// starts from it: files whose manifest entry still matches the disk and
// whose content is unchanged are kept, the others are overwritten in place
// or created, and what out lacks is removed. Without a trustworthy
// .<base>.prev, the tree is written into a fresh folder.
func WriteOutput(ctx context.Context, out *Output, dir string) error {
	parent, base, err := outputParent(dir)
	if err != nil {
		return err
	}
	if recycleSupported {
		return writeRecycling(ctx, out, dir, parent, base)
	}
	return writeFresh(ctx, out, dir, parent, base)
}

// WriteOutputFresh writes out into dir as WriteOutput does, but into a
// fresh folder, and removes the tree it replaces along with any previous
// output kept beside dir (one WriteOutput made, with its manifest).
func WriteOutputFresh(ctx context.Context, out *Output, dir string) error {
	parent, base, err := outputParent(dir)
	if err != nil {
		return err
	}
	if err := writeFresh(ctx, out, dir, parent, base); err != nil {
		return err
	}
	prev := filepath.Join(parent, "."+base+".prev")
	if _, err := os.Lstat(filepath.Join(prev, manifestName)); err == nil {
		if err := os.RemoveAll(prev); err != nil {
			return fmt.Errorf("removing the kept previous output %s: %w", prev, err)
		}
	}
	return nil
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
func writeFresh(ctx context.Context, out *Output, dir, parent, base string) error {
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

// UpdateOutput brings dir, which holds prev, in line with next by writing
// only the files that differ and removing those that are gone. Each file is
// replaced by a rename, so a reader never sees half a file; a reader of the
// whole tree may see old and new files side by side for a moment (the
// servers read from memory, not from dir, so they never do).
//
// dir's manifest is removed before anything changes and, when it was
// trustworthy, written again afterwards with the entries of what changed
// brought up to date; if the update fails, dir has no manifest (and will
// not be recycled until it has been written whole again).
func UpdateOutput(ctx context.Context, prev, next *Output, dir string) error {
	man, err := takeManifest(dir)
	if err != nil {
		return err
	}
	var changed []string
	for p, f := range next.files {
		old, ok := prev.files[p]
		if ok && old.src == f.src && old.size == f.size && old.modTime.Equal(f.modTime) && string(old.data) == string(f.data) {
			continue
		}
		changed = append(changed, p)
	}
	slices.Sort(changed)
	if err := writeTree(ctx, next, dir, changed, false); err != nil {
		return err
	}
	var gone, goneDirs []string
	for p := range prev.files {
		if _, ok := next.files[p]; !ok {
			gone = append(gone, p)
		}
	}
	slices.Sort(gone)
	for _, p := range gone {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.Remove(full); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing %s: %w", full, err)
		}
		// Remove folders left empty, up to dir.
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			if _, still := next.dirs[d]; still {
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
func writeTree(ctx context.Context, out *Output, dir string, paths []string, fresh bool) error {
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
	g.SetLimit(2 * workers())
	for _, p := range paths {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			return write(out.files[p], filepath.Join(dir, filepath.FromSlash(p)))
		})
	}
	return g.Wait()
}

// writeNew writes one file that does not exist yet, in a folder nobody reads
// until the write is over: no temporary file and rename are needed.
func writeNew(f *outFile, full string) error {
	dst, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("writing %s: %w", full, err)
	}
	if f.data != nil || f.src == "" {
		_, err = dst.Write(f.data)
	} else {
		var src *os.File
		src, err = os.Open(f.src)
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
func writeOne(f *outFile, full string) error {
	tmp, err := os.CreateTemp(filepath.Dir(full), "."+f.name+".tmp-")
	if err != nil {
		return fmt.Errorf("writing %s: %w", full, err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if f.data != nil || f.src == "" {
		_, err = tmp.Write(f.data)
	} else {
		var src *os.File
		src, err = os.Open(f.src)
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
