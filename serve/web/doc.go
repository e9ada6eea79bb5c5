// Package web serves a built site over HTTP and HTTPS with net/http: the
// files of the HTML output (an fs.FS snapshot, or public/html on disk),
// with the headers a careful web server sends (correct types, ETag and
// Last-Modified with 304 answers, byte ranges, gzip for text, cache and
// security headers), the site's redirects as 301s, its 404 page, and CGI
// through net/http/cgi.
//
// The pieces are ordinary http.Handlers composed by the caller:
// FileServer for the files, Redirects in front of it, CGI for the script
// folder, Headers for the security and cache headers, and Server, which
// runs them on a listener with per-address limits, a connection cap,
// timeouts, one log line per request and a graceful Shutdown.
package web
