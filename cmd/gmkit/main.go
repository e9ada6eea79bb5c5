// Command gmkit publishes a folder of Markdown to the small web: `gmkit build`
// writes a Gemini capsule, a Gopher hole and feeds; `gmkit serve --watch`
// serves them over Gemini, Gopher and Guppy and rebuilds as you write.
//
// Run `gmkit help` for the commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at link time (-ldflags "-X main.version=v1.2.3"); builds
// from a module download report the module version instead.
var version = ""

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// errSilent is an error already reported to the user.
var errSilent = errors.New("already reported")

// run runs the command line args and returns the exit status: 0 on success,
// 1 on any error, 2 on a usage error. Signals stop it as interruptible
// says.
func run(args []string, stdout, stderr io.Writer) int {
	sigs := make(chan os.Signal, 3)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	ctx, stop := interruptible(context.Background(), sigs, stderr)
	defer stop()
	return runContext(ctx, args, stdout, stderr)
}

// stopNowKey carries, in a command's context, the channel that a second
// interrupt closes (see interruptible).
type stopNowKey struct{}

// stopNow is the channel a second interrupt closes, or nil.
func stopNow(ctx context.Context) <-chan struct{} {
	ch, _ := ctx.Value(stopNowKey{}).(<-chan struct{})
	return ch
}

// interruptible returns a context that the first signal on sigs cancels:
// the command stops gracefully (servers let the requests in flight finish)
// and says so. A second signal closes the context's stopNow channel: the
// servers close every connection and end requests in flight at once. A
// third ends the process with status 130. The watcher it starts ends when
// stop is called.
func interruptible(parent context.Context, sigs <-chan os.Signal, stderr io.Writer) (ctx context.Context, stop func()) {
	now := make(chan struct{})
	ctx, cancel := context.WithCancel(context.WithValue(parent, stopNowKey{}, (<-chan struct{})(now)))
	done := make(chan struct{})
	go func() {
		for n := 1; ; n++ {
			select {
			case <-sigs:
			case <-done:
				return
			}
			switch n {
			case 1:
				fmt.Fprintln(stderr, "Stopping: letting the requests in flight finish (press Ctrl-C again to stop at once).")
				cancel()
			case 2:
				fmt.Fprintln(stderr, "Stopping at once: closing every connection.")
				close(now)
			default:
				fmt.Fprintln(stderr, "Stopped.")
				os.Exit(130)
			}
		}
	}()
	return ctx, func() {
		close(done)
		cancel()
	}
}

// runContext is run without the signal handling: the command stops when ctx
// ends (run ends it on SIGINT or SIGTERM; tests end it themselves).
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ue *usageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "gmkit: %v\nRun 'gmkit help' for usage.\n", err)
		return 2
	case errors.Is(err, errSilent):
	default:
		fmt.Fprintf(stderr, "gmkit: %v\n", err)
	}
	return 1
}

// usageError is a mistake in the command line.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }
