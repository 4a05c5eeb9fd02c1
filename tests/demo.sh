#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/demo.sh [LANE]    (make demo; LANE defaults to 6.1)
#
# Boots a guest and walks through insmod -> create -> status -> console
# -> destroy -> rmmod with explanations (tests/guest/demo.sh), the
# guest's console streamed to this terminal.  DEMO_STEPS="a b c" picks
# the steps.  Exit 0 if every step worked.
set -uo pipefail
# The braces make bash read the whole script before running it, so that
# editing it while it runs (another checkout, a long check) is harmless.
{
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LANE=${1:-6.1}
B=$ROOT/build/$LANE
mkdir -p "$B"
exec 8>"$B/.lock"	# one run per lane and checkout at a time
flock -n 8 || { echo "waiting for another run on build/$LANE"; flock 8; }

echo "== make demo: building the guest image for kernel $LANE (module built against it)"
kenv=$("$ROOT/qemu-images/kernel.sh" "$LANE") || { echo "demo: no kernel $LANE"; exit 1; }
CMDLINE_EXTRA=
eval "$kenv"
img=$("$ROOT/qemu-images/initramfs.sh" "$LANE") || { echo "demo: could not build the initramfs"; exit 1; }
sed 's/^/   build: /' "$B/build-status"
APPEND="cok.mode=demo $CMDLINE_EXTRA"
[ -n "${DEMO_STEPS:-}" ] && APPEND="$APPEND cok.demo=$(echo "$DEMO_STEPS" | tr ' ' ',')"
echo "== booting QEMU (TCG, 4 CPUs, 2 GiB); the guest's console follows"
"$ROOT/qemu-images/run-guest.sh" --stream --kernel "$VMLINUZ" --initrd "$img" \
	--outdir "$B/demo" --timeout "${COK_GUEST_TIMEOUT:-600}" --append "$APPEND"
rc=$?
echo
echo "== demo steps:"
grep -E '^(PASS|FAIL) ' "$B/demo/results.txt" 2>/dev/null | sed 's/^/   /'
if [ $rc -ne 0 ]; then
	echo "== the guest did not finish (qemu exit $rc)"
	exit 1
fi
grep -q '^FAIL ' "$B/demo/results.txt" && exit 1
grep -q '^PASS ' "$B/demo/results.txt" || exit 1
exit 0
exit
}
