package guppy

import "time"

// rttEstimator keeps a session's retransmission timeout, computed as in
// RFC 6298 from round-trip samples of packets sent once (Karn's rule: a
// retransmitted packet's ack is ambiguous and gives no sample).
type rttEstimator struct {
	srtt, rttvar time.Duration
	has          bool
	rto          time.Duration
	min, max     time.Duration
	fixed        bool
}

// clockGranularity is the G of RFC 6298: the smallest variance term.
const clockGranularity = time.Millisecond

func newRTTEstimator(cfg *config) rttEstimator {
	if cfg.fixedRTO > 0 {
		return rttEstimator{rto: cfg.fixedRTO, fixed: true}
	}
	return rttEstimator{rto: cfg.initialRTO, min: cfg.minRTO, max: cfg.maxRTO}
}

// sample takes one measured round trip and recomputes the timeout, which
// also undoes any back-off.
func (e *rttEstimator) sample(r time.Duration) {
	if e.fixed {
		return
	}
	if r <= 0 {
		r = time.Microsecond
	}
	if !e.has {
		e.srtt, e.rttvar, e.has = r, r/2, true
	} else {
		d := e.srtt - r
		if d < 0 {
			d = -d
		}
		e.rttvar = (3*e.rttvar + d) / 4
		e.srtt = (7*e.srtt + r) / 8
	}
	e.rto = min(max(e.srtt+max(clockGranularity, 4*e.rttvar), e.min), e.max)
}

// backoff doubles the timeout after a timer expiry, up to the ceiling.
func (e *rttEstimator) backoff() {
	if e.fixed {
		return
	}
	e.rto = min(2*e.rto, e.max)
}

// lossDelay is how long after its sending a packet counts as lost once a
// packet sent later was acknowledged: 9/8 of the smoothed round trip, or 0
// (never by time) before the first sample.
func (e *rttEstimator) lossDelay() time.Duration {
	if !e.has || e.fixed {
		return 0
	}
	return e.srtt * 9 / 8
}
