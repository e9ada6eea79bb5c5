// Package guppy serves and fetches Guppy v0.4.4: a small unencrypted protocol
// over UDP (port 6775) that carries the same gemtext capsule as Gemini.
//
// The package mirrors net/http: a Handler answers a Request through a
// ResponseWriter, a Server runs sessions over one net.PacketConn and hands
// each request to its Handler, FileServer answers from an fs.FS, Recorder
// tests a handler without a socket, and Client (or Get) fetches a URL.
//
// # Wire format
//
// A request is one datagram, "guppy://host/path?query\r\n", at most 2048
// bytes. A successful response is a run of packets with consecutive sequence
// numbers chosen at random by the server: "<seq> <mime>\r\n<data>", then
// "<seq+1>\r\n<data>" continuations, then an empty "<last+1>\r\n" end of file
// that is always sent. The client acknowledges every one of them with
// "<seq>\r\n". "1 <prompt>\r\n" (input), "3 <url>\r\n" (redirect) and
// "4 <message>\r\n" (error) are single packets that are not acknowledged.
//
// # Transfer
//
// Each session (one source address and port) keeps a window of
// unacknowledged packets in flight (Server.Window, default 8, counted as a
// span from the lowest unacknowledged packet so that a client buffering
// that many chunks never receives one it cannot place). Acknowledgements
// are selective: an ack names exactly one packet and is never taken for
// another. Lost packets are found in two ways: a packet is resent at once
// when three packets sent after it were acknowledged (or when one was and
// an eighth of a round trip more than the smoothed round trip has
// passed), and otherwise when its retransmission timer fires. The timer is
// computed from measured round trips as TCP does (RFC 6298: smoothed round
// trip plus four deviations, with a floor, a ceiling and doubling back-off;
// no samples from retransmitted packets).
//
// # Amplification
//
// UDP source addresses can be forged. Until the client acknowledges the first
// packet of a response, which proves it receives at the address it claims,
// the server sends only that packet: at most FirstChunkSize (512) bytes of
// data, resent at most FirstRetransmits (3) times. Repeated requests do not
// add packets, except that a lost input, redirect or error packet is sent
// again for a repeated request, at most FirstRetransmits times.
package guppy
