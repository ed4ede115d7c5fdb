# py2pkg — see README.md. `make demo` and `make test` work on a fresh Debian 12 machine as root.
SHELL := /bin/sh
NODE  ?= node
export PATH := /usr/sbin:/usr/bin:/sbin:/bin:$(PATH)

.PHONY: all setup setup-test build fixtures test test-unit test-integration test-e2e demo bench lint format clean

all: build

# what py2pkg runs plus what the demo shows (scripts/setup.sh RUNTIME_PACKAGES); the build
# for running (scripts/transpile.js: no tests, no type check)
setup:
	./scripts/setup.sh

# that and the test tier's and the benchmark's packages (TEST_PACKAGES); tsc, type-checked
setup-test:
	./scripts/setup.sh --test

build:
	npx tsc -p tsconfig.json
	$(NODE) dist/scripts/code-cache.js

# sdists of the fixture projects, signed with the TEST-ONLY upstream key
define make-fixtures
	$(NODE) dist/fixtures/build-sdists.js
	$(NODE) dist/fixtures/sign.js --key fixtures/keys/upstream-TEST-ONLY.sec.asc fixtures/dist/*.tar.gz
endef

fixtures: setup
	$(make-fixtures)

# CI: the full set-up, the linters, then every tier
test: setup-test
	$(make-fixtures)
	$(MAKE) --no-print-directory lint test-unit test-integration test-e2e

test-unit:
	$(NODE) --test --test-reporter=spec 'dist/test/unit/'

test-integration:
	$(NODE) --test --test-reporter=spec --test-concurrency=1 'dist/test/integration/'

test-e2e:
	$(NODE) --test --test-reporter=spec --test-concurrency=1 --test-timeout=1800000 'dist/test/e2e/'

# the demo's one fixture (rpc4django's sdist, signed with the TEST-ONLY upstream key), then the demo
DEMO_SDIST := fixtures/dist/rpc4django-0.6.3.tar.gz
demo: setup
	$(NODE) dist/fixtures/build-sdists.js --only rpc4django
	$(NODE) dist/fixtures/sign.js --key fixtures/keys/upstream-TEST-ONLY.sec.asc $(DEMO_SDIST)
	$(NODE) dist/scripts/demo.js

bench: setup-test
	$(make-fixtures)
	$(NODE) dist/bench/convert.js
	$(NODE) dist/bench/sign.js
	$(NODE) dist/bench/batch.js
	$(NODE) dist/bench/recursive.js
	$(NODE) dist/bench/publish.js

# the compiler, then ESLint with typescript-eslint's type-checked rules (eslint.config.js): zero
# findings; then Prettier's check of the TypeScript/JavaScript (.prettierrc.json, .prettierignore)
lint:
	npx tsc -p tsconfig.json --noEmit
	npx eslint --max-warnings 0 .
	npx prettier --check .

# rewrite the code in the project's format (what `make lint` checks)
format:
	npx prettier --write .

clean:
	rm -rf dist fixtures/dist .cache out
