package build

import (
	"time"

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

	// ContentDir, StaticDir, ThemesDir and OutputDir are relative to Dir.
	// Defaults "content", "static", "themes" and "public".
	ContentDir string
	StaticDir  string
	ThemesDir  string
	OutputDir  string
	// CGIDir is the URL folder where CGI scripts are served (/CGIDir/);
	// links into it are never reported as broken. Default "cgi-bin".
	CGIDir string

	// Drafts includes pages marked draft.
	Drafts bool
	// Strict turns warnings (broken internal links, gophermap lint) into errors.
	Strict bool
	// UglyURLs writes pages as /section/slug.gmi instead of
	// /section/slug/index.gmi.
	UglyURLs bool
	// UnicodeSlugs keeps non-ASCII letters in the tag addresses the build
	// makes; by default they are folded to ASCII ("café" is /tags/cafe/).
	UnicodeSlugs bool
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
	// KeepHTML keeps raw HTML blocks, as ```html preformatted blocks,
	// instead of dropping them.
	KeepHTML bool
	// Now is the time drafts and future-dated pages are judged against and
	// the time written into feeds that have no dated entry; zero means the
	// newest page date, so that output never depends on when it was built.
	Now time.Time

	// Gemini configures the Gemini capsule output.
	Gemini GeminiConfig
	// Gopher configures the Gopher hole output.
	Gopher GopherConfig
}

// GeminiConfig configures the gemtext output.
type GeminiConfig struct {
	// Disabled skips the Gemini output.
	Disabled bool
	// Port is the public Gemini port written into absolute gemini:// URLs;
	// 0 and 1965 mean the default port (omitted from URLs).
	Port int
}

// GopherConfig configures the Gopher output.
type GopherConfig struct {
	// Disabled skips the Gopher output.
	Disabled bool
	// Host is the public host written into menu lines. Default: the site
	// Hostname.
	Host string
	// Port is the public port written into menu lines. Default 70.
	Port int
	// Mode is how posts are published: "menu" (default: a gophermap whose
	// links are items) or "text" (type-0 text with a references list).
	Mode string
	// Width is the wrapping width in display columns. Default 70.
	Width int
	// HeadingStyle is how headings look in Gopher: "underline" (default)
	// or "upper".
	HeadingStyle string
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
	def(&c.Gopher.Mode, "menu")
	def(&c.Gopher.HeadingStyle, "underline")
	def(&c.Gopher.Host, c.Hostname)
	if c.LatestPosts == 0 {
		c.LatestPosts = 10
	}
	if c.FeedLimit == 0 {
		c.FeedLimit = 50
	}
	if c.Gopher.Port == 0 {
		c.Gopher.Port = 70
	}
	if c.Gopher.Width == 0 {
		c.Gopher.Width = 70
	}
	return c
}

// siteConfig is what loading the site model needs of c.
func (c Config) siteConfig() site.Config {
	return site.Config{Dir: c.Dir, ContentDir: c.ContentDir, StaticDir: c.StaticDir, Drafts: c.Drafts, UnicodeSlugs: c.UnicodeSlugs, OutsideSymlinks: c.OutsideSymlinks}
}
