package publish

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// swapDir puts the folder src in dst's place. When dst exists the two are
// exchanged in one atomic step, so dst is never missing, and src then holds
// the old contents.
func swapDir(src, dst string) error {
	err := unix.Renameat2(unix.AT_FDCWD, src, unix.AT_FDCWD, dst, unix.RENAME_EXCHANGE)
	if err == nil {
		return nil
	}
	if errors.Is(err, unix.ENOENT) {
		return os.Rename(src, dst)
	}
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) {
		return swapDirTwoStep(src, dst) // a file system without RENAME_EXCHANGE
	}
	return err
}
