package build

import (
	"maps"
	"time"

	"github.com/gmkit/gmkit/build/output"
	"github.com/gmkit/gmkit/build/site"
)

// Config is everything a build needs to know about a site. The zero value of
// every field is documented; Defaults fills in the ones that are not usable as
// zero. Only cmd/gmkit maps configuration files, environment variables and
// flags onto it.
type Config struct {
	// Dir is the site folder; relative paths below are resolved against it.
	Dir string

	// Title, Author and Description describe the site to templates and feeds.
	Title       string
	Author      string
	Description string
	// Hostname is the public host name written into absolute URLs (feeds,
	// gopher menus). Default "localhost".
	Hostname string
	// Lang is the content language (BCP 47), e.g. "en". Empty means unset.
	Lang string
	// Theme names a folder under ThemesDir; templates it lacks come from the
	// embedded default theme. Default "default".
	Theme string
	// Params are free-form site parameters reachable from templates.
	Params map[string]any
	// Taxonomies are the ways pages are grouped by terms, each with an
	// index and a page per term (see site.Config.Taxonomies). nil means
	// tags and categories; an empty list means none.
	Taxonomies []site.Taxonomy

	// ContentDir, StaticDir, ThemesDir and OutputDir are relative to Dir.
	// Defaults "content", "static", "themes" and "public".
	ContentDir string
	StaticDir  string
	ThemesDir  string
	OutputDir  string
	// CGIDir is the URL folder where CGI scripts are served (/CGIDir/);
	// links into it are never reported as broken. Default "cgi-bin".
	CGIDir string

	// Drafts includes pages marked draft (or `published: false`).
	Drafts bool
	// Future includes pages whose publication date (`publishDate`, else
	// `date`) is after Now; Expired includes pages whose `expiryDate` is
	// before Now.
	Future, Expired bool
	// Strict turns warnings (broken internal links, gophermap lint) into errors.
	Strict bool
	// UglyURLs writes pages as /section/slug.gmi instead of
	// /section/slug/index.gmi.
	UglyURLs bool
	// UnicodeSlugs keeps non-ASCII letters in the tag addresses the build
	// makes; by default they are folded to ASCII ("café" is /tags/cafe/).
	UnicodeSlugs bool
	// Permalinks are address patterns for the pages of sections, by
	// section folder ("posts" -> "/:year/:month/:slug/"), with Hugo's
	// tokens (see site.CheckPermalink).
	Permalinks map[string]string
	// KeepCase keeps upper-case letters of file and folder names in page
	// and section addresses; by default they are lower case, as Hugo
	// makes them (see site.Config).
	KeepCase bool
	// OutsideSymlinks publishes content and static files that are
	// symlinks to files outside the site folder (see site.Config).
	OutsideSymlinks bool
	// NoKeepPrevious writes each build into a fresh folder and removes the
	// output it replaces, instead of keeping that as .<output>.prev for the
	// next build to bring up to date (see publish.Write): half the disk, but
	// every build writes every file.
	NoKeepPrevious bool
	// LatestPosts is how many recent posts the home page lists. Default 10.
	LatestPosts int
	// FeedLimit is how many entries an Atom feed holds. Default 50.
	FeedLimit int
	// Links is the gemtext link mode: "paragraph" (default), "at-end",
	// "copy" or "off".
	Links string
	// KeepMarkers keeps Markdown's emphasis, strong, strikethrough and code
	// markers (*, **, ~~, `) in gemtext instead of stripping them.
	KeepMarkers bool
	// KeepHTML prints raw HTML blocks in gemtext as written, as ```html
	// preformatted blocks, instead of converting them.
	KeepHTML bool
	// Now is the time publication and expiry dates are judged against
	// (zero: the clock when each build starts) and the time written into
	// feeds that have no dated entry (zero: the newest page date, so that
	// output depends on when it was built only through the pages it
	// includes).
	Now time.Time

	// Outputs are the outputs the build can make, in order. Default: the
	// build's list (see Outputs).
	Outputs []output.Entry
	// OutputSettings holds each output's section of the configuration, by
	// output name and key ("gopher" -> "width" -> 70); each output
	// documents the keys it reads and checks them. An output whose section
	// has "enabled" set to false is not built.
	OutputSettings map[string]map[string]any
}

// Enabled reports whether the named output is built (its section does not
// set "enabled" to false).
func (c Config) Enabled(name string) bool {
	on, ok := c.OutputSettings[name]["enabled"].(bool)
	return on || !ok
}

// Set sets key in the named output's section of c (making the section),
// e.g. c.Set("gopher", "enabled", false).
func (c *Config) Set(name, key string, v any) {
	sec := maps.Clone(c.OutputSettings[name])
	if sec == nil {
		sec = map[string]any{}
	}
	sec[key] = v
	settings := maps.Clone(c.OutputSettings)
	if settings == nil {
		settings = map[string]map[string]any{}
	}
	settings[name] = sec
	c.OutputSettings = settings
}

// Defaults returns c with every unset field given its documented default.
func (c Config) Defaults() Config {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&c.Dir, ".")
	def(&c.Hostname, "localhost")
	def(&c.Theme, "default")
	def(&c.ContentDir, "content")
	def(&c.StaticDir, "static")
	def(&c.ThemesDir, "themes")
	def(&c.OutputDir, "public")
	def(&c.CGIDir, "cgi-bin")
	def(&c.Links, "paragraph")
	if c.LatestPosts == 0 {
		c.LatestPosts = 10
	}
	if c.FeedLimit == 0 {
		c.FeedLimit = 50
	}
	if c.Outputs == nil {
		c.Outputs = Outputs()
	}
	return c
}

// siteConfig is what loading the site model needs of c.
func (c Config) siteConfig() site.Config {
	names := make([]string, len(c.Outputs))
	for i, e := range c.Outputs {
		names[i] = e.Name
	}
	return site.Config{Dir: c.Dir, ContentDir: c.ContentDir, StaticDir: c.StaticDir, Drafts: c.Drafts, Future: c.Future, Expired: c.Expired, Now: c.Now, UnicodeSlugs: c.UnicodeSlugs, OutsideSymlinks: c.OutsideSymlinks, Outputs: names, KeepCase: c.KeepCase, Permalinks: c.Permalinks, Taxonomies: c.Taxonomies}
}
