#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/check.sh: everything `make check` runs, in order:
#   1. deps        qemu-images/deps.sh
#   2. build       the top-level `make` (module for the default KDIR and
#                  userland), in a copy of the tree (build/host)
#   3. kunit       tests/kunit/run.sh, when it is in the tree
#   4. packaging   tests/dkms.sh (DKMS builds for the 6.1 and 6.12 headers
#                  in a temporary tree), tests/deb.sh (the Debian
#                  packages from a clean clone, lintian, their contents)
#                  and tests/site.sh (those packages installed, DKMS-built,
#                  removed and purged in a cached Debian 12 root)
#   5. guest lanes tests/run.sh on 6.1, 6.12 and debug (each builds the
#                  module against its own kernel and boots a QEMU guest;
#                  the 6.1 and 6.12 images also carry what site.sh's DKMS
#                  built, for t-92-site)
#   6. userland    `make -C userland check` and tests/fuzz/run.sh, when
#                  they exist
# Every verdict is a PASS/FAIL/SKIP line; the last line is the total
# "N passed, N failed" over everything.  Exit 1 if anything failed.
# A lane that cannot run is a FAIL, never skipped silently.
#
# Environment:
#   COK_LANES          guest lanes (default "6.1 6.12 debug")
#   COK_TESTS          guest tests (default all)
#   COK_GUEST_TIMEOUT  hard timeout of one guest, seconds (default 720
#                      for 6.1/6.12, 1200 for debug: KASAN under TCG is slow)
#   COK_CHECK_BUDGET   seconds the whole check may take (default 2700,
#                      under the 50 minutes make check may take): a guest's timeout is cut to what
#                      is left, and a lane that cannot start in time FAILs
set -uo pipefail
# The braces make bash read the whole script before running it, so that
# editing it while it runs (another checkout, a long check) is harmless.
{

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
LANES=${COK_LANES:-6.1 6.12 debug}
BUDGET=${COK_CHECK_BUDGET:-2700}
START=$(date +%s)
mkdir -p build
V=$ROOT/build/check-verdicts.txt
: >"$V"

verdict() { echo "$*"; echo "$*" >>"$V"; }
elapsed() { echo $(( $(date +%s) - START )); }
section() { echo; echo "=== $* ($(elapsed) s)"; }

# Runs CMD, echoing its output; its PASS/FAIL/SKIP lines become
# verdicts.  If it exits non-zero without a FAIL line, or exits 0
# without any verdict, that is one more FAIL named NAME.
run_counted() {	# NAME LOG CMD...
	local name=$1 log=$2 rc p0 f0 p1 f1
	shift 2
	p0=$(grep -c '^PASS ' "$V") f0=$(grep -c '^FAIL ' "$V")
	"$@" 2>&1 | tee "$log" | while IFS= read -r l; do
		case $l in
		PASS\ *|FAIL\ *|SKIP\ *) verdict "$l" ;;
		*) echo "$l" ;;
		esac
	done
	rc=${PIPESTATUS[0]}
	p1=$(grep -c '^PASS ' "$V") f1=$(grep -c '^FAIL ' "$V")
	if [ $rc -ne 0 ] && [ "$f1" -eq "$f0" ]; then
		verdict "FAIL $name: exit $rc without a FAIL line (see ${log#$ROOT/})"
	elif [ $rc -eq 0 ] && [ "$p1" -eq "$p0" ] && [ "$f1" -eq "$f0" ]; then
		verdict "FAIL $name: ran no test (see ${log#$ROOT/})"
	fi
}

section "deps"
if qemu-images/deps.sh; then
	verdict "PASS deps"
else
	verdict "FAIL deps: qemu-images/deps.sh failed"
fi

section "build (top-level make, in build/host)"
H=$ROOT/build/host
mkdir -p "$H"
rsync -a --delete --exclude=/build/ --exclude=/.git/ --filter=':- .gitignore' "$ROOT/" "$H/src/"
if make -C "$H/src" -j"$(nproc)" >"$H/make.log" 2>&1; then
	verdict "PASS build/make"
else
	verdict "FAIL build/make: $(grep -E 'error|Error|No rule' "$H/make.log" | head -n 2 | tr '\n' ' ' | cut -c1-300) (build/host/make.log)"
fi

section "KUnit"
if [ -x tests/kunit/run.sh ] || [ -f tests/kunit/run.sh ]; then
	run_counted kunit "$ROOT/build/kunit.log" bash tests/kunit/run.sh
else
	verdict "SKIP kunit: tests/kunit/run.sh not in tree yet"
fi

# Before the guest lanes: tests/site.sh leaves the modules DKMS built in
# its Debian root, with the package's cokctl, in build/site/KVER, and
# the 6.1 and 6.12 lanes' images must carry them (t-92-site).
section "packaging (DKMS builds in a temporary tree, Debian packages, a site's install)"
rm -rf build/debs build/site
[ -f tests/dkms.sh ] && run_counted dkms "$ROOT/build/dkms.log" bash tests/dkms.sh
[ -f tests/deb.sh ] && run_counted deb "$ROOT/build/deb.log" env COK_DEB_OUT="$ROOT/build/debs" bash tests/deb.sh
[ -f tests/site.sh ] && run_counted site "$ROOT/build/site.log" bash tests/site.sh --debs "$ROOT/build/debs"
export COK_SITE_REQUIRED=1

for lane in $LANES; do
	section "guest lane $lane"
	case $lane in debug) to=${COK_GUEST_TIMEOUT:-1200} ;; *) to=${COK_GUEST_TIMEOUT:-720} ;; esac
	left=$(( BUDGET - $(elapsed) - 60 ))
	[ "$to" -gt "$left" ] && to=$left
	if [ "$to" -lt 60 ]; then
		verdict "FAIL [$lane] lane: not run, the time budget of ${BUDGET}s is used up"
		continue
	fi
	# run.sh prints verdicts and writes them to $V itself.
	tests/run.sh --timeout "$to" --verdicts "$V" "$lane" | grep --line-buffered -v -e "^[0-9]* passed, [0-9]* failed$" -e "^([0-9]* skipped)$"
done

section "userland / fuzz tests"
ran=0
if [ -f userland/Makefile ] && make -C "$H/src/userland" -n check >/dev/null 2>&1; then
	run_counted userland-check "$ROOT/build/userland-check.log" make -C "$H/src/userland" check
	ran=1
fi
if [ -f tests/fuzz/run.sh ]; then
	run_counted fuzz "$ROOT/build/fuzz.log" bash tests/fuzz/run.sh
	ran=1
fi
[ $ran = 1 ] || echo "(no userland or fuzz tests in the tree)"
# The verdicts of make bench's noise table, on made-up results (< 1 s).
[ -f tests/noise.sh ] && run_counted noise-table "$ROOT/build/noise-table.log" bash tests/noise.sh --self-test

section "summary"
P=$(grep -c '^PASS ' "$V")
F=$(grep -c '^FAIL ' "$V")
S=$(grep -c '^SKIP ' "$V")
if [ "$F" -gt 0 ]; then
	echo "failures:"
	grep '^FAIL ' "$V" | sed 's/^/  /'
fi
echo "make check took $(elapsed) s; verdicts in build/check-verdicts.txt"
[ "$S" -gt 0 ] && echo "($S skipped)"
echo "$P passed, $F failed"
[ "$F" -eq 0 ]
exit
}
