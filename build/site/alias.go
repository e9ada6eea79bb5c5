package site

import (
	"path"
	"strings"
)

// AliasPaths are the page's old addresses, from which it is redirected:
// its aliases (Hugo's aliases, Jekyll's redirect_from), site-absolute and
// clean, a relative one taken from the folder of the page's address, a
// trailing slash kept. A page written in gemtext also has the address its
// file had when it was copied as it is (/notes/hello.gmi).
func (p *Page) AliasPaths() []string {
	var out []string
	for _, a := range p.Aliases {
		a = strings.TrimSpace(a)
		if a == "" || strings.Contains(a, "://") {
			continue
		}
		if !strings.HasPrefix(a, "/") {
			a = path.Dir(strings.TrimSuffix(p.Path, "/")) + "/" + a
		}
		slash := strings.HasSuffix(a, "/")
		a = path.Clean(a)
		if slash && a != "/" {
			a += "/"
		}
		if a != p.Path && a != "/" {
			out = append(out, a)
		}
	}
	if p.Gemtext {
		if base := path.Base(p.Source); base != "index.gmi" && base != "_index.gmi" {
			out = append(out, "/"+p.Source)
		}
	}
	return out
}
