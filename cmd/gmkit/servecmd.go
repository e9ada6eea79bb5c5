package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"
	"golang.org/x/sync/errgroup"

	"github.com/gmkit/gmkit/build"
	"github.com/gmkit/gmkit/serve"
)

func newServeCmd(g *globals) *cobra.Command {
	var watchFlag, noBuild bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Build the site and serve it over Gemini, Gopher and Guppy",
		Long: `Serve builds the site, then serves the capsule over Gemini (TLS, port 1965)
and Guppy (UDP, port 6775) and the hole over Gopher (port 70), with the CGI
scripts in cgi-bin/ on all three. The Gemini certificate is made on first
use, kept in .gmkit/certs/ and reused, so clients that pinned it never see
it change; its fingerprint is printed at start.

With --watch, every saved change to content/, static/, themes/, cgi-bin/ or
gmkit.toml is rebuilt and live on all three protocols a moment later; a
failed rebuild is reported and the last good build keeps being served.

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
	f.BoolVar(&noBuild, "no-build", false, "serve the existing output folder without building")
	f.String("gemini", "", "Gemini listen address (default :1965)")
	f.String("gopher", "", "Gopher listen address (default :70)")
	f.String("guppy", "", "Guppy listen address, UDP (default :6775)")
	f.Bool("no-gemini", false, "do not serve Gemini")
	f.Bool("no-gopher", false, "do not serve Gopher")
	f.Bool("no-guppy", false, "do not serve Guppy")
	f.Bool("drafts", false, "include pages marked draft")
	f.String("hostname", "", "public host name (default localhost)")
	f.String("log-format", "", "request log format: text or json")
	f.String("log-level", "", "log level: debug, info, warn or error")
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
	if !scfg.Gemini.Enabled && !scfg.Gopher.Enabled && !scfg.Guppy.Enabled {
		return &usageError{errors.New("every server is turned off; nothing to serve")}
	}
	srv, err := serve.New(scfg)
	if err != nil {
		return err
	}
	if err := srv.Listen(); err != nil {
		return err
	}
	// Links in the hole and feeds carry the ports actually listened on
	// unless public ports are configured.
	gopherHost, gopherPort := srv.GopherPublic()
	geminiPort := srv.GeminiPublicPort()
	adjust := func(c *build.Config) {
		c.Gopher.Host, c.Gopher.Port = gopherHost, gopherPort
		c.Gemini.Port = geminiPort
	}
	diskCfg := bcfg
	adjust(&bcfg)
	b := build.NewBuilder(bcfg)

	l := &live{g: g, site: g.site, log: log, v: v, b: b, adjust: adjust, serving: true}
	// l.v, not v: a rebuild after a change to gmkit.toml reloads it.
	l.onBuild = func(res *build.Result) { srv.Swap(contentOf(res, l.v)) }
	if noBuild {
		c, err := diskContent(b.OutputDir(), v, diskCfg)
		if err != nil {
			return err
		}
		srv.Swap(c)
	} else if err := l.first(ctx); err != nil {
		return err
	}
	printListening(g, srv)

	eg, ectx := errgroup.WithContext(ctx)
	eg.Go(func() error { return srv.Run(ectx) })
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
	fmt.Fprintln(g.stdout, "Stopped.")
	return err
}

// printListening tells the user where each server is and how to reach it.
func printListening(g *globals, srv *serve.Servers) {
	if a := srv.Addr("gemini"); a != nil {
		fmt.Fprintf(g.stdout, "Gemini  gemini://%s/\n", clientAddr(a, 1965))
	}
	if a := srv.Addr("gopher"); a != nil {
		fmt.Fprintf(g.stdout, "Gopher  gopher://%s/\n", clientAddr(a, 70))
	}
	if a := srv.Addr("gopher-tls"); a != nil {
		fmt.Fprintf(g.stdout, "Gopher over TLS  gophers://%s/\n", clientAddr(a, 0))
	}
	if a := srv.Addr("guppy"); a != nil {
		fmt.Fprintf(g.stdout, "Guppy   guppy://%s/\n", clientAddr(a, 6775))
	}
	for _, c := range srv.Certificates() {
		fmt.Fprintf(g.stdout, "Certificate for %s: SHA-256 %s (valid until %s)\n", c.Host, c.Fingerprint, c.NotAfter.Format("2006-01-02"))
	}
}

// clientAddr is how a client on this machine reaches a listen address.
func clientAddr(a net.Addr, defPort int) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	} else if ip.To4() == nil {
		host = "[" + host + "]"
	}
	if port == strconv.Itoa(defPort) {
		return host
	}
	return host + ":" + port
}

// contentOf turns a build into what the servers serve.
func contentOf(res *build.Result, v *viper.Viper) serve.Content {
	var c serve.Content
	if fsys, err := res.Output.Sub(build.Gemini); err == nil && !res.Config.Gemini.Disabled {
		c.Gemini = fsys
	}
	if fsys, err := res.Output.Sub(build.Gopher); err == nil && !res.Config.Gopher.Disabled {
		c.Gopher = fsys
		gc := res.Config.Gopher
		c.GopherBuiltFor = net.JoinHostPort(gc.Host, strconv.Itoa(gc.Port))
	}
	c.Redirects = configRedirects(v)
	for _, p := range res.Site.Pages {
		for _, a := range p.Aliases {
			c.Redirects = append(c.Redirects, serve.Redirect{From: "/" + strings.TrimPrefix(a, "/"), To: p.Path})
		}
	}
	return c
}

// diskContent serves an existing output folder, through os.Root so that no
// symbolic link leads outside it. built is the configuration the folder was
// (presumably) built with: its Gopher menus point at that host and port.
func diskContent(dir string, v *viper.Viper, built build.Config) (serve.Content, error) {
	built = built.Defaults()
	c := serve.Content{Redirects: configRedirects(v), GopherBuiltFor: net.JoinHostPort(built.Gopher.Host, strconv.Itoa(portOf(v.GetString("gopher.listen"), 70)))}
	if p := v.GetInt("gopher.port"); p != 0 {
		c.GopherBuiltFor = net.JoinHostPort(built.Gopher.Host, strconv.Itoa(p))
	}
	for _, out := range []string{build.Gemini, build.Gopher} {
		root, err := os.OpenRoot(filepath.Join(dir, out))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return c, fmt.Errorf("--no-build: %w", err)
		}
		if out == build.Gemini {
			c.Gemini = root.FS()
		} else {
			c.Gopher = root.FS()
		}
	}
	if c.Gemini == nil && c.Gopher == nil {
		return c, fmt.Errorf("--no-build: %s holds no gemini/ or gopher/ output; run gmkit build first", dir)
	}
	return c, nil
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

// serveConfig maps viper keys onto the servers' configuration.
func serveConfig(v *viper.Viper, site string, b build.Config) (serve.Config, error) {
	rel := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(site, p)
	}
	cgiTimeout, err := durationKey(v, "cgi.timeout")
	if err != nil {
		return serve.Config{}, err
	}
	guppyTimeout, err := durationKey(v, "guppy.session_timeout")
	if err != nil {
		return serve.Config{}, err
	}
	return serve.Config{
		Hostname: v.GetString("hostname"),
		Aliases:  v.GetStringSlice("gemini.aliases"),
		Lang:     v.GetString("lang"),
		Software: "gmkit/" + versionString(),
		StateDir: rel(v.GetString("state.dir")),

		SharedCertDir: sharedCertDir(),
		Gemini: serve.GeminiConfig{
			Enabled:      v.GetBool("gemini.enabled"),
			Addr:         v.GetString("gemini.listen"),
			Port:         v.GetInt("gemini.port"),
			IgnorePort:   !v.GetBool("gemini.check_port"),
			CertFile:     rel(v.GetString("gemini.cert")),
			KeyFile:      rel(v.GetString("gemini.key")),
			ClientCA:     rel(v.GetString("gemini.client_ca")),
			RequireCert:  v.GetStringSlice("gemini.require_cert"),
			AllowedCerts: v.GetStringSlice("gemini.allowed_certs"),
			Listing:      v.GetBool("gemini.directory_listing"),
			MaxConns:     v.GetInt("gemini.max_conns"),
			Rate:         v.GetFloat64("gemini.rate"),
			Burst:        v.GetInt("gemini.burst"),

			MaxConnsPerAddr: v.GetInt("gemini.max_conns_per_addr"),
		},
		Gopher: serve.GopherConfig{
			Enabled:  v.GetBool("gopher.enabled"),
			Addr:     v.GetString("gopher.listen"),
			TLSAddr:  v.GetString("gopher.tls_listen"),
			Host:     v.GetString("gopher.host"),
			Port:     v.GetInt("gopher.port"),
			MaxConns: v.GetInt("gopher.max_conns"),
			Rate:     v.GetFloat64("gopher.rate"),
			Burst:    v.GetInt("gopher.burst"),

			MaxConnsPerAddr: v.GetInt("gopher.max_conns_per_addr"),
		},
		Guppy: serve.GuppyConfig{
			Enabled:     v.GetBool("guppy.enabled"),
			Addr:        v.GetString("guppy.listen"),
			Window:      v.GetInt("guppy.window"),
			MaxSessions: v.GetInt("guppy.max_sessions"),
			Timeout:     guppyTimeout,
		},
		CGI: serve.CGIConfig{
			Dir:        rel(v.GetString("cgi.dir")),
			GeminiRoot: rel(filepath.Join(b.OutputDir, build.Gemini)),
			GopherRoot: rel(filepath.Join(b.OutputDir, build.Gopher)),
			Timeout:    cgiTimeout,
			MaxOutput:  v.GetInt("cgi.max_output"),
		},
	}, nil
}
