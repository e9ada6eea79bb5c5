package gopher

import (
	"github.com/gmkit/gmkit/build/gophermap"
	"html"
	"net/url"
	"strings"
)

// URLPage answers a "URL:<absolute url>" selector with a small HTML page
// that sends a web browser on to the URL (a meta refresh plus a plain link),
// for clients that do not know the convention and fetch the selector. A
// selector without a usable absolute URL, or with a script-running scheme
// (javascript:, data:, vbscript:), is answered with an error item.
func URLPage(w ResponseWriter, r *Request) {
	raw, ok := strings.CutPrefix(r.Selector, "URL:")
	if !ok {
		Error(w, "Not a URL selector")
		return
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || strings.ContainsAny(raw, " \"<>\\^`{|}") {
		Error(w, "Bad URL")
		return
	}
	switch strings.ToLower(u.Scheme) {
	case "javascript", "data", "vbscript", "file":
		Error(w, "Refused URL scheme")
		return
	}
	esc := html.EscapeString(raw)
	w.SetType(gophermap.TypeHTML)
	_, _ = w.Write([]byte(`<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="0; url=` + esc + `">
<title>Redirect</title>
</head>
<body>
<p>This link leaves Gopherspace: <a href="` + esc + `">` + esc + `</a></p>
</body>
</html>
`))
}
