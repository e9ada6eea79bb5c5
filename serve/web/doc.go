// Package web serves a built site over HTTP and HTTPS with net/http: the
// files of the HTML output (an fs.FS snapshot, or public/html on disk),
// with the headers a careful web server sends (correct types, ETag and
// Last-Modified with 304 answers, byte ranges, gzip for text, cache and
// security headers), under the one access policy of serve/policy (its
// redirects as 301s, its CGI mount, its path and host rules), the site's
// 404 page, and CGI/1.1 scripts run by serve/cgi's Runner, as over every
// other protocol.
//
// The pieces are ordinary http.Handlers: TreeHandler (or FileServer) for
// a policy.Tree, Headers for the security headers, RedirectHTTPS for plain
// HTTP when HTTPS is on, and Server, which runs a handler on listeners
// with per-address limits, a connection cap, timeouts, one log line per
// request and a graceful Shutdown. Protocol registers it all with gmkit
// serve.
package web
