//go:build !unix

package cgi

import "os/exec"

// setProcessGroup kills only the script itself where process groups do not
// exist.
func setProcessGroup(cmd *exec.Cmd) {}

// killGroup has no group to end where process groups do not exist; the
// script itself has exited.
func killGroup(cmd *exec.Cmd) {}
