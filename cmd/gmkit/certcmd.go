package main

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/gmkit/gmkit/serve/certs"
)

func newCertCmd(g *globals) *cobra.Command {
	var renew bool
	cmd := &cobra.Command{
		Use:   "cert [HOST...]",
		Short: "Show (or renew) the Gemini certificates and their fingerprints",
		Long: `Cert prints, for each served host name, the SHA-256 fingerprint and expiry
of the certificate the Gemini server presents, making any that are missing.
Clients pin a capsule's certificate the first time they visit (trust on first
use), so publish the fingerprint where your readers can check it.

gmkit keeps its certificates in .gmkit/certs/ (state.dir) and reuses them;
it replaces one only when it has expired. The certificates of localhost and
loopback addresses are kept once per user (~/.local/state/gmkit/certs) and
shared by every site, so that clients see one development certificate.
--renew replaces them now, on purpose: clients that pinned the old one will
warn their users. A certificate whose key is lost is an error until then.`,
		Example: `  gmkit cert
  gmkit cert --renew example.org`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := g.needSite(); err != nil {
				return err
			}
			v, _, err := newViper(g.site, g.config, nil)
			if err != nil {
				return err
			}
			state := v.GetString("state.dir")
			if !filepath.IsAbs(state) {
				state = filepath.Join(g.site, state)
			}
			hosts := append([]string{v.GetString("hostname")}, v.GetStringSlice("serve.aliases")...)
			cfg := certs.Config{Dir: filepath.Join(state, "certs"), SharedDir: sharedCertDir(), Hosts: hosts}
			if c, k := v.GetString("serve.cert"), v.GetString("serve.key"); c != "" && k != "" {
				cfg.Pairs = []certs.Pair{{CertFile: c, KeyFile: k}}
			}
			for _, a := range args {
				if !slices.Contains(hosts, a) {
					return &usageError{fmt.Errorf("%s is not a served host name (hostname and serve.aliases: %v)", a, hosts)}
				}
			}
			if renew {
				cfg.Renew = args
				if len(args) == 0 {
					cfg.Renew = hosts
				}
			}
			st, err := certs.New(cfg)
			if err != nil {
				return err
			}
			for _, info := range st.List() {
				if len(args) > 0 && !slices.Contains(args, info.Host) {
					continue
				}
				origin := info.CertFile
				if info.UserProvided {
					origin += " (your own)"
				}
				fmt.Fprintf(g.stdout, "%s\n  SHA-256  %s\n  valid    %s to %s\n  file     %s\n",
					info.Host, info.Fingerprint, info.NotBefore.Format("2006-01-02"), info.NotAfter.Format("2006-01-02"), origin)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&renew, "renew", false, "replace the certificates now (clients that pinned them will warn)")
	return cmd
}

// sharedCertDir is where the certificates of localhost and loopback
// addresses are kept for every site; "" (each site keeps its own) when the
// user has no home folder.
func sharedCertDir() string {
	d, err := certs.UserDir()
	if err != nil {
		return ""
	}
	return d
}
