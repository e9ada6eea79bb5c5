package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// progressBar draws a build's progress on a terminal, on one line that it
// rewrites, and only for a build long enough to need one: nothing is drawn
// in the first half second.
type progressBar struct {
	w     io.Writer
	start time.Time

	mu    sync.Mutex
	last  time.Time
	drawn bool
}

// newProgressBar returns a bar writing to w, or nil when w is not a terminal.
func newProgressBar(w io.Writer) *progressBar {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &progressBar{w: w, start: time.Now()}
}

// update is a build.Builder progress callback.
func (p *progressBar) update(done, total int) {
	now := time.Now()
	if now.Sub(p.start) < 500*time.Millisecond || total == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if now.Sub(p.last) < 100*time.Millisecond && done < total {
		return
	}
	p.last = now
	const width = 30
	filled := width * done / total
	fmt.Fprintf(p.w, "\rrendering [%s%s] %d/%d", strings.Repeat("=", filled), strings.Repeat(" ", width-filled), done, total)
	p.drawn = true
}

// clear removes the bar before other output is written.
func (p *progressBar) clear() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", 60))
		p.drawn = false
	}
}
