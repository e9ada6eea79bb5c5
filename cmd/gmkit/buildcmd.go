package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/gmkit/gmkit/build"
	"github.com/gmkit/gmkit/build/problem"
)

func newBuildCmd(g *globals) *cobra.Command {
	var watch bool
	cmd := &cobra.Command{
		Use:   "build",
		Short: "Build the site into public/gemini and public/gopher",
		Long: `Build reads the site folder (gmkit.toml, content/, static/, themes/) and
writes a Gemini capsule to public/gemini and a Gopher hole to public/gopher,
with index pages, tag pages and Atom feeds.

The whole build is written to a folder beside public/ that then replaces
it in one step: a build that fails leaves the previous output as it was.
The output it replaces is kept as .public.prev and brought up to date by the
next build, which then writes only the files that changed (so the output
takes twice its size on disk; build.keep_previous = false in gmkit.toml
turns this off). What the build read and made is kept in .gmkit/cache, so
that the next build remakes only what changed (--no-cache builds everything
from the sources).

Every problem the build finds is reported at once, sorted by file and
line; any fatal one (front matter that does not read, a template that does
not parse or run, two pages with one address) fails the build with status
1. Broken links between pages are warnings (errors with --strict); past
the first 3 warnings of one kind the rest are counted (--verbose lists
them all). With --watch, gmkit keeps running and rebuilds whenever a
source file changes.`,
		Example: `  gmkit build
  gmkit build --site ~/blog --drafts
  gmkit build --watch`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := g.needSite(); err != nil {
				return err
			}
			v, _, err := newViper(g.site, g.config, cmd.Flags())
			if err != nil {
				return err
			}
			cfg, err := buildConfig(v, g.site)
			if err != nil {
				return err
			}
			log, err := newLogger(v, g.stderr)
			if err != nil {
				return err
			}
			b := newBuilder(v, g.site, cfg, log)
			if watch {
				g.flags = cmd.Flags()
				return watchBuild(cmd.Context(), g, v, b)
			}
			tuneGCForBuild()
			start := time.Now()
			bar := newProgressBar(g.stderr)
			if bar != nil {
				b.OnProgress(bar.update)
			}
			res, err := b.Build(cmd.Context())
			bar.clear()
			if err != nil {
				return g.buildFailed(err, b.OutputDir())
			}
			if err := writeAndSave(cmd.Context(), b, res, log); err != nil {
				return err
			}
			res.Duration = time.Since(start) // the summary counts the write too
			printResult(g, res)
			return nil
		},
	}
	f := cmd.Flags()
	f.Bool("drafts", false, "include pages marked draft")
	f.Bool("future", false, "include pages whose publication date is in the future")
	f.Bool("expired", false, "include pages whose expiry date has passed")
	f.Bool("strict", false, "treat warnings (broken links) as errors")
	f.StringP("output", "o", "", "output folder (default public)")
	f.String("hostname", "", "public host name for absolute URLs")
	f.BoolVarP(&watch, "watch", "w", false, "rebuild whenever a source file changes")
	f.Bool("no-cache", false, "build everything from the sources, without the build cache (build.cache = false)")
	f.BoolVarP(&g.verbose, "verbose", "v", false, verboseUsage)
	return cmd
}

// verboseUsage is what --verbose does, for every command that builds.
const verboseUsage = "list every warning (by default, those of one kind past the first 3 are counted)"

// newBuilder makes the builder for cfg, keeping its caches in the state
// folder between runs unless build.cache is off. A cache it cannot use is
// a debug-level note: the build goes on without it and writes it again.
func newBuilder(v *viper.Viper, site string, cfg build.Config, log *slog.Logger) *build.Builder {
	b := build.NewBuilder(cfg)
	if v.GetBool("build.cache") {
		b.UseCache(filepath.Join(relPath(site, v.GetString("state.dir")), "cache"), func(err error) {
			log.Debug(err.Error())
		})
	}
	return b
}

// writeAndSave writes a build to the output folder and, at the same time,
// the builder's cache (see build.Builder.SaveCache); a cache that cannot be
// written is a warning, never a failed build.
func writeAndSave(ctx context.Context, b *build.Builder, res *build.Result, log *slog.Logger) error {
	saved := make(chan error, 1)
	go func() { saved <- b.SaveCache() }()
	err := b.Write(ctx, res.Output)
	if serr := <-saved; serr != nil {
		log.Warn("the build cache was not saved; the next build reads every source", "err", serr)
	}
	return err
}

func printResult(g *globals, res *build.Result) {
	printProblems(g, res.Warnings)
	fmt.Fprintln(g.stdout, res.Summary())
}

// printProblems writes the report of a build's problems to standard
// error (see problem.Report).
func printProblems(g *globals, l problem.List) {
	for _, line := range problem.Report(l, g.verbose) {
		fmt.Fprintln(g.stderr, line)
	}
}

// buildFailed reports a failed build: every problem it found, then an
// error that counts them and says the output folder (dir) is as it was.
func (g *globals) buildFailed(err error, dir string) error {
	pe, ok := errors.AsType[*problem.Error](err)
	if !ok {
		return err
	}
	printProblems(g, pe.Problems)
	return fmt.Errorf("%s; %s is left as it was", pe.Summary(), dir)
}
