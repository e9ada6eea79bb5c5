//go:build unix

package site

import (
	"errors"
	"io/fs"
	"syscall"
)

// readSource reads a whole source file. It is os.ReadFile without what
// os.Open does for files it may poll (on Linux, four fcntl calls and a
// refused epoll registration per file: one in seven of the system calls
// of a cold 10,000-post build), and without blocking on a special file
// swapped in since the walk: anything but a regular file is an error.
func readSource(name string) ([]byte, error) {
	fd, err := openNoEINTR(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := fstatNoEINTR(fd, &st); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("not a regular file")}
	}
	// One byte more than the size, so that a file that grew is read to
	// its end without growing the buffer first.
	b := make([]byte, 0, st.Size+1)
	for {
		n, err := syscall.Read(fd, b[len(b):cap(b)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: name, Err: err}
		}
		if n == 0 {
			return b, nil
		}
		b = b[:len(b)+n]
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

func openNoEINTR(name string) (int, error) {
	for {
		fd, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}

func fstatNoEINTR(fd int, st *syscall.Stat_t) error {
	for {
		if err := syscall.Fstat(fd, st); err != syscall.EINTR {
			return err
		}
	}
}
