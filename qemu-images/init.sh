#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test initramfs (busybox ash, PID 1).
#
# Kernel command line:
#   cok.mode=test|demo|bench|shell   what to run (default: test)
#   cok.tests=a,b,c | all            test files /tests/t-NAME.sh to run
#
# Results leave the guest on the virtio-serial port "results" (a file on
# the host), the kernel log on the port "log".  If the ports are missing
# (a kernel without virtio console), results go to the serial console
# prefixed with "@@COKRES@@ " and the host runner says so.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
umask 022

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
exec </dev/console >/dev/console 2>&1
hostname cokguest

arg() {
	for w in $(cat /proc/cmdline); do
		case $w in "$1="*) echo "${w#*=}" ;; esac
	done
}
MODE=$(arg cok.mode)
MODE=${MODE:-test}
TESTS=$(arg cok.tests)
TESTS=${TESTS:-all}

[ -f /etc/cok-build.env ] && . /etc/cok-build.env
echo "cok-init: kernel $(uname -r), $(nproc) CPUs online, mode $MODE"

# Modules the kernel needs for the virtio-serial ports (Debian: =m).
if [ -f /lib/cok-boot/order ]; then
	while read -r m; do
		[ -n "$m" ] || continue
		insmod "/lib/cok-boot/$m" || echo "cok-init: insmod $m failed"
	done </lib/cok-boot/order
fi

port_dev() {
	for d in /sys/class/virtio-ports/*; do
		[ -f "$d/name" ] || continue
		if [ "$(cat "$d/name")" = "$1" ]; then
			echo "/dev/${d##*/}"
			return 0
		fi
	done
	return 1
}
i=0
while [ $i -lt 50 ]; do
	RESPORT=$(port_dev results) && [ -c "$RESPORT" ] && break
	usleep 100000
	i=$((i + 1))
done
LOGPORT=$(port_dev log)

if [ -n "$RESPORT" ] && [ -c "$RESPORT" ]; then
	exec 3>"$RESPORT"
	echo "cok-init: results on $RESPORT"
else
	# No port: a fifo whose reader prefixes each line on the console.
	mkfifo /tmp/results.fifo
	sed -u 's/^/@@COKRES@@ /' </tmp/results.fifo >/dev/console &
	exec 3>/tmp/results.fifo
	echo "cok-init: WARNING: no virtio-serial results port; results on the console"
fi
echo "BOOT kernel=$(uname -r) cpus=$(nproc) memtotal_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) uptime_s=$(cut -d' ' -f1 /proc/uptime) mode=$MODE" >&3

echo "COK_GUEST_READY" >/dev/kmsg

# Test timeouts: a "# timeout: N" line in the file, else 300 s.
test_timeout() {
	t=$(sed -n 's/^# timeout: *\([0-9][0-9]*\).*/\1/p' "$1" | head -n 1)
	echo "${t:-300}"
}

run_test_file() {
	f=$1
	name=$(basename "$f" .sh)
	name=${name#t-}
	: >/tmp/cok-current-case
	: >/tmp/cok-nresults
	to=$(test_timeout "$f")
	echo "cok-init: running $name (timeout ${to}s)"
	start=$(cut -d' ' -f1 /proc/uptime)
	timeout "$to" sh "$f"
	rc=$?
	end=$(cut -d' ' -f1 /proc/uptime)
	open=$(cat /tmp/cok-current-case)
	if [ -n "$open" ]; then
		if [ $rc -eq 124 ] || [ $rc -eq 143 ]; then why="timed out after ${to}s"; else why="script ended (rc=$rc) without a verdict"; fi
		echo "FAIL $open: $why" >&3
		echo "RESULT: FAIL $open: $why"
	elif [ ! -s /tmp/cok-nresults ]; then
		echo "FAIL $name: test file reported nothing (rc=$rc)" >&3
		echo "RESULT: FAIL $name: test file reported nothing (rc=$rc)"
	fi
	echo "TIME $name $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')" >&3
}

case $MODE in
test)
	if [ "$TESTS" = all ]; then
		files=$(ls /tests/t-*.sh 2>/dev/null | sort)
	else
		files=
		for t in $(echo "$TESTS" | tr ',' ' '); do
			f=$(ls /tests/t-*"$t".sh 2>/dev/null | head -n 1)
			# Not among "all": a second boot's tests (after-reboot).
			[ -z "$f" ] && [ -f "/tests/$t.sh" ] && f=/tests/$t.sh
			if [ -n "$f" ]; then
				files="$files $f"
			else
				echo "FAIL $t: no such guest test" >&3
			fi
		done
	fi
	for f in $files; do
		run_test_file "$f"
	done
	;;
demo)
	sh /tests/demo.sh
	echo "DEMO rc=$?" >&3
	;;
bench)
	sh /tests/bench.sh
	echo "BENCH_DONE rc=$?" >&3
	;;
shell)
	setsid cttyhack sh
	;;
*)
	echo "FAIL init: unknown cok.mode=$MODE" >&3
	;;
esac

echo "END" >&3
if [ -n "$LOGPORT" ] && [ -c "$LOGPORT" ]; then
	dmesg >"$LOGPORT"
else
	echo "cok-init: no log port; kernel log follows"
	dmesg | tail -n 200
fi
exec 3>&-
sync
echo "cok-init: powering off"
poweroff -f
sleep 5
echo o >/proc/sysrq-trigger
