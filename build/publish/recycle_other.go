//go:build !linux

package publish

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gmkit/gmkit/build/tree"
)

// recycleSupported reports whether Write recycles the previous tree (it
// needs inode numbers and change times from lstat, read on Linux).
const recycleSupported = false

func writeRecycling(ctx context.Context, out *tree.Tree, dir, parent, base string) error {
	return writeFresh(ctx, out, dir, parent, base)
}

// keptByWrite reports whether prev is a tree a recycling Write kept; there
// are none here.
func keptByWrite(parent, base, prev string) bool { return false }

// removeStore removes the manifests kept beside an output folder.
func removeStore(parent, base string) error {
	dir := filepath.Join(parent, "."+base+".manifests")
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("removing %s: %w", dir, err)
	}
	return nil
}
