// Package tasks runs a build's many small jobs (load a page, render a page,
// make an index) on a fixed pool of goroutines, reporting errors in a fixed
// order so that which error a user sees never depends on timing.
package tasks

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// Workers is how many goroutines Run uses: one per CPU the process may use.
func Workers() int { return max(runtime.GOMAXPROCS(0), 1) }

// Run runs tasks on Workers() goroutines, starting with tasks[first:]
// and then tasks[:first], and returns the error of the first task in
// tasks' order that failed, so that which error is reported never depends
// on timing. Once a task has failed, tasks after it in that order are
// skipped; those before it still run, as one of them may fail too. The
// goroutines live as long as the tasks last: rendering and templates need
// deep stacks, and a fresh goroutine per task would grow one every time.
func Run(ctx context.Context, tasks []func() error, first int) error {
	errs := make([]error, len(tasks))
	var failed atomic.Int64 // the lowest index of a failed task
	failed.Store(int64(len(tasks)))
	var next atomic.Int64 // the next task to start, counted from first
	var wg sync.WaitGroup
	for range min(Workers(), len(tasks)) {
		wg.Go(func() {
			for {
				n := next.Add(1) - 1
				if n >= int64(len(tasks)) {
					return
				}
				i := (first + int(n)) % len(tasks)
				if int64(i) > failed.Load() {
					continue
				}
				if err := ctx.Err(); err != nil {
					errs[i] = err
					continue
				}
				if errs[i] = tasks[i](); errs[i] != nil {
					for {
						f := failed.Load()
						if int64(i) >= f || failed.CompareAndSwap(f, int64(i)) {
							break
						}
					}
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
