package policy

import (
	"fmt"
	"net/url"
	"strings"
)

// GemtextListing is the listing of the folder name (a Decision's Name for
// Listing) that the protocols serving the gemtext capsule (Gemini, Guppy)
// answer with: a heading naming urlPath, a link up unless name is the root,
// then one link per entry, dotfiles left out, folders with a slash.
func (t *Tree) GemtextListing(name, urlPath string) ([]byte, error) {
	entries, err := t.ReadDir(name)
	if err != nil {
		return nil, err
	}
	if urlPath == "" {
		urlPath = "/"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Index of %s\n\n", urlPath)
	if name != "." {
		b.WriteString("=> ../ ..\n")
	}
	for _, e := range entries {
		n := e.Name()
		link := (&url.URL{Path: n}).EscapedPath()
		if strings.Contains(n, ":") && !strings.Contains(link, "/") {
			link = "./" + link // not to be read as a scheme
		}
		if e.IsDir() {
			link += "/"
			n += "/"
		}
		fmt.Fprintf(&b, "=> %s %s\n", link, n)
	}
	return []byte(b.String()), nil
}
