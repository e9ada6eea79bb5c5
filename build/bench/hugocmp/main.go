// Command hugocmp compares gmkit's site build with Hugo's on the same
// generated Markdown (build/bench/sitegen).
//
//	go run ./build/bench/hugocmp -posts 10000 -dir /tmp/cmp
//
// writes DIR/gmkit (a gmkit site: gmkit.toml + content/) and DIR/hugo (a Hugo
// site with the same content/ and minimal layouts), then times
//
//	gmkit build   (the gmkit binary built from this tree, or -gmkit PATH)
//	hugo          (from PATH or -hugo PATH; skipped with a message when absent)
//
// with hyperfine when it is installed, else with its own loop of -runs runs
// (reporting the median). Hugo is never installed or committed by this
// program; install it with `go install github.com/gohugoio/hugo@v0.164.0`.
//go:build unix

package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/gmkit/gmkit/build"
	"github.com/gmkit/gmkit/build/bench/sitegen"
	"github.com/gmkit/gmkit/build/publish"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "hugocmp:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hugocmp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	posts := fs.Int("posts", 10000, "number of generated posts")
	dir := fs.String("dir", "", "working folder (default: a new temporary folder, removed afterwards)")
	gmkitBin := fs.String("gmkit", "", "gmkit binary (default: build ./cmd/gmkit from this module)")
	hugoBin := fs.String("hugo", "", "hugo binary (default: hugo from PATH or $GOPATH/bin)")
	runs := fs.Int("runs", 5, "timed runs per tool")
	warmup := fs.Int("warmup", 2, "untimed runs per tool first (gmkit keeps the previous output to bring up to date, so its second build over a fresh folder is the first steady one)")
	genOnly := fs.Bool("gen", false, "only write the two sites")
	cpuProfile := fs.String("cpuprofile", "", "with -phases: write a CPU profile of the builds (not the writes) to this file")
	phases := fs.Bool("phases", false, "time gmkit's phases in this process (Build, then publish.Write) instead of comparing with Hugo")
	if err := fs.Parse(args); err != nil {
		return err
	}
	work := *dir
	if work == "" {
		tmp, err := os.MkdirTemp("", "hugocmp-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		work = tmp
	}
	gdir, hdir := filepath.Join(work, "gmkit"), filepath.Join(work, "hugo")
	if err := writeSites(gdir, hdir, *posts); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d posts to %s and %s\n", *posts, gdir, hdir)
	if *genOnly {
		return nil
	}
	if *phases {
		return timePhases(gdir, *runs, *cpuProfile, stdout)
	}

	ctx := context.Background()
	if *gmkitBin == "" {
		*gmkitBin = filepath.Join(work, "gmkit-bin")
		cmd := exec.CommandContext(ctx, "go", "build", "-o", *gmkitBin, "github.com/gmkit/gmkit/cmd/gmkit")
		cmd.Stdout, cmd.Stderr = stderr, stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("building gmkit: %w", err)
		}
	}
	if *hugoBin == "" {
		*hugoBin = findHugo()
	}
	cmds := []struct{ name, dir, line string }{
		{"gmkit", gdir, *gmkitBin + " build --site " + gdir},
	}
	if *hugoBin == "" {
		fmt.Fprintln(stdout, "hugo not found: skipping it (go install github.com/gohugoio/hugo@v0.164.0)")
	} else {
		cmds = append(cmds, struct{ name, dir, line string }{"hugo", hdir, *hugoBin + " --quiet --source " + hdir + " --destination " + filepath.Join(hdir, "public")})
	}
	if hf, err := exec.LookPath("hyperfine"); err == nil {
		args := []string{"--warmup", fmt.Sprint(*warmup), "--runs", fmt.Sprint(*runs), "-N", "--export-json", filepath.Join(work, "hyperfine.json")}
		for _, c := range cmds {
			args = append(args, "-n", c.name, c.line)
		}
		cmd := exec.CommandContext(ctx, hf, args...)
		cmd.Stdout, cmd.Stderr = stdout, stderr
		if err := cmd.Run(); err != nil {
			return err
		}
		return reportMedians(filepath.Join(work, "hyperfine.json"), stdout)
	}
	fmt.Fprintln(stdout, "hyperfine not found: timing with a plain loop")
	medians := map[string]time.Duration{}
	for _, c := range cmds {
		var ds []time.Duration
		for i := 0; i < *warmup+*runs; i++ {
			f := strings.Fields(c.line)
			cmd := exec.CommandContext(ctx, f[0], f[1:]...)
			cmd.Stderr = stderr
			t0 := time.Now()
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			if i >= *warmup {
				ds = append(ds, time.Since(t0))
			}
		}
		slices.Sort(ds)
		medians[c.name] = ds[len(ds)/2]
		fmt.Fprintf(stdout, "%-6s median %v of %d runs (min %v, max %v)\n", c.name, ds[len(ds)/2].Round(time.Millisecond), len(ds), ds[0].Round(time.Millisecond), ds[len(ds)-1].Round(time.Millisecond))
	}
	if g, h := medians["gmkit"], medians["hugo"]; g > 0 && h > 0 {
		fmt.Fprintf(stdout, "gmkit/hugo = %.2f\n", float64(g)/float64(h))
	}
	return nil
}

// reportMedians prints each command's median time from hyperfine's JSON
// export, and gmkit's as a ratio of Hugo's.
func reportMedians(file string, stdout io.Writer) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var res struct {
		Results []struct {
			Command string  `json:"command"`
			Median  float64 `json:"median"`
		} `json:"results"`
	}
	if err := json.Unmarshal(b, &res); err != nil {
		return fmt.Errorf("reading %s: %w", file, err)
	}
	medians := map[string]float64{}
	for _, r := range res.Results {
		medians[r.Command] = r.Median
		fmt.Fprintf(stdout, "%-6s median %.3f s\n", r.Command, r.Median)
	}
	if g, h := medians["gmkit"], medians["hugo"]; g > 0 && h > 0 {
		fmt.Fprintf(stdout, "gmkit/hugo = %.2f (medians)\n", g/h)
	}
	return nil
}

// timePhases builds the gmkit site runs times in this process and reports
// the time and CPU time of the in-memory build and of writing the output
// (each write replaces the previous one, as `gmkit build` does).
func timePhases(dir string, runs int, profile string, stdout io.Writer) error {
	ctx := context.Background()
	var prof *os.File
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		defer f.Close()
		prof = f
	}
	cfg := build.Config{Dir: dir, Title: "Generated", Hostname: "example.org"}
	for i := 0; i <= runs; i++ {
		b := build.NewBuilder(cfg)
		if prof != nil && i == 1 {
			if err := pprof.StartCPUProfile(prof); err != nil {
				return err
			}
		}
		c0, t0 := cpuTime(), time.Now()
		res, err := b.Build(ctx)
		if err != nil {
			return err
		}
		c1, t1 := cpuTime(), time.Now()
		if prof != nil && i == 1 {
			pprof.StopCPUProfile()
		}
		if err := publish.Write(ctx, res.Output, b.OutputDir()); err != nil {
			return err
		}
		c2, t2 := cpuTime(), time.Now()
		label := fmt.Sprintf("run %d", i)
		if i == 0 {
			label = "warm-up"
		}
		fmt.Fprintf(stdout, "%-8s build %6.0f ms (cpu %6.0f ms)  write %6.0f ms (cpu %6.0f ms)  %d files\n", label,
			ms(t1.Sub(t0)), ms(c1-c0), ms(t2.Sub(t1)), ms(c2-c1), res.Output.Len())
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// cpuTime is the user plus system time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func findHugo() string {
	if p, err := exec.LookPath("hugo"); err == nil {
		return p
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		home, _ := os.UserHomeDir()
		gopath = filepath.Join(home, "go")
	}
	p := filepath.Join(gopath, "bin", "hugo")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return ""
}

// hugoConfig and the layouts are the least Hugo needs to render every post,
// the home page, the section list, tag pages and feeds: the same pages
// gmkit makes, in HTML.
const hugoConfig = `baseURL = "https://example.org/"
title = "Generated"
disableKinds = ["sitemap", "robotsTXT"]
[markup.goldmark.renderer]
unsafe = false
[markup.goldmark.parser]
autoHeadingID = false
[taxonomies]
tag = "tags"
`

var hugoLayouts = map[string]string{
	"layouts/_default/baseof.html": `<!doctype html><html><head><title>{{ .Title }}</title></head><body>{{ block "main" . }}{{ end }}</body></html>
`,
	"layouts/_default/single.html": `{{ define "main" }}<h1>{{ .Title }}</h1><p>{{ .Date.Format "2006-01-02" }}</p>{{ .Content }}
<ul>{{ range .Params.tags }}<li>{{ . }}</li>{{ end }}</ul>
{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}{{ end }}
`,
	"layouts/_default/list.html": `{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Date.Format "2006-01-02" }} {{ .Title }}</a></li>{{ end }}</ul>{{ end }}
`,
	"layouts/index.html": `{{ define "main" }}<h1>{{ .Site.Title }}</h1>{{ .Content }}
<ul>{{ range first 10 (where .Site.RegularPages "Section" "posts") }}<li><a href="{{ .RelPermalink }}">{{ .Date.Format "2006-01-02" }} {{ .Title }}</a></li>{{ end }}</ul>{{ end }}
`,
}

// writeSites writes the same generated content as a gmkit site and a Hugo
// site.
func writeSites(gdir, hdir string, posts int) error {
	for _, d := range []string{gdir, hdir} {
		if err := os.RemoveAll(d); err != nil {
			return err
		}
		if err := sitegen.Write(d, sitegen.Options{Posts: posts}); err != nil {
			return err
		}
	}
	files := map[string]string{
		filepath.Join(gdir, "gmkit.toml"): "title = \"Generated\"\nhostname = \"example.org\"\n",
		filepath.Join(hdir, "hugo.toml"):  hugoConfig,
	}
	for name, data := range hugoLayouts {
		files[filepath.Join(hdir, filepath.FromSlash(name))] = data
	}
	for name, data := range files {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			return errors.Join(fmt.Errorf("writing %s", name), err)
		}
	}
	return nil
}
