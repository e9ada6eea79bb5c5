package shortcode

import "bytes"

// RewriteDestinations returns a copy of src in which every link or image
// destination built with tags ([a]({{< ref "x.md" >}}),
// ![b]({{ site.baseurl }}/img/b.png), [c]: {% post_url 2020-01-02-c %})
// holds the address the tags stand for instead, padded with spaces to the
// same length, so that a Markdown parser reads a link where the blog's
// generator would have made one, and every other byte keeps its offset.
// It returns nil when src has no such destination. A destination with a
// tag whose address is unknown is left as it is.
func RewriteDestinations(src []byte) []byte {
	var out []byte
	for i := 0; i < len(src); {
		j := bytes.IndexByte(src[i:], ']')
		if j < 0 {
			break
		}
		j += i
		k := j + 1
		switch {
		case k < len(src) && src[k] == '(':
			k++
		case k < len(src) && src[k] == ':':
			k++
		default:
			i = k
			continue
		}
		for k < len(src) && (src[k] == ' ' || src[k] == '\t') {
			k++
		}
		if k >= len(src) || !Starts(src[k:]) {
			i = k
			continue
		}
		end, dest, ok := evalDest(src, k)
		if !ok {
			i = k + 1
			continue
		}
		if out == nil {
			out = bytes.Clone(src)
		}
		n := copy(out[k:end], dest)
		for p := k + n; p < end; p++ {
			out[p] = ' '
		}
		i = end
	}
	return out
}

// evalDest evaluates the destination starting at src[k]: tags and the
// text between them up to white space outside a tag, a ')' or the end of
// the line. It returns where it ends and the address, which must fit.
func evalDest(src []byte, k int) (end int, dest []byte, ok bool) {
	p := k
	hasTag := false
	for p < len(src) {
		c := src[p]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ')' || c == '"' {
			break
		}
		if Starts(src[p:]) {
			t, n, ok := Parse(src[p:])
			if !ok || bytes.IndexByte(src[p:p+n], '\n') >= 0 {
				return 0, nil, false
			}
			u, ok := URL(&t)
			if !ok {
				return 0, nil, false
			}
			dest = append(dest, u...)
			p += n
			hasTag = true
			continue
		}
		dest = append(dest, c)
		p++
	}
	if !hasTag || len(dest) > p-k || bytes.ContainsAny(dest, " \t\r\n()<>\"") {
		return 0, nil, false
	}
	return p, dest, true
}
