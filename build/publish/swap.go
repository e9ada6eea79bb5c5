package publish

import (
	"errors"
	"io/fs"
	"os"
)

// swapDirTwoStep puts src in dst's place with two renames: dst is missing for
// the moment between them. Afterwards src holds the old contents (or nothing).
func swapDirTwoStep(src, dst string) error {
	old := src + ".old"
	if err := os.Rename(dst, old); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return os.Rename(src, dst)
		}
		return err
	}
	if err := os.Rename(src, dst); err != nil {
		_ = os.Rename(old, dst)
		return err
	}
	return os.Rename(old, src)
}
