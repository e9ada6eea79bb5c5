package gopher

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gmkit/gmkit/serve/cgi"
	"github.com/gmkit/gmkit/serve/policy"
)

// writeScripts puts test scripts into a fresh CGI folder and returns it.
func writeScripts(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	scripts := map[string]string{
		"env": `#!/bin/sh
for v in SERVER_PROTOCOL SELECTOR SEARCHREQUEST QUERY_STRING PATH_INFO SCRIPT_NAME SERVER_NAME SERVER_PORT GOPHER_FILETYPE REMOTE_ADDR GATEWAY_INTERFACE SECRET_TOKEN; do
  eval "printf '%s=%s\n' $v \"\$$v\""
done
`,
		"search": `#!/bin/sh
printf 'iResults for: %s\t\t%s\t%s\r\n' "$SEARCHREQUEST" "$SERVER_NAME" "$SERVER_PORT"
printf '0First hit\t/posts/hello.txt\t%s\t%s\r\n.\r\n' "$SERVER_NAME" "$SERVER_PORT"
`,
		"slow":   "#!/bin/sh\nsleep 5\necho late\n",
		"big":    "#!/bin/sh\nhead -c 100000 /dev/zero\n",
		"fail":   "#!/bin/sh\nexit 3\n",
		"binary": "#!/bin/sh\nprintf 'a\\nb\\000c'\n",
	}
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "plain"), []byte("#!/bin/sh\necho no\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// siteHandler serves hole with the CGI folder of h at /cgi-bin and
// listings on, as the serve package does.
func siteHandler(h *CGIHandler, hole fs.FS, opts Options) Handler {
	pol := &policy.Policy{Listing: true, CGIMount: policy.DefaultCGIMount}
	return TreeHandler(pol.Tree(hole, DefaultIndex, nil), h, opts)
}

func TestCGIOverTCP(t *testing.T) {
	t.Setenv("SECRET_TOKEN", "leak")
	h := &CGIHandler{Runner: &cgi.Runner{Dir: writeScripts(t), Timeout: 200 * time.Millisecond, MaxOutput: 1000}}
	addr := startServer(t, &Server{Handler: siteHandler(h, testHole(), Options{}), Host: "gopher.example"})
	port := portOf(t, addr)
	tests := []struct {
		name, req string
		want      []string
		exact     bool
	}{
		{name: "env with path info and query", req: "/cgi-bin/env/extra/bits?a=1%202\r\n", want: []string{
			"SERVER_PROTOCOL=GOPHER\n", "SELECTOR=/cgi-bin/env/extra/bits?a=1%202\n", "SEARCHREQUEST=\n",
			"QUERY_STRING=a=1%202\n", "PATH_INFO=/extra/bits\n", "SCRIPT_NAME=/cgi-bin/env\n",
			"SERVER_NAME=gopher.example\n", "SERVER_PORT=" + port + "\n", "GOPHER_FILETYPE=0\n",
			"REMOTE_ADDR=127.0.0.1\n", "GATEWAY_INTERFACE=CGI/1.1\n", "SECRET_TOKEN=\n",
		}},
		{name: "env with search", req: "/cgi-bin/env\tgopher holes & more\r\n", want: []string{
			"SEARCHREQUEST=gopher holes & more\n", "QUERY_STRING=gopher%20holes%20%26%20more\n",
			"GOPHER_FILETYPE=7\n", "SELECTOR=/cgi-bin/env\n",
		}},
		{name: "search keeps selector query", req: "/cgi-bin/env?x=1\tq\r\n", want: []string{"QUERY_STRING=x=1\n", "SEARCHREQUEST=q\n"}},
		{name: "search menu", req: "/cgi-bin/search\tfoo\r\n", exact: true, want: []string{
			"iResults for: foo\t\tgopher.example\t" + port + "\r\n0First hit\t/posts/hello.txt\tgopher.example\t" + port + "\r\n.\r\n"}},
		{name: "output as it is", req: "/cgi-bin/binary\r\n", exact: true, want: []string{"a\nb\x00c"}},
		{name: "timeout", req: "/cgi-bin/slow\r\n", exact: true, want: []string{"3Script timed out\t\terror.host\t1\r\n.\r\n"}},
		{name: "output cap", req: "/cgi-bin/big\r\n", exact: true, want: []string{"3Script output too large\t\terror.host\t1\r\n.\r\n"}},
		{name: "failure", req: "/cgi-bin/fail\r\n", exact: true, want: []string{"3Script failed\t\terror.host\t1\r\n.\r\n"}},
		{name: "not executable", req: "/cgi-bin/plain\r\n", exact: true, want: []string{"3Not found\t\terror.host\t1\r\n.\r\n"}},
		{name: "missing", req: "/cgi-bin/nope\r\n", exact: true, want: []string{"3Not found\t\terror.host\t1\r\n.\r\n"}},
		{name: "traversal", req: "/cgi-bin/../cgi-bin/env\r\n", exact: true, want: []string{"3Bad selector\t\terror.host\t1\r\n.\r\n"}},
		{name: "dotted", req: "/cgi-bin/./env\r\n", exact: true, want: []string{"3Bad selector\t\terror.host\t1\r\n.\r\n"}},
		{name: "mount alone", req: "/cgi-bin/\r\n", exact: true, want: []string{"3Not found\t\terror.host\t1\r\n.\r\n"}},
		{name: "file beside mount", req: "/posts/hello.txt\r\n", want: []string{"Hello, world\r\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(fetch(t, addr, tt.req))
			for _, want := range tt.want {
				if tt.exact && got != want || !strings.Contains(got, want) {
					t.Errorf("%q:\ngot  %q\nwant %q", tt.req, got, want)
				}
			}
		})
	}
}
