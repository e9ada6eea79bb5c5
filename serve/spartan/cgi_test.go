package spartan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gmkit/gmkit/serve/cgi"
)

// writeScripts puts test scripts into a fresh CGI folder and returns it.
func writeScripts(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	scripts := map[string]string{
		// env: the variables a script sees, and its standard input.
		"env": `#!/bin/sh
printf '2 text/plain\r\n'
for v in SERVER_PROTOCOL REQUEST_METHOD CONTENT_LENGTH QUERY_STRING PATH_INFO SCRIPT_NAME SERVER_NAME SERVER_PORT SECRET_TOKEN; do
  eval "printf '%s=%s\n' $v \"\$$v\""
done
printf 'stdin='
cat
`,
		// ask: a Gemini script asking for input until it gets some.
		"ask": `#!/bin/sh
if [ -z "$QUERY_STRING" ]; then printf '10 Your name?\r\n'; exit 0; fi
printf '20 text/gemini\r\n# Hello %s\n' "$QUERY_STRING"
`,
		"native":    "#!/bin/sh\nprintf '2 text/plain\\r\\nspartan form\\n'\n",
		"missing":   "#!/bin/sh\nprintf '51 No such page\\r\\n'\n",
		"broken":    "#!/bin/sh\nprintf '42 Database down\\r\\n'\n",
		"moved":     "#!/bin/sh\nprintf '31 /new/place\\r\\n'\n",
		"relative":  "#!/bin/sh\nprintf '30 other\\r\\n'\n",
		"elsewhere": "#!/bin/sh\nprintf '31 gemini://example.net/x\\r\\n'\n",
		"sameurl":   "#!/bin/sh\nprintf '30 spartan://localhost/p?q=1\\r\\n'\n",
		"badredir":  "#!/bin/sh\nprintf '3 elsewhere\\r\\n'\n",
		"garbage":   "#!/bin/sh\necho hello\n",
		"slow":      "#!/bin/sh\nsleep 30\necho late\n",
		"big":       "#!/bin/sh\nprintf '2 text/plain\\r\\n'\nhead -c 100000 /dev/zero\n",
	}
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCGIOverTCP(t *testing.T) {
	t.Setenv("SECRET_TOKEN", "leak")
	h := &CGIHandler{Runner: &cgi.Runner{Dir: writeScripts(t), Timeout: 3 * time.Second, MaxOutput: 1000}}
	addr := startServer(t, &Server{Handler: h})
	port := addr[strings.LastIndexByte(addr, ':')+1:]
	tests := []struct {
		name   string
		path   string
		data   string
		status Status
		meta   string
		body   []string // substrings of the body
		end    string   // how the body ends
	}{
		{name: "environment", path: "/cgi-bin/env/extra?a=b", status: StatusSuccess, meta: "text/plain",
			body: []string{"SERVER_PROTOCOL=SPARTAN\n", "REQUEST_METHOD=GET\n", "CONTENT_LENGTH=\n", "QUERY_STRING=a=b\n", "PATH_INFO=/extra\n",
				"SCRIPT_NAME=/cgi-bin/env\n", "SERVER_NAME=localhost\n", "SERVER_PORT=" + port + "\n", "SECRET_TOKEN=\n"}, end: "\nstdin="},
		{name: "upload on stdin", path: "/cgi-bin/env", data: "Hello world!", status: StatusSuccess, meta: "text/plain",
			body: []string{"REQUEST_METHOD=POST\n", "CONTENT_LENGTH=12\n", "QUERY_STRING=Hello%20world%21\n", "stdin=Hello world!"}},
		{name: "binary upload is not a query", path: "/cgi-bin/env", data: "a\x00b", status: StatusSuccess, meta: "text/plain",
			body: []string{"CONTENT_LENGTH=3\n", "QUERY_STRING=\n", "stdin=a\x00b"}},
		{name: "a query of its own wins", path: "/cgi-bin/env?own", data: "typed", status: StatusSuccess, meta: "text/plain",
			body: []string{"QUERY_STRING=own\n", "stdin=typed"}},
		{name: "input prompt becomes an =: line", path: "/cgi-bin/ask", status: StatusSuccess, meta: "text/gemini",
			body: []string{"# Your name?\n\n=: /cgi-bin/ask Your name?\n"}},
		{name: "the answer to the prompt", path: "/cgi-bin/ask", data: "Ines Marlow", status: StatusSuccess, meta: "text/gemini",
			body: []string{"# Hello Ines%20Marlow"}},
		{name: "spartan form", path: "/cgi-bin/native", status: StatusSuccess, meta: "text/plain", body: []string{"spartan form\n"}},
		{name: "51 is a client error", path: "/cgi-bin/missing", status: StatusClientError, meta: "No such page"},
		{name: "42 is a server error", path: "/cgi-bin/broken", status: StatusServerError, meta: "Database down"},
		{name: "redirect to a path", path: "/cgi-bin/moved", status: StatusRedirect, meta: "/new/place"},
		{name: "relative redirect", path: "/cgi-bin/relative", status: StatusRedirect, meta: "/cgi-bin/other"},
		{name: "redirect to this host by URL", path: "/cgi-bin/sameurl", status: StatusRedirect, meta: "/p?q=1"},
		{name: "redirect elsewhere is a link", path: "/cgi-bin/elsewhere", status: StatusSuccess, meta: "text/gemini",
			body: []string{"=> gemini://example.net/x\n"}},
		{name: "spartan redirect must be a path", path: "/cgi-bin/badredir", status: StatusServerError, meta: "Script sent an invalid first line"},
		{name: "no header", path: "/cgi-bin/garbage", status: StatusServerError, meta: "Script sent an invalid first line"},
		{name: "timeout", path: "/cgi-bin/slow", status: StatusServerError, meta: "Script timed out"},
		{name: "output cap", path: "/cgi-bin/big", status: StatusServerError, meta: "Script output too large"},
		{name: "no such script", path: "/cgi-bin/none", status: StatusClientError, meta: "Not found"},
		{name: "outside the mount", path: "/other", status: StatusClientError, meta: "Not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := mustGet(t, addr, "localhost", tt.path, []byte(tt.data))
			if rep.Status != tt.status || rep.Meta != tt.meta {
				t.Fatalf("got %d %q (%q), want %d %q", rep.Status, rep.Meta, rep.Body, tt.status, tt.meta)
			}
			for _, s := range tt.body {
				if !strings.Contains(string(rep.Body), s) {
					t.Errorf("body %q lacks %q", rep.Body, s)
				}
			}
			if !strings.HasSuffix(string(rep.Body), tt.end) {
				t.Errorf("body %q does not end with %q", rep.Body, tt.end)
			}
		})
	}
}

func TestPromptPage(t *testing.T) {
	got := string(PromptPage("/cgi-bin/search", "  Search\tpost titles  "))
	want := "# Search post titles\n\n=: /cgi-bin/search Search post titles\n"
	if got != want {
		t.Errorf("PromptPage = %q, want %q", got, want)
	}
	if got := string(PromptPage("/x", "")); got != "# Input\n\n=: /x Input\n" {
		t.Errorf("PromptPage without a prompt = %q", got)
	}
}
