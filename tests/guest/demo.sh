# SPDX-License-Identifier: GPL-2.0
#
# The guest side of `make demo`: walks through the life of an enclave
# with an explanation before each step.  The steps run in the order of
# DEMO_STEPS (kernel command line cok.demo=a,b,c overrides it); a later
# feature adds a step_NAME function here and its name to DEMO_STEPS.
# Each step reports "PASS demo/NAME" or "FAIL demo/NAME: why" on the
# results port; the demo stops at the first failing step.
. /tests/lib.sh
COKCTL=cokctl	# shown as typed

DEMO_STEPS="intro insmod create status console launch checkpoint destroy rmmod"
for w in $(cat /proc/cmdline); do
	case $w in cok.demo=*) DEMO_STEPS=$(echo "${w#cok.demo=}" | tr ',' ' ') ;; esac
done

dmesg -n 1	# the narration owns the console; kernel lines shown on purpose

say() {
	echo
	echo "######## $*"
}
explain() { echo "# $*"; }
show() {
	echo "\$ $*"
	"$@"
	_rc=$?
	[ $_rc -eq 0 ] || echo "(exit $_rc)"
	return $_rc
}
klog() {	# the kernel lines our module printed since the last call
	dmesg | grep -i 'cok' | grep -v -e COKTEST -e COK_GUEST_READY | tail -n "${1:-8}" | sed 's/^/  kernel: /'
}
facts() {
	echo "  online CPUs: $(online_cpus)   MemTotal: $(memtotal_kb) kB"
}

step_intro() {
	say "A Linux guest: QEMU TCG, 4 CPUs, 2 GiB, kernel $(uname -r)"
	explain "ckpt_cokernel.ko takes cores (CPU hotplug offline) and memory (2 MiB"
	explain "chunks) away from Linux and boots our own small co-kernel on them."
	facts
}

step_insmod() {
	say "Load the module"
	[ -f "$COK_KO" ] || { echo "ckpt_cokernel.ko is not in this image: ${WHY_MODULE:-not built}"; return 1; }
	show insmod "$COK_KO" || return 1
	klog 5
}

step_create() {
	say "Create an enclave: 2 cores, 256 MiB"
	explain "The module offlines two CPUs, takes 256 MiB, and starts the co-kernel"
	explain "on those cores with INIT/SIPI.  cokctl prints the new enclave's id."
	[ -x "$COK_BIN/cokctl" ] || { echo "cokctl is not in this image: ${WHY_COKCTL:-not built}"; return 1; }
	echo "\$ cokctl create --cpus 2 --mem 256M"
	"$COKCTL" create --cpus 2 --mem 256M >"$T_TMP/id"
	_rc=$?
	cat "$T_TMP/id"
	[ $_rc -eq 0 ] || { echo "(exit $_rc)"; return 1; }
	EID=$(parse_id "$(cat "$T_TMP/id")")
	[ -n "$EID" ] || { echo "no enclave id printed"; return 1; }
	explain "Linux has given up the cores and the memory:"
	facts
}

step_status() {
	say "Status of enclave $EID"
	explain "status pings every core; 'alive' means it answered just now."
	show "$COKCTL" status "$EID" || return 1
	explain "the same as one line of JSON, for scripts:"
	show "$COKCTL" status -j || return 1
}

step_console() {
	say "The co-kernel's console"
	explain "What the co-kernel printed while booting, read through the shared channel:"
	show timeout 10 "$COKCTL" console "$EID"
	_rc=$?
	[ $_rc -eq 0 ] || [ $_rc -eq 124 ]
}

step_launch() {
	say "Run unmodified static Linux programs on the enclave's cores"
	explain "cokctl launch is the app's proxy: the co-kernel runs the program and"
	explain "serves memory and time itself; file and terminal I/O come back to"
	explain "cokctl, which performs it as you.  Output and exit code are the app's."
	[ -x /apps/sha.glibc ] || { echo "the test apps are not in this image: ${WHY_APPS:-not built}"; return 1; }
	show "$COKCTL" launch -v /apps/hello.glibc || return 1
	explain "SHA-256 over 64 MiB of generated data, on Linux and in the co-kernel:"
	show /apps/sha.glibc || return 1
	show "$COKCTL" launch /apps/sha.glibc || return 1
	explain "A program that faults is killed like on Linux (exit 128 + signal):"
	show "$COKCTL" launch /apps/crash_null.musl
	explain "and the core is ready for the next one:"
	show "$COKCTL" launch /apps/exit42.musl
	[ $? -eq 42 ]
}

step_checkpoint() {
	say "Freeze, dump, and restore a running app"
	explain "crunch computes for a while with no system call in its loop, printing"
	explain "a line every 25 rounds and a digest at the end.  First, on Linux:"
	[ -x /apps/crunch.musl ] || { echo "the test apps are not in this image"; return 1; }
	echo "\$ /apps/crunch.musl 600 | tail -n 1"
	/apps/crunch.musl 600 >"$T_TMP/lin.out" || return 1
	tail -n 1 "$T_TMP/lin.out"
	explain "Now in the enclave, in the background (its output goes to a file):"
	echo "\$ cokctl launch /apps/crunch.musl 600 > crunch.out &"
	"$COKCTL" launch /apps/crunch.musl 600 >"$T_TMP/cok.out" 2>&1 3>&- &
	_p=$!
	wait_lines "$T_TMP/cok.out" 3
	show "$COKCTL" ps || return 1
	_id=$("$COKCTL" ps -j | json_flatten | sed -n 's/^apps\.0\.id=//p')
	explain "Freeze stops it where it stands (an IPI to its core), with its latency:"
	show "$COKCTL" freeze "$_id" || return 1
	show "$COKCTL" thaw "$_id" || return 1
	explain "Dump writes it to an image file straight from its pages (mapped"
	explain "read-only through /dev/ckpt_cokernel) and, with --kill, ends it:"
	show "$COKCTL" dump "$_id" -o /tmp/crunch.img --kill -v || return 1
	wait "$_p"
	echo "  it had printed $(lines "$T_TMP/cok.out") lines before the dump"
	show "$COKCTL" image verify /tmp/crunch.img || return 1
	show "$COKCTL" image info /tmp/crunch.img | head -n 25
	explain "Restore brings it back (here, after rmmod/insmod, it would be the same)"
	explain "and it finishes where it stopped:"
	echo "\$ cokctl restore -v /tmp/crunch.img > rest.out"
	"$COKCTL" restore -v /tmp/crunch.img >"$T_TMP/rest.out" 3>&- || return 1
	tail -n 1 "$T_TMP/rest.out"
	explain "The output before the dump plus the restored app's output, against Linux's:"
	cat "$T_TMP/cok.out" "$T_TMP/rest.out" >"$T_TMP/all.out"
	show cmp "$T_TMP/all.out" "$T_TMP/lin.out" || return 1
	echo "  identical"
}

step_destroy() {
	say "Destroy enclave $EID"
	explain "The cores stop, Linux onlines them again, and the memory returns."
	show "$COKCTL" destroy "$EID" || return 1
	facts
}

step_rmmod() {
	say "Unload the module"
	show rmmod ckpt_cokernel || return 1
	klog 5
}

FAILED=0
for s in $DEMO_STEPS; do
	if "step_$s"; then
		echo "PASS demo/$s" >&3
	else
		echo "FAIL demo/$s: the step failed (see the console above)" >&3
		echo
		echo "######## demo stopped: step '$s' failed"
		FAILED=1
		break
	fi
done
[ $FAILED = 0 ] && { echo; echo "######## demo complete"; }
exit $FAILED
