package build

import (
	"context"
	"github.com/gmkit/gmkit/build/tasks"

	"github.com/yuin/goldmark/parser"

	"github.com/gmkit/gmkit/build/markdown"
	"github.com/gmkit/gmkit/build/problem"
)

// bodies renders every page's body for every output it goes to, page by
// page, right after loading, and then drops the page's AST: the outputs'
// passes find the bodies in the cache. Rendering every output from one AST
// while it is fresh in the CPU's caches, and letting the garbage collector
// have each AST as soon as all are made, keeps a large site's heap to
// about half of what it was when every AST lived until the last output was
// done (a 10,000-post site: ~250 MB of ASTs). A later build that needs a
// body again with different links parses the page again (see renderBody).
//
// first are tasks to run before the bodies, in the same pool (preparing the
// outputs, which needs no body); their errors are reported first.
func (r *run) bodies(ctx context.Context, first ...func() error) error {
	jobs := append([]func() error(nil), first...)
	for _, p := range r.allPages() {
		if p.AST() == nil {
			continue // reused from the previous build: its bodies may be cached
		}
		jobs = append(jobs, func() error {
			for _, o := range r.outs {
				if p.HasOutput(o.Name()) {
					if _, err := r.body(o, p); err != nil {
						r.fail(p.File, problem.Render, err)
					}
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
