module github.com/gmkit/gmkit/serve/gemini/bench

go 1.26.8

require github.com/gmkit/gmkit v0.0.0-00010101000000-000000000000

replace github.com/gmkit/gmkit => ../../..
