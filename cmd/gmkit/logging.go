package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/viper"
)

// newLogger makes the logger for servers and rebuilds: JSON lines with
// log.format = json, else a compact human-readable line per event.
func newLogger(v *viper.Viper, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(v.GetString("log.level"))); err != nil {
		return nil, fmt.Errorf("log.level %q: want debug, info, warn or error", v.GetString("log.level"))
	}
	switch f := v.GetString("log.format"); f {
	case "json":
		return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})), nil
	case "text", "":
		return slog.New(&humanHandler{w: w, level: level, mu: &sync.Mutex{}}), nil
	default:
		return nil, fmt.Errorf("log.format %q: want text or json", f)
	}
}

// humanHandler writes "15:04:05 message key=value ..." lines; request lines
// come out as "15:04:05 gemini 20 /path 1.2kB 3ms 127.0.0.1:5555".
type humanHandler struct {
	w     io.Writer
	level slog.Level
	attrs []slog.Attr
	group string
	mu    *sync.Mutex
}

func (h *humanHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h *humanHandler) Handle(_ context.Context, r slog.Record) error {
	b := make([]byte, 0, 160)
	b = r.Time.AppendFormat(b, "15:04:05")
	if r.Level != slog.LevelInfo {
		b = append(b, ' ')
		b = append(b, r.Level.String()...)
	}
	// A request line names its fields by key; they may come from the
	// record or from the logger (With).
	var req [len(requestKeys)]slog.Value
	var has [len(requestKeys)]bool
	find := func(a slog.Attr) bool {
		for i, k := range requestKeys {
			if a.Key == k {
				if !has[i] {
					req[i], has[i] = a.Value, true
				}
				return true
			}
		}
		return true
	}
	for _, a := range h.attrs {
		find(a)
	}
	r.Attrs(find)
	if has[reqProto] && has[reqStatus] {
		proto := req[reqProto].String()
		b = append(b, ' ')
		b = append(b, proto...)
		for n := len(proto); n < 6; n++ {
			b = append(b, ' ')
		}
		b = append(b, ' ')
		b = appendValue(b, req[reqStatus])
		b = append(b, ' ')
		b = appendValue(b, req[reqPath])
		b = append(b, ' ')
		b = appendSize(b, req[reqBytes].Int64())
		b = append(b, ' ')
		b = append(b, durString(req[reqDur])...)
		b = append(b, ' ')
		b = appendValue(b, req[reqRemote])
		other := func(a slog.Attr) bool {
			for _, k := range requestKeys {
				if a.Key == k {
					return true
				}
			}
			b = append(b, ' ')
			b = append(b, a.Key...)
			b = append(b, '=')
			b = appendValue(b, a.Value)
			return true
		}
		for _, a := range h.attrs {
			other(a)
		}
		r.Attrs(other)
	} else {
		b = append(b, ' ')
		b = append(b, r.Message...)
		kv := func(a slog.Attr) bool {
			b = append(b, ' ')
			if h.group != "" {
				b = append(b, h.group...)
				b = append(b, '.')
			}
			b = append(b, a.Key...)
			b = append(b, '=')
			b = append(b, quoteIfNeeded(a.Value.String())...)
			return true
		}
		for _, a := range h.attrs {
			kv(a)
		}
		r.Attrs(kv)
	}
	b = append(b, '\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := h.w.Write(b)
	return err
}

// requestKeys are the attributes a request line shows in its own places
// (host is left out: the path says enough), indexed by the req* constants.
var requestKeys = [...]string{"proto", "status", "path", "bytes", "dur", "remote", "host"}

const (
	reqProto = iota
	reqStatus
	reqPath
	reqBytes
	reqDur
	reqRemote
)

// appendValue appends v as %v prints it, without fmt for the common kinds.
func appendValue(b []byte, v slog.Value) []byte {
	switch v.Kind() {
	case slog.KindString:
		return append(b, v.String()...)
	case slog.KindInt64:
		return strconv.AppendInt(b, v.Int64(), 10)
	case slog.KindUint64:
		return strconv.AppendUint(b, v.Uint64(), 10)
	}
	return fmt.Append(b, v)
}

func (h *humanHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr{}, h.attrs...), as...)
	return &c
}

func (h *humanHandler) WithGroup(name string) slog.Handler {
	c := *h
	c.group = name
	return &c
}

func quoteIfNeeded(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\"=") {
		return fmt.Sprintf("%q", s)
	}
	return s
}

// appendSize appends n bytes as "12B", "1.5kB" or "3.0MB".
func appendSize(b []byte, n int64) []byte {
	switch {
	case n >= 1<<20:
		return append(strconv.AppendFloat(b, float64(n)/(1<<20), 'f', 1, 64), "MB"...)
	case n >= 1<<10:
		return append(strconv.AppendFloat(b, float64(n)/(1<<10), 'f', 1, 64), "kB"...)
	}
	return append(strconv.AppendInt(b, n, 10), 'B')
}

func durString(v slog.Value) string {
	var d time.Duration
	switch v.Kind() {
	case slog.KindDuration:
		d = v.Duration()
	default:
		return v.String()
	}
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}
