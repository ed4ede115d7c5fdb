#!/bin/sh
# Install what py2pkg needs on Debian 12, idempotently: apt packages only when missing and
# `npm ci` only when node_modules is stale (the two run at the same time), then build.
#
#   scripts/setup.sh          what py2pkg runs plus what `make demo` shows (RUNTIME_PACKAGES);
#                             the build for running (scripts/transpile.js: src/, fixtures/,
#                             scripts/, no type check)
#   scripts/setup.sh --test   that and the test tier's and benchmark's packages (TEST_PACKAGES);
#                             the whole project through tsc, with the type check
set -eu
cd "$(dirname "$0")/.."
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

# What py2pkg itself runs — the build sandbox, the build frontend and the build backends Debian
# packages (but flit, below), rpmbuild/rpmsign, createrepo_c, gpg and gpg-agent for --gpg-key,
# xz for Packages.xz, help2man, docutils — which is all `make demo` shows (it shows lintian's
# and rpmlint's verdicts and the install in a clean root only when those tools are there).
# On a bare Debian 12: 96 packages, 42 MB (bench/bare-machine.sh measures it).
RUNTIME_PACKAGES="
  bubblewrap python3 python3-build python3-installer python3-setuptools python3-wheel
  python3-hatchling python3-poetry-core python3-setuptools-scm python3-hatch-vcs xz-utils gpg
  gpg-agent rpm createrepo-c
  help2man python3-docutils
  zstd rpm2cpio cpio
"

# Only for `make test` and `make bench`: lintian, rpmlint and mmdebstrap are the judges the
# demo shows when present (on a bare Debian 12 lintian alone brings 162 packages, rpmlint 71); flit is
# the flit_core backend, which Debian ships only inside the flit tool, with python3-requests and
# ca-certificates (setting those up alone takes 25-40 s): py2pkg names `apt-get install flit`
# when a project needs it. The Debian-as-oracle test reads the metadata of the
# python3-* libraries below; dnf, debsig-verify, apt-ftparchive (apt-utils), rpm2cpio, pip and
# python3-apt are the test tier's judges; hyperfine, time, python3-stdeb (py2dsc-deb) and
# debsigs (the publish benchmark's by-hand contender) the benchmark's. gcc, python3-dev, binutils and dpkg-dev (dpkg-shlibdeps) are what a project with
# C extensions needs; py2pkg checks for them before such a build and names the apt-get command.
# libyaml-dev is the system library the yamlish fixture (PyYAML's shape) builds against.
# devscripts (dscverify) judges the signed source packages of --source; dh-python,
# pybuild-plugin-pyproject, python3-all and cython3 let dpkg-checkbuilddeps find their
# Build-Depends met on this machine (test/integration/source-deb.test.ts).
TEST_PACKAGES="
  lintian rpmlint mmdebstrap flit gnupg
  gcc python3-dev binutils dpkg-dev libyaml-dev devscripts python3-stdeb hyperfine time dnf python3-rpm apt-utils debsig-verify debsigs
  python3-pip python3-apt python3-jinja2 python3-markupsafe python3-flask python3-werkzeug
  python3-itsdangerous python3-click python3-attr python3-jsonschema python3-pyrsistent
  python3-dateutil python3-bs4 python3-soupsieve python3-html5lib python3-webencodings python3-babel
  python3-tz python3-pytest python3-iniconfig python3-requests-toolbelt python3-requests-oauthlib
  python3-jmespath python3-botocore python3-boto3 python3-s3transfer python3-httpx python3-httpcore
  python3-h11 python3-sniffio python3-anyio python3-rfc3986 python3-arrow python3-pexpect
  python3-ptyprocess python3-filelock python3-platformdirs python3-virtualenv python3-distlib
  python3-sqlalchemy python3-alembic python3-mako python3-jsonpatch python3-json-pointer
  python3-paramiko python3-nacl python3-bcrypt python3-cffi python3-pycparser python3-rich
  python3-markdown-it python3-mdurl python3-commonmark python3-markdown python3-tabulate
  python3-tqdm python3-deprecated python3-wrapt python3-cachetools python3-rsa python3-pyasn1
  python3-pyasn1-modules python3-google-auth python3-django python3-djangorestframework
  python3-django-filters python3-defusedxml python3-kombu python3-amqp python3-vine
  python3-prompt-toolkit python3-wcwidth python3-responses python3-freezegun python3-hypothesis
  python3-sortedcontainers python3-structlog python3-docopt python3-simplejson python3-mock
  python3-pbr python3-decorator python3-humanize python3-natsort python3-termcolor python3-colorama
  black python3-typer python3-sphinx python3-fastapi python3-starlette python3-cattr
  python3-exceptiongroup mkdocs python3-poetry python3-cleo python3-tomlkit python3-keyring
  python3-jaraco.classes twine python3-pkginfo python3-shellingham python3-trove-classifiers
  python3-cachecontrol python3-isort python3-pydantic python3-uvicorn python3-aiohttp python3-yarl
  python3-multidict python3-frozenlist python3-aiosignal python3-async-timeout python3-pytest-cov
  python3-coverage python3-mypy python3-mypy-extensions python3-typeguard python3-jaraco.functools
  python3-jaraco.text python3-more-itertools python3-mergedeep python3-watchdog
  python3-pyyaml-env-tag python3-sphinx-rtd-theme python3-myst-parser python3-mdit-py-plugins
  python3-docutils python3-requests python3-six python3-packaging python3-yaml python3-asgiref
  gpgv diffoscope-minimal lz4 chromium
  dh-python pybuild-plugin-pyproject python3-all cython3
"

APT_PACKAGES=$RUNTIME_PACKAGES
case "${1:-}" in
  --test) APT_PACKAGES="$RUNTIME_PACKAGES $TEST_PACKAGES" ;;
  "") ;;
  *) echo "usage: scripts/setup.sh [--test]" >&2; exit 2 ;;
esac

missing=""
for p in $APT_PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
if [ -n "$missing" ] && [ "$(id -u)" != 0 ]; then
  echo "setup: missing Debian packages:$missing — run as root or: sudo apt-get install --no-install-recommends$missing" >&2
  exit 1
fi

# npm ci (network and node only) runs while apt downloads and unpacks
npm_pid=""
npm_log=""
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm_log=$(mktemp)
  npm_start=$(date +%s)
  echo "setup: npm ci (in the background, beside apt)"
  (
    npm_status=0
    npm ci --no-audit --no-fund >"$npm_log" 2>&1 || npm_status=$?
    date +%s >"$npm_log.end"
    exit "$npm_status"
  ) &
  npm_pid=$!
fi
finish_npm() {
  [ -n "$npm_pid" ] || return 0
  npm_status=0
  wait "$npm_pid" || npm_status=$?
  cat "$npm_log"
  npm_end=$(cat "$npm_log.end" 2>/dev/null || date +%s)
  rm -f "$npm_log" "$npm_log.end"
  npm_pid=""
  if [ "$npm_status" != 0 ]; then
    echo "setup: npm ci failed (exit $npm_status)" >&2
    return 1
  fi
  echo "setup: npm ci done (it took $((npm_end - npm_start)) s)"
}

if [ -n "$missing" ]; then
  echo "setup: installing$missing"
  # refresh the lists only when they are absent or older than a day
  apt_status=0
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
    apt-get update -q || apt_status=$?
  fi
  if [ "$apt_status" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing || apt_status=$?
  fi
  if [ "$apt_status" != 0 ]; then
    finish_npm || true
    echo "setup: apt-get failed (exit $apt_status)" >&2
    exit "$apt_status"
  fi
  echo "setup: Debian packages installed"
fi
finish_npm

if [ "${1:-}" = --test ]; then
  npx tsc -p tsconfig.json
else
  node scripts/transpile.js tsconfig.run.json
fi
# V8's code cache of openpgp.js (scripts/code-cache.ts): a faster start for every command that signs or verifies
node dist/scripts/code-cache.js
echo "setup: ready (node $(node --version), $(/usr/bin/python3 --version))"
