package serve

import (
	"github.com/gmkit/gmkit/serve/gemini"
	"github.com/gmkit/gmkit/serve/gopher"
	"github.com/gmkit/gmkit/serve/guppy"
	"github.com/gmkit/gmkit/serve/nex"
	"github.com/gmkit/gmkit/serve/protocol"
	"github.com/gmkit/gmkit/serve/spartan"
	"github.com/gmkit/gmkit/serve/web"
)

// protocols lists every protocol gmkit serves, in the order the banner
// prints them. Adding a protocol is its package plus one line here.
var protocols = []protocol.Protocol{
	gemini.Protocol,
	gopher.Protocol,
	guppy.Protocol,
	spartan.Protocol,
	nex.Protocol,
	web.Protocol,
}

// Protocols returns the protocols gmkit serves, in banner order.
func Protocols() []protocol.Protocol { return protocols }
