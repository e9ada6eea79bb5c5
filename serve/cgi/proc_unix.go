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

// killGroup ends whatever is left of the script's process group once the
// script has exited. The group keeps the script's id while any member
// lives, so the id cannot name another process.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
