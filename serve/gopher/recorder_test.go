package gopher

import (
	"github.com/gmkit/gmkit/build/gophermap"
	"testing"
)

func TestErrorCleansMessage(t *testing.T) {
	rec := NewRecorder()
	Error(rec, "bad\x1b[2J\tthing\r\n")
	if got, want := rec.Body.String(), "3bad [2J thing  \t\terror.host\t1\r\n.\r\n"; got != want {
		t.Errorf("Error body = %q, want %q", got, want)
	}
	if rec.Type != gophermap.TypeError {
		t.Errorf("Error type = %q, want %q", rec.Type, gophermap.TypeError)
	}
}
