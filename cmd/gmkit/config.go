package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// key is one configuration key: its default and what it means. The table
// below is the single source of truth: it sets viper's defaults (which also
// makes every key settable through GMKIT_SECTION_KEY), drives the unknown-key
// check, and is what docs/config.md documents (a test keeps them in sync).
type key struct {
	name string
	def  any
	doc  string
}

var keys = []key{
	{"title", "", "Site title, shown by templates and feeds."},
	{"author", "", "Author name for pages and feeds."},
	{"description", "", "One-line site description."},
	{"hostname", "localhost", "Public host name: written into absolute URLs, Gopher menus and the Gemini certificate."},
	{"lang", "", "Content language (e.g. `en`), sent as `lang=` on Gemini text responses."},
	{"theme", "default", "Theme folder under `themes/`; templates it lacks come from the built-in default theme."},
	{"params", map[string]any{}, "Free-form table of values for templates (`.Site.Params`)."},

	{"build.content", "content", "Folder of Markdown sources."},
	{"build.static", "static", "Folder copied as it is into every output."},
	{"build.themes", "themes", "Folder of site themes."},
	{"build.output", "public", "Output folder; `public/gemini` and `public/gopher` are written there."},
	{"build.drafts", false, "Include pages marked `draft`."},
	{"build.strict", false, "Treat warnings (broken internal links, gophermap problems) as errors."},
	{"build.ugly_urls", false, "Write pages as `/section/slug.gmi` instead of `/section/slug/index.gmi`."},
	{"build.keep_previous", true, "Keep the replaced output as `.public.prev` so that the next build writes only what changed (twice the disk); `false` writes every file each time."},
	{"build.latest_posts", 10, "How many recent posts the home page lists."},
	{"build.feed_limit", 50, "How many entries each Atom feed holds."},
	{"build.links", "paragraph", "Gemtext link lines: `paragraph` (after each paragraph), `at-end` (end of page), `copy`, or `off`."},

	{"build.keep_markers", false, "Keep emphasis, strong, strikethrough and code markers (`*`, `**`, `~~`, backticks) in gemtext."},
	{"build.keep_html", false, "Keep raw HTML blocks as ```html preformatted blocks instead of dropping them."},

	{"state.dir", ".gmkit", "Folder for private state (certificates); relative to the site."},

	{"gemini.enabled", true, "Build the capsule and serve it over Gemini."},
	{"gemini.listen", ":1965", "Address the Gemini server listens on."},
	{"gemini.port", 0, "Public Gemini port written into absolute URLs; 0 means the port of `gemini.listen`."},
	{"gemini.aliases", []string{}, "Other host names the Gemini server answers for."},
	{"gemini.check_port", true, "Answer 53 to requests naming another port; turn off behind a port forward."},
	{"gemini.cert", "", "Certificate file (PEM) to use instead of the self-made one; needs `gemini.key`."},
	{"gemini.key", "", "Private key file (PEM) for `gemini.cert`."},
	{"gemini.client_ca", "", "CA certificate (PEM) whose client certificates count as verified."},
	{"gemini.require_cert", []string{}, "Path prefixes that require a client certificate (60 without one)."},
	{"gemini.allowed_certs", []string{}, "SHA-256 fingerprints allowed on `require_cert` paths (empty: any certificate)."},
	{"gemini.directory_listing", false, "List folders that have no `index.gmi`."},
	{"gemini.max_conns", 1024, "Most connections served at once."},
	{"gemini.max_conns_per_addr", 32, "Most connections served at once for one client address (IPv6: per /64); more are closed at once."},
	{"gemini.rate", 0.0, "Requests per second allowed per client address (0: no limit)."},
	{"gemini.burst", 20, "Requests a client may make in a burst above `gemini.rate`."},

	{"gopher.enabled", true, "Build the hole and serve it over Gopher."},
	{"gopher.listen", ":70", "Address the Gopher server listens on."},
	{"gopher.tls_listen", "", "Address for Gopher over TLS (off when empty)."},
	{"gopher.host", "", "Public host written into menus; default `hostname`."},
	{"gopher.port", 0, "Public port written into menus; 0 means the port the server listens on."},
	{"gopher.mode", "menu", "Posts as `menu` (links are items) or `text` (numbered references)."},
	{"gopher.heading_style", "underline", "Headings in Gopher: `underline` or `upper` (upper case)."},
	{"gopher.width", 70, "Wrapping width in columns (67 is safe for 80-column clients)."},
	{"gopher.max_conns", 1024, "Most connections served at once."},
	{"gopher.max_conns_per_addr", 32, "Most connections served at once for one client address (IPv6: per /64); more are closed at once."},
	{"gopher.rate", 0.0, "Requests per second allowed per client address (0: no limit)."},
	{"gopher.burst", 20, "Requests a client may make in a burst above `gopher.rate`."},

	{"guppy.enabled", true, "Serve the capsule over Guppy (UDP)."},
	{"guppy.listen", ":6775", "Address the Guppy server listens on."},
	{"guppy.window", 8, "Chunks in flight per transfer (reference clients buffer 8)."},
	{"guppy.max_sessions", 1024, "Most transfers at once."},
	{"guppy.session_timeout", "30s", "A transfer that makes no progress for this long is dropped."},

	{"cgi.dir", "cgi-bin", "Folder of CGI scripts, served at `/cgi-bin/` on every protocol."},
	{"cgi.timeout", "10s", "A script still running after this is killed (the client gets 42)."},
	{"cgi.max_output", 1 << 20, "Most bytes of script output sent."},

	{"log.format", "text", "Request log format: `text` or `json`."},
	{"log.level", "info", "Log level: `debug`, `info`, `warn` or `error`."},

	{"watch.debounce", "50ms", "How long `--watch` waits for a burst of saves to end before rebuilding."},

	{"redirects", []any{}, "List of `{from, to, permanent}` tables: requests for `from` are redirected (Gemini 31; 30 with `permanent = false`)."},
}

// openEnded are keys whose sub-keys are free-form.
var openEnded = []string{"params", "redirects"}

// newViper makes a viper instance with every default set, environment
// variables bound (GMKIT_SECTION_KEY), and the site's gmkit.toml (or .yaml)
// read when there is one. It returns the config file used ("" for none).
func newViper(siteDir, configFile string, flags *pflag.FlagSet) (*viper.Viper, string, error) {
	v := viper.New()
	for _, k := range keys {
		v.SetDefault(k.name, k.def)
	}
	v.SetEnvPrefix("GMKIT")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	if configFile == "" {
		for _, name := range []string{"gmkit.toml", "gmkit.yaml", "gmkit.yml"} {
			p := filepath.Join(siteDir, name)
			if _, err := os.Stat(p); err == nil {
				configFile = p
				break
			}
		}
	}
	if configFile != "" {
		v.SetConfigFile(configFile)
		if err := v.ReadInConfig(); err != nil {
			var notFound viper.ConfigFileNotFoundError
			if errors.As(err, &notFound) || errors.Is(err, fs.ErrNotExist) {
				return nil, "", fmt.Errorf("config file %s: %w", configFile, fs.ErrNotExist)
			}
			return nil, "", fmt.Errorf("config file %s: %w", configFile, err)
		}
		if err := checkKeys(v, configFile); err != nil {
			return nil, "", err
		}
	}
	if flags != nil {
		if err := bindFlags(v, flags); err != nil {
			return nil, "", err
		}
	}
	return v, configFile, nil
}

// checkKeys reports keys in the config file that gmkit does not know, so a
// typo never goes silently unnoticed.
func checkKeys(v *viper.Viper, file string) error {
	known := map[string]bool{}
	for _, k := range keys {
		known[k.name] = true
	}
	var unknown []string
	for _, k := range v.AllKeys() {
		if known[k] {
			continue
		}
		open := false
		for _, o := range openEnded {
			if strings.HasPrefix(k, o+".") {
				open = true
			}
		}
		if !open {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	return fmt.Errorf("config file %s: unknown key %s (see docs/config.md for every key)", file, strings.Join(unknown, ", "))
}

// flagKeys maps command-line flags onto config keys. Flags win over
// everything, but only when the user set them.
var flagKeys = map[string]string{
	"drafts":     "build.drafts",
	"strict":     "build.strict",
	"output":     "build.output",
	"gemini":     "gemini.listen",
	"gopher":     "gopher.listen",
	"guppy":      "guppy.listen",
	"hostname":   "hostname",
	"log-format": "log.format",
	"log-level":  "log.level",
}

func bindFlags(v *viper.Viper, flags *pflag.FlagSet) error {
	for flag, k := range flagKeys {
		if f := flags.Lookup(flag); f != nil {
			if err := v.BindPFlag(k, f); err != nil {
				return fmt.Errorf("flag --%s: %w", flag, err)
			}
		}
	}
	for _, name := range []string{"gemini", "gopher", "guppy"} {
		if f := flags.Lookup("no-" + name); f != nil && f.Changed {
			v.Set(name+".enabled", false)
		}
	}
	return nil
}

// durationKey reads a duration, naming the key on error.
func durationKey(v *viper.Viper, k string) (time.Duration, error) {
	s := v.GetString(k)
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("config key %s: %q is not a duration like 10s: %w", k, s, err)
	}
	return d, nil
}
