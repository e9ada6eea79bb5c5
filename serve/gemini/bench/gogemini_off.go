//go:build !gogemini

package main

import (
	"context"
	"errors"
)

// startGoGemini is a stand-in for builds without the gogemini tag.
func startGoGemini(context.Context, *fixture) (*target, error) {
	return nil, errors.New("built without -tags gogemini (go get git.sr.ht/~adnano/go-gemini@latest && go run -tags gogemini .)")
}
