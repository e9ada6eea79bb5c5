package watch

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// collector receives batches from Run.
type collector struct {
	mu      sync.Mutex
	batches [][]string
	notify  chan struct{}
}

func (c *collector) onChange(_ context.Context, paths []string) {
	c.mu.Lock()
	c.batches = append(c.batches, paths)
	c.mu.Unlock()
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

// wait blocks until a batch arrives or the test's deadline nears.
func (c *collector) wait(t *testing.T) []string {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		c.mu.Lock()
		if len(c.batches) > 0 {
			b := c.batches[0]
			c.batches = c.batches[1:]
			c.mu.Unlock()
			return b
		}
		c.mu.Unlock()
		select {
		case <-c.notify:
		case <-deadline:
			t.Fatal("no change reported")
		}
	}
}

func start(t *testing.T, cfg Config) *collector {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c := &collector{notify: make(chan struct{}, 1)}
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, c.onChange) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	// fsnotify has registered its watches once Run has had a moment; a
	// write that lands before is simply not seen, so make a probe write and
	// wait for it.
	probe := filepath.Join(cfg.Dirs[0], "probe.md")
	for i := 0; ; i++ {
		os.WriteFile(probe, []byte("x"), 0o644)
		select {
		case <-c.notify:
			c.mu.Lock()
			c.batches = nil
			c.mu.Unlock()
			os.Remove(probe)
			c.wait(t) // the removal
			return c
		case <-time.After(200 * time.Millisecond):
			if i > 50 {
				t.Fatal("watcher never started")
			}
		}
	}
}

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBurstIsOneBatch(t *testing.T) {
	dir := t.TempDir()
	content := filepath.Join(dir, "content")
	os.Mkdir(content, 0o755)
	c := start(t, Config{Dirs: []string{content}, Debounce: 150 * time.Millisecond})
	for i := range 5 {
		write(t, filepath.Join(content, "a.md"), string(rune('a'+i)))
	}
	write(t, filepath.Join(content, "b.md"), "b")
	got := c.wait(t)
	want := []string{filepath.Join(content, "a.md"), filepath.Join(content, "b.md")}
	if !slices.Equal(got, want) {
		t.Errorf("got batch %q, want %q", got, want)
	}
}

func TestNewFolderIsWatched(t *testing.T) {
	dir := t.TempDir()
	content := filepath.Join(dir, "content")
	os.Mkdir(content, 0o755)
	c := start(t, Config{Dirs: []string{content}, Debounce: 50 * time.Millisecond})
	os.Mkdir(filepath.Join(content, "notes"), 0o755)
	c.wait(t)
	p := filepath.Join(content, "notes", "n.md")
	write(t, p, "hello")
	got := c.wait(t)
	if !slices.Contains(got, p) {
		t.Errorf("got batch %q, want it to contain %q", got, p)
	}
}

func TestEditorSaveByRename(t *testing.T) {
	dir := t.TempDir()
	content := filepath.Join(dir, "content")
	os.Mkdir(content, 0o755)
	p := filepath.Join(content, "post.md")
	write(t, p, "one")
	c := start(t, Config{Dirs: []string{content}, Debounce: 100 * time.Millisecond})
	// The way many editors save: write a temporary file, rename it over.
	tmp := filepath.Join(content, ".post.md.tmp-123")
	write(t, tmp, "two")
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(content, "post.md~")
	write(t, backup, "backup")
	// One batch, with the temporary names too: a caller that looks at
	// the paths alone must see every one that changed.
	got := c.wait(t)
	if want := []string{tmp, p, backup}; !slices.Equal(got, want) {
		t.Errorf("got batch %q, want %q", got, want)
	}
}

// TestTemporaryNameGoesWithNextBurst changes a file whose name looks like
// an editor's temporary file: that alone reports nothing, and the next
// change reports it with its own.
func TestTemporaryNameGoesWithNextBurst(t *testing.T) {
	dir := t.TempDir()
	content := filepath.Join(dir, "content")
	os.Mkdir(content, 0o755)
	c := start(t, Config{Dirs: []string{content}, Debounce: 20 * time.Millisecond})
	tmp := filepath.Join(content, "data.tmp")
	write(t, tmp, "kept")
	// Well past the quiet time: had the write started a burst, it
	// would be reported alone before the next one.
	time.Sleep(300 * time.Millisecond)
	p := filepath.Join(content, "post.md")
	write(t, p, "post")
	if got, want := c.wait(t), []string{tmp, p}; !slices.Equal(got, want) {
		t.Errorf("got batch %q, want %q", got, want)
	}
}

func TestConfigFileReplaced(t *testing.T) {
	dir := t.TempDir()
	content := filepath.Join(dir, "content")
	os.Mkdir(content, 0o755)
	cfg := filepath.Join(dir, "gmkit.toml")
	write(t, cfg, "title = 'a'")
	c := start(t, Config{Dirs: []string{content}, Files: []string{cfg}, Debounce: 50 * time.Millisecond})
	write(t, filepath.Join(dir, "unrelated.txt"), "x")
	write(t, cfg, "title = 'b'")
	got := c.wait(t)
	if !slices.Equal(got, []string{cfg}) {
		t.Errorf("got batch %q, want just %q", got, cfg)
	}
}
