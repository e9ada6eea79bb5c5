package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
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
	var b strings.Builder
	b.WriteString(r.Time.Format("15:04:05"))
	if r.Level != slog.LevelInfo {
		b.WriteString(" " + r.Level.String())
	}
	attrs := append([]slog.Attr{}, h.attrs...)
	r.Attrs(func(a slog.Attr) bool { attrs = append(attrs, a); return true })
	get := func(k string) (slog.Value, bool) {
		for _, a := range attrs {
			if a.Key == k {
				return a.Value, true
			}
		}
		return slog.Value{}, false
	}
	proto, isReq := get("proto")
	status, hasStatus := get("status")
	if isReq && hasStatus {
		path, _ := get("path")
		bytes, _ := get("bytes")
		dur, _ := get("dur")
		remote, _ := get("remote")
		fmt.Fprintf(&b, " %-6s %v %s %s %s %v", proto, status, path, sizeString(bytes.Int64()), durString(dur), remote)
		for _, a := range attrs {
			switch a.Key {
			case "proto", "status", "path", "bytes", "dur", "remote", "host":
				continue
			}
			fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		}
	} else {
		b.WriteString(" " + r.Message)
		for _, a := range attrs {
			k := a.Key
			if h.group != "" {
				k = h.group + "." + k
			}
			fmt.Fprintf(&b, " %s=%s", k, quoteIfNeeded(a.Value.String()))
		}
	}
	b.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
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

func sizeString(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1fMB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1fkB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%dB", n)
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
