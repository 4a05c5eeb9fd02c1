# SPDX-License-Identifier: GPL-2.0
#
# The guest side of `make bench`: ROUNDS x (create --cpus 1 --mem 64M;
# read boot_ns from status -j; destroy).  boot_ns is the module's own
# measure of "create request -> first heartbeat of the co-kernel".
# One "BENCH boot_ns=N" line per round on the results port; the host
# computes the median.
. /tests/lib.sh

ROUNDS=10
for w in $(cat /proc/cmdline); do
	case $w in
	cok.rounds=*) ROUNDS=${w#cok.rounds=} ;;
	cok.bench=noise) exec sh /tests/noise.sh ;;	# the -icount boot
	esac
done
dmesg -n 1
[ -f "$COK_KO" ] || { echo "BENCH_ERROR ckpt_cokernel.ko not in image: ${WHY_MODULE:-not built}" >&3; exit 1; }
[ -x "$COKCTL" ] || { echo "BENCH_ERROR cokctl not in image: ${WHY_COKCTL:-not built}" >&3; exit 1; }
ensure_module || { echo "BENCH_ERROR $MODULE_ERR" >&3; exit 1; }

# freeze_rounds TAG PROGRAM ARGS...: launch it, freeze and thaw it 10
# times, one "BENCH TAG=latency_ns core=cokernel_ns" line each (the
# whole freeze and the co-kernel's part of it), then end it.
freeze_rounds() {
	_tag=$1
	shift
	"$COKCTL" launch "$@" >/dev/null 2>&1 &
	P=$!
	k=0
	while ! "$COKCTL" ps -j 2>/dev/null | grep -q '"state":"running"' && [ $k -lt 100 ]; do
		usleep 100000
		k=$((k + 1))
	done
	usleep 300000		# its threads started
	ID=$("$COKCTL" ps -j | json_flatten | sed -n 's/^apps\.0\.id=//p')
	k=0
	while [ -n "$ID" ] && [ $k -lt 10 ]; do
		j=$("$COKCTL" freeze -j "$ID")
		f=$(echo "$j" | sed -n 's/.*"latency_ns":\([0-9]*\).*/\1/p')
		c=$(echo "$j" | sed -n 's/.*"cokernel_ns":\([0-9]*\).*/\1/p')
		"$COKCTL" thaw "$ID" >/dev/null
		[ -n "$f" ] && echo "BENCH $_tag=$f core=${c:-0}" >&3
		usleep 100000
		k=$((k + 1))
	done
	kill -TERM "$P" 2>/dev/null
	wait "$P" 2>/dev/null
}

i=1
while [ $i -le "$ROUNDS" ]; do
	t0=$(cut -d' ' -f1 /proc/uptime)
	create_enclave --cpus 1 --mem 64M || { echo "BENCH_ERROR round $i: $CREATE_ERR" >&3; exit 1; }
	t1=$(cut -d' ' -f1 /proc/uptime)
	status_read "$T_TMP/b.flat" || { echo "BENCH_ERROR round $i: $STATUS_ERR" >&3; exit 1; }
	b=$(enc_get "$T_TMP/b.flat" "$EID" boot_ns)
	phases=
	for p in boot_memory_ns boot_offline_ns boot_start_ns; do
		phases="$phases $p=$(enc_get "$T_TMP/b.flat" "$EID" $p)"
	done
	run "$COKCTL" destroy "$EID"
	[ "$RC" = 0 ] || { echo "BENCH_ERROR round $i: destroy exit $RC: $ERR" >&3; exit 1; }
	case $b in ''|*[!0-9]*) echo "BENCH_ERROR round $i: boot_ns '$b'" >&3; exit 1 ;; esac
	echo "BENCH boot_ns=$b$phases create_wall_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" >&3
	echo "round $i: boot_ns=$b"
	i=$((i + 1))
done

# --- apps: FWQ noise and launch latency (issue 3) -----------------------
# FWQ, the same static binary, pinned on a Linux core and on a co-kernel
# core of the same VM; one "BENCH fwq SIDE n mean max var" line each
# (busybox awk has no sqrt: the host derives stddev and CV).
fwq_stats() {	# SIDE FILE
	awk -v side="$1" '{ n++; s += $1; q += $1 * $1; if ($1 > m) m = $1 }
	END {
		if (n == 0) { print "BENCH_APP_ERROR fwq " side ": no samples"; exit }
		mean = s / n; var = q / n - mean * mean; if (var < 0) var = 0
		printf "BENCH fwq %s n=%d mean=%.1f max=%d var=%.1f\n", side, n, mean, m, var
	}' "$2" >&3
}

FWQ=/apps/fwq.musl
HELLO=/apps/hello.musl
FWQ_ARGS="${COK_FWQ_SAMPLES:-2000} ${COK_FWQ_WORK:-100000}"
if [ -x "$FWQ" ] && [ -x "$HELLO" ] && "$COKCTL" help launch >/dev/null 2>&1; then
	create_enclave --cpus 1 --mem 64M || { echo "BENCH_APP_ERROR apps: $CREATE_ERR" >&3; exit 1; }
	ECPU=$(enc_cpus "$T_TMP/wait.flat" "$EID" 2>/dev/null | head -n 1)
	LCPU=2
	[ "$ECPU" = 2 ] && LCPU=3
	taskset -c "$LCPU" $FWQ $FWQ_ARGS >"$T_TMP/fwq.linux"
	fwq_stats linux "$T_TMP/fwq.linux"
	"$COKCTL" launch -v -- $FWQ $FWQ_ARGS >"$T_TMP/fwq.cok" 2>"$T_TMP/fwq.err" ||
		{ echo "BENCH_APP_ERROR fwq on the co-kernel: $(head -c 200 "$T_TMP/fwq.err")" >&3; exit 1; }
	fwq_stats cokernel "$T_TMP/fwq.cok"
	irqs=$(sed -n 's/.*ring-3 interrupts \([0-9]*\).*/\1/p' "$T_TMP/fwq.err")
	echo "BENCH fwq_irqs=${irqs:-unknown}" >&3

	# Launch latency: N runs of hello, through cokctl and as a Linux exec.
	N=${COK_LAUNCH_RUNS:-50}
	for side in linux cokernel; do
		t0=$(cut -d' ' -f1 /proc/uptime)
		k=0
		while [ $k -lt "$N" ]; do
			if [ $side = linux ]; then
				taskset -c "$LCPU" $HELLO >/dev/null
			else
				"$COKCTL" launch -- $HELLO >/dev/null
			fi
			k=$((k + 1))
		done
		t1=$(cut -d' ' -f1 /proc/uptime)
		echo "BENCH launch $side runs=$N total_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" >&3
	done
	# Freeze latency: a compute loop with no system calls, then a
	# 4-thread app (pthreads: mutex, condvar, barrier rounds; issue 8)
	# whose threads all stop with their core; each frozen and thawed 10
	# times; the module times request -> core parked.
	[ -x /apps/crunch.musl ] && freeze_rounds freeze_ns /apps/crunch.musl 1000000
	[ -x /apps/pthreads.musl ] && freeze_rounds freeze4_ns /apps/pthreads.musl 4 2000000000
	"$COKCTL" destroy "$EID" >/dev/null
else
	echo "BENCH_SKIP apps: fwq/hello or cokctl launch not in the image" >&3
fi
uptime_s() { cut -d' ' -f1 /proc/uptime; }

# --- forwarded I/O (issue 7) -------------------------------------------
# busybox sha256sum (a static binary nobody here wrote) of a 20 MiB file:
# on Linux, and in the enclave, where every read goes through the proxy.
# Best of 3 each, interleaved; "BENCH fwdio linux_s=S cokernel_s=S".
FWD_MIB=${COK_FWD_MIB:-20}
if [ -x /bin/busybox ] && create_enclave --cpus 1 --mem 64M; then
	yes 'forwarded I/O through the proxy, 0123456789abcdef' | head -c $((FWD_MIB << 20)) >/tmp/fwd.dat
	best_l= best_c=
	for round in 1 2 3; do
		t0=$(uptime_s)
		/bin/busybox sha256sum /tmp/fwd.dat >"$T_TMP/fwd.linux"
		t1=$(uptime_s)
		"$COKCTL" launch /bin/busybox sha256sum /tmp/fwd.dat >"$T_TMP/fwd.cok" 3>&-
		t2=$(uptime_s)
		cmp -s "$T_TMP/fwd.linux" "$T_TMP/fwd.cok" ||
			{ echo "BENCH_APP_ERROR fwdio: the enclave's sha256sum differs from Linux's" >&3; break; }
		best_l=$(awk -v a="$t0" -v b="$t1" -v m="$best_l" 'BEGIN { d = b - a; print (m == "" || d < m) ? d : m }')
		best_c=$(awk -v a="$t1" -v b="$t2" -v m="$best_c" 'BEGIN { d = b - a; print (m == "" || d < m) ? d : m }')
	done
	echo "BENCH fwdio mib=$FWD_MIB linux_s=$best_l cokernel_s=$best_c" >&3
	rm -f /tmp/fwd.dat
	"$COKCTL" destroy "$EID" >/dev/null
fi
# --- threads (issue 8) -------------------------------------------------
# A 2-core enclave, and the two Linux CPUs left beside it (CPU 0 and the
# other one not taken), used in turn, the enclave idle while Linux runs:
#  - omp_compute (OpenMP, libgomp picks its thread count: no
#    OMP_NUM_THREADS), with cokctl launch --cores 2 and with taskset on
#    the two Linux CPUs, interleaved; the same output is required.  One
#    "BENCH omp linux_s= cokernel_s= linux_loop_s= cokernel_loop_s=" line
#    per round: wall times on Linux's clock, and the parallel loop's own
#    (omp_get_wtime, in the app);
#  - futex_pingpong, its two threads pinned on the two Linux CPUs, and in
#    the enclave, where clone puts the second thread on the other core.
#    Every wake-up of a thread asleep on the other core is an IPI there,
#    so both cores' interrupt counters (status -j) grow by about the
#    round trips.  One "BENCH futex rounds= SIDE_ns= SIDE_mean_ns=
#    SIDE_sleeps=A,B (SIDE linux, cokernel) irqs=A,B" line per round:
#    the app's median and mean ns per round trip (over batches of 50),
#    its waits that slept, and each enclave core's interrupts meanwhile.
OMPAPP=/apps/omp_compute.glibc
OMP_ARGS="${COK_OMP_N:-400} ${COK_OMP_ROUNDS:-1000000}"
PINGPONG=/apps/futex_pingpong.musl
PP_ROUNDS=${COK_PP_ROUNDS:-2000}
unset OMP_NUM_THREADS
# loop_s ERR: the loop time omp_compute printed on standard error.
loop_s() { sed -n 's/^omp_compute: parallel loop \([0-9.]*\) s$/\1/p' "$1"; }
# rtt SIDE OUT: "SIDE_ns=MEDIAN SIDE_mean_ns=MEAN SIDE_sleeps=A,B" of a run.
rtt() {
	sed -n "s/^rtt_ns median \([0-9]*\) mean \([0-9]*\) batches [0-9]* sleeps \([0-9]*\) \([0-9]*\)\$/$1_ns=\1 $1_mean_ns=\2 $1_sleeps=\3,\4/p" "$2"
}
# enclave_irqs: "CPU=interrupts ..." of the enclave's cores, from status.
enclave_irqs() {
	status_read "$T_TMP/th.flat" || return 1
	for _c in $ECPUS; do
		printf '%s=%s ' "$_c" "$(core_get "$T_TMP/th.flat" "$EID" "$_c" interrupts)"
	done
}
irq_growth() {	# BEFORE AFTER: "A,B", each core's interrupts taken meanwhile
	awk -v a="$1" -v b="$2" 'BEGIN {
		n = split(a, x, " "); split(b, y, " ")
		for (i = 1; i <= n; i++) { split(x[i], p, "="); split(y[i], q, "="); o = o (i > 1 ? "," : "") q[2] - p[2] }
		print o }'
}
thread_figures() {
	status_read "$T_TMP/th.flat" || { echo "BENCH_APP_ERROR threads: $STATUS_ERR" >&3; return; }
	ECPUS=$(enc_cpus "$T_TMP/th.flat" "$EID" | tr '\n' ' ')
	LCPUS=
	for _c in 0 1 2 3 4 5 6 7; do
		[ "$(cpu_online $_c)" = 1 ] && LCPUS="$LCPUS $_c"
	done
	set -- $LCPUS
	[ $# -ge 2 ] || { echo "BENCH_SKIP threads: fewer than two Linux CPUs beside the enclave" >&3; return; }
	LA=$1 LB=$2
	echo "BENCH threads enclave_cpus=$(echo $ECPUS | tr ' ' ,) linux_cpus=$LA,$LB" >&3
	for round in 1 2 3 4 5; do
		t0=$(uptime_s)
		taskset -c "$LA,$LB" $OMPAPP $OMP_ARGS >"$T_TMP/omp.linux" 2>"$T_TMP/omp.lerr"
		t1=$(uptime_s)
		"$COKCTL" launch --cores 2 -- $OMPAPP $OMP_ARGS >"$T_TMP/omp.cok" 2>"$T_TMP/omp.cerr" 3>&-
		t2=$(uptime_s)
		if ! cmp -s "$T_TMP/omp.linux" "$T_TMP/omp.cok" || ! grep -q ' threads 2$' "$T_TMP/omp.cok"; then
			echo "BENCH_APP_ERROR omp: enclave '$(head -c 120 "$T_TMP/omp.cok")' $(head -c 120 "$T_TMP/omp.cerr"), Linux '$(head -c 120 "$T_TMP/omp.linux")' (want the same, threads 2)" >&3
			return
		fi
		echo "BENCH omp linux_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" \
		     "cokernel_s=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.2f", b - a }')" \
		     "linux_loop_s=$(loop_s "$T_TMP/omp.lerr") cokernel_loop_s=$(loop_s "$T_TMP/omp.cerr")" >&3
	done
	for round in 1 2 3 4 5; do
		taskset -c "$LA,$LB" $PINGPONG "$PP_ROUNDS" "$LA" "$LB" >"$T_TMP/pp.linux" 2>&1
		i0=$(enclave_irqs)
		"$COKCTL" launch --cores 2 -- $PINGPONG "$PP_ROUNDS" >"$T_TMP/pp.cok" 2>&1 3>&-
		i1=$(enclave_irqs)
		want="futex_pingpong $PP_ROUNDS round trips, B saw $PP_ROUNDS, turn 0"
		if [ "$(head -n 1 "$T_TMP/pp.cok")" != "$want" ] || [ "$(head -n 1 "$T_TMP/pp.linux")" != "$want" ]; then
			echo "BENCH_APP_ERROR futex_pingpong: enclave '$(head -c 120 "$T_TMP/pp.cok")', Linux '$(head -c 120 "$T_TMP/pp.linux")'" >&3
			return
		fi
		echo "BENCH futex rounds=$PP_ROUNDS $(rtt linux "$T_TMP/pp.linux") $(rtt cokernel "$T_TMP/pp.cok")" \
		     "irqs=$(irq_growth "$i0" "$i1")" >&3
	done
}
if [ -x "$OMPAPP" ] && [ -x "$PINGPONG" ] && create_enclave --cpus 2 --mem 128M; then
	thread_figures
	# Freeze latency of a 4-thread app on both cores: the home core
	# parks the other one before it answers.
	[ -x /apps/pthreads.musl ] &&
		freeze_rounds freeze4x2_ns --cores 2 -- /apps/pthreads.musl 4 2000000000
	"$COKCTL" destroy "$EID" >/dev/null
else
	echo "BENCH_SKIP threads: $OMPAPP/$PINGPONG not in the image or no 2-core enclave: $CREATE_ERR" >&3
fi
# --- signals (issue 9) --------------------------------------------------
# siglat: a Linux process sends SIGUSR1 SIGLAT_N times to a waiter in
# sigsuspend() and reads back the time its handler ran: on Linux (the
# waiter on another CPU) and in a 1-core enclave (sent to cokctl launch,
# which passes it on).  One "BENCH siglat linux_ns= cokernel_ns=" line
# per round, the medians of each run.
SIGLAT=/apps/siglat.musl
SIGLAT_N=${COK_SIGLAT_N:-200}
siglat_run() {	# OUT CMD...: the waiter CMD, the sender's median into OUT
	rm -f "$T_TMP/sl.fifo"
	mkfifo "$T_TMP/sl.fifo"
	"$@" >"$T_TMP/sl.fifo" 2>/dev/null 3>&- &
	_w=$!
	"$SIGLAT" send "$_w" "$SIGLAT_N" <"$T_TMP/sl.fifo" >"$1.out"
	wait "$_w"
	sed -n 's/^siglat median_ns \([0-9]*\) .*/\1/p' "$1.out"
}
if [ -x "$SIGLAT" ] && create_enclave --cpus 1 --mem 64M; then
	for round in 1 2 3; do
		l=$(siglat_run "$T_TMP/sl.l" taskset -c 0 "$SIGLAT" wait "$SIGLAT_N")
		c=$(siglat_run "$T_TMP/sl.c" "$COKCTL" launch -- "$SIGLAT" wait "$SIGLAT_N")
		if [ -z "$l" ] || [ -z "$c" ]; then
			echo "BENCH_APP_ERROR siglat: Linux '$l' enclave '$c'" >&3
			break
		fi
		echo "BENCH siglat linux_ns=$l cokernel_ns=$c" >&3
	done
	"$COKCTL" destroy "$EID" >/dev/null
else
	echo "BENCH_SKIP siglat: $SIGLAT not in the image or no enclave: $CREATE_ERR" >&3
fi
# --- dump and restore (issue 4) ----------------------------------------
# memhog fills DUMP_MIB MiB and computes; dumped with --kill (figures
# from dump -j), restored (time from restore -v).  Baseline: dd writing
# the same number of bytes to the same filesystem (/tmp, tmpfs).
DUMP_MIB=${COK_DUMP_MIB:-256}
MEMHOG=/apps/memhog.musl
if [ -x "$MEMHOG" ] && create_enclave --cpus 1 --mem $((DUMP_MIB + 128))M; then
	IMG=/tmp/bench.img
	# Two rounds of each: the first touches guest memory QEMU has not
	# backed yet (tmpfs pages, enclave chunks); the host keeps the best.
	for round in 1 2; do
		"$COKCTL" launch "$MEMHOG" "$DUMP_MIB" 5 >"$T_TMP/mh.out" 2>&1 3>&- &
		P=$!
		k=0
		while ! grep -q filled "$T_TMP/mh.out" && [ $k -lt 600 ]; do
			usleep 100000
			k=$((k + 1))
		done
		ID=$("$COKCTL" ps -j | json_flatten | sed -n 's/^apps\.0\.id=//p')
		J=$("$COKCTL" dump "$ID" -o "$IMG" --kill -j 2>"$T_TMP/dump.err")
		wait "$P" 2>/dev/null
		bytes=$(echo "$J" | sed -n 's/.*"bytes":\([0-9]*\).*/\1/p')
		dns=$(echo "$J" | sed -n 's/.*"dump_ns":\([0-9]*\).*/\1/p')
		if [ -z "$bytes" ] || [ -z "$dns" ]; then
			echo "BENCH_APP_ERROR dump: $(head -c 200 "$T_TMP/dump.err")" >&3
			break
		fi
		echo "BENCH dump bytes=$bytes dump_ns=$dns" >&3
		"$COKCTL" restore -v "$IMG" >"$T_TMP/rest.out" 2>"$T_TMP/rest.err" 3>&-
		rms=$(sed -n 's/.* in \([0-9.]*\) ms:.*/\1/p' "$T_TMP/rest.err" | head -n 1)
		echo "BENCH restore ms=${rms:-0}" >&3
		rm -f "$IMG"
		mib=$(( (bytes + 1048575) / 1048576 ))
		t0=$(uptime_s)
		dd if=/dev/zero of=/tmp/dd.img bs=1M count=$mib 2>/dev/null
		t1=$(uptime_s)
		rm -f /tmp/dd.img
		echo "BENCH dd bytes=$((mib * 1048576)) s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" >&3
	done
	"$COKCTL" destroy "$EID" >/dev/null
	# CRIU on Linux: the same program, checkpointed and restored.
	if command -v criu >/dev/null 2>&1; then
		ifconfig lo 127.0.0.1 up 2>/dev/null	# CRIU's kernel probes
		for round in 1 2; do
			rm -rf /tmp/criu /tmp/criu.out
			mkdir -p /tmp/criu
			setsid "$MEMHOG" "$DUMP_MIB" 1000000 >/tmp/criu.out 2>&1 </dev/null 3>&- &
			CP=$!
			k=0
			while ! grep -q filled /tmp/criu.out && [ $k -lt 600 ]; do
				usleep 100000
				k=$((k + 1))
			done
			t0=$(uptime_s)
			criu dump -t "$CP" -D /tmp/criu -j -o dump.log >/dev/null 2>&1 3>&-
			crc=$?
			t1=$(uptime_s)
			if [ $crc != 0 ]; then
				kill -9 "$CP" 2>/dev/null
				echo "BENCH_SKIP criu: dump failed: $(tail -n 1 /tmp/criu/dump.log 2>/dev/null)" >&3
				break
			fi
			t2=$(uptime_s)
			criu restore -D /tmp/criu -j -d -o restore.log >/dev/null 2>&1 3>&-
			rrc=$?
			t3=$(uptime_s)
			kill -9 "$CP" 2>/dev/null
			echo "BENCH criu dump_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') restore_s=$(awk -v a="$t2" -v b="$t3" 'BEGIN { printf "%.2f", b - a }') restore_rc=$rrc" >&3
		done
		rm -rf /tmp/criu
	else
		echo "BENCH_SKIP criu: not in the image" >&3
	fi
fi
rmmod ckpt_cokernel
exit 0
