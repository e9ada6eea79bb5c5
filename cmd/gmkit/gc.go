package main

import (
	"os"
	"runtime/debug"
)

// oneShotGCPercent is the garbage collector's GOGC for a one-shot build. A
// build's heap is mostly pages it keeps until the end, so the default
// (100) collects again and again while finding little to free. Measured
// on 10,000 generated posts (build/bench/sitegen), both outputs, the
// previous output present, GOMEMLIMIT=12GiB, 2 cores, runs interleaved,
// medians of CPU time (user+sys) and peak RSS:
//
//	GOGC   --no-cache        with the build cache
//	100    8.4-8.8 s  584-610 MB   3.76 s  391 MB
//	200    8.1-8.9 s  650-689 MB   3.80 s  405 MB
//	400    8.0-8.5 s  619-654 MB   3.54 s  405 MB
//	off    9.4-9.9 s  883-885 MB   3.59 s  404 MB
//
// 400 used the least CPU in every series (3-5% less than 100, for 35-45
// MB more); off is slowest, as every page it touches is fresh memory the
// kernel must fault in.
const oneShotGCPercent = 400

// tuneGCForBuild sets the collector up for a process that builds once and
// exits, unless the user chose with GOGC or GOMEMLIMIT. A soft memory limit
// of half the machine's memory (where it is known) keeps a large site on a
// small machine from growing four times as far as it needs to: near the
// limit the collector works as hard as it must instead.
func tuneGCForBuild() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(oneShotGCPercent)
	if total := totalMemory(); total > 0 {
		debug.SetMemoryLimit(int64(total / 2))
	}
}
