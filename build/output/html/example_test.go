package html_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gmkit/gmkit/build"
	"github.com/gmkit/gmkit/build/publish"
	"github.com/gmkit/gmkit/build/web/webtest"
)

// buildExample builds the example site that ships with gmkit and writes
// it to a new folder, returning the folder of its web output.
func buildExample(t *testing.T) string {
	t.Helper()
	cfg := build.Config{Dir: "../../../content-example", Title: "Quiet Carrier", Author: "Ines Marlow",
		Description: "Notes on shortwave listening.", Hostname: "localhost", Lang: "en"}
	res, err := build.NewBuilder(cfg).Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range res.Warnings {
		t.Errorf("warning: %s", w)
	}
	dir := filepath.Join(t.TempDir(), "public")
	if err := publish.WriteFresh(context.Background(), res.Output, dir); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "html")
}

// TestExampleValidHTML: the Nu HTML checker finds no error on any page
// of the example site's web output (404 page included).
func TestExampleValidHTML(t *testing.T) {
	dir := buildExample(t)
	var pages []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".html") {
			pages = append(pages, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(pages, filepath.Join(dir, "404.html")) || len(pages) < 20 {
		t.Fatalf("got %d pages, want at least 20 with 404.html", len(pages))
	}
	webtest.Valid(t, pages)
}

// TestExampleAccessible: axe-core finds no violation on the example
// site's home page, a post with an image and a table, and a tag page.
func TestExampleAccessible(t *testing.T) {
	dir := buildExample(t)
	post := "/posts/a-year-of-listening/"
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(post), "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "<img ") || !strings.Contains(string(b), "<table>") {
		t.Fatalf("%s has no image and table any more: pick another post", post)
	}
	tag := "/tags/antennas/"
	if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(tag), "index.html")); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	webtest.Accessible(t, []string{srv.URL + "/", srv.URL + post, srv.URL + tag})
}
