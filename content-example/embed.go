// Package contentexample is the example blog that ships inside gmkit: what
// `gmkit serve` shows when run outside a site, and what `gmkit init` copies
// to start a new one.
package contentexample

import "embed"

// FS holds the example site: gmkit.toml, content/, static/, cgi-bin/ and a
// .gitignore. Embedding loses file modes; whoever writes cgi-bin/ to disk
// must make its scripts executable.
//
//go:embed gmkit.toml .gitignore content static cgi-bin
var FS embed.FS
