// Package web renders gmkit's Markdown to HTML for the web output, with
// goldmark's own HTML renderer (and its GFM and footnote renderers): links
// and images between content files are rewritten to their HTML addresses
// by the build, images load lazily, table alignment is a class (the site's
// Content-Security-Policy forbids inline styles), code blocks carry their
// language-* class. Raw HTML in the sources is kept and cleaned by
// bluemonday (no scripts, event handlers, forms or inline styles; frames
// and embeds become links), unless the renderer is made unsafe.
package web

import (
	"bytes"
	"io"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"

	"github.com/gmkit/gmkit/build/mdnode"
)

type config struct {
	rewrite func(dest string) string
	unsafe  bool
}

// Option configures New.
type Option func(*config)

// WithLinkRewriter sets the function given every link and image
// destination exactly as written; what it returns is printed instead (the
// build maps "other.md#x" to "/posts/other/#x"). nil prints them as
// written.
func WithLinkRewriter(f func(dest string) string) Option {
	return func(c *config) { c.rewrite = f }
}

// WithUnsafe passes raw HTML and every link through untouched, with no
// cleaning: for sites whose every source is trusted.
func WithUnsafe(unsafe bool) Option {
	return func(c *config) { c.unsafe = unsafe }
}

// Renderer renders a Markdown AST to an HTML fragment. It is safe for use
// by one goroutine at a time, like every goldmark renderer.
type Renderer struct {
	cfg *config
	// plain renders documents without raw HTML: goldmark escapes text
	// and drops dangerous URLs itself, so nothing needs cleaning.
	plain renderer.Renderer
	// raw keeps raw HTML; its output is cleaned unless cfg.unsafe.
	raw    renderer.Renderer
	policy *bluemonday.Policy
	buf    bytes.Buffer
}

// New returns an HTML renderer configured by opts.
func New(opts ...Option) *Renderer {
	cfg := &config{}
	for _, o := range opts {
		o(cfg)
	}
	r := &Renderer{cfg: cfg, plain: build(cfg, false), raw: build(cfg, true)}
	if !cfg.unsafe {
		r.policy = Policy()
	}
	return r
}

func build(cfg *config, unsafe bool) renderer.Renderer {
	var hopts []html.Option
	if unsafe {
		hopts = append(hopts, html.WithUnsafe())
	}
	base := html.NewRenderer(hopts...)
	nodes := []util.PrioritizedValue{
		util.Prioritized(base, 1000),
		util.Prioritized(extension.NewTableHTMLRenderer(
			extension.WithTableHTMLOptions(hopts...),
			extension.WithTableCellAlignMethod(extension.TableCellAlignNone)), 500),
		util.Prioritized(extension.NewStrikethroughHTMLRenderer(hopts...), 500),
		util.Prioritized(extension.NewTaskCheckBoxHTMLRenderer(hopts...), 500),
		util.Prioritized(extension.NewFootnoteHTMLRenderer(extension.WithFootnoteHTMLOptions(hopts...)), 500),
	}
	// The wrappers call the renderers above for the node kinds they
	// adjust; collect those renderers' functions first.
	inner := funcs{}
	for _, n := range nodes {
		n.Value.(renderer.NodeRenderer).RegisterFuncs(inner)
	}
	nodes = append(nodes, util.Prioritized(&adjust{cfg: cfg, inner: inner}, 100))
	return renderer.NewRenderer(renderer.WithNodeRenderers(nodes...))
}

// funcs collects node renderer functions by kind.
type funcs map[ast.NodeKind]renderer.NodeRendererFunc

func (f funcs) Register(k ast.NodeKind, fn renderer.NodeRendererFunc) { f[k] = fn }

// adjust changes a node for the web, renders it with goldmark's own
// function, and puts the node back as it was: the AST is shared with the
// other outputs' renderers.
type adjust struct {
	cfg   *config
	inner funcs
}

func (a *adjust) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindLink, a.link)
	reg.Register(ast.KindImage, a.image)
	reg.Register(east.KindTableCell, a.tableCell)
	// What raw HTML means for text outputs: the HTML itself is printed.
	reg.Register(mdnode.KindTextOnly, skipChildren)
	reg.Register(mdnode.KindTextOnlySpan, skipChildren)
	reg.Register(mdnode.KindPre, a.pre)
}

func skipChildren(util.BufWriter, []byte, ast.Node, bool) (ast.WalkStatus, error) {
	return ast.WalkSkipChildren, nil
}

// pre prints a preformatted block that holds its own text (a highlight
// shortcode, a math block) as a fenced code block is printed.
func (a *adjust) pre(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*mdnode.Pre)
	_, _ = w.WriteString("<pre><code")
	if n.Info != "" {
		_, _ = w.WriteString(` class="language-`)
		_, _ = w.Write(util.EscapeHTML([]byte(n.Info)))
		_, _ = w.WriteString(`"`)
	}
	_, _ = w.WriteString(">")
	_, _ = w.Write(util.EscapeHTML([]byte(n.Body)))
	_, _ = w.WriteString("\n</code></pre>\n")
	return ast.WalkSkipChildren, nil
}

func (a *adjust) dest(d []byte) []byte {
	if a.cfg.rewrite == nil {
		return d
	}
	return []byte(a.cfg.rewrite(string(d)))
}

func (a *adjust) link(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Link)
	if !entering {
		return a.inner[ast.KindLink](w, src, node, entering)
	}
	orig := n.Destination
	n.Destination = a.dest(orig)
	defer func() { n.Destination = orig }()
	return a.inner[ast.KindLink](w, src, node, entering)
}

func (a *adjust) image(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Image)
	if !entering {
		return a.inner[ast.KindImage](w, src, node, entering)
	}
	orig := n.Destination
	n.Destination = a.dest(orig)
	hadAttrs := n.Attributes() != nil
	if !hadAttrs {
		n.SetAttributeString("loading", []byte("lazy"))
	}
	defer func() {
		n.Destination = orig
		if !hadAttrs {
			n.RemoveAttributes()
		}
	}()
	return a.inner[ast.KindImage](w, src, node, entering)
}

func (a *adjust) tableCell(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*east.TableCell)
	if !entering || n.Alignment == east.AlignNone || n.Attributes() != nil {
		return a.inner[east.KindTableCell](w, src, node, entering)
	}
	n.SetAttributeString("class", []byte("align-"+n.Alignment.String()))
	defer n.RemoveAttributes()
	return a.inner[east.KindTableCell](w, src, node, entering)
}

// Render writes the HTML of the document n parsed from source to w.
func (r *Renderer) Render(w io.Writer, source []byte, n ast.Node) error {
	if !hasRawHTML(n) {
		return r.plain.Render(w, source, n)
	}
	if r.cfg.unsafe {
		return r.raw.Render(w, source, n)
	}
	r.buf.Reset()
	if err := r.raw.Render(&r.buf, source, n); err != nil {
		return err
	}
	_, err := w.Write(r.policy.SanitizeBytes(embedsAsLinks(r.buf.Bytes())))
	return err
}

// AddOptions passes goldmark renderer options to both inner renderers.
func (r *Renderer) AddOptions(opts ...renderer.Option) {
	r.plain.AddOptions(opts...)
	r.raw.AddOptions(opts...)
}

// hasRawHTML reports whether the document holds raw HTML, block or inline.
func hasRawHTML(doc ast.Node) bool {
	found := false
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if k := n.Kind(); entering && (k == ast.KindHTMLBlock || k == ast.KindRawHTML) {
			found = true
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	return found
}

var _ renderer.Renderer = (*Renderer)(nil)
