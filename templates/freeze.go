package templates

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/template/parse"
)

// A partial such as a footer is run once for every page, and what it prints
// often depends on nothing but the site: the same text, through the same
// function calls, ten thousand times. Freeze runs such partials once per
// build and puts their output in their place.
//
// That is only sound because every template function is pure (its result
// depends on its arguments alone): the functions in Funcs are, and so must
// be any a caller adds to Load.

// FreezeDelim brackets a frozen partial's text, so that nothing in it is
// read as an action. Output holding it is not frozen.
const FreezeDelim = "\x00{gmkit-frozen}\x00"

// Freeze finds every {{define}}d template whose output depends only on the
// field root of the data (e.g. "Site") and which every {{template}} call
// passes the whole data (. at the top of a template, or $), runs it once
// with data, and replaces it with the text it printed. It returns the
// names it froze. A template that fails to run is left as it is, to fail
// where it is called. What the frozen templates printed becomes part of
// the set's Fingerprint.
func (s *Set) Freeze(root string, data any) []string {
	var trees []*parse.Tree
	for _, t := range s.tmpl.Templates() {
		trees = append(trees, t.Tree)
	}
	var frozen []string
	printed := map[string]string{}
	for _, name := range Freezable(trees, root, func(name string) bool { _, ok := s.source[name]; return ok }) {
		t := s.tmpl.Lookup(name)
		var out bytes.Buffer
		if err := t.Execute(&out, data); err != nil || strings.Contains(out.String(), FreezeDelim) {
			continue
		}
		if _, err := s.tmpl.New(name).Delims(FreezeDelim, FreezeDelim).Parse(out.String()); err != nil {
			continue
		}
		frozen = append(frozen, name)
		printed[name] = out.String()
	}
	if len(frozen) > 0 {
		names := slices.Sorted(maps.Keys(printed))
		h := sha256.New()
		h.Write([]byte(s.fingerprint))
		for _, n := range names {
			fmt.Fprintf(h, "\x00%s\x00%d\x00%s", n, len(printed[n]), printed[n])
		}
		s.fingerprint = fmt.Sprintf("%x", h.Sum(nil))
	}
	return frozen
}

// Freezable names the templates among trees that Freeze runs once: every
// {{define}}d template that reads nothing of the data but the field root,
// calls no other template, and which every {{template}} call among trees
// passes the whole data (. at the top of a template, or $). own reports a
// file's own template (page.gmi), which is looked up by name and never
// frozen. Nil trees are skipped. The names are sorted.
func Freezable(trees []*parse.Tree, root string, own func(name string) bool) []string {
	calledWell := map[string]bool{}
	calledBadly := map[string]bool{}
	for _, t := range trees {
		if t == nil || t.Root == nil {
			continue
		}
		walkCallSites(t.Root, true, func(name string, withData bool) {
			if withData {
				calledWell[name] = true
			} else {
				calledBadly[name] = true
			}
		})
	}
	var names []string
	for _, t := range trees {
		if t == nil || t.Root == nil {
			continue
		}
		name := t.Name
		if !calledWell[name] || calledBadly[name] || own(name) || slices.Contains(names, name) {
			continue
		}
		if c := (purity{root: root}); c.list(t.Root, false) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// walkCallSites calls fn for every {{template}} call below n, with whether
// it passes the whole data: a lone . where dot is still the data (top is
// set), or a lone $.
func walkCallSites(n parse.Node, top bool, fn func(name string, withData bool)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walkCallSites(c, top, fn)
		}
	case *parse.TemplateNode:
		fn(n.Name, passesData(n.Pipe, top))
	case *parse.IfNode:
		walkCallSites(n.List, top, fn)
		walkCallSites(n.ElseList, top, fn)
	case *parse.RangeNode:
		walkCallSites(n.List, false, fn)
		walkCallSites(n.ElseList, top, fn)
	case *parse.WithNode:
		walkCallSites(n.List, false, fn)
		walkCallSites(n.ElseList, top, fn)
	}
}

func passesData(p *parse.PipeNode, top bool) bool {
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return false
	}
	switch a := p.Cmds[0].Args[0].(type) {
	case *parse.DotNode:
		return top
	case *parse.VariableNode:
		return len(a.Ident) == 1 && a.Ident[0] == "$"
	}
	return false
}

// purity checks that a template reads nothing of its data but the field
// root, and calls no other template and no function value.
type purity struct{ root string }

// list checks a list of nodes; derived is set where dot is a value reached
// from root (inside a with or range over it) rather than the data itself.
func (c purity) list(l *parse.ListNode, derived bool) bool {
	if l == nil {
		return true
	}
	for _, n := range l.Nodes {
		if !c.node(n, derived) {
			return false
		}
	}
	return true
}

func (c purity) node(n parse.Node, derived bool) bool {
	switch n := n.(type) {
	case *parse.TextNode, *parse.CommentNode, *parse.BreakNode, *parse.ContinueNode:
		return true
	case *parse.ActionNode:
		return c.pipe(n.Pipe, derived)
	case *parse.IfNode:
		return c.pipe(n.Pipe, derived) && c.list(n.List, derived) && c.list(n.ElseList, derived)
	case *parse.WithNode:
		return c.pipe(n.Pipe, derived) && c.list(n.List, true) && c.list(n.ElseList, derived)
	case *parse.RangeNode:
		return c.pipe(n.Pipe, derived) && c.list(n.List, true) && c.list(n.ElseList, derived)
	}
	return false // {{template}}, {{block}} and anything newer
}

func (c purity) pipe(p *parse.PipeNode, derived bool) bool {
	if p == nil {
		return true
	}
	if len(p.Decl) > 0 {
		return false // variables would need tracking
	}
	for _, cmd := range p.Cmds {
		for _, a := range cmd.Args {
			if !c.arg(a, derived) {
				return false
			}
		}
	}
	return true
}

func (c purity) arg(n parse.Node, derived bool) bool {
	switch n := n.(type) {
	case *parse.FieldNode:
		return derived || n.Ident[0] == c.root
	case *parse.DotNode:
		return derived
	case *parse.VariableNode:
		return len(n.Ident) > 1 && n.Ident[0] == "$" && n.Ident[1] == c.root
	case *parse.ChainNode:
		return c.arg(n.Node, derived)
	case *parse.PipeNode:
		return c.pipe(n, derived)
	case *parse.IdentifierNode:
		return n.Ident != "call"
	case *parse.StringNode, *parse.NumberNode, *parse.BoolNode, *parse.NilNode:
		return true
	}
	return false
}
