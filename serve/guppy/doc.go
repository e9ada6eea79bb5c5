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
// UDP source addresses can be forged, so until a client acknowledges a
// packet, which proves it receives at the address it claims, the server
// sends that address at most three times the bytes it received from it
// (QUIC's rule, RFC 9000 section 8), retransmissions and answers to
// repeated requests included. Only the first packet of a response is sent
// before that ack, cut to half of the allowance (so that it can be sent
// twice), at most FirstChunkSize bytes of data; the rest follows the ack.
// A packet that does not fit yet (an input, redirect or error packet with
// a long text, or a first packet with a long MIME type) waits: each
// repeated request adds to the allowance. A session whose address never
// proves itself ends after FirstRetransmits firings of its timer. The Client
// re-sends its first ack while nothing else arrives, in case it was lost.
//
// # Hosts
//
// With Server.Hostnames set, a request for another host is answered with
// the error "host not served", as Gemini answers 53. A request line whose
// URL the server cannot use, or a datagram over MaxRequestSize, is answered
// with an error naming the problem, within the same three-times bound;
// a datagram that is no request line at all gets no answer.
package guppy
