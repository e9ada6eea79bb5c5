package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/viper"

	"github.com/gmkit/gmkit/build"
	"github.com/gmkit/gmkit/serve"
)

// diskTree is the output folder a `serve --no-build` answers from: the
// content made over it and the folders it holds open.
type diskTree struct {
	content serve.Content
	closers []io.Closer
}

func (t *diskTree) close() {
	for _, c := range t.closers {
		c.Close()
	}
}

// reloader loads the output folder again for `serve --no-build` on every
// SIGHUP, so that a new build put in place (`gmkit build`, or rsync into a
// new folder and a symlink switched) is served without a restart: the new
// tree is opened whole, then swapped in for every protocol at once, and
// requests in flight finish with the tree they started with. A tree that
// does not load changes nothing; the error is logged.
type reloader struct {
	dir   string
	v     *viper.Viper
	built build.Config
	srv   *serve.Servers
	log   *slog.Logger
	// cur is the tree served; prev the one before, kept open one more
	// reload for requests that started on it.
	cur, prev *diskTree
}

// run reloads on each SIGHUP until ctx ends. The caller registers for
// SIGHUP before it starts run, so that no HUP sent once the banner is
// printed ends the process, and calls close once the servers have stopped.
func (r *reloader) run(ctx context.Context, hup <-chan os.Signal) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-hup:
			r.reload()
		}
	}
}

// close closes the trees still open; the servers must be done with them.
func (r *reloader) close() {
	r.cur.close()
	if r.prev != nil {
		r.prev.close()
	}
}

func (r *reloader) reload() {
	t, err := loadDisk(r.dir, r.v, r.built)
	if err != nil {
		r.log.Error("SIGHUP: the output folder did not load; still serving the tree loaded before", "dir", r.dir, "err", err)
		return
	}
	r.srv.Swap(t.content)
	if r.prev != nil {
		r.prev.close()
	}
	r.prev, r.cur = r.cur, t
	r.log.Info("SIGHUP: serving the output folder as it is now", "dir", r.dir, "outputs", len(t.content.Outputs))
}

// notifyHUP registers for SIGHUP; stop undoes it.
func notifyHUP() (ch chan os.Signal, stop func()) {
	ch = make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP)
	return ch, func() { signal.Stop(ch) }
}
