package build

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWriteOutputFreshDropsTheKeptTree(t *testing.T) {
	cfg := genSite(t, 5)
	res := mustBuild(t, NewBuilder(cfg))
	dir := filepath.Join(t.TempDir(), "public")
	ctx := context.Background()
	for range 2 { // the second write keeps the first tree beside dir (on Linux)
		if err := WriteOutput(ctx, res.Output, dir); err != nil {
			t.Fatal(err)
		}
	}
	want := snapDir(t, dir, false)

	cfg.OutputDir = dir
	cfg.NoKeepPrevious = true
	if err := NewBuilder(cfg).Write(ctx, res.Output); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(snapDir(t, dir, false), want); diff != "" {
		t.Errorf("written folder (-got +want):\n%s", diff)
	}
	ents, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.Name() != "public" {
			t.Errorf("left beside the output: %s", e.Name())
		}
	}
}
