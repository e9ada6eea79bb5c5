package serve

import (
	"crypto/tls"
	"io"
	"net"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// TestGeminiAsksForCertificateWhereUsed: TLS lets a server ask for a
// client certificate in the handshake only, before the request is known.
// gmkit serve asks when an access rule or a CGI script can use one, and
// otherwise spares every handshake the request.
func TestGeminiAsksForCertificateWhereUsed(t *testing.T) {
	scripts := t.TempDir()
	for _, tt := range []struct {
		name  string
		rules []string
		cgi   string
		asked bool
	}{
		{"nothing uses one", nil, "", false},
		{"an access rule", []string{"/private/"}, "", true},
		{"CGI", nil, scripts, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := runServers(t, Config{
				StateDir:      t.TempDir(),
				SharedCertDir: t.TempDir(),
				RequireCert:   tt.rules,
				CGI:           CGIConfig{Dir: tt.cgi, Timeout: 10 * time.Second},
				Settings:      listen(map[string]string{"gemini": "127.0.0.1:0"}),
			}, Content{Outputs: map[string]Output{"gemini": {FS: fstest.MapFS{"index.gmi": {Data: []byte("# home\n")}}}}})
			asked := false
			cfg := &tls.Config{InsecureSkipVerify: true, ServerName: "localhost",
				GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
					asked = true
					return &tls.Certificate{}, nil // none to give
				}}
			addr := s.Addr("gemini").String()
			c, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", addr, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(20 * time.Second))
			io.WriteString(c, "gemini://"+addr+"/\r\n")
			b, err := io.ReadAll(c)
			if err != nil || !strings.HasPrefix(string(b), "20 ") {
				t.Fatalf("got %q, %v; want the home page", b, err)
			}
			if asked != tt.asked {
				t.Errorf("asked for a certificate: %v, want %v", asked, tt.asked)
			}
		})
	}
}
