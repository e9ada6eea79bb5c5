package main

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/gmkit/gmkit/serve"
	"github.com/gmkit/gmkit/serve/cgi"
	"github.com/gmkit/gmkit/serve/policy"
	"github.com/gmkit/gmkit/serve/protocol"
)

// key is one configuration key: its default, its type and what it means.
// The table below is the single source of truth: it sets every key's
// default, says which GMKIT_* variable sets it, checks every value from a
// flag, a variable or the file against its type, drives the unknown-key
// check, and is what docs/config.md documents (a test keeps them in sync).
type key struct {
	name string
	def  any
	typ  valueType
	doc  string
}

const maxInt = math.MaxInt32

// keys is every key: the site's and the build's, then what every server
// shares (serve.*), then each protocol's own section as the protocol
// declares it (serve/protocol), then the rest.
var keys = slices.Concat(baseKeys, serveKeys, protocolKeys(), moreKeys)

var baseKeys = []key{
	{"title", "", tText, "Site title, shown by templates and feeds."},
	{"author", "", tText, "Author name for pages and feeds."},
	{"description", "", tText, "One-line site description."},
	{"hostname", policy.DefaultHostname, tHost(false), "Public host name: written into absolute URLs, Gopher menus and the Gemini certificate."},
	{"lang", "", tLang, "Content language (e.g. `en`), sent as `lang=` on Gemini text responses."},
	{"theme", "default", tName, "Theme folder under `themes/`; templates it lacks come from the built-in default theme."},
	{"taxonomies", map[string]any{"tag": "tags", "category": "categories"}, tTaxonomies, "How pages are grouped by terms, as Hugo's `[taxonomies]`: a table of singular = plural names. Each plural name is a front matter key (`categories: [news]`) and gives an index (`/categories/`) and a page per term (`/categories/news/`) in every output. An empty table turns taxonomies off. `GMKIT_TAXONOMIES=\"tag=tags,series=series\"` replaces the table."},
	{"params", map[string]any{}, tParams, "Free-form table of values for templates (`.Site.Params`). `GMKIT_PARAMS=\"licence=CC BY,year=2025\"` sets some (merged over the file's), `GMKIT_PARAMS_LICENCE=...` sets one."},

	{"build.content", "content", tPath(false), "Folder of Markdown sources."},
	{"build.static", "static", tPath(false), "Folder copied as it is into every output."},
	{"build.themes", "themes", tPath(false), "Folder of site themes."},
	{"build.output", "public", tOutput, "Output folder; `public/gemini`, `public/gopher` and `public/html` are written there."},
	{"build.drafts", false, tBool, "Include pages marked `draft` (or `published: false`)."},
	{"build.future", false, tBool, "Include pages whose publication date (`publishDate`, `pubdate` or `published`, else `date`) is in the future; by default they appear once a build runs after that date."},
	{"build.expired", false, tBool, "Include pages whose `expiryDate` (or `unpublishdate`) has passed."},
	{"build.strict", false, tBool, "Treat warnings (broken internal links, gophermap problems) as errors."},
	{"build.keep_case", false, tBool, "Keep upper-case letters of file and folder names in page and section addresses (`content/Posts/My-Trip.md` at `/Posts/My-Trip/`). By default addresses are lower case, as Hugo makes them (Hugo's `disablePathToLower`); a link that names a page in other case still reaches it."},
	{"build.ugly_urls", false, tBool, "Write pages as `/section/slug.gmi` (`.html`) instead of `/section/slug/index.gmi` (`index.html`)."},
	{"build.keep_previous", true, tBool, "Keep the replaced output as `.public.prev` so that the next build writes only what changed (twice the disk); `false` writes every file each time."},
	{"build.latest_posts", 10, tInt(1, maxInt), "How many recent posts the home page lists."},
	{"build.feed_limit", 50, tInt(1, maxInt), "How many entries each Atom feed holds."},
	{"build.links", "paragraph", tEnum("paragraph", "at-end", "copy", "off"), "Gemtext link lines: `paragraph` (after each paragraph), `at-end` (end of page), `copy`, or `off`."},

	{"build.keep_markers", false, tBool, "Keep emphasis, strong, strikethrough and code markers (`*`, `**`, `~~`, backticks) in gemtext."},
	{"build.outside_symlinks", false, tBool, "Publish files of content/ and static/ that are symlinks to files outside the site folder. By default such a symlink is left out with a warning (so `ln -s /etc/passwd content/p.md` publishes nothing); symlinks within the site are always followed."},
	{"build.unicode_slugs", false, tBool, "Keep non-ASCII letters in the addresses gmkit makes: tag pages (`/tags/café/`) and the files `gmkit new` names (`ça-va.md`). By default they are folded to ASCII (`/tags/cafe/`, `ca-va.md`; a title with no Latin letters is named by its date), which every client can follow; `gmkit serve` redirects a tag's Unicode address to its ASCII one."},
	{"build.cache", true, tBool, "Keep what a build read and made (pages, rendered bodies, finished pages) in `state.dir`/cache, so that the next build remakes only what changed since; the cache is checked against the sources and ignored when damaged or made by another gmkit or configuration. `false` (or `--no-cache`) builds everything from the sources."},
	{"build.keep_html", false, tBool, "Print raw HTML blocks in gemtext as they are written, in ```html preformatted blocks, instead of converting them."},

	{"state.dir", ".gmkit", tPath(false), "Folder for private state (certificates, the build cache); relative to the site."},
}

// serveKeys are the rules every server applies alike (serve/policy).
var serveKeys = []key{
	{"serve.aliases", []string{}, tList(tHost(false), "host names", `["example.net"]`), "Other host names served (and written into the certificate); requests for other hosts are refused on every protocol that names a host."},
	{"serve.directory_listing", false, tBool, "List folders that have no index file (`index.gmi`, `gophermap`), on every protocol."},
	{"serve.require_cert", []string{}, tList(tPrefix, "paths starting with /", `["/private/"]`), "Path prefixes that require a client certificate, on every protocol: Gemini answers 60 without one; Gopher and Guppy, which cannot present one, refuse them."},
	{"serve.allowed_certs", []string{}, tList(tFingerprint, "SHA-256 fingerprints (64 hex digits each)", `["3F2A…"]`), "SHA-256 fingerprints allowed on `require_cert` paths (empty: any certificate)."},
	{"serve.proxy_protocol", []string{}, tList(tNetSource, "IP addresses or CIDR ranges", `["127.0.0.1", "10.0.0.0/8"]`), "Load balancers (HAProxy `send-proxy-v2`, nginx `proxy_protocol on`) whose TCP connections start with the PROXY protocol (v1 or v2), on every TCP protocol: logs, rate limits, per-address caps and CGI's `REMOTE_ADDR` then see the real client. Connections from other addresses are read as they are."},
	{"serve.client_ca", "", tPath(true), "CA certificate (PEM) whose client certificates count as verified."},
	{"serve.cert", "", tPath(true), "Certificate file (PEM) for every TLS server instead of the self-made one; needs `serve.key`."},
	{"serve.key", "", tPath(true), "Private key file (PEM) for `serve.cert`."},

	{"acme.enabled", false, tBool, "Get HTTPS certificates for `hostname` and `serve.aliases` from an ACME CA (Let's Encrypt by default), kept in `state.dir`/acme and renewed; the names must be public and reach this server on port 443 or 80."},
	{"acme.email", "", tText, "Address the CA may write to about expiring certificates (empty: none)."},
	{"acme.directory", "", tText, "ACME directory URL of another CA (empty: Let's Encrypt)."},
	{"acme.gemini", false, tBool, "Present the ACME certificate over Gemini (and Gopher over TLS) too, instead of the self-made one; clients that pinned the old one will warn once."},
}

// renamedKeys are keys that moved: setting the old one is an error that
// names the new one.
var renamedKeys = map[string]string{
	"gemini.aliases":           "serve.aliases",
	"gemini.directory_listing": "serve.directory_listing",
	"gemini.require_cert":      "serve.require_cert",
	"gemini.allowed_certs":     "serve.allowed_certs",
	"gemini.client_ca":         "serve.client_ca",
	"gemini.cert":              "serve.cert",
	"gemini.key":               "serve.key",
}

// renamedError says where a moved key went.
func renamedError(from, where string) error {
	return fmt.Errorf("config key %s (%s) is now %s: it applies to every protocol", from, where, renamedKeys[from])
}

// protocolKeys are the keys of every protocol serve runs, named
// SECTION.KEY after the protocol, typed as the protocol declares them.
func protocolKeys() []key {
	var out []key
	for _, p := range serve.Protocols() {
		info := p.Info()
		for _, k := range info.Keys {
			out = append(out, key{info.Name + "." + k.Name, k.Default, keyType(k.Type), k.Doc})
		}
	}
	return out
}

// keyType is the valueType of a protocol key's type.
func keyType(t protocol.Type) valueType {
	switch t.Kind {
	case protocol.Bool:
		return tBool
	case protocol.Int:
		return tInt(t.Min, t.Max)
	case protocol.Rate:
		return tRate
	case protocol.Addr:
		return tAddr(t.Optional)
	case protocol.Host:
		return tHost(t.Optional)
	case protocol.Duration:
		return tDuration(t.Optional)
	case protocol.Text:
		return tText
	}
	panic(fmt.Sprintf("config: protocol key type %d has no valueType", t.Kind))
}

// moreKeys follow the protocols' keys in the table.
var moreKeys = []key{
	{"gopher.mode", "menu", tEnum("menu", "text"), "Posts as `menu` (links are items) or `text` (numbered references)."},
	{"gopher.heading_style", "underline", tEnum("underline", "upper"), "Headings in Gopher: `underline` or `upper` (upper case)."},
	{"gopher.width", 70, tInt(20, 1000), "Wrapping width in columns (67 is safe for 80-column clients)."},

	{"html.unsafe", false, tBool, "Pass raw HTML in the sources (scripts, styles, forms, embeds) and every link into the web output as written, with no cleaning: only for a site whose every source is trusted."},
	{"html.scheme", "https", tEnum("https", "http"), "Scheme of the web output's absolute addresses (feeds, sitemap, canonical links) for `gmkit build`; `serve` writes the one it serves."},

	{"cgi.dir", "cgi-bin", tPath(false), "Folder of CGI scripts, served at `/cgi-bin/` on every protocol."},
	{"cgi.timeout", cgi.DefaultTimeout.String(), tDuration(false), "A script still running after this is killed (the client gets 42)."},
	{"cgi.max_output", cgi.DefaultMaxOutput, tInt(1, maxInt), "Most bytes of script output sent."},

	{"log.format", "text", tEnum("text", "json"), "Request log format: `text` or `json`."},
	{"log.level", "info", tEnum("debug", "info", "warn", "error"), "Log level: `debug`, `info`, `warn` or `error`."},

	{"watch.debounce", "50ms", tDuration(true), "How long `--watch` waits for a burst of saves to end before rebuilding."},

	{"permalinks", map[string]any{}, tPermalinks, "Table of address patterns for the pages of sections, by section folder, with Hugo's tokens: `posts = \"/:year/:month/:day/:slug/\"` puts `content/posts/x.md` of 2015-02-13 at `/2015/02/13/x/`. Tokens: `:year`, `:month`, `:monthname`, `:day`, `:slug` (front matter slug, else the title as a slug), `:slugorfilename`, `:title`, `:filename`, `:contentbasename`, `:section`, `:sections`. Undated pages keep their usual address; a page's own `url` (Hugo) or `permalink` (Jekyll) front matter wins."},
	{"redirects", []any{}, tRedirects, "List of `{from, to, permanent}` tables: requests for `from` are redirected (Gemini 31; 30 with `permanent = false`)."},
}

// openEnded are keys whose sub-keys are free-form.
var openEnded = []string{"params", "redirects", "permalinks", "taxonomies"}

// fileOnly reports the keys that only a config file can set: tables no
// environment variable can spell.
func fileOnly(key string) bool { return key == "redirects" || key == "permalinks" }

// configNames are the names a site's config file may have.
var configNames = []string{"gmkit.toml", "gmkit.yaml", "gmkit.yml"}

// origin is where a value came from, for error messages.
type origin struct {
	file string // config file, with line when known
	line int
	env  string // GMKIT_* variable
	flag string // --flag
}

func (o origin) String() string {
	switch {
	case o.flag != "":
		return "from --" + o.flag
	case o.env != "":
		return "from " + o.env
	case o.line > 0:
		return fmt.Sprintf("%s line %d", o.file, o.line)
	case o.file != "":
		return o.file
	}
	return "default"
}

// envName is the variable that sets key k.
func envName(k string) string {
	return "GMKIT_" + strings.ToUpper(strings.ReplaceAll(k, ".", "_"))
}

// findConfigFile is the site's config file ("" for none); two of them is
// an error, since gmkit would have to pick one silently.
func findConfigFile(siteDir string) (string, error) {
	var found []string
	for _, name := range configNames {
		p := filepath.Join(siteDir, name)
		if _, err := os.Stat(p); err == nil {
			found = append(found, p)
		}
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%s has %d config files (%s): keep one", siteDir, len(found), strings.Join(found, ", "))
}

// newViper reads the configuration of the site in siteDir: every key's
// default, then the site's gmkit.toml (or .yaml, or configFile), then the
// GMKIT_* variables, then the flags that were set. Every value is checked
// against its key's type; the errors name the key, where the value came
// from and the form wanted, all of them at once. The viper instance it
// returns holds the checked value of every key. It also returns the config
// file used ("" for none).
func newViper(siteDir, configFile string, flags *pflag.FlagSet) (*viper.Viper, string, error) {
	if configFile == "" {
		var err error
		if configFile, err = findConfigFile(siteDir); err != nil {
			return nil, "", err
		}
	}
	var file map[string]fileValue
	if configFile != "" {
		var err error
		if file, err = readConfigFile(configFile); err != nil {
			return nil, "", err
		}
	}
	vals, err := resolveKeys(configFile, file, os.LookupEnv, flags)
	if err != nil {
		return nil, "", err
	}
	v := viper.New()
	for _, k := range keys {
		v.Set(k.name, vals[k.name])
	}
	return v, configFile, nil
}

// resolveKeys works out every key's value by precedence (flags > GMKIT_*
// variables > file > defaults) and checks it.
func resolveKeys(configFile string, file map[string]fileValue, lookupEnv func(string) (string, bool), flags *pflag.FlagSet) (map[string]any, error) {
	type setting struct {
		raw  any
		from origin
	}
	chosen := map[string]setting{}
	for _, k := range keys {
		chosen[k.name] = setting{raw: k.def}
		if fv, ok := file[k.name]; ok {
			chosen[k.name] = setting{raw: fv.v, from: origin{file: configFile, line: fv.line}}
		}
	}
	typeOf := map[string]valueType{}
	for _, k := range keys {
		typeOf[k.name] = k.typ
	}
	text := func(k, s string) any {
		if typeOf[k].list {
			items := []any{}
			for _, it := range strings.Split(s, ",") {
				if it = strings.TrimSpace(it); it != "" {
					items = append(items, it)
				}
			}
			return items
		}
		return s
	}
	var errs []error
	for from := range renamedKeys {
		if _, ok := lookupEnv(envName(from)); ok {
			errs = append(errs, renamedError(from, "from "+envName(from)))
		}
	}
	for _, k := range keys {
		if k.name == "params" {
			continue
		}
		if s, ok := lookupEnv(envName(k.name)); ok && s != "" {
			if fileOnly(k.name) {
				errs = append(errs, fmt.Errorf("config key %s (from %s): %s can only be set in the config file", k.name, envName(k.name), k.name))
				continue
			}
			chosen[k.name] = setting{raw: text(k.name, s), from: origin{env: envName(k.name)}}
		}
	}
	if flags != nil {
		flags.Visit(func(f *pflag.Flag) {
			if k, ok := flagKey(f.Name); ok {
				chosen[k] = setting{raw: text(k, f.Value.String()), from: origin{flag: f.Name}}
			}
		})
		if f := flags.Lookup("no-cache"); f != nil && f.Changed {
			if off, ok := parseBool(f.Value.String()); ok && off {
				chosen["build.cache"] = setting{raw: false, from: origin{flag: f.Name}}
			}
		}
		for _, p := range serve.Protocols() {
			name := p.Info().Name
			// Giving an address turns the server on (one the
			// configuration turned off); --no-NAME still wins.
			if f := flags.Lookup(name); f != nil && f.Changed {
				chosen[name+".enabled"] = setting{raw: true, from: origin{flag: f.Name}}
			}
			if f := flags.Lookup("no-" + name); f != nil && f.Changed {
				if off, ok := parseBool(f.Value.String()); ok && off {
					chosen[name+".enabled"] = setting{raw: false, from: origin{flag: f.Name}}
				}
			}
		}
	}
	out := map[string]any{}
	for _, k := range keys {
		c := chosen[k.name]
		got, err := k.typ.parse(c.raw)
		if err != nil {
			msg := "want " + k.typ.form
			if !errors.Is(err, errForm) {
				msg = err.Error()
			}
			errs = append(errs, fmt.Errorf("config key %s = %s (%s): %s", k.name, show(c.raw), c.from, msg))
			continue
		}
		out[k.name] = got
	}
	params, err := envParams(out["params"], lookupEnv)
	if err != nil {
		errs = append(errs, err)
	}
	out["params"] = params
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// envParams merges GMKIT_PARAMS ("key=value" pairs separated by commas)
// and then every GMKIT_PARAMS_KEY variable (one param each) over the file's
// [params]. Keys are lower case, as in the file.
func envParams(fileParams any, lookupEnv func(string) (string, bool)) (map[string]any, error) {
	params := map[string]any{}
	if m, ok := fileParams.(map[string]any); ok {
		for k, v := range m {
			params[strings.ToLower(k)] = v
		}
	}
	if s, ok := lookupEnv("GMKIT_PARAMS"); ok && strings.TrimSpace(s) != "" {
		for _, pair := range strings.Split(s, ",") {
			k, val, ok := strings.Cut(pair, "=")
			k = strings.ToLower(strings.TrimSpace(k))
			if !ok || k == "" || hasControl(val) {
				return nil, fmt.Errorf("config key params = %s (from GMKIT_PARAMS): want key=value pairs separated by commas, like GMKIT_PARAMS=\"licence=CC BY,year=2025\" (set a value with a comma in it with GMKIT_PARAMS_KEY)", show(s))
			}
			params[k] = strings.TrimSpace(val)
		}
	}
	var names []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "GMKIT_PARAMS_") && len(name) > len("GMKIT_PARAMS_") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		val, ok := lookupEnv(name)
		if !ok {
			continue
		}
		if hasControl(val) {
			return nil, fmt.Errorf("config key params.%s = %s (from %s): want a string on one line", strings.ToLower(strings.TrimPrefix(name, "GMKIT_PARAMS_")), show(val), name)
		}
		params[strings.ToLower(strings.TrimPrefix(name, "GMKIT_PARAMS_"))] = val
	}
	return params, nil
}

// flagKey is the config key a command-line flag sets: one of flagKeys, or
// a protocol's listen address (--gemini ADDR). Flags win over everything,
// but only when the user set them.
func flagKey(flag string) (string, bool) {
	if k, ok := flagKeys[flag]; ok {
		return k, true
	}
	for _, p := range serve.Protocols() {
		if p.Info().Name == flag {
			return flag + ".listen", true
		}
	}
	return "", false
}

// flagKeys maps the other command-line flags onto config keys.
var flagKeys = map[string]string{
	"drafts":     "build.drafts",
	"future":     "build.future",
	"expired":    "build.expired",
	"strict":     "build.strict",
	"output":     "build.output",
	"hostname":   "hostname",
	"log-format": "log.format",
	"log-level":  "log.level",
}

// boolFlag is a boolean flag that reads its value as the config file and
// the GMKIT_* variables do (`--drafts=yes` works); it sets the flag's own
// value, so variables bound to the flag still see it.
type boolFlag struct{ pflag.Value }

func (f boolFlag) Set(s string) error {
	b, ok := parseBool(s)
	if !ok {
		return fmt.Errorf("want %s", tBool.form)
	}
	return f.Value.Set(strconv.FormatBool(b))
}

// readBoolsAlike makes every boolean flag of cmd and its subcommands read
// its value with boolWords.
func readBoolsAlike(cmd *cobra.Command) {
	for _, fs := range []*pflag.FlagSet{cmd.Flags(), cmd.PersistentFlags()} {
		fs.VisitAll(func(f *pflag.Flag) {
			if _, done := f.Value.(boolFlag); f.Value.Type() == "bool" && !done {
				f.Value = boolFlag{f.Value}
			}
		})
	}
	for _, c := range cmd.Commands() {
		readBoolsAlike(c)
	}
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
