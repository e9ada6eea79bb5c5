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
// 1 on any error, 2 on a usage error.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runContext(ctx, args, stdout, stderr)
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
