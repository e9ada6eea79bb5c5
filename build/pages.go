package build

import (
	"context"
	"fmt"
	"github.com/gmkit/gmkit/build/problem"
	"github.com/gmkit/gmkit/build/site"
	"github.com/gmkit/gmkit/build/tasks"

	"github.com/gmkit/gmkit/build/output"
)

// pagePass is how one output turns each page into a file: how to render its
// body, where the file goes, which template wraps it and how the result is
// tidied. Home and section intros are not pages here: each output renders
// them with its index pages.
type pagePass struct {
	out string // output name (Gemini, Gopher)
	// cacheName names the output's finished pages in the cache (see
	// pageCacheName).
	cacheName string
	set       output.Templates
	tmpl      string
	site      *SiteView
	views     map[*site.Page]*PageView
	body      func(*site.Page) ([]byte, error)
	file      func(*site.Page) (string, error)
	// tidy makes the template's output final; body is the page's body,
	// which the output may contain as it is.
	tidy func(out, body []byte) ([]byte, error)
	// alternates makes a page's Data.Alternates, when a template asks.
	alternates func(*site.Page) func() map[string]string
}

// outputPass is one output, ready to make: its page pass and its index
// tasks (home, sections, tags, feeds).
type outputPass struct {
	pages   pagePass
	indexes []indexTask
}

// indexTask makes one index file (home, section, tag, feed); what names it
// in messages ("the home page").
type indexTask struct {
	what string
	make func() error
}

// outputs makes every page and index of the given outputs (nil ones are
// left out) in one pool of workers. Index tasks read the views, not the
// pages' files, and are started first: a section index of thousands of
// posts is the longest single task, and started last it would run alone on
// one core. Every page and index is made, whatever fails (see fail), so
// that one build reports every problem. A page whose body and template inputs are unchanged since
// the previous build keeps its finished output (see pageOutput).
func (r *run) outputs(ctx context.Context, passes ...*outputPass) error {
	var jobs, indexes []func() error
	for _, op := range passes {
		if op == nil {
			continue
		}
		pp := op.pages
		pp.cacheName = pageCacheName(pp.out)
		keyBase := r.pageKeyBase(pp.set, pp.tmpl)
		x := newViewIndex(pp.site, pp.views)
		r.newViews[pp.out] = x
		if old := r.oldViews[pp.out]; old != nil {
			r.changed[x] = diffViews(old, x)
		}
		for _, p := range r.site.Pages {
			if !p.HasOutput(pp.out) {
				continue
			}
			jobs = append(jobs, func() error {
				r.page(pp, x, keyBase, p)
				if r.progress != nil {
					r.progress(int(r.done.Add(1)), r.total)
				}
				return nil
			})
		}
		for _, ix := range op.indexes {
			indexes = append(indexes, func() error {
				if err := ix.make(); err != nil {
					r.fail(ix.what, problem.Template, err)
				}
				return nil
			})
		}
	}
	pages := len(jobs)
	return tasks.Run(ctx, append(jobs, indexes...), pages)
}

// page makes one page's file for pp's output; what goes wrong is recorded
// (see fail).
func (r *run) page(pp pagePass, x *viewIndex, keyBase pageDigest, p *site.Page) {
	body, err := pp.body(p)
	if err != nil {
		r.fail(p.File, problem.Render, err)
		return
	}
	file, err := pp.file(p)
	if err != nil {
		r.fail(p.File, problem.Address, err)
		return
	}
	v := pp.views[p]
	out, err := r.pageOutput(pp.cacheName, x, keyBase, v, body, func(rec *recorder) ([]byte, error) {
		tidy := func(out []byte) ([]byte, error) { return pp.tidy(out, body) }
		d := &Data{Site: &rec.site, Page: &rec.root, Content: frozen(body), alternates: pp.alternates(p)}
		out, err := r.execute(pp.set, pp.tmpl, d, tidy)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.File, err)
		}
		return out, nil
	})
	if err != nil {
		r.fail(p.File, problem.Template, err)
		return
	}
	if err := r.put(file, out, p.File, p.Date); err != nil {
		r.fail(p.File, problem.Address, err)
	}
}
