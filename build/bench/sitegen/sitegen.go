// Package sitegen writes deterministic Markdown sites for benchmarks and
// tests of the site build: N posts of realistic, mixed Markdown (2-4 KB
// each) with YAML front matter, tags, links between posts, a section intro,
// a home intro and a couple of stand-alone pages. The same options always
// give the same bytes.
package sitegen

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Options says what to generate. The zero value of each field is usable.
type Options struct {
	// Posts is how many posts to write under posts/.
	Posts int
	// Seed picks the text; 0 is a fine seed.
	Seed uint64
	// Tags is the size of the tag pool. Default 40.
	Tags int
}

func (o Options) tags() int {
	if o.Tags <= 0 {
		return 40
	}
	return o.Tags
}

// Start is the date of post 0; post i is dated i hours after it.
var start = time.Date(2020, 1, 1, 8, 0, 0, 0, time.UTC)

var words = strings.Fields(`antenna band beacon carrier channel coil daylight dipole
	distance drift evening fading filter frequency ground harmonic ionosphere
	listener log loop midnight modulation morning noise night operator
	propagation receiver signal skip static station sunrise sunset tuning
	wave whisper window winter summer copper ferrite mast feedline balun
	shortwave longwave mediumwave spectrum waterfall decoder keyer notebook
	pencil kettle shack garden fence roof ladder battery solar cycle season`)

// PostName is the file name (below content/) of post i, e.g.
// "posts/post-00042-evening-beacon.md".
func PostName(i int) string {
	return fmt.Sprintf("posts/post-%05d-%s-%s.md", i, words[(i*7)%len(words)], words[(i*13+5)%len(words)])
}

// Slug is the slug the build gives post i: its file name without folder
// and extension.
func Slug(i int) string {
	return strings.TrimSuffix(strings.TrimPrefix(PostName(i), "posts/"), ".md")
}

// Files returns every file of the site's content folder, by slash-separated
// path below content/.
func Files(o Options) map[string][]byte {
	files := map[string][]byte{
		"_index.md":       []byte("Welcome to a generated site: " + fmt.Sprint(o.Posts) + " posts about listening to the radio.\n"),
		"posts/_index.md": []byte("---\ntitle: Logbook\n---\nEvery night's notes, newest first.\n"),
		"about.md":        []byte("---\ntitle: About\n---\n# About\n\nA generated site. See [the first post](" + PostName(0) + ").\n"),
		"now.md":          []byte("---\ntitle: Now\n---\nListening, mostly. Read the [logbook](/posts/).\n"),
	}
	for i := range o.Posts {
		files[PostName(i)] = Post(o, i, 0)
	}
	return files
}

// Written is the modification time Write gives every file: a site's
// sources were written long before the build that reads them. (A file
// modified in the last moments before a build is read again by the next
// one however it looks; see build/site.)
var Written = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// Write writes the site's content folder into dir/content, every file
// dated Written.
func Write(dir string, o Options) error {
	files := Files(o)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		full := filepath.Join(dir, "content", filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return fmt.Errorf("sitegen: %w", err)
		}
		if err := os.WriteFile(full, files[n], 0o644); err != nil {
			return fmt.Errorf("sitegen: %w", err)
		}
		if err := os.Chtimes(full, Written, Written); err != nil {
			return fmt.Errorf("sitegen: %w", err)
		}
	}
	return nil
}

// Post returns the bytes of post i. A different edit number gives the same
// post (same name, date, tags and links) with a different title and text, as
// an author editing it would.
func Post(o Options, i, edit int) []byte {
	rng := rand.New(rand.NewPCG(o.Seed+uint64(i), uint64(edit)))
	w := func() string { return words[rng.IntN(len(words))] }
	upper := func(s string) string { return strings.ToUpper(s[:1]) + s[1:] }
	phrase := func(n int) string {
		s := make([]string, n)
		for k := range s {
			s[k] = w()
		}
		return strings.Join(s, " ")
	}
	sentence := func(n int) string { return upper(phrase(n)) + "." }
	link := func() string {
		if o.Posts < 2 {
			return w()
		}
		j := rng.IntN(o.Posts)
		if j == i {
			j = (j + 1) % o.Posts
		}
		return fmt.Sprintf("[%s %s](%s)", w(), w(), strings.TrimPrefix(PostName(j), "posts/"))
	}
	para := func() string {
		var b strings.Builder
		for k, n := 0, 3+rng.IntN(3); k < n; k++ {
			if k > 0 {
				b.WriteByte(' ')
			}
			switch rng.IntN(8) {
			case 0:
				fmt.Fprintf(&b, "The *%s* %s is **%s**, %s.", w(), w(), w(), phrase(4))
			case 1:
				fmt.Fprintf(&b, "See %s for the %s.", link(), w())
			case 2:
				fmt.Fprintf(&b, "It ran at `%d kHz`, %s.", 3000+rng.IntN(27000), phrase(6))
			case 3:
				fmt.Fprintf(&b, "More at [the %s page](https://example.org/%s/%s).", w(), w(), w())
			default:
				b.WriteString(sentence(8 + rng.IntN(10)))
			}
		}
		return b.String()
	}

	var b strings.Builder
	title := upper(phrase(3))
	if edit == 0 {
		title = fmt.Sprintf("Post %d: %s %s", i, words[(i*7)%len(words)], words[(i*13+5)%len(words)])
	}
	fmt.Fprintf(&b, "---\ntitle: %q\ndate: %s\n", title, start.Add(time.Duration(i)*time.Hour).Format(time.RFC3339))
	tags := o.tags()
	fmt.Fprintf(&b, "tags: [tag-%02d, tag-%02d]\n---\n\n", i%tags, (i*7+3)%tags)
	b.WriteString(para() + "\n\n")
	for s, n := 0, 3+rng.IntN(2); s < n; s++ {
		fmt.Fprintf(&b, "## %s\n\n%s\n\n", upper(phrase(2)), para())
		switch rng.IntN(6) {
		case 0:
			for k := range 3 + rng.IntN(3) {
				fmt.Fprintf(&b, "- %s %s\n", sentence(3+k), link())
			}
			b.WriteString("\n")
		case 1:
			fmt.Fprintf(&b, "```\n%-8s %6d kHz  S%d\n%-8s %6d kHz  S%d\n```\n\n", w(), 3000+rng.IntN(27000), rng.IntN(10), w(), 3000+rng.IntN(27000), rng.IntN(10))
		case 2:
			fmt.Fprintf(&b, "> %s\n> %s\n\n", sentence(8), sentence(6))
		case 3:
			b.WriteString("| Station | kHz | Signal |\n|---|---:|---|\n")
			for range 3 {
				fmt.Fprintf(&b, "| %s | %d | S%d |\n", w(), 3000+rng.IntN(27000), rng.IntN(10))
			}
			b.WriteString("\n")
		case 4:
			for k := range 3 {
				fmt.Fprintf(&b, "%d. %s\n", k+1, sentence(5))
			}
			b.WriteString("\n")
		}
		b.WriteString(para() + "\n\n")
	}
	fmt.Fprintf(&b, "Next time: %s\n", link())
	return []byte(b.String())
}
