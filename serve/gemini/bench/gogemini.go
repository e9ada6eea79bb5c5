//go:build gogemini

package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"os"

	gogemini "git.sr.ht/~adnano/go-gemini"
)

// startGoGemini runs go-gemini's Server and FileServer over the same files,
// with the TLS settings its ListenAndServe uses.
func startGoGemini(ctx context.Context, fx *fixture) (*target, error) {
	srv := &gogemini.Server{
		Handler:        gogemini.FileServer(os.DirFS(fx.docs)),
		GetCertificate: func(string) (*tls.Certificate, error) { return &fx.own, nil },
		ErrorLog:       log.New(io.Discard, "", 0),
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	tl := tls.NewListener(l, &tls.Config{
		ClientAuth:     tls.RequestClientCert,
		MinVersion:     tls.VersionTLS12,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return &fx.own, nil },
	})
	done := make(chan struct{})
	go func() { // ends when srv is closed
		defer close(done)
		srv.Serve(ctx, tl)
	}()
	return &target{addr: l.Addr().String(), stop: func() { srv.Close(); <-done }}, nil
}
