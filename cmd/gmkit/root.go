package main

import (
	"fmt"
	"github.com/spf13/pflag"
	"io"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// globals are the flags every command takes.
type globals struct {
	site   string
	config string
	// flags are the running command's flags: a configuration reloaded
	// under --watch keeps what they set.
	flags *pflag.FlagSet
	// verbose lists every warning of a build (--verbose); by default
	// those of one kind past the first few are counted.
	verbose bool
	stdout  io.Writer
	stderr  io.Writer
}

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	g := &globals{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "gmkit",
		Short: "Publish a folder of Markdown to Gemini, Gopher and Guppy",
		Long: `gmkit turns a folder of Markdown posts and pages into a Gemini capsule, a
Gopher hole and feeds, and serves them over Gemini (TLS), Gopher and Guppy
with CGI and certificates it makes itself.

A site is a folder with gmkit.toml, content/ (Markdown), static/ (copied as
it is), cgi-bin/ (scripts) and optionally themes/. Start one with
'gmkit init mysite', or run 'gmkit serve --watch' anywhere to see the
built-in example site.

Configuration comes from flags, then GMKIT_SECTION_KEY environment
variables (e.g. GMKIT_GEMINI_LISTEN), then gmkit.toml, then defaults.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return &usageError{err} })
	pf := root.PersistentFlags()
	pf.StringVarP(&g.site, "site", "s", ".", "site folder")
	pf.StringVar(&g.config, "config", "", "config file (default: gmkit.toml in the site folder)")
	root.AddCommand(
		newBuildCmd(g),
		newServeCmd(g),
		newInitCmd(g),
		newNewCmd(g),
		newCertCmd(g),
		newGuppyGetCmd(g),
		newVersionCmd(g),
	)
	readBoolsAlike(root)
	return root
}

// versionString is the version of this binary.
func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

func newVersionCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print gmkit's version",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprintf(g.stdout, "gmkit %s\n", versionString())
			return err
		},
	}
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return &usageError{fmt.Errorf("%s takes no arguments, got %q", cmd.CommandPath(), args[0])}
	}
	return nil
}

func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return &usageError{fmt.Errorf("%s takes %d argument(s), got %d", cmd.CommandPath(), n, len(args))}
		}
		return nil
	}
}
