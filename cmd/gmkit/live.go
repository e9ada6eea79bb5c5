package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/spf13/viper"

	"github.com/gmkit/gmkit/build"
	"github.com/gmkit/gmkit/build/problem"
	"github.com/gmkit/gmkit/build/watch"
	"github.com/gmkit/gmkit/serve"
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
	written string // the output folder last written
	onBuild func(*build.Result)
	// serving is set under `gmkit serve`: keys the servers read when they
	// start then need a restart (see reloadEffects).
	serving bool
	// rewatch is set by a rebuild whose configuration changed what is
	// watched: run sets the watcher up again.
	rewatch bool
	// adjust, when set, is applied to every build configuration (serve uses
	// it to put the ports actually listened on into generated links).
	adjust func(*build.Config)
	// warned holds the last build's warnings: a rebuild shows only those
	// that are new, and says which are gone.
	warned map[string]bool
}

// first builds once and writes the whole output atomically.
func (l *live) first(ctx context.Context) error {
	start := time.Now()
	res, err := l.b.Build(ctx)
	if err != nil {
		return l.g.buildFailed(err, l.b.OutputDir())
	}
	if err := writeAndSave(ctx, l.b, res, l.log); err != nil {
		return err
	}
	res.Duration = time.Since(start)
	printResult(l.g, res)
	l.newWarnings(res)
	l.written = l.b.OutputDir()
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
		Dirs:     []string{dir(cfg.ContentDir), dir(cfg.StaticDir), dir(cfg.ThemesDir), dir(l.v.GetString("cgi.dir"))},
		Files:    l.configFiles(),
		Debounce: debounce,
		Logger:   l.log,
	}
}

// configFiles are the files whose change reloads the configuration: the
// one named by --config, or those the site may have.
func (l *live) configFiles() []string {
	if l.g.config != "" {
		abs, err := filepath.Abs(l.g.config)
		if err == nil {
			return []string{abs}
		}
		return []string{l.g.config}
	}
	return []string{filepath.Join(l.site, "gmkit.toml"), filepath.Join(l.site, "gmkit.yaml"), filepath.Join(l.site, "gmkit.yml")}
}

// run watches until ctx is done. When a change to the configuration
// changes what is watched (a new content, static, themes or CGI folder, a
// new debounce), the watcher is set up again over the new folders.
func (l *live) run(ctx context.Context) error {
	for again := false; ; again = true {
		wctx, stop := context.WithCancel(ctx)
		wcfg := l.watchConfig()
		wcfg.Ready = func(context.Context) {
			// From here on the watcher tells the builder every change:
			// a rebuild looks at the changed paths alone, not at every
			// file of the site.
			l.b.Track(ctx)
			if again {
				// Whatever changed while nothing was watched is
				// built now.
				l.rebuild(ctx, []string{"."})
			}
		}
		err := watch.Run(wctx, wcfg, func(_ context.Context, paths []string) {
			// The rebuild runs under ctx, not wctx: stopping the
			// watcher must not cancel the build that asked for it.
			l.rebuild(ctx, paths)
			if l.rewatch {
				stop()
			}
		})
		stop()
		if err != nil || ctx.Err() != nil || !l.rewatch {
			return err
		}
		l.rewatch = false
		l.log.Info("watching the folders of the new configuration")
	}
}

// rebuild is called with the paths that changed in one burst.
func (l *live) rebuild(ctx context.Context, paths []string) {
	start := time.Now()
	files := l.configFiles()
	cfgChanged := slices.ContainsFunc(paths, func(p string) bool {
		return slices.ContainsFunc(files, func(f string) bool { return sameFile(p, f) })
	})
	if cfgChanged {
		if err := l.reload(); err != nil {
			l.log.Error("rebuild failed; still serving the last good build", "err", err)
			return
		}
	}
	l.b.Changed(paths)
	res, err := l.b.Build(ctx)
	if pe, ok := errors.AsType[*problem.Error](err); ok {
		// The warnings the last good build showed are not shown again.
		l.logProblems(slices.DeleteFunc(slices.Clone(pe.Problems), func(p problem.Problem) bool {
			return !p.Fatal && l.warned[p.String()]
		}))
		l.log.Error("rebuild failed: " + pe.Counts() + "; still serving the last good build")
		return
	}
	if err != nil {
		l.log.Error("rebuild failed; still serving the last good build", "err", err)
		return
	}
	if l.onBuild != nil {
		l.onBuild(res) // servers first: the disk copy is for the user
	}
	if err := l.write(ctx, res); err != nil {
		l.log.Error("writing the output folder failed; it still holds the last build written", "dir", l.b.OutputDir(), "err", err)
	}
	l.logProblems(l.newWarnings(res))
	l.log.Info(fmt.Sprintf("rebuilt %d of %d pages after %d change(s) in %s", res.Remade, res.Pages, len(paths), time.Since(start).Round(time.Millisecond)))
}

// write writes a rebuild to the output folder as a one-shot build does:
// whole and atomically (recycling the previous tree, so only what changed
// is written), so that the folder always holds one complete build, even
// when the disk fills up halfway. A change of build.output writes the
// whole build to the new folder and leaves the old one as it was.
func (l *live) write(ctx context.Context, res *build.Result) error {
	dir := l.b.OutputDir()
	if err := l.b.Write(ctx, res.Output); err != nil {
		return err
	}
	if dir != l.written {
		l.log.Info("wrote the whole build to the new output folder; the old one is left as it was", "dir", dir, "old", l.written)
		l.written = dir
	}
	return nil
}

// reload reads the configuration again after a change to gmkit.toml: the
// next build uses it, a change to what is watched sets the watcher up
// again (see run), and each changed key that is read only when the command
// starts is logged as needing a restart. A configuration that does not
// load changes nothing.
func (l *live) reload() error {
	v, _, err := newViper(l.site, l.g.config, l.g.flags)
	if err != nil {
		return err
	}
	cfg, err := buildConfig(v, l.site)
	if err != nil {
		return err
	}
	if l.adjust != nil {
		l.adjust(&cfg)
	}
	oldWatch := l.watchConfig()
	old := l.v
	// The new builder starts from nothing, not from the build cache: a
	// running process reads the cache file once, with its first build.
	l.v, l.b = v, build.NewBuilder(cfg)
	l.b.Track(context.Background()) // a new builder walks first: nothing to compare

	newWatch := l.watchConfig()
	l.rewatch = !slices.Equal(oldWatch.Dirs, newWatch.Dirs) || oldWatch.Debounce != newWatch.Debounce
	var restart []string
	for _, k := range changedKeys(old, v) {
		if e := reloadEffect(k); e == effectRestart || e == effectServeRestart && l.serving {
			restart = append(restart, k)
		}
	}
	l.log.Info("configuration reloaded")
	if len(restart) > 0 {
		what := "gmkit"
		if l.serving {
			what = "gmkit serve"
		}
		l.log.Warn(fmt.Sprintf("%s changed: restart %s for the change to take effect (read only at start)", strings.Join(restart, ", "), what))
	}
	return nil
}

// changedKeys lists the configuration keys whose values differ between a
// and b, sorted.
func changedKeys(a, b *viper.Viper) []string {
	var out []string
	for _, k := range keys {
		if !reflect.DeepEqual(a.Get(k.name), b.Get(k.name)) {
			out = append(out, k.name)
		}
	}
	return out
}

// effect is what a running --watch does with a change to a key.
type effect int

const (
	// effectLive: the rebuild that follows the change applies it in full
	// (a new output folder is written whole, a new source folder watched).
	effectLive effect = iota
	// effectServeRestart: the build applies it at once, but the servers
	// read it only when they start; `gmkit build --watch` has no servers.
	effectServeRestart
	// effectRestart: read only when the command starts.
	effectRestart
)

// reloadEffects says, by key or by section (a name ending in "."), how a
// change takes effect under --watch. The most specific entry wins; every
// key of the key table is covered (a test holds it). Every protocol's
// section is read by its server when it starts (protocolSections).
var reloadEffects = protocolSections(map[string]effect{
	"title": effectLive, "author": effectLive, "description": effectLive,
	"theme": effectLive, "params": effectLive, "taxonomies": effectLive, "build.": effectLive,
	"watch.": effectLive, "redirects": effectLive, "permalinks": effectLive,
	// Read by `gmkit new` each time it runs.
	"new.": effectLive,
	// Written into the build's URLs at once; the servers' host checks,
	// certificates and lang= parameter follow on restart.
	"hostname": effectServeRestart, "lang": effectServeRestart,
	"state.": effectServeRestart, "serve.": effectServeRestart,
	"cgi.": effectServeRestart, "acme.": effectServeRestart,
	// Read by the build alone.
	"gopher.mode": effectLive, "gopher.width": effectLive, "gopher.heading_style": effectLive,
	"html.": effectLive,
	"log.":  effectRestart,
})

// protocolSections adds every protocol's section to m as read when the
// servers start.
func protocolSections(m map[string]effect) map[string]effect {
	for _, p := range serve.Protocols() {
		m[p.Info().Name+"."] = effectServeRestart
	}
	return m
}

// reloadEffect is how a change to key k takes effect (see reloadEffects).
func reloadEffect(k string) effect {
	if e, ok := reloadEffects[k]; ok {
		return e
	}
	if i := strings.IndexByte(k, '.'); i >= 0 {
		if e, ok := reloadEffects[k[:i+1]]; ok {
			return e
		}
	}
	return effectRestart
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

// sameFile reports whether the paths a and b name the same file, comparing
// them made absolute and clean.
func sameFile(a, b string) bool {
	if a == b {
		return true
	}
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

// newWarnings records res's warnings and returns those the previous build
// did not have; the ones it had and res has not are logged as fixed.
func (l *live) newWarnings(res *build.Result) problem.List {
	now := make(map[string]bool, len(res.Warnings))
	var fresh problem.List
	for _, w := range res.Warnings {
		s := w.String()
		now[s] = true
		if !l.warned[s] {
			fresh = append(fresh, w)
		}
	}
	var gone []string
	for s := range l.warned {
		if !now[s] {
			gone = append(gone, s)
		}
	}
	slices.Sort(gone)
	for _, s := range gone {
		l.log.Info("fixed: " + s)
	}
	l.warned = now
	return fresh
}

// logProblems logs the report of a build's problems (see problem.Report):
// fatal ones as errors, the rest as warnings.
func (l *live) logProblems(ps problem.List) {
	for _, line := range problem.Report(ps, l.g.verbose) {
		if line.Fatal {
			l.log.Error(line.Text)
		} else {
			l.log.Warn(line.Text)
		}
	}
}
