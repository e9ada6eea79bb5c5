//go:build unix

package cgi

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts the script in its own process group and makes the
// cancellation kill the whole group, grandchildren included.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
