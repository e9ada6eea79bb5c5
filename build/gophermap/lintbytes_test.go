package gophermap

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// readCorpus returns the first argument of every file of a fuzz corpus
// under testdata/fuzz/name (the "go test fuzz v1" format, one []byte or
// string argument).
func readCorpus(t testing.TB, name string) [][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", name, "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus under testdata/fuzz/%s: %v", name, err)
	}
	var out [][]byte
	for _, fn := range files {
		data, err := os.ReadFile(fn)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		if len(lines) < 2 || lines[0] != "go test fuzz v1" {
			t.Fatalf("%s: not a fuzz corpus file", fn)
		}
		arg := lines[1]
		for _, p := range []string{"[]byte(", "string("} {
			if strings.HasPrefix(arg, p) && strings.HasSuffix(arg, ")") {
				arg = arg[len(p) : len(arg)-1]
				break
			}
		}
		s, err := strconv.Unquote(arg)
		if err != nil {
			t.Fatalf("%s: argument %q: %v", fn, arg, err)
		}
		out = append(out, []byte(s))
	}
	return out
}

// lintInputs are the maps the linters are compared on: every lint test
// case, every FuzzLint seed and corpus file, and a few more.
func lintInputs(t testing.TB) [][]byte {
	t.Helper()
	var out [][]byte
	for _, c := range append(strictLintCases(), lenientLintCases()...) {
		out = append(out, []byte(c.in))
	}
	for _, s := range lintSeeds() {
		out = append(out, []byte(s))
	}
	out = append(out, readCorpus(t, "FuzzLint")...)
	for _, s := range []string{
		"\n", "\r\n", ".", ".\r\n", "\t", "\t\t\t\t\t\t", "i\t\t\t\t+\n", "1A\t/\th\t70\t?\n", "1A\t/\th\t70\t$$\n",
		"1A\t/\th\t\t\n", "0A B /x localhost\n", "0A B /x host 70\n", "0A B /x host.org 70x\n",
		"0A B /x host.org 70 more\n", "hA\u2003URL:x\u00a0y\u2003e.org\n", "1A \xff/x\n", "1\n", "1 /x\n",
		"iA\x7f\t\th\t70\n", "iA\t\th\t007\n", "iA\t\th\t065535\n", "iA\t\th\t\n", "3err\t\t\t70\n",
	} {
		out = append(out, []byte(s))
	}
	return out
}

// TestLintBytesAgrees checks that LintBytes, Lint (over readers that give
// one byte at a time, too) and the old line-reader Lint find the same
// problems on every input, in both modes.
func TestLintBytesAgrees(t *testing.T) {
	for _, in := range lintInputs(t) {
		checkLintAgree(t, in)
	}
}

func checkLintAgree(t *testing.T, in []byte) {
	t.Helper()
	for _, strict := range []bool{true, false} {
		want := refLint(bytes.NewReader(in), strict)
		for name, got := range map[string][]Problem{
			"LintBytes":          LintBytes(in, strict),
			"Lint":               Lint(bytes.NewReader(in), strict),
			"Lint one byte a go": Lint(iotest.OneByteReader(bytes.NewReader(in)), strict),
		} {
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s(%q, strict=%v) differs from the old Lint (-want +got):\n%s", name, in, strict, diff)
			}
		}
		// A read error after the data.
		fail := errors.New("disk on fire")
		want = refLint(io.MultiReader(bytes.NewReader(in), iotest.ErrReader(fail)), strict)
		got := Lint(io.MultiReader(bytes.NewReader(in), iotest.ErrReader(fail)), strict)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Lint(%q then a read error, strict=%v) differs from the old Lint (-want +got):\n%s", in, strict, diff)
		}
	}
}

// benchMenu is a clean 200-line generated menu: a phlog index with info
// lines between the entries.
func benchMenu() []byte {
	var b bytes.Buffer
	for i := range 100 {
		fmt.Fprintf(&b, "i%s\t\tgopher.example.org\t70\n", strings.Repeat("Some words of a description ", 1+i%3))
		fmt.Fprintf(&b, "12024-%02d-%02d A post about item number %d\t/posts/item-%d/\tgopher.example.org\t70\n", 1+i%12, 1+i%28, i, i)
	}
	return b.Bytes()
}

func TestLintBytesNoAllocs(t *testing.T) {
	menu := benchMenu()
	if p := LintBytes(menu, true); p != nil {
		t.Fatalf("benchMenu has problems: %v", p)
	}
	lenient := []byte("Welcome to my hole.\r\n\r\n# a comment\r\n1Phlog\t/phlog\r\n0About\tabout.txt\r\nhWeb\tURL:https://e.org/\t\t\t+\r\nSee /pub for files\r\n.\r\n")
	for _, c := range []struct {
		name   string
		in     []byte
		strict bool
	}{{"strict", menu, true}, {"lenient", lenient, false}} {
		if got := testing.AllocsPerRun(20, func() { LintBytes(c.in, c.strict) }); got != 0 {
			t.Errorf("%s: LintBytes on a clean map: got %v allocations, want 0", c.name, got)
		}
	}
}

// FuzzLintBytes checks that LintBytes and Lint agree with the old
// line-reader Lint on any input, in both modes, with and without a read
// error at the end.
func FuzzLintBytes(f *testing.F) {
	for _, s := range lintSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkLintAgree(t, data)
	})
}

// BenchmarkLint compares LintBytes and Lint with the old line-reader Lint
// on a clean 200-line menu.
func BenchmarkLint(b *testing.B) {
	menu := benchMenu()
	b.Run("old", func(b *testing.B) {
		b.SetBytes(int64(len(menu)))
		for b.Loop() {
			refLint(bytes.NewReader(menu), true)
		}
	})
	b.Run("Lint", func(b *testing.B) {
		b.SetBytes(int64(len(menu)))
		for b.Loop() {
			Lint(bytes.NewReader(menu), true)
		}
	})
	b.Run("LintBytes", func(b *testing.B) {
		b.SetBytes(int64(len(menu)))
		for b.Loop() {
			LintBytes(menu, true)
		}
	})
}

// BenchmarkLintBytesVsOld runs the old Lint and LintBytes on the same
// 200-line menu in each iteration and reports the ratio of their times
// (new/old) as measured in the same run.
func BenchmarkLintBytesVsOld(b *testing.B) {
	menu := benchMenu()
	var to, tn time.Duration
	for b.Loop() {
		t0 := time.Now()
		refLint(bytes.NewReader(menu), true)
		t1 := time.Now()
		LintBytes(menu, true)
		to += t1.Sub(t0)
		tn += time.Since(t1)
	}
	if to > 0 {
		b.ReportMetric(float64(tn)/float64(to), "new/old")
	}
}
