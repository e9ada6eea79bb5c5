package build

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gmkit/gmkit/build/gopher"
)

func TestTidyMenuAround(t *testing.T) {
	info := "iTitle\t\texample.org\t70\n"
	body := "iBody line\t\texample.org\t70\n1Link\t/x/\texample.org\t70\n"
	broken := "a line without tabs\n"
	tests := []struct {
		name, out, body string
		wantLine        int // 0: no error
	}{
		{"clean", info + body + info, body, 0},
		{"body first", body + info, body, 0},
		{"broken before the body", info + broken + body, body, 2},
		{"broken after the body", info + body + info + broken, body, 5},
		{"body not whole", info + body[:10] + "\n" + info, body, 2},
		{"no body", info + broken, "", 2},
	}
	for _, tt := range tests {
		_, err := tidyMenuAround([]byte(tt.out), []byte(tt.body), "page.gophermap")
		switch {
		case tt.wantLine == 0 && err != nil:
			t.Errorf("%s: got error %v, want none", tt.name, err)
		case tt.wantLine != 0 && (err == nil || !strings.Contains(err.Error(), fmt.Sprintf("menu line %d:", tt.wantLine))):
			t.Errorf("%s: got error %v, want one about line %d", tt.name, err, tt.wantLine)
		}
	}
	if probs := gopher.LintBytes(nil, true); len(probs) != 0 {
		t.Errorf("LintBytes(nil): got %v, want no problems", probs)
	}
}
