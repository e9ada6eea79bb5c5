//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package certs

import (
	"fmt"
	"os"
	"syscall"
)

// lockDir creates dir if needed and holds an exclusive lock on it (flock on
// the folder itself, so a read-only folder can be locked too) until the
// returned function is called: gmkit processes starting at once agree on
// one certificate.
func lockDir(dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("certs: create folder %s: %w", dir, err)
	}
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("certs: open folder %s: %w", dir, err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("certs: lock folder %s: %w", dir, err)
	}
	return func() { f.Close() }, nil // closing releases the lock
}
