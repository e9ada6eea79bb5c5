package record

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestFileRoundTrip(t *testing.T) {
	name := filepath.Join(t.TempDir(), "sub", "c.cache")
	key := Key{1, 2, 3}
	f, err := Create(name, key)
	if err != nil {
		t.Fatal(err)
	}
	big := []byte(strings.Repeat("0123456789", 100_000)) // past one buffer
	f.Uint(7)
	f.Int(-7)
	f.String("héllo")
	f.Blob(big)
	f.Strings(nil)
	f.Strings([]string{})
	f.Strings([]string{"a", ""})
	f.Bool(true)
	times := []time.Time{{}, time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC), time.Date(2024, 1, 2, 3, 4, 5, 6, time.Local),
		time.Date(2024, 1, 2, 3, 4, 5, 6, time.FixedZone("", -5*3600))}
	for _, tm := range times {
		if !f.Time(tm) {
			t.Fatalf("Time(%v) refused", tm)
		}
	}
	value := map[string]any{"s": "x", "n": nil, "i": 3, "i64": int64(-4), "u": uint64(math.MaxUint64), "f": math.Inf(-1),
		"b": true, "t": times[3], "l": []any{[]any(nil), map[string]any(nil), []string{"z"}}}
	if !f.Value(value) {
		t.Fatal("Value refused")
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(name), ".*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
	data, err := ReadFile(name, key)
	if err != nil {
		t.Fatal(err)
	}
	r := NewReader(data)
	if got := r.Uint(); got != 7 {
		t.Errorf("Uint: got %d, want 7", got)
	}
	if got := r.Int(); got != -7 {
		t.Errorf("Int: got %d, want -7", got)
	}
	if got := r.String(); got != "héllo" {
		t.Errorf("String: got %q", got)
	}
	if got := r.Blob(); string(got) != string(big) {
		t.Errorf("Blob: got %d bytes, want %d", len(got), len(big))
	}
	if got := r.Strings(); got != nil {
		t.Errorf("Strings(nil): got %#v", got)
	}
	if got := r.Strings(); got == nil || len(got) != 0 {
		t.Errorf("Strings(empty): got %#v", got)
	}
	if got := r.Strings(); !cmp.Equal(got, []string{"a", ""}) {
		t.Errorf("Strings: got %#v", got)
	}
	if !r.Bool() {
		t.Error("Bool: got false")
	}
	for _, want := range times {
		if got := r.Time(); !got.Equal(want) || got.Location() != want.Location() && got.Location().String() != want.Location().String() {
			t.Errorf("Time: got %v, want %v", got, want)
		}
	}
	if diff := cmp.Diff(value, r.Value()); diff != "" {
		t.Errorf("Value (-want +got):\n%s", diff)
	}
	if err := r.Done(); err != nil {
		t.Fatal(err)
	}

	if _, err := ReadFile(name, Key{9}); !errors.Is(err, ErrOtherKey) {
		t.Errorf("another key: got %v, want ErrOtherKey", err)
	}
	if _, err := ReadFile(name+".none", key); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("no file: got %v, want fs.ErrNotExist", err)
	}
	whole, _ := os.ReadFile(name)
	for _, cut := range []int{0, 10, headerLen - 1, headerLen, len(whole) - 1} {
		if err := os.WriteFile(name, whole[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadFile(name, key); !errors.Is(err, ErrDamaged) {
			t.Errorf("cut to %d bytes: got %v, want ErrDamaged", cut, err)
		}
	}
}

func TestReaderRefusesShortData(t *testing.T) {
	var w Writer
	w.String("hello")
	w.Value([]any{"a", 1})
	data := w.Data()
	for n := range len(data) {
		r := NewReader(data[:n])
		_ = r.String()
		r.Value()
		if err := r.Done(); !errors.Is(err, ErrDamaged) {
			t.Errorf("%d of %d bytes: got %v, want ErrDamaged", n, len(data), err)
		}
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	f, err := Create(filepath.Join(dir, "c.cache"), Key{})
	if err != nil {
		t.Fatal(err)
	}
	f.String("x")
	f.Abort()
	if ents, _ := os.ReadDir(dir); len(ents) > 0 {
		t.Errorf("left %v", ents)
	}
}
