package build

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/gmkit/gmkit/build/problem"
)

var updateGolden = flag.Bool("update", false, "rewrite the expected sections of testdata/sites/*.txtar from the build's output")

// A site fixture is a txtar archive under testdata/sites. Its sections are:
//
//	config.json     the build.Config (JSON; Dir is set by the harness)
//	content/...     files of the site folder (also static/, themes/,
//	static/...      cgi-bin/ or anything else that is not one of the
//	themes/...      names below)
//	want/PATH       PATH of the Output must hold exactly this text
//	files           every path of the Output, one per line, sorted
//	absent          paths that must not be in the Output, one per line
//	warnings        the build's warnings, one per line (none when absent)
//	error           the build must fail and report exactly these
//	                problems, a line each, as `gmkit build --verbose`
//	                prints them; the site folder is written as $SITE
//
// With -update, the want/ sections already present and the files, warnings
// and error sections are rewritten from what the build made (absent is
// written by hand, and want/ sections are only ever added by hand, so the
// fixture says which outputs matter).
type fixture struct {
	name    string
	file    string
	archive *txtar.Archive
	cfg     Config
	dir     string // the site folder the fixture was written to
}

const fixtureDir = "testdata/sites"

// reserved names sections that are expectations, not site files.
func reserved(name string) bool {
	switch name {
	case "config.json", "files", "absent", "warnings", "error":
		return true
	}
	return strings.HasPrefix(name, "want/")
}

// loadFixture reads a fixture archive and writes its site into a new
// temporary folder.
func loadFixture(t testing.TB, file string) *fixture {
	t.Helper()
	a, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatalf("reading %s: %v", file, err)
	}
	fx := &fixture{name: strings.TrimSuffix(filepath.Base(file), ".txtar"), file: file, archive: a, dir: t.TempDir()}
	for _, f := range a.Files {
		if f.Name == "config.json" {
			dec := json.NewDecoder(bytes.NewReader(f.Data))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&fx.cfg); err != nil {
				t.Fatalf("%s: config.json: %v", file, err)
			}
			continue
		}
		if reserved(f.Name) {
			continue
		}
		writeSiteFile(t, fx.dir, f.Name, f.Data)
	}
	fx.cfg.Dir = fx.dir
	return fx
}

// writeSiteFile writes data at the slash-separated path name below dir.
func writeSiteFile(t testing.TB, dir, name string, data []byte) {
	t.Helper()
	full := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// section returns the named section's text and whether it is there.
func (fx *fixture) section(name string) (string, bool) {
	for _, f := range fx.archive.Files {
		if f.Name == name {
			return string(f.Data), true
		}
	}
	return "", false
}

// set replaces (or appends) a section, for -update.
func (fx *fixture) set(name, data string) {
	if data != "" && !strings.HasSuffix(data, "\n") {
		data += "\n"
	}
	for i, f := range fx.archive.Files {
		if f.Name == name {
			fx.archive.Files[i].Data = []byte(data)
			return
		}
	}
	fx.archive.Files = append(fx.archive.Files, txtar.File{Name: name, Data: []byte(data)})
}

// remove drops a section, for -update.
func (fx *fixture) remove(name string) {
	fx.archive.Files = slices.DeleteFunc(fx.archive.Files, func(f txtar.File) bool { return f.Name == name })
}

// lines splits a section into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// scrub writes the fixture's temporary folder as $SITE so that messages can
// be compared.
func (fx *fixture) scrub(s string) string {
	return strings.ReplaceAll(s, fx.dir, "$SITE")
}

// errorReport is what a failed build reports: every problem it found, a
// line each, fatal or not, as `gmkit build --verbose` prints them.
func errorReport(err error) string {
	pe, ok := errors.AsType[*problem.Error](err)
	if !ok {
		return err.Error()
	}
	var b strings.Builder
	for _, l := range problem.Report(pe.Problems, true) {
		fmt.Fprintln(&b, l)
	}
	return b.String()
}

func warningLines(fx *fixture, ws []Warning) string {
	var b strings.Builder
	for _, w := range ws {
		fmt.Fprintln(&b, fx.scrub(w.String()))
	}
	return b.String()
}

// TestSites builds every site fixture and compares the output with what the
// fixture expects; every successful build must also pass the output checks
// (see checkOutput).
func TestSites(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(fixtureDir, "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no fixtures in " + fixtureDir)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			runFixture(t, file)
		})
	}
}

func runFixture(t *testing.T, file string) {
	fx := loadFixture(t, file)
	res, err := NewBuilder(fx.cfg).Build(context.Background())
	wantErr, expectErr := fx.section("error")
	if *updateGolden {
		defer func() {
			if t.Failed() {
				return
			}
			if err := os.WriteFile(file, txtar.Format(fx.archive), 0o644); err != nil {
				t.Error(err)
			}
		}()
	}
	if err != nil {
		got := fx.scrub(errorReport(err))
		if *updateGolden && expectErr {
			fx.set("error", got)
			return
		}
		if !expectErr {
			t.Fatalf("build failed: %v", got)
		}
		if diff := cmp.Diff(lines(got), lines(wantErr)); diff != "" {
			t.Errorf("error (-got +want):\n%s", diff)
		}
		return
	}
	if expectErr {
		t.Fatalf("build succeeded, want error %q", strings.TrimSpace(wantErr))
	}

	checkOutput(t, res, fx.cfg)

	out := res.Output
	gotWarn := warningLines(fx, res.Warnings)
	wantWarn, _ := fx.section("warnings")
	gotFiles := strings.Join(out.Paths(), "\n") + "\n"
	wantFiles, haveFiles := fx.section("files")
	if *updateGolden {
		if gotWarn != "" {
			fx.set("warnings", gotWarn)
		} else {
			fx.remove("warnings")
		}
		if haveFiles {
			fx.set("files", gotFiles)
		}
		for _, f := range fx.archive.Files {
			if p, ok := strings.CutPrefix(f.Name, "want/"); ok {
				b, err := out.ReadFile(p)
				if err != nil {
					t.Fatalf("want/%s: %v", p, err)
				}
				fx.set(f.Name, string(b))
			}
		}
		return
	}
	if diff := cmp.Diff(lines(gotWarn), lines(wantWarn)); diff != "" {
		t.Errorf("warnings (-got +want):\n%s", diff)
	}
	if haveFiles {
		if diff := cmp.Diff(lines(gotFiles), lines(wantFiles)); diff != "" {
			t.Errorf("output files (-got +want):\n%s", diff)
		}
	}
	if absent, ok := fx.section("absent"); ok {
		for _, p := range lines(absent) {
			if _, err := out.Stat(p); err == nil {
				t.Errorf("%s is in the output; want it absent", p)
			}
		}
	}
	for _, f := range fx.archive.Files {
		p, ok := strings.CutPrefix(f.Name, "want/")
		if !ok {
			continue
		}
		got, err := out.ReadFile(p)
		if err != nil {
			t.Errorf("want/%s: %v", p, err)
			continue
		}
		if diff := cmp.Diff(strings.Split(string(got), "\n"), strings.Split(string(f.Data), "\n")); diff != "" {
			t.Errorf("%s (-got +want):\n%s", p, diff)
		}
	}
}

// TestProblemsInOneOrder builds a site with many problems again and again:
// the report (checked line by line by TestSites) is the same every time,
// whatever order the workers met them in.
func TestProblemsInOneOrder(t *testing.T) {
	fx := loadFixture(t, filepath.Join(fixtureDir, "err-many.txtar"))
	var first string
	for i := range 5 {
		_, err := NewBuilder(fx.cfg).Build(context.Background())
		if _, ok := errors.AsType[*problem.Error](err); !ok {
			t.Fatalf("run %d: got %v, want a *problem.Error", i, err)
		}
		got := errorReport(err)
		if i == 0 {
			first = got
			continue
		}
		if got != first {
			t.Fatalf("run %d reports\n%s\nrun 0 reported\n%s", i, got, first)
		}
	}
}
