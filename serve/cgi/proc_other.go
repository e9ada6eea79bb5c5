//go:build !unix

package cgi

import "os/exec"

// setProcessGroup kills only the script itself where process groups do not
// exist.
func setProcessGroup(cmd *exec.Cmd) {}
