// Package webtest runs the checks a web page must pass in tests: the W3C
// Nu HTML checker (the vnu command, or npm's vnu-jar with a Java runtime)
// and axe-core (@axe-core/cli with Debian's chromium and chromedriver).
// Each check skips the test, saying what to install, where its tools are
// absent; .ci/run installs them.
package webtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Valid runs the Nu HTML checker on files and fails t with what it
// reports when it finds an error.
func Valid(t testing.TB, files []string) {
	t.Helper()
	cmd := vnu()
	if cmd == nil {
		t.Skip("no W3C Nu HTML checker: install the vnu command, or vnu-jar from npm with a Java runtime (.ci/run installs them)")
	}
	if len(files) == 0 {
		t.Fatal("no HTML files to check")
	}
	args := append(cmd[1:len(cmd):len(cmd)], "--errors-only", "--format", "text")
	out, err := exec.Command(cmd[0], append(args, files...)...).CombinedOutput()
	if err != nil {
		t.Errorf("the Nu HTML checker reports errors:\n%s", out)
	}
}

// vnu is the command line that runs the Nu HTML checker, or nil.
func vnu() []string {
	if p, err := exec.LookPath("vnu"); err == nil {
		return []string{p}
	}
	java, err := exec.LookPath("java")
	if err != nil {
		return nil
	}
	root, err := exec.Command("npm", "root", "-g").Output()
	if err != nil {
		return nil
	}
	jar := filepath.Join(strings.TrimSpace(string(root)), "vnu-jar", "build", "dist", "vnu.jar")
	if _, err := os.Stat(jar); err != nil {
		return nil
	}
	return []string{java, "-jar", jar}
}

// Accessible runs axe-core on each of urls in headless chromium and fails
// t for every page with a violation.
func Accessible(t testing.TB, urls []string) {
	t.Helper()
	axe, err := exec.LookPath("axe")
	if err != nil {
		t.Skip("@axe-core/cli not installed (npm install -g @axe-core/cli; .ci/run installs it)")
	}
	chrome := Chromium()
	if chrome == "" {
		t.Skip("chromium not installed (.ci/run installs it)")
	}
	driver, err := exec.LookPath("chromedriver")
	if err != nil {
		t.Skip("chromedriver not installed (.ci/run installs chromium-driver)")
	}
	for _, u := range urls {
		out, err := exec.Command(axe, u, "--exit", "--chrome-path", chrome, "--chromedriver-path", driver,
			"--chrome-options", "no-sandbox,headless,disable-gpu").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "0 violations found") {
			t.Errorf("axe on %s: %v\n%s", u, err, out)
		}
	}
}

// Chromium is the path of a chromium (or chrome) browser, or "".
func Chromium() string {
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}
