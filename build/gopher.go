package build

import (
	"context"
	"io/fs"
)

// gopher renders the Gopher hole.
func (r *run) gopher(ctx context.Context, theme fs.FS, origin string) error {
	return nil
}
