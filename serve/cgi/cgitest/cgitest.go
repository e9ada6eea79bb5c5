// Package cgitest helps tests check that what a CGI script started ends
// with its request: it reads the process ids scripts write and watches
// those processes through /proc (Linux).
package cgitest

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// CanWatch reports whether processes can be watched here (/proc exists);
// tests skip when it does not.
func CanWatch() bool {
	_, err := os.Stat("/proc/self/stat")
	return err == nil
}

// Alive reports whether process pid exists and is not a zombie.
func Alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// "pid (comm) S ...": the state follows the last ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

// ReadPID reads the process id a script wrote to file.
func ReadPID(t testing.TB, file string) int {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("the script wrote no pid: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("pid file holds %q", b)
	}
	return pid
}

// WaitGone waits for pid, whose process group was sent SIGKILL, to die
// (that takes the kernel a moment), and reports an error naming what,
// killing the process itself, when it lives on for ten seconds.
func WaitGone(t testing.TB, what string, pid int) {
	t.Helper()
	for i := 0; Alive(pid); i++ {
		if i == 1000 {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Errorf("%s: child %d outlived the request", what, pid)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
