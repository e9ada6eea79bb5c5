package protocol

import (
	"net"
	"net/netip"

	proxyproto "github.com/pires/go-proxyproto"
)

// ListenTCP listens as the package function ListenTCP does and, when
// ProxyFrom names balancers, accepts the PROXY protocol (v1 or v2) on the
// connections that come from them: their RemoteAddr is then the client's
// address the balancer passed on, for logs, rate limits, per-address caps
// and CGI's REMOTE_ADDR. The header is read in the connection's own
// goroutine (on its first Read or RemoteAddr), before TLS, never in the
// accept loop. Connections from anywhere else are read as they are: a
// PROXY header from them is not trusted, and fails as a malformed request.
func (e *Env) ListenTCP(label, name, addr, flag string) (net.Listener, error) {
	l, err := ListenTCP(label, name, addr, flag)
	if err != nil || len(e.ProxyFrom) == 0 {
		return l, err
	}
	return &proxyproto.Listener{Listener: l, ConnPolicy: e.proxyPolicy}, nil
}

// proxyPolicy trusts the PROXY header of connections from ProxyFrom (a
// balancer's own health checks may come without one) and looks for none
// on others.
func (e *Env) proxyPolicy(o proxyproto.ConnPolicyOptions) (proxyproto.Policy, error) {
	if a, ok := o.Upstream.(*net.TCPAddr); ok {
		if ip, ok := netip.AddrFromSlice(a.IP); ok {
			ip = ip.Unmap()
			for _, p := range e.ProxyFrom {
				if p.Contains(ip) {
					return proxyproto.USE, nil
				}
			}
		}
	}
	return proxyproto.SKIP, nil
}
