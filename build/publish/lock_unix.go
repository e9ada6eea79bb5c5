//go:build unix

package publish

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// lockOutput takes the output's lock, the file .<base>.lock beside it, so
// that two builds of one site (a `gmkit build` beside `serve --watch`, or
// two of either) never write the same output at once: the second waits
// for the first, as long as ctx lets it. Holding the lock, it removes what
// builds that were killed left behind (.<base>.new-* folders): no live
// build can own one. The returned function releases the lock.
func lockOutput(ctx context.Context, parent, base string) (unlock func(), err error) {
	name := filepath.Join(parent, "."+base+".lock")
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening the output's lock %s: %w", name, err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", name, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for another build writing %s (it holds %s): %w", filepath.Join(parent, base), name, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
	unlock = func() { f.Close() } // closing the file drops the lock
	if err := removeLeftovers(parent, base); err != nil {
		unlock()
		return nil, err
	}
	return unlock, nil
}

// removeLeftovers removes the .<base>.new-* folders of killed builds.
func removeLeftovers(parent, base string) error {
	ents, err := os.ReadDir(parent)
	if err != nil {
		return fmt.Errorf("reading %s: %w", parent, err)
	}
	prefix := "." + base + ".new-"
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		p := filepath.Join(parent, e.Name())
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("removing %s, left by a build that did not finish: %w", p, err)
		}
	}
	return nil
}
