package gophermap

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// lintCase is a map and the problems expected, each "line: substring".
type lintCase struct {
	name string
	in   string
	want []string
}

func strictLintCases() []lintCase {
	long := strings.Repeat("x", MaxSelector+1)
	return []lintCase{
		{"clean", "iHello\t\tlocalhost\t70\n1Phlog\t/phlog/\texample.org\t70\nhWeb\tURL:https://e.org/\tlocalhost\t70\n", nil},
		{"empty input", "", nil},
		{"empty line", "iA\t\th\t70\n\n", []string{"2: empty line"}},
		{"unknown type", "QOdd\t/x\th\t70\n", []string{"1: unknown item type 'Q'"}},
		{"no type", "\t/x\th\t70\n", []string{"1: unknown item type '\\t'"}},
		{"lost tabs", "1Phlog /phlog example.org 70\n", []string{"1: 1 TAB-separated fields"}},
		{"tab in display", "iA\tB\t\th\t70\n", []string{"1: 5 TAB-separated fields"}},
		{"port", "1A\t/\th\tseventy\n", []string{"1: port \"seventy\""}},
		{"port range", "1A\t/\th\t70000\n", []string{"1: port \"70000\""}},
		{"CR", "1A\t/\th\t70\r\n", []string{"1: port \"70\\r\""}},
		{"CR in display", "iA\rB\t\th\t70\n", []string{"1: control character '\\r'"}},
		{"long selector", "0A\t" + long + "\th\t70\n", []string{"1: selector is 256 bytes"}},
		{"selector at limit", "0A\t" + long[1:] + "\th\t70\n", nil},
		{"no host", "0A\t/a\t\t70\n", []string{"1: empty host"}},
		{"info without host", "iA\t\t\t0\n", nil},
		{"no final LF", "iA\t\th\t70\niB\t\th\t70", []string{"2: last line does not end in LF"}},
		{"invalid UTF-8", "iA\xff\t\th\t70\n", []string{"1: invalid UTF-8"}},
		{"dot line", "iA\t\th\t70\n.\n", []string{"2: unknown item type '.'", "2: 1 TAB-separated fields"}},
	}
}

func TestLintStrict(t *testing.T) {
	for _, tt := range strictLintCases() {
		checkProblems(t, tt.name, Lint(strings.NewReader(tt.in), true), tt.want)
		checkProblems(t, tt.name+" (LintBytes)", LintBytes([]byte(tt.in), true), tt.want)
	}
}

func lenientLintCases() []lintCase {
	return []lintCase{
		{"gophernicus map", "Welcome to my hole.\n\n# a comment\n1Phlog\t/phlog\n0About\tabout.txt\n1Friend\t/\tfriend.example\t70\nhWeb\tURL:https://e.org/\n", nil},
		{"CRLF", "Hi\r\n1Phlog\t/phlog\texample.org\t70\r\n", nil},
		{"dot ends the map", "iA\t\th\t70\n.\n1Phlog /phlog\n", nil},
		{"lost tabs path", "1Phlog    /phlog\n", []string{"1: no TAB"}},
		{"lost tabs host port", "1Phlog /phlog example.org 70\n", []string{"1: no TAB"}},
		{"lost tabs URL", "hMy site URL:https://example.org/\n", []string{"1: no TAB"}},
		{"lost tabs full URL", "hSite https://example.org/\n", []string{"1: no TAB"}},
		{"prose with a path", "I keep /pub in sync every night.\n", nil},
		{"prose with a type letter", "hello world\n", nil},
		{"one word", "1/phlog\n", nil},
		{"info type", "iSee /x\n", nil},
		{"unknown type", "QOdd\t/x\n", []string{"1: unknown item type 'Q'"}},
		{"no type", "\t/x\th\t70\n", []string{"1: no item type"}},
		{"bad port", "1A\t/\th\tport\n", []string{"1: port \"port\""}},
		{"empty port", "1A\t/\th\t\n", nil},
		{"gopher+ field", "1A\t/\th\t70\t+\n", nil},
		{"too many fields", "1A\t/\th\t70\tx\n", []string{"1: 5 TAB-separated fields"}},
		{"long selector", "0A\t" + strings.Repeat("y", 300) + "\n", []string{"1: selector is 300 bytes"}},
	}
}

func TestLintLenient(t *testing.T) {
	for _, tt := range lenientLintCases() {
		checkProblems(t, tt.name, Lint(strings.NewReader(tt.in), false), tt.want)
		checkProblems(t, tt.name+" (LintBytes)", LintBytes([]byte(tt.in), false), tt.want)
	}
}

func checkProblems(t *testing.T, name string, got []Problem, want []string) {
	t.Helper()
	var gs []string
	for _, p := range got {
		gs = append(gs, p.String())
	}
	if len(got) != len(want) {
		t.Errorf("%s: got problems %q, want %q", name, gs, want)
		return
	}
	for i, w := range want {
		line, msg, _ := strings.Cut(w, ": ")
		if fmt.Sprint(got[i].Line) != line || !strings.Contains(got[i].Msg, msg) {
			t.Errorf("%s: problem %d = %q, want line %s mentioning %q", name, i, gs[i], line, msg)
		}
	}
}

type errReader struct{ data string }

func (r *errReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, errors.New("disk on fire")
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestLintReadError(t *testing.T) {
	got := Lint(&errReader{data: "iA\t\th\t70\n"}, true)
	if len(got) != 1 || got[0].Line != 2 || !strings.Contains(got[0].Msg, "disk on fire") {
		t.Errorf("Lint over a failing reader = %v, want one read error on line 2", got)
	}
}
