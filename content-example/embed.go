// Package contentexample is the example blog that ships inside gmkit: what
// `gmkit serve` shows when run outside a site, and what `gmkit init` copies
// to start a new one.
package contentexample

import "embed"

// FS holds the example site: gmkit.toml, content/, static/, cgi-bin/ and a
// .gitignore. Embedding loses file modes; whoever writes cgi-bin/ to disk
// must make its scripts executable. The folders are embedded with "all:" so
// that section intros (_index.md) are included: a plain directory pattern
// leaves out every name that starts with "_" or ".".
//
//go:embed gmkit.toml .gitignore all:content all:static all:cgi-bin
var FS embed.FS
