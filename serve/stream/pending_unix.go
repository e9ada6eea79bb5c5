//go:build unix

package stream

import (
	"net"
	"syscall"
)

// unreadInput reports whether the client has sent bytes the server has not
// read, looking through *tls.Conn and other wrappers (NetConn) down to the
// socket. It says true when it cannot tell.
func unreadInput(c net.Conn) bool {
	sc, ok := transport(c).(syscall.Conn)
	if !ok {
		return true
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	pending := true
	err = rc.Read(func(fd uintptr) bool {
		var b [1]byte
		n, _, _ := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		// n == 0: nothing queued (EAGAIN), or the client has closed.
		pending = n > 0
		return true
	})
	return err != nil || pending
}
