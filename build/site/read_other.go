//go:build !unix

package site

import "os"

// readSource reads a whole source file.
func readSource(name string) ([]byte, error) { return os.ReadFile(name) }
