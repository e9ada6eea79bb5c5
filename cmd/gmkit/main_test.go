package main

import (
	"fmt"
	"os"
	"testing"
)

// TestMain points the per-user state folder (the shared development
// certificates) at a temporary folder, so that no test reads or writes the
// real one.
func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "gmkit-state-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	os.Setenv("XDG_STATE_HOME", dir)
	return m.Run()
}
