package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/viper"

	"github.com/gmkit/gmkit/build"
)

// isSite reports whether dir looks like a gmkit site.
func isSite(dir string) bool {
	for _, name := range []string{"gmkit.toml", "gmkit.yaml", "gmkit.yml", "content"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}

// buildConfig maps viper keys onto the build's configuration.
func buildConfig(v *viper.Viper, siteDir string) (build.Config, error) {
	params := v.GetStringMap("params")
	cfg := build.Config{
		Dir:            siteDir,
		Title:          v.GetString("title"),
		Author:         v.GetString("author"),
		Description:    v.GetString("description"),
		Hostname:       v.GetString("hostname"),
		Lang:           v.GetString("lang"),
		Theme:          v.GetString("theme"),
		Params:         params,
		ContentDir:     v.GetString("build.content"),
		StaticDir:      v.GetString("build.static"),
		ThemesDir:      v.GetString("build.themes"),
		OutputDir:      v.GetString("build.output"),
		CGIDir:         "cgi-bin", // scripts are served at /cgi-bin/ whatever their folder
		Drafts:         v.GetBool("build.drafts"),
		Strict:         v.GetBool("build.strict"),
		UglyURLs:       v.GetBool("build.ugly_urls"),
		NoKeepPrevious: !v.GetBool("build.keep_previous"),
		LatestPosts:    v.GetInt("build.latest_posts"),
		FeedLimit:      v.GetInt("build.feed_limit"),
		Links:          v.GetString("build.links"),
		KeepMarkers:    v.GetBool("build.keep_markers"),
		KeepHTML:       v.GetBool("build.keep_html"),
		Gemini: build.GeminiConfig{
			Disabled: !v.GetBool("gemini.enabled"),
			Port:     v.GetInt("gemini.port"),
		},
		Gopher: build.GopherConfig{
			Disabled:     !v.GetBool("gopher.enabled"),
			Host:         v.GetString("gopher.host"),
			Port:         v.GetInt("gopher.port"),
			Mode:         v.GetString("gopher.mode"),
			Width:        v.GetInt("gopher.width"),
			HeadingStyle: v.GetString("gopher.heading_style"),
		},
	}
	if cfg.Gemini.Port == 0 {
		cfg.Gemini.Port = portOf(v.GetString("gemini.listen"), 1965)
	}
	if cfg.Gopher.Port == 0 {
		cfg.Gopher.Port = portOf(v.GetString("gopher.listen"), 70)
	}
	return cfg, nil
}

// portOf is the port of a listen address, or def when it has none.
func portOf(addr string, def int) int {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return def
	}
	var n int
	if _, err := fmt.Sscanf(addr[i+1:], "%d", &n); err != nil || n <= 0 || n > 65535 {
		return def
	}
	return n
}
