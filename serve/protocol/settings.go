package protocol

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/gmkit/gmkit/serve/policy"
)

// Defaults returns Settings holding the defaults of info's Keys, with
// values (by key name) in their place: the settings of a server made
// without a config file, as tests and embedders make them. A value of the
// wrong type reads as the key's zero value.
func Defaults(info Info, values map[string]any) Settings {
	m := make(mapSettings, len(info.Keys)+len(values))
	for _, k := range info.Keys {
		m[k.Name] = k.Default
	}
	for k, v := range values {
		m[k] = v
	}
	return m
}

type mapSettings map[string]any

func get[T any](m mapSettings, k string) T {
	v, _ := m[k].(T)
	return v
}

func (m mapSettings) String(k string) string   { return get[string](m, k) }
func (m mapSettings) Bool(k string) bool       { return get[bool](m, k) }
func (m mapSettings) Int(k string) int         { return get[int](m, k) }
func (m mapSettings) Float64(k string) float64 { return get[float64](m, k) }
func (m mapSettings) Strings(k string) []string {
	return get[[]string](m, k)
}

func (m mapSettings) Duration(k string) (time.Duration, error) {
	switch v := m[k].(type) {
	case time.Duration:
		return v, nil
	case string:
		d, err := time.ParseDuration(v)
		if err != nil {
			return 0, fmt.Errorf("config key %s: %q is not a duration like 10s: %w", k, v, err)
		}
		return d, nil
	}
	return 0, nil
}

// Log returns the Logger, or one that discards when it is nil.
func (e *Env) Log() *slog.Logger {
	if e.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Logger
}

// DocRoot is DocumentRoot(output), or "" when DocumentRoot is nil.
func (e *Env) DocRoot(output string) string {
	if e.DocumentRoot == nil {
		return ""
	}
	return e.DocumentRoot(output)
}

// Hostname is the public host name: the first of Hostnames, else
// policy.DefaultHostname.
func (e *Env) Hostname() string {
	if len(e.Hostnames) == 0 || e.Hostnames[0] == "" {
		return policy.DefaultHostname
	}
	return e.Hostnames[0]
}
