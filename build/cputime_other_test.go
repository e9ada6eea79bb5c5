//go:build !unix

package build

import "time"

// cpuTime is the CPU time this process has used so far, where known.
func cpuTime() time.Duration { return 0 }
