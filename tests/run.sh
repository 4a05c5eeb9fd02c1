#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/run.sh [--tests a,b] [--timeout S] [--verdicts FILE] LANE...
#
# Runs the guest tests on each kernel LANE (6.1, 6.12, debug): builds
# the lane's initramfs (qemu-images/initramfs.sh, which also builds the
# module against that kernel), boots it (qemu-images/run-guest.sh), and
# reads the verdicts the guest wrote on its virtio-serial results port.
# Prints one line per verdict, prefixed by the lane:
#	PASS [6.1] lifecycle/create
#	FAIL [6.1] lifecycle/destroy: cpu2 still offline
# and ends with "N passed, N failed".  A lane that cannot run (no
# kernel, no image, guest did not boot or finish, timeout) is a FAIL.
# Exit status: 0 if nothing failed.
#
# Artifacts: build/LANE/{build-status,module.log,run/console.log,
# run/results.txt,run/dmesg.txt}.
set -uo pipefail
# The braces make bash read the whole script before running it, so that
# editing it while it runs (another checkout, a long check) is harmless.
{

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TESTS=${COK_TESTS:-all}
TIMEOUT=${COK_GUEST_TIMEOUT:-900}
VERDICTS=
LANES=()
while [ $# -gt 0 ]; do
	case $1 in
	--tests)    TESTS=$2; shift 2 ;;
	--timeout)  TIMEOUT=$2; shift 2 ;;
	--verdicts) VERDICTS=$2; shift 2 ;;
	-h|--help)  sed -n '3,20p' "$0"; exit 0 ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) LANES+=("$1"); shift ;;
	esac
done
[ ${#LANES[@]} -gt 0 ] || LANES=(6.1)
mkdir -p "$ROOT/build"
ALL=$(mktemp)
trap 'rm -f "$ALL"' EXIT

verdict() {	# LINE (already prefixed)
	echo "$*"
	echo "$*" >>"$ALL"
	[ -n "$VERDICTS" ] && echo "$*" >>"$VERDICTS"
	return 0
}

# prefix LANE LINE: "PASS name" -> "PASS [LANE] name"
prefix() {
	local lane=$1 line=$2
	case $line in
	PASS\ *|FAIL\ *|SKIP\ *) echo "${line%% *} [$lane] ${line#* }" ;;
	esac
}

run_lane() {
	local lane=$1 B=$ROOT/build/$1 t0 t1 rc img kenv vmlinuz line n
	t0=$(date +%s)
	mkdir -p "$B"
	# One run per lane and checkout at a time (they share build/LANE).
	exec 8>"$B/.lock"
	flock -n 8 || { echo "--- lane $lane: waiting for another run of this lane in this checkout"; flock 8; }
	echo "--- lane $lane: building image"
	if ! kenv=$("$ROOT/qemu-images/kernel.sh" "$lane" 2>"$ROOT/build/.kernel-$lane.err"); then
		verdict "FAIL [$lane] lane: no kernel: $(tail -n 1 "$ROOT/build/.kernel-$lane.err")"
		return
	fi
	local KNAME KVER VMLINUZ MODDIR KDIR CMDLINE_EXTRA=
	eval "$kenv"
	vmlinuz=$VMLINUZ
	mkdir -p "$B"
	if ! img=$("$ROOT/qemu-images/initramfs.sh" "$lane" 2>"$B/initramfs.log"); then
		verdict "FAIL [$lane] lane: initramfs.sh failed: $(tail -n 1 "$B/initramfs.log")"
		return
	fi
	while read -r line; do
		[ -n "$line" ] && verdict "$(prefix "$lane" "$line")"
	done <"$B/build-status"
	t1=$(date +%s)
	echo "--- lane $lane: image ready in $((t1 - t0)) s; booting guest (timeout ${TIMEOUT}s, console: build/$lane/run/console.log)"

	local R=$B/run attempt
	mkdir -p "$R"
	rm -f "$R/console-first-boot.log"
	# A disk that outlives the boot: t-87-reboot dumps an app to it and
	# asks (REBOOT on the results port) for a second boot to restore it.
	rm -f "$R/disk.img"
	truncate -s 64M "$R/disk.img"
	for attempt in 1 2; do
	rm -f "$R/results.txt"
	"$ROOT/qemu-images/run-guest.sh" --kernel "$vmlinuz" --initrd "$img" \
		--outdir "$R" --timeout "$TIMEOUT" --disk "$R/disk.img" \
		--append "cok.mode=test cok.tests=$TESTS $CMDLINE_EXTRA" &
	local qpid=$!
	local boot=0 end=0 port=1
	# Verdicts as they arrive, until QEMU exits.
	while IFS= read -r line; do
		case $line in
		BOOT\ *) boot=1; echo "    guest: ${line#BOOT }, $(($(date +%s) - t1)) s after start" ;;
		END) end=1 ;;
		TIME\ *) echo "    time: ${line#TIME }s" ;;
		INFO\ *|BENCH\ *) echo "    ${line}" ;;
		PASS\ *|FAIL\ *|SKIP\ *) verdict "$(prefix "$lane" "$line")" ;;
		*) [ -n "$line" ] && echo "    guest: $line" ;;
		esac
	done < <(tail -n +1 -F --pid=$qpid "$R/results.txt" 2>/dev/null)
	wait $qpid
	rc=$?
	# The distribution kernel itself can die under TCG before any of our
	# code runs (seen once: an int3 left by kernel text patching on
	# 6.12).  Only then, boot once more; the first console is kept.
	if [ $attempt = 1 ] && [ $boot = 0 ] && [ $rc -ne 124 ] &&
	   ! grep -q -e 'Run /init' -e 'cok-init:' "$R/console.log" 2>/dev/null; then
		mv "$R/console.log" "$R/console-first-boot.log"
		echo "    guest: the kernel died before /init (nothing of ours had run; build/$lane/run/console-first-boot.log): booting once more"
		continue
	fi
	break
	done
	# No port: the guest fell back to the console.
	if [ $boot = 0 ] && grep -q '@@COKRES@@ ' "$R/console.log" 2>/dev/null; then
		port=0
		while IFS= read -r line; do
			line=${line%$'\r'}
			case $line in
			BOOT\ *) boot=1 ;;
			END) end=1 ;;
			PASS\ *|FAIL\ *|SKIP\ *) verdict "$(prefix "$lane" "$line")" ;;
			esac
		done < <(sed -n 's/^.*@@COKRES@@ //p' "$R/console.log")
		verdict "FAIL [$lane] lane: no virtio-serial results port in the guest (kernel lacks VIRTIO_CONSOLE?); results were read from the console"
	fi
	local t2
	t2=$(date +%s)
	if [ $rc -eq 124 ]; then
		verdict "FAIL [$lane] lane: guest timed out after ${TIMEOUT}s (build/$lane/run/console.log)"
	elif [ $boot = 0 ]; then
		verdict "FAIL [$lane] lane: guest did not boot (qemu exit $rc; build/$lane/run/console.log)"
	elif [ $end = 0 ]; then
		verdict "FAIL [$lane] lane: guest did not finish: crashed, panicked or reset (qemu exit $rc; build/$lane/run/console.log)"
	fi
	if [ $boot = 1 ] && [ $end = 0 ]; then
		# The case that was running: its "=== name" header with no
		# verdict after it on the console.
		local last why
		last=$(tr -d '\r' <"$R/console.log" | awk '/^=== / { c = $2 } /^RESULT: / { c = "" } END { print c }')
		why=$(tr -d '\r' <"$R/console.log" | grep -m1 -E 'Kernel panic|BUG:|WARNING:|Oops|triple fault' | sed 's/^\[[ 0-9.]*\] //' | cut -c1-200)
		local how="the guest died during this case"
		[ $rc -eq 124 ] && how="the guest hung during this case (timeout)"
		[ -n "$last" ] && verdict "FAIL [$lane] $last: $how${why:+: $why}"
	fi
	if [ $rc -eq 124 ] || [ $boot = 0 ] || [ $end = 0 ]; then
		echo "    last console lines:"
		tail -n 25 "$R/console.log" 2>/dev/null | sed 's/^/    | /'
	fi
	if [ $end = 1 ] && grep -q '^REBOOT$' "$R/results.txt"; then
		second_boot "$lane" "$vmlinuz" "$img" "$R"
		t2=$(date +%s)
	fi
	echo "--- lane $lane: guest ran $((t2 - t1)) s, lane total $((t2 - t0)) s"
	exec 8>&-
}

# The guest asked for a reboot: boot again with the same disk and run
# the tests of the second boot (cok.phase=2: tests/guest/after-reboot.sh).
second_boot() {
	local lane=$1 vmlinuz=$2 img=$3 R=$4 R2=$4/boot2 line end=0 rc
	mkdir -p "$R2"
	echo "--- lane $lane: rebooting the guest with the same disk"
	"$ROOT/qemu-images/run-guest.sh" --kernel "$vmlinuz" --initrd "$img" \
		--outdir "$R2" --timeout 600 --disk "$R/disk.img" \
		--append "cok.mode=test cok.tests=after-reboot cok.phase=2 $CMDLINE_EXTRA"
	rc=$?
	while IFS= read -r line; do
		case $line in
		END) end=1 ;;
		INFO\ *) echo "    ${line}" ;;
		PASS\ *|FAIL\ *|SKIP\ *) verdict "$(prefix "$lane" "$line")" ;;
		esac
	done <"$R2/results.txt"
	[ $end = 1 ] || verdict "FAIL [$lane] reboot: the second boot did not finish (qemu exit $rc; build/$lane/run/boot2/console.log)"
}

for lane in "${LANES[@]}"; do
	run_lane "$lane"
done

P=$(grep -c '^PASS ' "$ALL")
F=$(grep -c '^FAIL ' "$ALL")
S=$(grep -c '^SKIP ' "$ALL")
[ "$S" -gt 0 ] && echo "($S skipped)"
echo "$P passed, $F failed"
[ "$F" -eq 0 ]
exit
}
