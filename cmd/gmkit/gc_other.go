//go:build !linux

package main

// totalMemory is the machine's memory in bytes, or 0 when unknown.
func totalMemory() uint64 { return 0 }
