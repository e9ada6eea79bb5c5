package build

import (
	"slices"
	"strings"

	"github.com/gmkit/gmkit/build/output"
	"github.com/gmkit/gmkit/build/problem"
	"github.com/gmkit/gmkit/build/redirects"
	"github.com/gmkit/gmkit/build/site"
)

// aliases are the tasks that write one output's old addresses of pages
// (see site.Page.AliasPaths): a page at each that points to the page's
// address, where the output makes one (output.Mover), and the output's
// redirects file listing them all, which gmkit serve answers with
// redirects whether it serves the build or the folder on disk. An alias
// that is the address of something the build makes, or that an earlier
// page (by file name) has, is left out with a warning.
func (r *run) aliases(o output.Output, views map[*site.Page]*PageView) []indexTask {
	pages := r.allPages()
	slices.SortFunc(pages, func(a, b *site.Page) int { return strings.Compare(a.Source, b.Source) })
	mover, _ := o.(output.Mover)
	name := o.Name()
	var list []redirects.Redirect
	var tasks []indexTask
	taken := map[string]*site.Page{}
	for _, p := range pages {
		v := views[p]
		if v == nil {
			continue
		}
		for _, from := range p.AliasPaths() {
			if r.siteHasFile(from) {
				r.warn(p.File, p.LineOf(strings.TrimPrefix(from, "/")), problem.LeftOut, "alias %s is the address of something else the site makes: left out", from)
				continue
			}
			if other := taken[from]; other != nil {
				r.warn(p.File, p.LineOf(strings.TrimPrefix(from, "/")), problem.LeftOut, "alias %s is also an alias of %s: left out", from, other.File)
				continue
			}
			taken[from] = p
			ref := v.Ref()
			list = append(list, redirects.Redirect{From: from, To: ref.URL})
			if mover == nil {
				continue
			}
			file, data, ok := mover.Moved(from, ref)
			if !ok {
				continue
			}
			what := p.File + " (alias " + from + ")"
			tasks = append(tasks, indexTask{what, func() error {
				return r.put(name+"/"+file, data, what, p.Date)
			}})
		}
	}
	if len(list) > 0 {
		tasks = append(tasks, indexTask{"the redirects of aliases", func() error {
			return r.put(name+"/"+redirects.File, redirects.Append(nil, list), "the redirects of aliases", r.newest())
		}})
	}
	return tasks
}
