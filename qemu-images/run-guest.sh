#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu-images/run-guest.sh --kernel VMLINUZ --initrd CPIO --outdir DIR
#                          [--timeout SECONDS] [--append "ARGS"]
#                          [--disk RAW-IMAGE] [--stream | --interactive]
#                          [--icount SHIFT]
#
# Boots one QEMU TCG guest (never KVM: it hangs this machine's guests)
# with 4 CPUs (so that Linux uses IPI shorthands) and 2 GiB, and waits
# for it to power off, under a hard timeout.
#
# Out of the guest:
#   DIR/console.log  the serial console (ttyS0), always
#   DIR/results.txt  virtio-serial port "results": the verdict lines
#   DIR/dmesg.txt    virtio-serial port "log": the kernel log at the end
# --stream also copies the console to stdout as it comes; --interactive
# connects the console to this terminal both ways (Ctrl-A X quits QEMU).
# --icount SHIFT runs QEMU's instruction-counted clock: guest time is
# 2^SHIFT ns per executed instruction (align=off, sleep=off: idle time
# is skipped, never waited for), so the host's scheduling of QEMU does
# not show in guest timings.  It implies single-threaded TCG: the vCPUs
# take turns on one host thread.
#
# Exit: QEMU's status; 124 if the timeout killed it.
set -euo pipefail
# The braces make bash read the whole script before running it, so that
# editing it while it runs (another checkout, a long check) is harmless.
{

KERNEL= INITRD= OUTDIR= TIMEOUT=600 APPEND= STREAM=0 INTERACTIVE=0 DISK=
ICOUNT=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernel)  KERNEL=$2; shift 2 ;;
	--initrd)  INITRD=$2; shift 2 ;;
	--outdir)  OUTDIR=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--append)  APPEND=$2; shift 2 ;;
	--disk)    DISK=$2; shift 2 ;;
	--stream)  STREAM=1; shift ;;
	--interactive) INTERACTIVE=1; shift ;;
	--icount)  ICOUNT=(-icount "shift=$2,align=off,sleep=off"); shift 2 ;;
	*) echo "run-guest.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -f "$KERNEL" ] && [ -f "$INITRD" ] && [ -n "$OUTDIR" ] || {
	echo "usage: run-guest.sh --kernel VMLINUZ --initrd CPIO --outdir DIR [--timeout S] [--append ARGS] [--stream]" >&2
	exit 2
}
mkdir -p "$OUTDIR"
LOG=$OUTDIR/console.log RES=$OUTDIR/results.txt DMESG=$OUTDIR/dmesg.txt
rm -f "$LOG" "$RES" "$DMESG"

CMDLINE="console=ttyS0,115200 panic=-1 quiet loglevel=4 log_buf_len=4M $APPEND"
STDIN=/dev/null
TIMEOUT_OPTS=()
if [ "$INTERACTIVE" = 1 ]; then
	SERIAL=(-chardev "stdio,id=con,mux=on,signal=off,logfile=$LOG" -serial chardev:con -mon chardev=con)
	STDIN=/dev/stdin
	TIMEOUT_OPTS=(--foreground)
elif [ "$STREAM" = 1 ]; then
	SERIAL=(-chardev "stdio,id=con,signal=off,logfile=$LOG" -serial chardev:con -monitor none)
else
	SERIAL=(-serial "file:$LOG" -monitor none)
fi

# +rdrand: with it the kernel's crng is ready at boot (trust_cpu).  Without
# it the crng becomes ready tens of seconds in, mid-test, and flipping its
# static key under TCG once left an int3 that oopsed urandom_read_iter.
# +smep,+smap: as on any recent x86 server, for Linux and the co-kernel
# (TCG implements both).  COK_QEMU_CPU replaces the whole -cpu value.
# Tried without success (QEMU 7.2 TCG): with +xsave,+avx, and with those
# and vendor=GenuineIntel, Debian's 6.1 kernel hung before /init.
CPU=${COK_QEMU_CPU:-qemu64,+rdrand,+smep,+smap}
set +e
timeout "${TIMEOUT_OPTS[@]}" --kill-after=10 "$TIMEOUT" \
	qemu-system-x86_64 \
	-machine pc -accel tcg -cpu "$CPU" -smp 4 -m 2048 "${ICOUNT[@]}" \
	-nographic -nodefaults -no-reboot \
	"${SERIAL[@]}" \
	-kernel "$KERNEL" -initrd "$INITRD" -append "$CMDLINE" \
	-device virtio-serial-pci,id=vser0 \
	-chardev "file,id=res,path=$RES" \
	-device virtserialport,bus=vser0.0,chardev=res,name=results \
	-chardev "file,id=klog,path=$DMESG" \
	-device virtserialport,bus=vser0.0,chardev=klog,name=log \
	${DISK:+-drive "file=$DISK,format=raw,if=virtio,cache=unsafe"} \
	<"$STDIN"
rc=$?
set -e
[ $rc -eq 137 ] && rc=124	# killed after the grace period
exit $rc
exit
}
