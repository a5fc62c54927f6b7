# Developer shortcuts. The README's two commands are the supported entry points.
GO ?= go

.PHONY: build test proto demo bench

build:
	$(GO) build -o bin/tag ./cmd/tag

test:
	./scripts/test

# Regenerate committed protobuf code (needs protoc and protoc-gen-go v1.36.12).
proto:
	protoc -I proto --go_out=. --go_opt=module=github.com/tagdebug/tag proto/tag/epg/v1/epg.proto

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/ingest/
