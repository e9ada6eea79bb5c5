package build

import (
	"context"
	"fmt"
	"github.com/gmkit/gmkit/build/site"
	"github.com/gmkit/gmkit/build/tasks"

	"github.com/yuin/goldmark/parser"

	"github.com/gmkit/gmkit/build/gemtext"
	"github.com/gmkit/gmkit/build/gopher"
	"github.com/gmkit/gmkit/build/markdown"
)

// bodies renders every page's body for every output it goes to, page by
// page, right after loading, and then drops the page's AST: the outputs'
// passes find the bodies in the cache. Rendering both outputs from one AST
// while it is fresh in the CPU's caches, and letting the garbage collector
// have each AST as soon as both are made, keeps a large site's heap to
// about half of what it was when every AST lived until the last output was
// done (a 10,000-post site: ~250 MB of ASTs). A later build that needs a
// body again with different links parses the page again (see renderBody).
//
// first are tasks to run before the bodies, in the same pool (preparing the
// outputs, which needs no body); their errors are reported first.
func (r *run) bodies(ctx context.Context, first ...func() error) error {
	linkMode, err := gemtext.ParseLinkMode(r.cfg.Links)
	if err != nil {
		return fmt.Errorf("build.links: %w", err)
	}
	r.linkMode = linkMode
	if !r.cfg.Gopher.Disabled {
		if r.gopherHeading, err = gopher.ParseHeadingStyle(r.cfg.Gopher.HeadingStyle); err != nil {
			return fmt.Errorf("gopher.heading_style: %w", err)
		}
	}
	pageMode := gopher.ModeMenu
	if !r.gopherMenus() {
		pageMode = gopher.ModeText
	}
	jobs := append([]func() error(nil), first...)
	for _, p := range r.allPages() {
		if p.AST() == nil {
			continue // reused from the previous build: its bodies may be cached
		}
		jobs = append(jobs, func() error {
			if !r.cfg.Gemini.Disabled && p.HasOutput(Gemini) {
				if _, err := r.geminiBody(p, linkMode); err != nil {
					return err
				}
			}
			if !r.cfg.Gopher.Disabled && p.HasOutput(Gopher) {
				mode := gopher.ModeMenu
				if p.Kind == site.KindPage {
					mode = pageMode
				}
				if _, err := r.gopherBody(p, mode); err != nil {
					return err
				}
			}
			p.DropAST()
			return nil
		})
	}
	return tasks.Run(ctx, jobs, 0)
}

// parser returns a Markdown parser for pages that must be parsed again.
func (r *run) parser() parser.Parser {
	r.parserOnce.Do(func() { r.mdParser = markdown.Parser() })
	return r.mdParser
}
