package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"time"

	"github.com/spf13/viper"

	"github.com/gmkit/gmkit/build"
	"github.com/gmkit/gmkit/build/publish"
	"github.com/gmkit/gmkit/build/watch"
)

// live keeps a site built: it rebuilds after every change, writes what
// changed to the output folder and hands each good build to onBuild. A
// failed rebuild is logged with its file and line, and the last good build
// stays in place until the next good save.
type live struct {
	g       *globals
	site    string
	log     *slog.Logger
	v       *viper.Viper
	b       *build.Builder
	last    *build.Result
	onBuild func(*build.Result)
	// adjust, when set, is applied to every build configuration (serve uses
	// it to put the ports actually listened on into generated links).
	adjust func(*build.Config)
}

// first builds once and writes the whole output atomically.
func (l *live) first(ctx context.Context) error {
	start := time.Now()
	res, err := l.b.Build(ctx)
	if err != nil {
		return err
	}
	if err := l.b.Write(ctx, res.Output); err != nil {
		return err
	}
	res.Duration = time.Since(start)
	printResult(l.g, res)
	l.last = res
	if l.onBuild != nil {
		l.onBuild(res)
	}
	return nil
}

// watchConfig is what to watch for a site.
func (l *live) watchConfig() watch.Config {
	cfg := l.b.Config()
	dir := func(d string) string {
		if filepath.IsAbs(d) {
			return d
		}
		return filepath.Join(l.site, d)
	}
	debounce, err := durationKey(l.v, "watch.debounce")
	if err != nil {
		l.log.Warn("using the default debounce", "err", err)
		debounce = 0
	}
	return watch.Config{
		Dirs: []string{dir(cfg.ContentDir), dir(cfg.StaticDir), dir(cfg.ThemesDir), dir(l.v.GetString("cgi.dir"))},
		Files: []string{
			filepath.Join(l.site, "gmkit.toml"), filepath.Join(l.site, "gmkit.yaml"), filepath.Join(l.site, "gmkit.yml"),
		},
		Debounce: debounce,
		Logger:   l.log,
	}
}

// run watches until ctx is done.
func (l *live) run(ctx context.Context) error {
	return watch.Run(ctx, l.watchConfig(), l.rebuild)
}

// rebuild is called with the paths that changed in one burst.
func (l *live) rebuild(ctx context.Context, paths []string) {
	start := time.Now()
	cfgChanged := slices.ContainsFunc(paths, func(p string) bool {
		switch filepath.Base(p) {
		case "gmkit.toml", "gmkit.yaml", "gmkit.yml":
			return filepath.Dir(p) == filepath.Clean(l.site)
		}
		return false
	})
	if cfgChanged {
		v, _, err := newViper(l.site, l.g.config, nil)
		if err == nil {
			var cfg build.Config
			cfg, err = buildConfig(v, l.site)
			if err == nil {
				if l.adjust != nil {
					l.adjust(&cfg)
				}
				l.v, l.b = v, build.NewBuilder(cfg)
				l.log.Info("configuration reloaded (server addresses and certificates change on restart)")
			}
		}
		if err != nil {
			l.log.Error("rebuild failed; still serving the last good build", "err", err)
			return
		}
	}
	res, err := l.b.Build(ctx)
	if err != nil {
		l.log.Error("rebuild failed; still serving the last good build", "err", err)
		return
	}
	if l.onBuild != nil {
		l.onBuild(res) // servers first: the disk copy is for the user
	}
	if err := publish.Update(ctx, l.last.Output, res.Output, l.b.OutputDir()); err != nil {
		l.log.Error("writing the output folder", "err", err)
	} else {
		l.last = res
	}
	for _, w := range res.Warnings {
		l.log.Warn(w.String())
	}
	l.log.Info(fmt.Sprintf("rebuilt %d of %d pages after %d change(s) in %s", res.Rendered, res.Pages, len(paths), time.Since(start).Round(time.Millisecond)))
}

// watchBuild is `gmkit build --watch`.
func watchBuild(ctx context.Context, g *globals, v *viper.Viper, b *build.Builder) error {
	log, err := newLogger(v, g.stderr)
	if err != nil {
		return err
	}
	l := &live{g: g, site: g.site, log: log, v: v, b: b}
	if err := l.first(ctx); err != nil {
		return err
	}
	fmt.Fprintln(g.stdout, "watching for changes; press Ctrl-C to stop")
	return l.run(ctx)
}
