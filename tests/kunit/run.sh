#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# KUnit lane: runs tests/kunit/*_kunit.c in a UML kernel built from
# Debian's linux-source-6.1, and prints one line per test case:
#
#   PASS kunit.<suite>.<case>
#   FAIL kunit.<suite>.<case>: <reason>
#
# Exits non-zero if any case failed, a suite is missing, or the kernel did
# not build (the build failure is itself a FAIL line).  kunit.py's own
# progress output and the build log go to stderr.
#
# Usage: tests/kunit/run.sh [kunit.py run options, e.g. 'cok_ring*']
# Environment:
#   COK_CACHE   cache root (default /var/cache/ckpt_cokernel); holds the
#               unpacked tree linux-source-6.1/ and its UML build .kunit/
#   JOBS        parallel make jobs (default: number of CPUs)
#
# The Linux tree is unpacked once (keyed on the linux-source-6.1 package
# version) and shared with qemu-images/debug-kernel.sh.  In that tree:
#   drivers/misc/Kconfig   += source "drivers/misc/ckpt_cokernel_kunit/Kconfig"
#   drivers/misc/Makefile  += obj-$(CONFIG_CKPT_COKERNEL_KUNIT_TEST) += ckpt_cokernel_kunit/
# plus a placeholder (comment-only) ckpt_cokernel_kunit/Kconfig are added at
# unpack time, by whichever script unpacks; they are inert.  Each run here
# then installs copies of tests/kunit/Kconfig and Kbuild in that directory
# and a symlink "repo" -> this checkout, through which the sources build.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
CACHE=${COK_CACHE:-/var/cache/ckpt_cokernel}
SRC=$CACHE/linux-source-6.1
TARBALL=/usr/src/linux-source-6.1.tar.xz
BUILD=$SRC/.kunit
JOBS=${JOBS:-$(nproc)}
SUITES=cok_ring,cok_console,cok_resources,cok_pgtable,cok_redact,cok_chacha20,cok_futex,cok_restore,cok_runq,cok_sigframe
# A filter (any argument) may legitimately leave suites out.
[ $# -eq 0 ] || SUITES=

log() { echo "kunit: $*" >&2; }
die() { echo "FAIL kunit.build: $*"; exit 1; }

# --- 1-2. packages and the shared Linux tree --------------------------
. "$ROOT/qemu-images/linux-source.sh"
need_source_pkgs

# Serialise KUnit runs (one build dir, one "repo" link) across checkouts.
mkdir -p "$CACHE"
exec 8>"$CACHE/kunit.lock"
flock 8 || die "cannot lock $CACHE/kunit.lock"
prepare_tree

# Copies a file into the tree only if it changed (keeps make incremental),
# atomically (another build may be reading the tree).
install_if_changed() {
	cmp -s "$1" "$2" && return 0
	cp "$1" "$2.tmp.$$" && mv -f "$2.tmp.$$" "$2"
}
DIR=$SRC/drivers/misc/ckpt_cokernel_kunit
mkdir -p "$DIR"
install_if_changed "$ROOT/tests/kunit/Kconfig" "$DIR/Kconfig"
install_if_changed "$ROOT/tests/kunit/Kbuild" "$DIR/Kbuild"
if [ "$(readlink "$DIR/repo" 2>/dev/null || true)" != "$ROOT" ]; then
	log "linking $DIR/repo -> $ROOT"
	ln -sfn "$ROOT" "$DIR/repo.tmp.$$" && mv -Tf "$DIR/repo.tmp.$$" "$DIR/repo"
	# Another checkout's files may be older than our objects: rebuild ours.
	rm -rf "$BUILD/drivers/misc/ckpt_cokernel_kunit"
fi

# --- 3. build and run ----------------------------------------------------
OUT=$BUILD/cok-results
mkdir -p "$OUT"
JSON=$OUT/results.json
KOUT=$OUT/kunit-output.txt
rm -f "$JSON" "$KOUT" "$BUILD/test.log"

HINTS=()
if [ ! -e "$ROOT/kmod/resources.c" ]; then
	HINTS+=(--missing-hint "cok_resources=kmod/resources.c is not in this checkout")
fi

log "building UML kernel in $BUILD and running the tests (jobs=$JOBS)"
start=$(date +%s)
set +e
( cd "$SRC" && python3 tools/testing/kunit/kunit.py run \
	--kunitconfig="$ROOT/tests/kunit/kunitconfig" \
	--arch=um --jobs="$JOBS" --build_dir="$BUILD" --timeout=600 \
	--json="$JSON" "$@" ) 2>&1 | tee "$KOUT" >&2
rc=${PIPESTATUS[0]}
set -e
log "kunit.py exited $rc after $(( $(date +%s) - start )) s"

python3 "$ROOT/tests/kunit/report.py" --json "$JSON" \
	--test-log "$BUILD/test.log" --kunit-dir "$SRC/tools/testing/kunit" \
	--kunit-output "$KOUT" --rc "$rc" --expect "$SUITES" "${HINTS[@]}"
