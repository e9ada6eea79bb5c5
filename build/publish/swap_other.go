//go:build !linux

package publish

func swapDir(src, dst string) error { return swapDirTwoStep(src, dst) }
