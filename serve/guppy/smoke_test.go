package guppy

import (
	"bytes"
	"testing"
	"testing/fstest"
)

func TestSmoke(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789"), 10000)
	fsys := fstest.MapFS{"big.gmi": {Data: body}, "index.gmi": {Data: []byte("# hi\n")}}
	srv := fastServer(FileServer(fsys, Options{}))
	addr := startServer(t, srv)
	resp := getOK(t, fastClient(), "guppy://"+addr+"/big.gmi")
	if !bytes.Equal(resp.Body, body) {
		t.Fatalf("got %d bytes, want %d", len(resp.Body), len(body))
	}
	t.Logf("%+v", srv.Stats())
}
