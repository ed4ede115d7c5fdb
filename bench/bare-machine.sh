#!/bin/sh
# A newcomer's first run, measured: `make demo` (and the set-up part of `make test`) in a clean
# clone on a bare Debian 12, as root.
#
#   bench/bare-machine.sh [demo|test|both]      (default demo; run as root on Debian 12)
#
# The bare machine is an mmdebstrap root of bookworm, variant minbase (Essential packages and
# apt: what a fresh `debian:12` container holds) plus make, with Debian's three sources
# (bookworm, -updates, -security on deb.debian.org) and no package lists. It is built once and
# cached as a tarball in $BENCH_CACHE (default /var/cache/py2pkg-bench); that build is not
# timed. Each measurement extracts a fresh copy and adds what the README asks of the machine
# besides make: Node.js 20 with npm, copied from this host (the `node` binary on PATH and
# npm's own directory). The repository is cloned into it from this checkout's committed HEAD
# (git clone of $BENCH_REF, default the current branch: commit first).
#
# The root runs under bubblewrap as real root (pivot_root into it, its own mount
# namespace, every capability: a container like a fresh `docker run debian:12`) with this host's
# network (deb.debian.org and the npm registry). Inside, as root:
#   demo: time make demo
#   test: time make setup-test, then make -o setup fixtures (every fixture, signed): what
#         `make test` does before its linters and tiers
# Every output line is time-stamped; the per-step times come from setup.sh's, apt's and the
# fixture scripts' own lines. The report goes to stdout and bench/results/bare-machine-latest.md
# (replaced by each run), with `uptime` before and after: the machine may be shared.
set -eu
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
LANG=C.UTF-8
export LANG

MODE=${1:-demo}
case "$MODE" in demo | test | both) ;; *) echo "usage: bench/bare-machine.sh [demo|test|both]" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "bare-machine: run as root (mmdebstrap, bwrap)" >&2; exit 1; }
for tool in mmdebstrap bwrap chroot git node npm; do
  command -v "$tool" >/dev/null || { echo "bare-machine: $tool is missing" >&2; exit 1; }
done

REPO=$(cd "$(dirname "$0")/.." && pwd)
REF=${BENCH_REF:-$(git -C "$REPO" rev-parse --abbrev-ref HEAD)}
COMMIT=$(git -C "$REPO" rev-parse --short "$REF")
CACHE=${BENCH_CACHE:-/var/cache/py2pkg-bench}
MIRROR=http://deb.debian.org
BASE=$CACHE/bookworm-minbase-make.tar
RESULTS=$REPO/bench/results/bare-machine-latest.md

if [ ! -s "$BASE" ]; then
  mkdir -p "$CACHE"
  echo "bare-machine: building the bare Debian 12 root once (mmdebstrap minbase + make, not timed)"
  mmdebstrap --quiet --variant=minbase --include=make --format=tar bookworm "$BASE.partial" \
    "deb $MIRROR/debian bookworm main" "deb $MIRROR/debian bookworm-updates main" \
    "deb $MIRROR/debian-security bookworm-security main"
  mv "$BASE.partial" "$BASE"
fi

NODE_BIN=$(readlink -f "$(command -v node)")
NPM_DIR=$(npm root -g)/npm
NODE_VERSION=$(node --version)
NPM_VERSION=$(npm --version)

# measure MODE: prints the report section for one fresh root
measure() {
  what=$1
  root=$(mktemp -d /var/tmp/py2pkg-bare-XXXXXX)
  log=$root.log
  tar -C "$root" -xf "$BASE"
  base_pkgs=$(chroot "$root" dpkg-query -W -f='${Status}\n' | grep -c 'install ok installed')
  # Node.js 20 and npm, as the README requires them of the machine
  install -m 0755 "$NODE_BIN" "$root/usr/bin/node"
  mkdir -p "$root/usr/lib/node_modules"
  cp -a "$NPM_DIR" "$root/usr/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/bin/npx"
  git clone --quiet --branch "$REF" --single-branch "file://$REPO" "$root/root/py2pkg"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  # where this host reaches the npm registry through a TLS-inspecting proxy, node trusts its CA
  # through NODE_EXTRA_CA_CERTS: the root gets the same file (a real bare machine needs none)
  extra_ca=""
  if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
    cp "$NODE_EXTRA_CA_CERTS" "$root/etc/py2pkg-bench-extra-ca.pem"
    extra_ca=yes
  fi
  case "$what" in
    demo) steps='make demo' ;;
    test) steps='make setup-test && make -o setup fixtures' ;;
  esac
  load_before=$(uptime)
  start=$(date +%s)
  status=0
  # bubblewrap as real root (no user namespace): the root becomes / by pivot_root, in its own
  # mount namespace, with every capability. A chroot would not do: the kernel refuses user
  # namespaces (py2pkg's own build sandbox) to a chrooted process. The host's /proc, because
  # the sandbox may mount a proc only where one is fully visible; no PID namespace, because
  # py2pkg's sandboxed build never returned inside one (bwrap in bwrap, not investigated)
  set -- --bind "$root" / --dev /dev --bind /proc /proc --die-with-parent --cap-add ALL \
    --clearenv --setenv PATH /usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin --setenv HOME /root \
    --setenv LANG C.UTF-8 --setenv TERM dumb --chdir /root/py2pkg
  [ -z "$extra_ca" ] || set -- "$@" --setenv NODE_EXTRA_CA_CERTS /etc/py2pkg-bench-extra-ca.pem
  bwrap "$@" /bin/sh -c "$steps" 2>&1 |
    while IFS= read -r line; do printf '%s %s\n' "$(date +%s)" "$line"; done >"$log" || status=$?
  end=$(date +%s)
  load_after=$(uptime)
  # the pipeline's status is the loop's: make's shows in its own lines
  grep -q 'make: \*\*\*\|^[0-9]* make\[[0-9]*\]: \*\*\*' "$log" && status=1
  pkgs=$(chroot "$root" dpkg-query -W -f='${Status}\n' | grep -c 'install ok installed')
  at() { awk -v pat="$1" '$0 ~ pat { print $1; exit }' "$log"; }
  secs() { if [ -n "$1" ] && [ -n "$2" ]; then echo "$(($2 - $1)) s"; else echo "—"; fi; }
  t_apt=$(at 'setup: installing')
  t_lists=$(awk 'f && /Reading package lists/ { print $1; exit } /setup: installing/ { f = 1 }' "$log")
  t_apt_done=$(at 'setup: Debian packages installed')
  t_npm_done=$(at 'setup: npm ci done')
  npm_own=$(sed -n 's/.*setup: npm ci done (it took \([0-9]*\) s).*/\1 s/p' "$log" | head -1)
  t_build_start=$t_apt_done
  [ -n "$t_npm_done" ] && [ "$t_npm_done" -gt "${t_build_start:-0}" ] && t_build_start=$t_npm_done
  t_ready=$(at 'setup: ready')
  t_last_ready=$(awk '/setup: ready/ { t = $1 } END { print t }' "$log")
  t_signed=$(awk '/\.tar\.gz\.asc$/ { t = $1 } END { print t }' "$log")
  need=$(sed -n 's/.*Need to get \([^ ]* [kMG]*B\)\/*[^ ]* of archives.*/\1/p' "$log" | head -1)
  newly=$(sed -n 's/.* \([0-9]*\) newly installed.*/\1/p' "$log" | head -1)
  {
    echo "### \`$steps\`"
    echo
    echo "| step | time |"
    echo "|---|---|"
    echo "| package check (dpkg-query) | $(secs "$start" "$t_apt") |"
    echo "| apt-get update | $(secs "$t_apt" "$t_lists") |"
    echo "| apt-get install (download, unpack, configure) | $(secs "$t_lists" "$t_apt_done") |"
    echo "| npm ci (beside apt; its own time) | ${npm_own:-—} |"
    echo "| wait for npm ci after apt | $(secs "$t_apt_done" "$t_build_start") |"
    echo "| build ($( [ "$what" = demo ] && echo 'scripts/transpile.js' || echo 'tsc, type-checked')) | $(secs "$t_build_start" "$t_ready") |"
    if [ "$what" = demo ]; then
      echo "| fixture (rpc4django sdist + signature) | $(secs "$t_last_ready" "$t_signed") |"
      echo "| the demo itself (dist/scripts/demo.js) | $(secs "$t_signed" "$end") |"
    else
      echo "| fixtures (every sdist + signatures) | $(secs "$t_last_ready" "$t_signed") |"
    fi
    echo "| **total** | **$((end - start)) s** ($(((end - start) / 60)) min $(((end - start) % 60)) s)$( [ "$status" = 0 ] || echo ', FAILED') |"
    echo
    echo "Debian packages: ${newly:-?} newly installed (the root had $base_pkgs, now $pkgs), ${need:-?} downloaded."
    echo
    echo "Load: before \`$load_before\`; after \`$load_after\`."
    echo
  } >"$root.section"
  if [ "$status" != 0 ]; then
    echo "bare-machine: $steps FAILED; the last lines of the log ($log):" >&2
    tail -40 "$log" >&2
  fi
  echo "$root"
}

tmp_report=$(mktemp)
{
  echo "# \`make demo\` and \`make test\`'s set-up on a bare Debian 12"
  echo
  echo "bench/bare-machine.sh $MODE, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $COMMIT ($REF), $(nproc) cores."
  echo "The machine: an mmdebstrap bookworm root, variant minbase, plus make; Node.js $NODE_VERSION and npm $NPM_VERSION"
  echo "copied in; a clean clone; as root; network to deb.debian.org and the npm registry. Times are"
  echo "wall-clock seconds from the time-stamped output of one run; the machine may be shared (see Load)."
  [ -z "${NODE_EXTRA_CA_CERTS:-}" ] || echo "npm reached the registry through this host's TLS-inspecting proxy (its CA given to node as NODE_EXTRA_CA_CERTS)."
  echo
} >"$tmp_report"
failed=0
for what in demo test; do
  [ "$MODE" = both ] || [ "$MODE" = "$what" ] || continue
  echo "bare-machine: measuring $what (log in /var/tmp/py2pkg-bare-*.log)" >&2
  root=$(measure "$what")
  cat "$root.section" >>"$tmp_report"
  grep -q FAILED "$root.section" && failed=1
  rm -rf "$root" "$root.section"
done
mkdir -p "$(dirname "$RESULTS")"
cp "$tmp_report" "$RESULTS.tmp" && mv "$RESULTS.tmp" "$RESULTS"
rm -f "$tmp_report"
cat "$RESULTS"
exit "$failed"
