//go:build !linux

package build

func swapDir(src, dst string) error { return swapDirTwoStep(src, dst) }
