# py2pkg — see README.md. `make demo` and `make test` work on a fresh Debian 12 machine as root.
SHELL := /bin/sh
NODE  ?= node
export PATH := /usr/sbin:/usr/bin:/sbin:/bin:$(PATH)

.PHONY: all setup build fixtures test test-unit test-integration test-e2e demo bench lint clean

all: build

setup:
	./scripts/setup.sh

build:
	npx tsc -p tsconfig.json

# sdists of the fixture projects, signed with the TEST-ONLY upstream key
fixtures: setup
	$(NODE) dist/fixtures/build-sdists.js
	$(NODE) dist/fixtures/sign.js --key fixtures/keys/upstream-TEST-ONLY.sec.asc fixtures/dist/*.tar.gz

test: fixtures
	$(MAKE) --no-print-directory test-unit test-integration test-e2e

test-unit:
	$(NODE) --test --test-reporter=spec 'dist/test/unit/'

test-integration:
	$(NODE) --test --test-reporter=spec --test-concurrency=1 'dist/test/integration/'

test-e2e:
	$(NODE) --test --test-reporter=spec --test-concurrency=1 --test-timeout=1800000 'dist/test/e2e/'

demo: fixtures
	$(NODE) dist/scripts/demo.js

bench: fixtures
	$(NODE) dist/bench/convert.js
	$(NODE) dist/bench/sign.js

lint:
	npx tsc -p tsconfig.json --noEmit

clean:
	rm -rf dist fixtures/dist .cache out
