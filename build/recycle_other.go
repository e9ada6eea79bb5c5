//go:build !linux

package build

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// recycleSupported reports whether WriteOutput recycles the previous tree
// (it needs inode numbers and change times from lstat, read on Linux).
const recycleSupported = false

func writeRecycling(ctx context.Context, out *Output, dir, parent, base string) error {
	return writeFresh(ctx, out, dir, parent, base)
}

// takeManifest removes a manifest left in dir (by a Linux build), which
// UpdateOutput cannot keep true here.
func takeManifest(dir string) (*manifest, error) {
	mpath := filepath.Join(dir, manifestName)
	if err := os.Remove(mpath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("removing %s: %w", mpath, err)
	}
	return nil, nil
}

func keepManifest(string, *manifest, *Output, []string, []string, []string) error { return nil }
