package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/viper"

	"github.com/gmkit/gmkit/build"
	"github.com/gmkit/gmkit/build/site"
	"github.com/gmkit/gmkit/serve"
)

// isSite reports whether dir looks like a gmkit site: it has a config file
// or a content/ folder.
func isSite(dir string) bool {
	for _, name := range append(configNames, "content") {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}

// findSite finds the site that holds dir, as git finds a repository: dir
// itself when it looks like a site, else the nearest folder above it with a
// config file (a content/ folder alone does not count above dir, where it
// may well be something else). It returns dir unchanged when dir is the
// site.
func findSite(dir string) (string, bool) {
	if isSite(dir) {
		return dir, true
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir, false
	}
	for d := filepath.Dir(abs); ; d = filepath.Dir(d) {
		for _, name := range configNames {
			if _, err := os.Stat(filepath.Join(d, name)); err == nil {
				return d, true
			}
		}
		if d == filepath.Dir(d) {
			return dir, false
		}
	}
}

// useSite points g.site at the site holding it (see findSite) and reports
// whether there is one. A config file given with --config counts as a site
// in the folder given with --site.
func (g *globals) useSite() bool {
	site, ok := findSite(g.site)
	g.site = site
	return ok || g.config != ""
}

// needSite is useSite for the commands that work on a site: no site is an
// error that says how to make one.
func (g *globals) needSite() error {
	if g.useSite() {
		return nil
	}
	return fmt.Errorf("%s is not in a gmkit site (no gmkit.toml here or in any folder above, and no content/ here); start one with 'gmkit init DIR' or name one with --site DIR", absPath(g.site))
}

// buildConfig maps viper keys onto the build's configuration.
func buildConfig(v *viper.Viper, siteDir string) (build.Config, error) {
	params := v.GetStringMap("params")
	cfg := build.Config{
		Dir:             siteDir,
		Title:           v.GetString("title"),
		Author:          v.GetString("author"),
		Description:     v.GetString("description"),
		Hostname:        v.GetString("hostname"),
		Lang:            v.GetString("lang"),
		Theme:           v.GetString("theme"),
		Params:          params,
		ContentDir:      v.GetString("build.content"),
		StaticDir:       v.GetString("build.static"),
		ThemesDir:       v.GetString("build.themes"),
		OutputDir:       v.GetString("build.output"),
		CGIDir:          "cgi-bin", // scripts are served at /cgi-bin/ whatever their folder
		Drafts:          v.GetBool("build.drafts"),
		Future:          v.GetBool("build.future"),
		Expired:         v.GetBool("build.expired"),
		Strict:          v.GetBool("build.strict"),
		UglyURLs:        v.GetBool("build.ugly_urls"),
		KeepCase:        v.GetBool("build.keep_case"),
		Permalinks:      v.GetStringMapString("permalinks"),
		UnicodeSlugs:    v.GetBool("build.unicode_slugs"),
		OutsideSymlinks: v.GetBool("build.outside_symlinks"),
		NoKeepPrevious:  !v.GetBool("build.keep_previous"),
		LatestPosts:     v.GetInt("build.latest_posts"),
		FeedLimit:       v.GetInt("build.feed_limit"),
		Links:           v.GetString("build.links"),
		KeepMarkers:     v.GetBool("build.keep_markers"),
		KeepHTML:        v.GetBool("build.keep_html"),
	}
	cfg.Taxonomies = []site.Taxonomy{}
	for one, many := range v.GetStringMapString("taxonomies") {
		cfg.Taxonomies = append(cfg.Taxonomies, site.Taxonomy{Singular: one, Plural: many})
	}
	slices.SortFunc(cfg.Taxonomies, func(a, b site.Taxonomy) int { return strings.Compare(a.Plural, b.Plural) })
	// Each output reads its own section (gemini.port, gopher.width...);
	// it checks the values it reads itself. It is built when a protocol
	// that serves it is on.
	for _, e := range build.Outputs() {
		for _, k := range keys {
			if own, ok := strings.CutPrefix(k.name, e.Name+"."); ok {
				cfg.Set(e.Name, own, typedValue(v, k))
			}
		}
		cfg.Set(e.Name, "enabled", outputWanted(v, e.Name))
	}
	return cfg, nil
}

// typedValue is key k's value, of the type of its default: viper hands
// out a value from an environment variable as text.
func typedValue(v *viper.Viper, k key) any {
	switch k.def.(type) {
	case bool:
		return v.GetBool(k.name)
	case int:
		return v.GetInt(k.name)
	case float64:
		return v.GetFloat64(k.name)
	case string:
		return v.GetString(k.name)
	case []string:
		return v.GetStringSlice(k.name)
	}
	return v.Get(k.name)
}

// useExample is what serve does outside a site: it serves the example site
// built into gmkit from a folder of the user's cache. The first run copies
// it there; later runs serve that copy, edits and all, and say so. It
// returns the folder.
func useExample(stdout io.Writer, notSite string) (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "gmkit", "example")
	if _, err := os.Stat(filepath.Join(dir, "gmkit.toml")); err == nil {
		fmt.Fprintf(stdout, "No site in %s: serving your copy of the example site in %s (your edits there are kept; delete the folder to start over, or make a site of your own with 'gmkit init DIR').\n", absPath(notSite), dir)
		return dir, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating %s: %w", dir, err)
	}
	if err := extractExample(dir); err != nil {
		return "", err
	}
	fmt.Fprintf(stdout, "No site in %s: serving the example site, copied to %s (edit it there: later runs serve that copy; or make a site of your own with 'gmkit init DIR').\n", absPath(notSite), dir)
	return dir, nil
}

// outputWanted reports whether an enabled protocol serves the build output
// named output. The build makes what the servers need: with Gemini off
// and Guppy on, the capsule is still built, for Guppy to serve.
func outputWanted(v *viper.Viper, output string) bool {
	for _, p := range serve.Protocols() {
		if info := p.Info(); info.Output == output && v.GetBool(info.Name+".enabled") {
			return true
		}
	}
	return false
}
