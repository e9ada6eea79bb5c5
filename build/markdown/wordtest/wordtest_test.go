package wordtest

import (
	"strings"
	"testing"
)

// TestKept checks Source, Words and Kept on text where the answer is
// known, so that the tests that use it can fail.
func TestKept(t *testing.T) {
	src := Source([]byte("<p>one <b>two</b> three</p><script>var x</script><!-- four --> {{< five >}} six [seven](eight.md){: .nine}"))
	if got, want := strings.Join(src, " "), "one two three six seven"; got != want {
		t.Errorf("Source: got %q, want %q", got, want)
	}
	if got := Kept(src, Words("one two")); got != 0.4 {
		t.Errorf("Kept: got %v, want 0.4", got)
	}
	if got := Kept(src, Words("one one one two three six seven")); got != 1 {
		t.Errorf("Kept: got %v, want 1", got)
	}
}
