#!/bin/sh
# Install what py2pkg's build, tests and demo need on Debian 12, idempotently:
# apt packages only when missing, `npm ci` only when node_modules is stale, then build.
set -eu
cd "$(dirname "$0")/.."
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

APT_PACKAGES="
  bubblewrap dpkg-dev lintian mmdebstrap xz-utils zstd gnupg
  python3 python3-build python3-installer python3-setuptools python3-wheel
  python3-hatchling flit python3-poetry-core python3-setuptools-scm python3-hatch-vcs
  python3-stdeb hyperfine
  rpm rpmlint rpm2cpio createrepo-c dnf python3-rpm apt-utils debsig-verify gpg-agent
  python3-pip
"

missing=""
for p in $APT_PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: missing Debian packages:$missing — run as root or: sudo apt-get install$missing" >&2
    exit 1
  fi
  echo "setup: installing$missing"
  # refresh the lists only when they are absent or older than a day
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
    apt-get update -q
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npx tsc -p tsconfig.json
echo "setup: ready (node $(node --version), $(/usr/bin/python3 --version))"
