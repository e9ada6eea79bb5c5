package protocol

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"

	"github.com/gmkit/gmkit/serve/stream"
)

// ListenTCP listens on addr for the server label ("gemini", "gopher over
// TLS") of protocol name; flag is the flag or key that changes the
// address, named by the error.
func ListenTCP(label, name, addr, flag string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, ListenError(label, name, addr, flag, err)
	}
	return l, nil
}

// ListenUDP is ListenTCP for a datagram protocol.
func ListenUDP(label, name, addr, flag string) (net.PacketConn, error) {
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		return nil, ListenError(label, name, addr, flag, err)
	}
	return pc, nil
}

// ListenError explains a failure to listen in terms of what to do: the
// flag that changes the address, --no-NAME that turns the server off, or
// how to allow a privileged port.
func ListenError(label, name, addr, flag string, err error) error {
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return fmt.Errorf("%s: %s is already in use (is another gmkit or server running?); choose another address with %s, or turn %s off with --no-%s", label, addr, flag, label, name)
	case errors.Is(err, syscall.EACCES):
		return fmt.Errorf("%s: %s is a privileged port; use a port above 1023 (e.g. %s 127.0.0.1:%d), or allow it with: sudo setcap cap_net_bind_service=+ep $(which gmkit)", label, addr, flag, highPort(addr))
	}
	return fmt.Errorf("%s: listening on %s: %w", label, addr, err)
}

func highPort(addr string) int {
	_, p, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(p)
	return 7000 + n
}

// StreamKeys are the keys of a protocol served by serve/stream: the
// connection caps and the per-address request rate.
func StreamKeys(name string) []Key {
	return []Key{
		{"max_conns", stream.DefaultMaxConns, Type{Kind: Int, Min: 1, Max: MaxInt}, "Most connections served at once."},
		{"max_conns_per_addr", stream.DefaultMaxConnsPerAddr, Type{Kind: Int, Min: 1, Max: MaxInt}, "Most connections served at once for one client address (IPv6: per /64); more are closed at once."},
		{"rate", 0.0, Type{Kind: Rate}, "Requests per second allowed per client address (0: no limit)."},
		{"burst", 20, Type{Kind: Int, Min: 1, Max: MaxInt}, "Requests a client may make in a burst above `" + name + ".rate`."},
	}
}

// Limiter reads the rate and burst keys of StreamKeys into a per-address
// limiter made by env: nil when there is no limit.
func (e *Env) Limiter(set Settings) stream.Limiter {
	r := set.Float64("rate")
	if r <= 0 || e.NewLimiter == nil {
		return nil
	}
	return e.NewLimiter(r, set.Int("burst"))
}

// ClientAddr is how a client on this machine reaches a listen address:
// "localhost" for an unspecified address, brackets around IPv6, and no
// port when it is defPort.
func ClientAddr(a net.Addr, defPort int) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	} else if ip.To4() == nil {
		host = "[" + host + "]"
	}
	if port == strconv.Itoa(defPort) {
		return host
	}
	return host + ":" + port
}

// Port is the port of a listen address, or 0.
func Port(a net.Addr) int {
	switch t := a.(type) {
	case *net.TCPAddr:
		return t.Port
	case *net.UDPAddr:
		return t.Port
	}
	return 0
}
