package markdown_test

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/gmkit/gmkit/build/gemtext"
	"github.com/gmkit/gmkit/build/gophermap"
)

// FuzzHabits parses any Markdown with every habit enabled and renders both
// outputs: no panic, gemtext that passes Check and a gophermap that passes
// the strict lint.
func FuzzHabits(f *testing.F) {
	for _, s := range []string{
		"<div>\n\n*a*\n\n</div>", "{{< highlight go >}}\nx\n{{< /highlight >}}", "$$\nx\n$$", "\\[\na\n\\]",
		"[a]({{< ref \"b\" >}})", "> [!NOTE]\n> x", "## a {#b}", "- x\n{:toc}", "{% raw %}{{ a }}{% endraw %}",
		"<table><tr><td>\n\n**x**\n\n</td></tr></table>", "$a$ $$b$$ $5", "[x](#y)", "{{</* a */>}}",
		"<details>\n<summary>a</summary>\n\n- b\n\n</details>", "{% quote(author=\"a\") %}\nb\n{% end %}",
		"<a href=\"x\">\n\n![i](j)\n\n</a>", "{{% notice %}}\n{{% notice %}}\n{{% /notice %}}",
	} {
		f.Add([]byte(s))
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "habits", "*.txtar"))
	for _, file := range files {
		if ar, err := txtar.ParseFile(file); err == nil && len(ar.Files) > 0 {
			f.Add(ar.Files[0].Data)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		gmi, gm, _ := outputs(t, src)
		if err := gemtext.Check(gmi); err != nil {
			t.Fatalf("%q: gemtext fails Check: %v\n%s", src, err, gmi)
		}
		if probs := gophermap.LintBytes(gm, true); len(probs) > 0 {
			t.Fatalf("%q: gophermap fails Lint: %v\n%s", src, probs, gm)
		}
	})
}
