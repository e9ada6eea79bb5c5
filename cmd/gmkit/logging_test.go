package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestHumanHandler pins the text log's lines: a request line per protocol
// request, and "message key=value" for everything else.
func TestHumanHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(&humanHandler{w: &buf, level: slog.LevelInfo, mu: &sync.Mutex{}})
	at := time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)
	tests := []struct {
		level slog.Level
		msg   string
		attrs []slog.Attr
		with  []any
		want  string
	}{
		{slog.LevelInfo, "request", []slog.Attr{slog.String("proto", "gemini"), slog.String("remote", "127.0.0.1:5555"),
			slog.String("host", "localhost"), slog.String("path", "/posts/"), slog.Int("status", 20),
			slog.Int64("bytes", 1536), slog.Duration("dur", 1234567*time.Nanosecond)}, nil,
			"15:04:05 gemini 20 /posts/ 1.5kB 1.2ms 127.0.0.1:5555\n"},
		{slog.LevelInfo, "request", []slog.Attr{slog.String("remote", "[::1]:7"), slog.String("path", "/big"),
			slog.Int("status", 200), slog.Int64("bytes", 3<<20), slog.Duration("dur", 2345*time.Millisecond),
			slog.String("method", "GET")}, []any{"proto", "http"},
			"15:04:05 http   200 /big 3.0MB 2.35s [::1]:7 method=GET\n"},
		{slog.LevelInfo, "request", []slog.Attr{slog.String("proto", "gopher"), slog.String("path", "/"),
			slog.Int("status", 1), slog.Int64("bytes", 12), slog.Duration("dur", 1500*time.Nanosecond),
			slog.String("remote", "1.2.3.4:5")}, nil,
			"15:04:05 gopher 1 / 12B 2µs 1.2.3.4:5\n"},
		{slog.LevelWarn, "cgi timed out; killed", []slog.Attr{slog.String("script", "/cgi-bin/slow"),
			slog.Duration("timeout", time.Second), slog.String("note", "two words")}, []any{"proto", "cgi"},
			"15:04:05 WARN cgi timed out; killed proto=cgi script=/cgi-bin/slow timeout=1s note=\"two words\"\n"},
		{slog.LevelInfo, "rebuilt", nil, nil, "15:04:05 rebuilt\n"},
	}
	for _, tt := range tests {
		buf.Reset()
		r := slog.NewRecord(at, tt.level, tt.msg, 0)
		r.AddAttrs(tt.attrs...)
		if err := log.With(tt.with...).Handler().Handle(context.Background(), r); err != nil {
			t.Fatal(err)
		}
		if got := buf.String(); got != tt.want {
			t.Errorf("got  %q\nwant %q", got, tt.want)
		}
	}
	buf.Reset()
	log.WithGroup("g").Info("grouped", "k", "v")
	if got := buf.String(); !strings.HasSuffix(got, " grouped g.k=v\n") {
		t.Errorf("group: got %q", got)
	}
	log.Debug("hidden")
	if strings.Contains(buf.String(), "hidden") {
		t.Error("a debug line passed the info level")
	}
}

// BenchmarkHumanHandlerRequest is the cost of one request log line.
func BenchmarkHumanHandlerRequest(b *testing.B) {
	log := slog.New(&humanHandler{w: io.Discard, level: slog.LevelInfo, mu: &sync.Mutex{}})
	b.ReportAllocs()
	for b.Loop() {
		log.LogAttrs(context.Background(), slog.LevelInfo, "request",
			slog.String("proto", "gemini"), slog.String("remote", "127.0.0.1:5555"),
			slog.String("host", "localhost"), slog.String("path", "/posts/hello/"),
			slog.Int("status", 20), slog.Int64("bytes", 1536), slog.Duration("dur", 1234567*time.Nanosecond))
	}
}
