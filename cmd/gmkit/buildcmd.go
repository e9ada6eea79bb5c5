package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/gmkit/gmkit/build"
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
turns this off). Broken links between pages are warnings
(errors with --strict). With --watch, gmkit keeps running and rebuilds
whenever a source file changes.`,
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
			b := build.NewBuilder(cfg)
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
				return err
			}
			if err := b.Write(cmd.Context(), res.Output); err != nil {
				return err
			}
			res.Duration = time.Since(start) // the summary counts the write too
			printResult(g, res)
			return nil
		},
	}
	f := cmd.Flags()
	f.Bool("drafts", false, "include pages marked draft")
	f.Bool("strict", false, "treat warnings (broken links) as errors")
	f.StringP("output", "o", "", "output folder (default public)")
	f.String("hostname", "", "public host name for absolute URLs")
	f.BoolVarP(&watch, "watch", "w", false, "rebuild whenever a source file changes")
	return cmd
}

func printResult(g *globals, res *build.Result) {
	for _, w := range res.Warnings {
		fmt.Fprintf(g.stderr, "warning: %s\n", w)
	}
	fmt.Fprintln(g.stdout, res.Summary())
}
