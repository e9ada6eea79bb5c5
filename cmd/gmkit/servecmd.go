package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"
	"golang.org/x/sync/errgroup"

	"github.com/gmkit/gmkit/build"
	"github.com/gmkit/gmkit/build/redirects"
	"github.com/gmkit/gmkit/build/site"
	"github.com/gmkit/gmkit/serve"
	"github.com/gmkit/gmkit/serve/protocol"
)

func newServeCmd(g *globals) *cobra.Command {
	var watchFlag, noBuild bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Build the site and serve it over Gemini, Gopher, Guppy, Spartan and Nex",
		Long: `Serve builds the site, then serves the capsule over Gemini (TLS, port 1965),
Guppy (UDP, port 6775), Spartan (port 300) and Nex (port 1900, as plain
text) and the hole over Gopher (port 70), with the CGI scripts in cgi-bin/
on all but Nex. The Gemini certificate is made on first use, kept in
.gmkit/certs/ and reused, so clients that pinned it never see it change;
its fingerprint is printed at start.

With --watch, every saved change to content/, static/, themes/, cgi-bin/ or
gmkit.toml is rebuilt and live on every protocol a moment later; a failed
rebuild is reported and the last good build keeps being served.

Run outside a site, serve shows the example site built into gmkit.`,
		Example: `  gmkit serve --watch
  gmkit serve --gemini 127.0.0.1:1965 --gopher 127.0.0.1:7070 --no-guppy
  gmkit serve --no-build          # serve public/ as it is`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			lg := *g
			if !lg.useSite() {
				dir, err := useExample(g.stdout, lg.site)
				if err != nil {
					return err
				}
				lg.site = dir
			}
			lg.flags = cmd.Flags()
			v, _, err := newViper(lg.site, g.config, cmd.Flags())
			if err != nil {
				return err
			}
			return runServe(ctx, &lg, v, watchFlag, noBuild)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&watchFlag, "watch", "w", false, "rebuild and serve the new build whenever a source file changes")
	f.BoolVar(&noBuild, "no-build", false, "serve the existing output folder without building; SIGHUP loads it again")
	for _, p := range serve.Protocols() {
		in := p.Info()
		network := ""
		if in.Network != "tcp" {
			network = ", " + strings.ToUpper(in.Network)
		}
		f.String(in.Name, "", fmt.Sprintf("%s listen address%s (default %s)", in.Title, network, in.DefaultAddr))
		f.Bool("no-"+in.Name, false, "do not serve "+in.Title)
	}
	f.Bool("drafts", false, "include pages marked draft")
	f.Bool("no-cache", false, "build everything from the sources, without the build cache (build.cache = false)")
	f.Bool("future", false, "include pages whose publication date is in the future")
	f.Bool("expired", false, "include pages whose expiry date has passed")
	f.String("hostname", "", "public host name (default localhost)")
	f.String("log-format", "", "request log format: text or json")
	f.String("log-level", "", "log level: debug, info, warn or error")
	f.BoolVarP(&g.verbose, "verbose", "v", false, verboseUsage)
	return cmd
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// runServe listens, builds, serves and (with watch) rebuilds until ctx ends.
func runServe(ctx context.Context, g *globals, v *viper.Viper, watchFlag, noBuild bool) error {
	log, err := newLogger(v, g.stderr)
	if err != nil {
		return err
	}
	bcfg, err := buildConfig(v, g.site)
	if err != nil {
		return err
	}
	scfg, err := serveConfig(v, g.site, bcfg)
	if err != nil {
		return err
	}
	scfg.Logger = log
	scfg.StopNow = stopNow(ctx)
	srv, err := serve.New(scfg)
	if errors.Is(err, serve.ErrNothingToServe) {
		return &usageError{err}
	}
	if err != nil {
		return err
	}
	if err := srv.Listen(); err != nil {
		return err
	}
	// Links in the outputs and feeds carry the addresses actually listened
	// on unless public ones are configured.
	adjust := func(c *build.Config) { publicAddrs(c, srv) }
	diskCfg := bcfg
	adjust(&bcfg)
	b := newBuilder(v, g.site, bcfg, log)

	l := &live{g: g, site: g.site, log: log, v: v, b: b, adjust: adjust, serving: true}
	// l.v, not v: a rebuild after a change to gmkit.toml reloads it.
	l.onBuild = func(res *build.Result) { srv.Swap(contentOf(res, l.v)) }
	var rl *reloader
	if noBuild {
		t, err := loadDisk(b.OutputDir(), v, diskCfg)
		if err != nil {
			return err
		}
		srv.Swap(t.content)
		rl = &reloader{dir: b.OutputDir(), v: v, built: diskCfg, srv: srv, log: log, cur: t}
	} else if err := l.first(ctx); err != nil {
		return err
	}
	if !watchFlag {
		// Only a rebuild uses the builder and its caches; the servers
		// hold the built tree alone.
		l, b = nil, nil
	}
	// The first build made most of the heap this process will ever have,
	// much of it garbage now: give that back to the system rather than
	// hold it for as long as the servers run. Two collections: the
	// build's sync.Pools let go of what they hold only at the second.
	// (On 10,000 posts, 92 MB of built files: 550-610 MB resident after
	// the build, about 140 MB after this.)
	runtime.GC()
	debug.FreeOSMemory()

	eg, ectx := errgroup.WithContext(ctx)
	eg.Go(func() error { return srv.Run(ectx) })
	if rl != nil {
		hup, stop := notifyHUP()
		defer stop()
		eg.Go(func() error { return rl.run(ectx, hup) })
	}
	printListening(g, srv)
	if watchFlag {
		eg.Go(func() error {
			if err := l.run(ectx); err != nil {
				return err
			}
			return nil
		})
		fmt.Fprintln(g.stdout, "Watching for changes. Press Ctrl-C to stop.")
	} else {
		fmt.Fprintln(g.stdout, "Press Ctrl-C to stop.")
	}
	err = eg.Wait()
	if rl != nil {
		rl.close() // the servers are done with the trees
	}
	fmt.Fprintln(g.stdout, "Stopped.")
	return err
}

// publicAddrs points each output's absolute links at the protocol that
// serves it under its public address (see serve.Servers.Public).
func publicAddrs(c *build.Config, srv *serve.Servers) {
	for _, e := range build.Outputs() {
		if host, port, ok := srv.Public(e.Name); ok {
			if host != "" {
				c.Set(e.Name, "host", host)
			}
			c.Set(e.Name, "port", port)
		}
		if scheme := srv.Scheme(e.Name); scheme != "" {
			c.Set(e.Name, "scheme", scheme)
		}
	}
}

// printListening tells the user where each server is and how to reach it.
func printListening(g *globals, srv *serve.Servers) {
	for _, e := range srv.Endpoints() {
		fmt.Fprintln(g.stdout, e.Banner)
	}
	for _, c := range srv.Certificates() {
		fmt.Fprintf(g.stdout, "Certificate for %s: SHA-256 %s (valid until %s)\n", c.Host, c.Fingerprint, c.NotAfter.Format("2006-01-02"))
	}
}

// contentOf turns a build into what the servers serve: every output the
// protocols serve that the build made.
func contentOf(res *build.Result, v *viper.Viper) serve.Content {
	c := serve.Content{Outputs: map[string]serve.Output{}}
	for _, out := range servedOutputs() {
		if fi, err := fs.Stat(res.Output, out); err != nil || !fi.IsDir() {
			continue
		}
		if fsys, err := res.Output.Sub(out); err == nil {
			// The build wrote the file just now: it reads (see
			// FuzzParse in build/redirects).
			own, _ := outputRedirects(fsys)
			c.Outputs[out] = serve.Output{FS: fsys, BuiltFor: builtFor(res.Config, out), Redirects: own}
		}
	}
	c.Redirects = configRedirects(v)
	c.Redirects = append(c.Redirects, tagRedirects(res.Site)...)
	return c
}

// tagRedirects send the addresses term pages (tags, categories) had before
// their slugs were folded to ASCII (/tags/café/) to the ones they have now
// (/tags/cafe/), so that links made to the old ones keep working.
func tagRedirects(s *site.Site) []serve.Redirect {
	if s.Config.UnicodeSlugs {
		return nil
	}
	unicode := s.Config
	unicode.UnicodeSlugs = true
	var out []serve.Redirect
	for _, tax := range s.Taxonomies {
		for _, t := range tax.Terms {
			if old := unicode.TagSlug(t.Name); old != "" && old != t.Slug {
				out = append(out, serve.Redirect{From: tax.Path() + old + "/", To: t.Path()})
			}
		}
	}
	return out
}

// servedOutputs names the outputs some protocol serves, once each.
func servedOutputs() []string {
	var outs []string
	for _, p := range serve.Protocols() {
		if out := p.Info().Output; !slices.Contains(outs, out) {
			outs = append(outs, out)
		}
	}
	return outs
}

// builtFor is the "host:port" the output's links were built with, for the
// outputs whose links name one (the hole's menus).
func builtFor(cfg build.Config, output string) string {
	o, err := cfg.Output(output)
	if err != nil {
		return ""
	}
	if a, ok := o.(interface{ Address() string }); ok {
		return a.Address()
	}
	return ""
}

// loadDisk opens an existing output folder to serve it, through os.Root so
// that no symbolic link leads outside it. Each output's folder is opened
// once: a build that replaces the folder later (gmkit build swaps it) does
// not change what is served until it is loaded again. built is the
// configuration the folder was (presumably) built with: its links point at
// that host and port.
func loadDisk(dir string, v *viper.Viper, built build.Config) (*diskTree, error) {
	built = built.Defaults()
	t := &diskTree{content: serve.Content{Outputs: map[string]serve.Output{}, Redirects: configRedirects(v)}}
	for _, out := range servedOutputs() {
		root, err := os.OpenRoot(filepath.Join(dir, out))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			t.close()
			return nil, fmt.Errorf("--no-build: %w", err)
		}
		t.closers = append(t.closers, root)
		own, err := outputRedirects(root.FS())
		if err != nil {
			t.close()
			return nil, fmt.Errorf("--no-build: %s: %w", filepath.Join(dir, out), err)
		}
		t.content.Outputs[out] = serve.Output{FS: root.FS(), BuiltFor: builtFor(built, out), Redirects: own}
	}
	if len(t.content.Outputs) == 0 {
		return nil, fmt.Errorf("--no-build: %s holds none of the outputs %s; run gmkit build first", dir, strings.Join(servedOutputs(), ", "))
	}
	return t, nil
}

// outputRedirects reads the redirects the build listed in an output's
// folder: the old addresses of its pages (see build/redirects).
func outputRedirects(fsys fs.FS) ([]serve.Redirect, error) {
	list, err := redirects.Read(fsys)
	if err != nil {
		return nil, err
	}
	out := make([]serve.Redirect, len(list))
	for i, r := range list {
		out[i] = serve.Redirect{From: r.From, To: r.To}
	}
	return out, nil
}

// configRedirects reads the [[redirects]] tables.
func configRedirects(v *viper.Viper) []serve.Redirect {
	var out []serve.Redirect
	list, _ := v.Get("redirects").([]any)
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		from, _ := m["from"].(string)
		to, _ := m["to"].(string)
		if from == "" || to == "" {
			continue
		}
		perm, ok := m["permanent"].(bool)
		out = append(out, serve.Redirect{From: from, To: to, Temporary: ok && !perm})
	}
	return out
}

// serveConfig maps viper keys onto the servers' configuration; each
// protocol reads its own section through viperSettings.
func serveConfig(v *viper.Viper, site string, b build.Config) (serve.Config, error) {
	rel := func(p string) string { return relPath(site, p) }
	cgiTimeout, err := durationKey(v, "cgi.timeout")
	if err != nil {
		return serve.Config{}, err
	}
	return serve.Config{
		Hostname:      v.GetString("hostname"),
		Aliases:       v.GetStringSlice("serve.aliases"),
		Lang:          v.GetString("lang"),
		Software:      "gmkit/" + versionString(),
		StateDir:      rel(v.GetString("state.dir")),
		SharedCertDir: sharedCertDir(),
		CertFile:      rel(v.GetString("serve.cert")),
		KeyFile:       rel(v.GetString("serve.key")),
		ClientCA:      rel(v.GetString("serve.client_ca")),
		Listing:       v.GetBool("serve.directory_listing"),
		RequireCert:   v.GetStringSlice("serve.require_cert"),
		AllowedCerts:  v.GetStringSlice("serve.allowed_certs"),
		ProxyFrom:     v.GetStringSlice("serve.proxy_protocol"),
		OutputDir:     rel(b.OutputDir),
		ACME: serve.ACMEConfig{
			Enabled:      v.GetBool("acme.enabled"),
			Email:        v.GetString("acme.email"),
			DirectoryURL: v.GetString("acme.directory"),
			Gemini:       v.GetBool("acme.gemini"),
		},
		CGI: serve.CGIConfig{
			Dir:       rel(v.GetString("cgi.dir")),
			Timeout:   cgiTimeout,
			MaxOutput: v.GetInt("cgi.max_output"),
		},
		Settings: func(name string) protocol.Settings { return viperSettings{v: v, section: name} },
	}, nil
}

// relPath makes p absolute against the site folder; empty stays empty.
func relPath(site, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(site, p)
}

// viperSettings reads one protocol's section of the merged configuration.
type viperSettings struct {
	v       *viper.Viper
	section string
}

func (s viperSettings) key(k string) string       { return s.section + "." + k }
func (s viperSettings) String(k string) string    { return s.v.GetString(s.key(k)) }
func (s viperSettings) Bool(k string) bool        { return s.v.GetBool(s.key(k)) }
func (s viperSettings) Int(k string) int          { return s.v.GetInt(s.key(k)) }
func (s viperSettings) Float64(k string) float64  { return s.v.GetFloat64(s.key(k)) }
func (s viperSettings) Strings(k string) []string { return s.v.GetStringSlice(s.key(k)) }
func (s viperSettings) Duration(k string) (time.Duration, error) {
	return durationKey(s.v, s.key(k))
}
