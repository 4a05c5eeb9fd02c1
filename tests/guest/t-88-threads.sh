# SPDX-License-Identifier: GPL-2.0
# Multi-threaded apps on one co-kernel core (issue 8, step 3 of
# docs/threads.md) and on two (step 4, `launch --cores 2`), each against
# a Linux run of the same binary pinned to as many Linux CPUs of the same
# guest (taskset), so that nproc and omp_get_max_threads() agree (1 or
# 2): output byte-identical, same exit status.  One core:
#  - pthreads (musl, glibc) with 1, 2 and 8 threads (oversubscribed)
#  - OpenMP (glibc/libgomp) with the default (1) and 4 threads
#  - futex_time: futex ops, EAGAIN/EINVAL, relative and absolute
#    timeouts (monotonic, realtime), bitsets, requeue, wake_op; a sleep
#    and sched_yield let the other threads run
#  - thread_fault: a fault in a thread ends the process, 128 + SIGSEGV
#  - tgkill (musl, glibc): pthread_kill(other, 0), tgkill/tkill with
#    signal 0, bogus tids, wrong thread group, bad ids and signals give
#    Linux's answers; abort() (tgkill SIGABRT) ends the process with
#    128 + SIGABRT, and cokctl names the signal
#  - one computing thread takes no timer interrupt in ring 3; four do
#    (the slice timer)
#  - freeze/thaw of a 4-thread app whose threads are in a forwarded read
#    and futex waits: nothing runs while frozen, all go on after, output
#    as on Linux; its dump is refused with the reason and it runs on; a
#    frozen 4-thread computing app is killed, its memory comes back and
#    the enclave serves the next launch
#  - thread_io (musl, glibc): one thread blocked reading stdin (a fifo)
#    while the others compute and print: the blocked thread gives the
#    core up (its call waits in its own mailbox) and the proxy's second
#    server serves the others' writes; output as on Linux
# Two cores (--cores 2, the enclave has two):
#  - pthreads (musl, glibc) with 2 and 8 threads, OpenMP with the default
#    (2), 2 and 8 threads, thread_io
#  - affinity (musl, glibc): sched_setaffinity/getaffinity of the caller
#    and of other threads (spinning, blocked), errors as Linux's, a
#    thread pinned to each CPU; two threads pinned to CPU 0, then 1,
#    make that core (only) take timer interrupts (cokctl status)
#  - nproc (musl, glibc): sched_getaffinity and sysconf count 2 (glibc's
#    reads /sys/devices/system/cpu/online: the proxy answers "0-1"); 1
#    with one core
#  - thread_fault: the faulting thread runs on the second core; the
#    process ends with 128 + SIGSEGV and the next 2-core launch works
#  - tlb_stale (musl, glibc): a thread on the second core reads a page
#    the first unmaps: its next read after munmap returned faults (139)
#  - futex_pingpong (musl, glibc): two threads hand a futex word back and
#    forth, the count as on Linux; each core's interrupt counter grows by
#    at least half the waits that slept (each ended by a wake from the
#    other core, a RESCHED IPI): clone put them on two cores
#  - thread_fault exit (musl, glibc): exit() in the second thread ends
#    the process with its status
#  - freeze/thaw of thread_io on both cores (as on one); mtcrunch 4
#    computing on both cores frozen and thawed twice: nothing printed
#    while frozen, the uninterrupted output; dumped mid-run on both
#    cores, killed, restored on two cores and on one: the same
#  - OpenMP with 2 threads on 2 cores takes no more ring-3 interrupts
#    than its fork and join's wakes; mtcrunch 8 on both cores: the home core
#    takes slice interrupts; once the threads exited and the main one
#    computes alone, none
#  - at the end, the 2-core dump restored in a new 1-core enclave
#  - a 4-thread app holds both cores (a 1-core launch is refused) and
#    freezes; a kill of it frozen frees both (a 2-core launch works) and
#    the enclave memory; a kill of four busy threads ends them (143)
# timeout: 900
. /tests/lib.sh
t_require threads module cokctl
ensure_module || { t_begin module; t_fail "$MODULE_ERR"; exit 0; }

# same NAME EXPECTED_RC CMD...: Linux (taskset -c $LSET) vs enclave
# (launch --cores $NCORES), output and rc.
same() {
	_name=$1 _want=$2
	shift 2
	t_begin "$_name"
	taskset -c "$LSET" "$@" >"$T_TMP/l.out" 2>"$T_TMP/l.err"
	_lrc=$?
	"$COKCTL" launch --cores "$NCORES" -- "$@" >"$T_TMP/c.out" 2>"$T_TMP/c.err" 3>&-
	_crc=$?
	if [ "$_lrc" != "$_want" ]; then
		t_fail "Linux run exit $_lrc, expected $_want: $(head -c 200 "$T_TMP/l.err")"
	elif [ "$_crc" != "$_lrc" ]; then
		t_fail "enclave exit $_crc, Linux $_lrc: $(head -c 200 "$T_TMP/c.err")"
	elif ! cmp -s "$T_TMP/l.out" "$T_TMP/c.out"; then
		t_fail "output differs: $(diff "$T_TMP/l.out" "$T_TMP/c.out" | head -n 4 | tr '\n' '|')"
	else
		t_pass
	fi
}

# irqs [LAUNCH OPTIONS] -- CMD...: the ring-3 interrupts `cokctl launch
# -v` reports for CMD.
irqs() {
	"$COKCTL" launch -v "$@" >"$T_TMP/v.out" 2>"$T_TMP/v.err" 3>&-
	IRQ_RC=$?
	IRQS=$(sed -n 's/.*ring-3 interrupts \([0-9]*\).*/\1/p' "$T_TMP/v.err")
}

# first_cpus N: the first N online Linux CPUs, as taskset -c takes them.
first_cpus() {
	online_cpus | tr ',' '\n' | while IFS=- read -r _a _b; do
		_c=$_a
		while [ "$_c" -le "${_b:-$_a}" ]; do
			echo "$_c"
			_c=$((_c + 1))
		done
	done | head -n "$1" | tr '\n' ',' | sed 's/,$//'
}

create_enclave --cpus 2 --mem 256M || { t_begin create; t_fail "$CREATE_ERR"; exit 0; }
LCPU=$(first_cpus 1)	# the first Linux CPU left
LCPU2=$(first_cpus 2)
LSET=$LCPU NCORES=1
for libc in musl glibc; do
	for n in 1 2 8; do
		same "pthreads.$libc x$n" 0 /apps/pthreads.$libc $n 2000
	done
done
for libc in musl glibc; do
	same "futex_time.$libc" 0 /apps/futex_time.$libc
done
same "omp default threads (1)" 0 /apps/omp.glibc
OMP_NUM_THREADS=1 same "omp x1" 0 /apps/omp.glibc
OMP_NUM_THREADS=4 same "omp x4" 0 /apps/omp.glibc
same "thread_fault" 139 /apps/thread_fault.glibc
for libc in musl glibc; do
	same "tgkill.$libc" 134 /apps/tgkill.$libc
	t_begin "tgkill.$libc: cokctl reports SIGABRT"
	if grep -q 'killed: SIGABRT' "$T_TMP/c.err"; then
		t_pass
	else
		t_fail "no 'killed: SIGABRT' in: $(head -c 200 "$T_TMP/c.err")"
	fi
done

# Long enough for slices (10 ms) to end while four threads compute.
BIG=4194304
t_begin "one thread: no timer interrupt in ring 3"
OMP_NUM_THREADS=1 irqs -- /apps/omp.glibc $BIG
if [ "$IRQ_RC" != 0 ] || [ -z "$IRQS" ]; then
	t_fail "exit $IRQ_RC, no interrupt count: $(head -c 200 "$T_TMP/v.err")"
elif [ "$IRQS" != 0 ]; then
	t_fail "$IRQS ring-3 interrupts with one thread"
else
	t_pass
fi

t_begin "four computing threads: the slice timer interrupts them"
OMP_NUM_THREADS=4 irqs -- /apps/omp.glibc $BIG
if [ "$IRQ_RC" != 0 ] || [ -z "$IRQS" ]; then
	t_fail "exit $IRQ_RC, no interrupt count: $(head -c 200 "$T_TMP/v.err")"
elif [ "$IRQS" -lt 1 ]; then
	"$COKCTL" console "$EID" | tail -n 8 | while read -r l; do t_info "console: $l"; done
	t_fail "no ring-3 interrupt with four threads on one core: $(tail -n 1 "$T_TMP/v.err")"
else
	t_info "$IRQS ring-3 interrupts; $("$COKCTL" console "$EID" | grep 'timer:' | tail -n 1)"
	t_pass
fi

# io_run OUT CMD...: thread_io 3 fed "a", then, once its 3 worker lines
# are out (which needs the read of "b" not to hold up the others), "b"
# and EOF.  IO_RC: its exit status.
io_run() {
	_out=$1
	shift
	rm -f "$T_TMP/io.in"
	mkfifo "$T_TMP/io.in"
	# There before the wait below looks: the background shell opens it
	# only once the fifo's open for reading returned.
	: >"$_out"
	"$@" <"$T_TMP/io.in" >"$_out" 2>"$_out.err" 3>&- &
	_p=$!
	exec 6>"$T_TMP/io.in"
	echo a >&6
	_w=0
	while [ "$(grep -c '^worker' "$_out")" -lt 3 ] && [ $_w -lt 150 ]; do
		usleep 100000
		_w=$((_w + 1))
	done
	echo b >&6
	exec 6>&-
	wait "$_p"
	IO_RC=$?
}
for libc in musl glibc; do
	t_begin "thread_io.$libc: a thread blocked in a forwarded read, the others print"
	io_run "$T_TMP/io.l" taskset -c "$LCPU" /apps/thread_io.$libc 3
	_lrc=$IO_RC
	io_run "$T_TMP/io.c" "$COKCTL" launch -- /apps/thread_io.$libc 3
	if [ "$_lrc" != 0 ]; then
		t_fail "Linux run exit $_lrc: $(head -c 200 "$T_TMP/io.l.err")"
	elif [ "$IO_RC" != 0 ]; then
		t_fail "enclave exit $IO_RC: $(head -c 200 "$T_TMP/io.c.err")"
	elif ! cmp -s "$T_TMP/io.l" "$T_TMP/io.c"; then
		t_fail "output differs: $(diff "$T_TMP/io.l" "$T_TMP/io.c" | head -n 6 | tr '\n' '|')"
	else
		t_pass
	fi
done

# restored_as_linux IMG LIN OUT [RESTORE OPTIONS]: restore IMG (its
# stdout to OUT.res); the launcher's output OUT and the restore's
# together must be LIN, the Linux run's.  Else false, with the reason
# in RESTORE_WHY.
restored_as_linux() {
	_img=$1 _lin=$2 _out=$3
	shift 3
	RESTORE_WHY=
	"$COKCTL" restore "$@" "$_img" >"$_out.res" 2>"$_out.rerr" 3>&-
	_rrc=$?
	if [ "$_rrc" != 0 ]; then
		RESTORE_WHY="restore exit $_rrc: $(head -c 300 "$_out.rerr")"
		return 1
	fi
	cat "$_out" "$_out.res" >"$_out.all"
	cmp -s "$_lin" "$_out.all" && return 0
	RESTORE_WHY="output differs from Linux's: $(diff "$_lin" "$_out.all" | head -n 6 | tr '\n' '|')"
	return 1
}

# thread_io 3 ALONE: the reader's blocked read holds one server while
# the workers print, so the proxy grows a pool; once "b" and EOF are in,
# every call is answered and the main thread computes alone.  Dumped
# then (--kill) and restored: the dump leaves the pool's device files
# out (they are the proxy's, fdinfo says whose), and the output, the
# launcher's and the restore's together, is the Linux run's.
t_begin "dump of an app whose proxy grew a pool of servers: restored, the uninterrupted result"
case_dump_pool() {
	io_run "$T_TMP/pl.lin" taskset -c "$LCPU" /apps/thread_io.musl 3 2500
	[ "$IO_RC" = 0 ] || { t_fail "the Linux run exited $IO_RC"; return; }
	rm -f "$T_TMP/pl.in"
	mkfifo "$T_TMP/pl.in"
	: >"$T_TMP/pl.out"
	_before=$(app_ids | tr '\n' ' ')
	"$COKCTL" launch -- /apps/thread_io.musl 3 2500 <"$T_TMP/pl.in" \
		>"$T_TMP/pl.out" 2>"$T_TMP/pl.err" 3>&- &
	P=$!
	exec 6>"$T_TMP/pl.in"
	echo a >&6
	new_app_id "$_before" || { exec 6>&-; wait "$P"; t_fail "the app did not appear in cokctl ps"; return; }
	wait_for 15 grep -q '^worker 2' "$T_TMP/pl.out"
	echo b >&6
	exec 6>&-
	wait_for 15 grep -q '^lines' "$T_TMP/pl.out"
	_pp=$(app_field "$ID" pid)
	_ndev=0
	for _l in /proc/"$_pp"/fd/*; do
		[ "$(readlink "$_l")" = /dev/ckpt_cokernel ] && _ndev=$((_ndev + 1))
	done
	run "$COKCTL" dump "$ID" -o "$T_TMP/pl.img" --kill
	wait "$P"
	[ "$RC" = 0 ] || { t_fail "dump: exit $RC: $ERR"; return; }
	[ "$_ndev" -ge 2 ] || { t_fail "the proxy (pid $_pp) held $_ndev device file(s): no pool, nothing tested"; return; }
	grep -q '^alone' "$T_TMP/pl.out" && { t_fail "dumped after its end: make ALONE longer"; return; }
	t_info "the proxy held $_ndev device files"
	restored_as_linux "$T_TMP/pl.img" "$T_TMP/pl.lin" "$T_TMP/pl.out" </dev/null ||
		{ t_fail "$RESTORE_WHY"; return; }
	t_pass
}
case_dump_pool

mem_free() {	# the enclave's free memory in bytes
	status_read "$T_TMP/st.flat" && enc_get "$T_TMP/st.flat" "$EID" mem_free_bytes
}

# io_app_start [LAUNCH OPTIONS]: thread_io.musl 3 launched in the
# background reading the fifo $T_TMP/in, whose writing end is fd 7 here;
# P is the launcher, ID the app (false if none appeared), _free0 the
# enclave's free memory before.  Returns once its threads are blocked
# (the reader in its forwarded read, the workers in futex waits).
io_app_start() {
	rm -f "$T_TMP/in"
	mkfifo "$T_TMP/in"
	_free0=$(mem_free)
	_before=$(app_ids | tr '\n' ' ')
	: >"$T_TMP/io.out"
	"$COKCTL" launch "$@" -- /apps/thread_io.musl 3 <"$T_TMP/in" \
		>"$T_TMP/io.out" 2>"$T_TMP/io.err" 3>&- &
	P=$!
	exec 7>"$T_TMP/in"
	new_app_id "$_before" || return 1
	usleep 500000
}

# thread_io 3 with nothing on its input: the reader blocked in its
# forwarded read, the workers (done computing) in a futex wait, so the
# core halts.  Frozen, the app must not take the "a" fed meanwhile;
# thawed, it goes on and ends as on Linux.  A dump is refused (images
# hold one thread) and leaves it running; a freeze, a kill.
t_begin "freeze and thaw of a 4-thread app (forwarded read, futex waits): all stop, all go on, output as on Linux"
# case_freeze LINUX_CPUS [LAUNCH OPTIONS]
case_freeze() {
	_lset=$1
	shift
	io_app_start "$@" || { t_fail "the app did not appear in cokctl ps"; return; }
	run "$COKCTL" freeze "$ID"
	[ "$RC" = 0 ] || { t_fail "freeze: exit $RC: $ERR"; return; }
	_state=$(app_state_of "$ID")
	[ "$_state" = frozen ] || { t_fail "after the freeze the app is '$_state'"; return; }
	echo a >&7
	usleep 700000
	if grep -q . "$T_TMP/io.out"; then
		t_fail "the frozen app wrote: $(head -c 100 "$T_TMP/io.out")"; return
	fi
	run "$COKCTL" thaw "$ID"
	[ "$RC" = 0 ] || { t_fail "thaw: exit $RC: $ERR"; return; }
	_w=0
	while [ "$(grep -c '^worker' "$T_TMP/io.out")" -lt 3 ] && [ $_w -lt 100 ]; do
		usleep 100000
		_w=$((_w + 1))
	done
	run "$COKCTL" dump "$ID" -o "$T_TMP/img"
	_drc=$RC _derr=$ERR
	_state=$(app_state_of "$ID")
	echo b >&7
	exec 7>&-
	wait "$P"
	_rc=$?
	case "$_derr" in
	*"forwarded call its proxy has not answered"*) ;;
	*) t_fail "dump: exit $_drc, not refused with the reason: $_derr"; return ;;
	esac
	[ ! -s "$T_TMP/img" ] || { t_fail "dump wrote an image"; return; }
	[ "$_state" = running ] ||
		{ t_fail "after the refused dump the app is '$_state'"; return; }
	[ "$_rc" = 0 ] || { t_fail "the thawed app exited $_rc: $(head -c 200 "$T_TMP/io.err")"; return; }
	io_run "$T_TMP/io.lin" taskset -c "$_lset" /apps/thread_io.musl 3
	cmp -s "$T_TMP/io.lin" "$T_TMP/io.out" ||
		{ t_fail "output differs from Linux's: $(diff "$T_TMP/io.lin" "$T_TMP/io.out" | head -n 6 | tr '\n' '|')"; return; }
	t_pass
}
case_freeze "$LCPU"

# mtcrunch 4: four threads computing (no system call in their loop), the
# main one in a condition-variable wait printing quarters, dumped mid-run
# with --kill and restored: the output, the launcher's and the restore's
# together, is the uninterrupted Linux run's.  Then a one-thread app's
# image turned by img_edit into what format version 1 was (no thread
# ids) restores as well.
# dump_mid_run NAME USECS PROGRAM ARGS...: launch it (stdout to
# $T_TMP/NAME.out; on DUMP_CORES cores, default 1), dump it USECS later
# with --kill to $T_TMP/NAME.img; t_fail and 1 if that did not work.
dump_mid_run() {
	_name=$1 _us=$2
	shift 2
	_before=$(app_ids | tr '\n' ' ')
	"$COKCTL" launch --cores "${DUMP_CORES:-1}" -- "$@" \
		>"$T_TMP/$_name.out" 2>"$T_TMP/$_name.err" 3>&- &
	P=$!
	new_app_id "$_before" || { t_fail "the app did not appear in cokctl ps"; return 1; }
	usleep "$_us"
	run "$COKCTL" dump "$ID" -o "$T_TMP/$_name.img" --kill
	wait "$P"
	[ "$RC" = 0 ] || { t_fail "dump: exit $RC: $ERR"; return 1; }
}
MT_ROUNDS=${COK_MT_ROUNDS:-600}
# mt_linux_run: mtcrunch 4 on Linux, once, into $T_TMP/pd.lin.
mt_linux_run() {
	[ -s "$T_TMP/pd.lin" ] && return 0
	_t0=$(cut -d' ' -f1 /proc/uptime)
	taskset -c "$LCPU" /apps/mtcrunch.musl 4 "$MT_ROUNDS" >"$T_TMP/pd.lin" 2>&1 ||
		{ t_fail "the Linux run failed: $(head -c 200 "$T_TMP/pd.lin")"; rm -f "$T_TMP/pd.lin"; return 1; }
	t_info "Linux run: $(awk -v a="$_t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { print b - a }') s"
}
t_begin "dump of a 4-thread app mid-run, killed, restored: the uninterrupted result"
# case_dump_threads [RESTORE OPTIONS]: launched on DUMP_CORES cores.
case_dump_threads() {
	mt_linux_run || return
	dump_mid_run pd 500000 /apps/mtcrunch.musl 4 "$MT_ROUNDS" || return
	# Mid-run: its first line out, not its last (9 lines in all).
	_n0=$(grep -c . "$T_TMP/pd.out")
	[ "$_n0" -ge 1 ] && [ "$_n0" -lt 9 ] ||
		{ t_fail "dumped with $_n0 of its 9 lines out: not mid-run"; return; }
	cp "$T_TMP/pd.out" "$T_TMP/pd.at_dump"	# for a restore elsewhere
	run "$COKCTL" image info "$T_TMP/pd.img"
	_nt=$(printf '%s\n' "$OUT" | sed -n 's/^threads *\([0-9]*\)$/\1/p')
	[ "${_nt:-0}" = 5 ] || { t_fail "image info lists ${_nt:-no} threads, not 5: $(printf '%s' "$OUT" | head -c 300)"; return; }
	t_info "dumped after $_n0 of 9 lines"
	# Its stdout was a file: the restored app writes on at its offset.
	restored_as_linux "$T_TMP/pd.img" "$T_TMP/pd.lin" "$T_TMP/pd.out" "$@" ||
		{ t_fail "$RESTORE_WHY"; return; }
	t_pass
}
case_dump_threads

t_begin "a version 1 image (one thread, no ids) still restores"
case_v1_image() {
	[ -x /apps/img_edit.glibc ] || { t_fail "img_edit not in the image"; return; }
	dump_mid_run p1 300000 /apps/crunch.musl 3000 || return
	/apps/img_edit.glibc v1 "$T_TMP/p1.img" "$T_TMP/p1v1.img" ||
		{ t_fail "img_edit v1 failed"; return; }
	run "$COKCTL" image info "$T_TMP/p1v1.img"
	case $OUT in
	*"image version 1"*) ;;
	*) t_fail "not a version 1 image: $(printf '%s' "$OUT" | head -n 1)"; return ;;
	esac
	taskset -c "$LCPU" /apps/crunch.musl 3000 >"$T_TMP/p1.lin" 2>&1
	restored_as_linux "$T_TMP/p1v1.img" "$T_TMP/p1.lin" "$T_TMP/p1.out" ||
		{ t_fail "$RESTORE_WHY"; return; }
	t_pass
}
case_v1_image

# killed_ok: `cokctl kill $ID` answered _krc (_kerr), the app's launch
# exited _rc; the app must be gone and the enclave's free memory back at
# _free0.  Else false, with the reason in KILL_WHY.
killed_ok() {
	KILL_WHY=
	if [ "$_krc" != 0 ]; then
		KILL_WHY="kill: exit $_krc: $_kerr"
	elif [ "$_rc" = 0 ]; then
		KILL_WHY="the killed app's launch exited 0"
	elif [ "$(app_ids | grep -cx "$ID")" != 0 ]; then
		KILL_WHY="app $ID still listed after kill"
	fi
	[ -z "$KILL_WHY" ] || return 1
	_w=0	# (enc_get uses _i)
	while [ "$(mem_free)" != "$_free0" ] && [ $_w -lt 20 ]; do
		usleep 100000
		_w=$((_w + 1))
	done
	[ "$(mem_free)" = "$_free0" ] && return 0
	KILL_WHY="enclave memory free $(mem_free) after the kill, $_free0 before the launch"
	return 1
}

t_begin "freeze of a 4-thread app: kill ends it and frees its memory"
case_kill_frozen() {
	_free0=$(mem_free)
	_before=$(app_ids | tr '\n' ' ')
	"$COKCTL" launch -- /apps/pthreads.musl 4 200000000 >/dev/null 2>&1 3>&- &
	P=$!
	new_app_id "$_before" || { t_fail "the app did not appear in cokctl ps"; return; }
	usleep 300000		# computing
	run "$COKCTL" freeze "$ID"
	[ "$RC" = 0 ] || { t_fail "freeze of computing threads: exit $RC: $ERR"; return; }
	run "$COKCTL" kill "$ID"
	[ "$RC" = 0 ] || { t_fail "kill: exit $RC: $ERR"; return; }
	wait "$P"
	_rc=$?
	_krc=0
	killed_ok || { t_fail "$KILL_WHY"; return; }
	t_pass
}
case_kill_frozen
same "the next launch after the kill" 0 /apps/pthreads.musl 2 100

# Two cores from here.
LSET=$LCPU2 NCORES=2
t_begin "two Linux CPUs for the comparison"
case $LCPU2 in
*,*) t_pass ;;
*) t_fail "only '$LCPU2' online besides the enclave" ;;
esac
for libc in musl glibc; do
	for n in 2 8; do
		same "2 cores: pthreads.$libc x$n" 0 /apps/pthreads.$libc $n 2000
	done
done
same "2 cores: omp default threads (2)" 0 /apps/omp.glibc
t_begin "2 cores: omp_get_max_threads() is 2"
if grep -qx 'omp_get_max_threads 2' "$T_TMP/c.out"; then
	t_pass
else
	t_fail "enclave run printed: $(tail -n 1 "$T_TMP/c.out")"
fi
OMP_NUM_THREADS=2 same "2 cores: omp x2" 0 /apps/omp.glibc
OMP_NUM_THREADS=8 same "2 cores: omp x8" 0 /apps/omp.glibc
# glibc's sysconf reads /sys/devices/system/cpu/online, which the proxy
# answers with the app's cores; Linux's file here lists its two CPUs left.
for libc in musl glibc; do
	same "2 cores: nproc.$libc (affinity, sysconf)" 0 /apps/nproc.$libc sysconf
	t_begin "2 cores: nproc.$libc counts 2"
	if [ "$(tr '\n' ' ' <"$T_TMP/c.out")" = "affinity 2 sysconf 2 " ]; then
		t_pass
	else
		t_fail "enclave run printed: $(head -c 100 "$T_TMP/c.out" | tr '\n' ' ')"
	fi
done
# sched_setaffinity / getaffinity of the caller and of other threads
# (spinning, blocked), errors, inheritance, each CPU computing.
for libc in musl glibc; do
	same "2 cores: affinity.$libc (set, get, errors, moves)" 0 /apps/affinity.$libc
done
t_begin "2 cores: affinity moved threads to both CPUs"
if grep -q '^  spinning thread: started {0,1}, ended {1},' "$T_TMP/c.out" &&
	grep -qx '  main: {1}' "$T_TMP/c.out"; then
	t_pass
else
	t_fail "enclave run printed: $(grep -e spinning -e 'main:' "$T_TMP/c.out" | head -n 4 | tr '\n' '|')"
fi
# Two threads pinned to CPU I time-slice its core: that core takes the
# timer interrupts, the other (idle, or running nothing) next to none.
case_busy_core() {
	_i=$1
	set -- $(enc_cpus "$T_TMP/st.flat" "$EID")
	[ $# = 2 ] || { t_fail "enclave CPUs: '$*'"; return; }
	_cpu_busy=$(eval echo "\${$((_i + 1))}")
	_cpu_idle=$(eval echo "\${$((2 - _i))}")
	"$COKCTL" launch --cores 2 -- /apps/affinity.musl busy "$_i" 8 \
		>"$T_TMP/busy.out" 2>"$T_TMP/busy.err" 3>&- &
	_p=$!
	_n=0	# both threads run from "busy start" on
	while ! grep -q 'busy start' "$T_TMP/busy.out" && [ $_n -lt 100 ]; do
		usleep 100000
		_n=$((_n + 1))
	done
	status_read "$T_TMP/b0.flat" || { wait "$_p"; t_fail "$STATUS_ERR"; return; }
	sleep 3
	status_read "$T_TMP/b1.flat" || { wait "$_p"; t_fail "$STATUS_ERR"; return; }
	wait "$_p"
	_rc=$?
	_b=$(( $(core_get "$T_TMP/b1.flat" "$EID" "$_cpu_busy" interrupts) - \
	       $(core_get "$T_TMP/b0.flat" "$EID" "$_cpu_busy" interrupts) ))
	_o=$(( $(core_get "$T_TMP/b1.flat" "$EID" "$_cpu_idle" interrupts) - \
	       $(core_get "$T_TMP/b0.flat" "$EID" "$_cpu_idle" interrupts) ))
	t_info "CPU index $_i: 3 s of interrupts: cpu$_cpu_busy $_b, cpu$_cpu_idle $_o; $(grep 'busy threads' "$T_TMP/busy.err")"
	if [ "$_rc" != 0 ] || [ "$(tr '\n' ' ' <"$T_TMP/busy.out")" != "busy start busy done " ]; then
		t_fail "exit $_rc: $(head -c 200 "$T_TMP/busy.out" "$T_TMP/busy.err" | tr '\n' ' ')"
	elif [ "$_b" -lt 30 ] || [ $((_o * 2 + 10)) -gt "$_b" ]; then
		t_fail "interrupts in 3 s: pinned core (cpu$_cpu_busy) $_b, other (cpu$_cpu_idle) $_o"
	else
		t_pass
	fi
}
status_read "$T_TMP/st.flat" || t_info "status: $STATUS_ERR"
for _i in 0 1; do
	t_begin "2 cores: two threads pinned to CPU $_i time-slice that core only"
	case_busy_core "$_i"
done
# The main thread moved to CPU 1 leaves the home core on its stand-in
# (nothing to run): a freeze stops every core, a thaw lets all go on.
t_begin "2 cores: freeze and thaw with the main thread moved off the home core"
case_freeze_moved() {
	_before=$(app_ids | tr '\n' ' ')
	"$COKCTL" launch --cores 2 -- /apps/affinity.musl busy 1 6 \
		>"$T_TMP/fm.out" 2>"$T_TMP/fm.err" 3>&- &
	_p=$!
	new_app_id "$_before" || { wait "$_p"; t_fail "the app did not appear in cokctl ps"; return; }
	_n=0
	while ! grep -q 'busy start' "$T_TMP/fm.out" && [ $_n -lt 100 ]; do
		usleep 100000
		_n=$((_n + 1))
	done
	run "$COKCTL" freeze "$ID"
	_frc=$RC _ferr=$ERR
	_state=$(app_state_of "$ID")
	usleep 500000
	run "$COKCTL" thaw "$ID"
	_trc=$RC _terr=$ERR
	wait "$_p"
	_rc=$?
	if [ "$_frc" != 0 ] || [ "$_state" != frozen ]; then
		t_fail "freeze: exit $_frc, state '$_state': $_ferr"
	elif [ "$_trc" != 0 ]; then
		t_fail "thaw: exit $_trc: $_terr"
	elif [ "$_rc" != 0 ] || [ "$(tr '\n' ' ' <"$T_TMP/fm.out")" != "busy start busy done " ]; then
		t_fail "exit $_rc: $(head -c 200 "$T_TMP/fm.out" "$T_TMP/fm.err" | tr '\n' ' ')"
	else
		t_pass
	fi
}
case_freeze_moved
t_begin "2 cores: affinity busy with a CPU it does not have: a clear error"
run "$COKCTL" launch --cores 2 -- /apps/affinity.musl busy 2 1
if [ "$RC" = 2 ] && echo "$ERR" | grep -q 'no CPU index 2'; then
	t_pass
else
	t_fail "exit $RC: $ERR"
fi

# (Linux on one CPU says sysconf 2: glibc counts online CPUs, not ours.)
t_begin "1 core: nproc.glibc counts 1 (affinity, sysconf)"
run "$COKCTL" launch -- /apps/nproc.glibc sysconf
if [ "$RC" = 0 ] && [ "$(echo "$OUT" | tr '\n' ' ')" = "affinity 1 sysconf 1 " ]; then
	t_pass
else
	t_fail "exit $RC, printed: $(echo "$OUT" | head -c 100 | tr '\n' ' ') $ERR"
fi

same "2 cores: thread_fault" 139 /apps/thread_fault.glibc
t_begin "2 cores: the faulting thread ran on the second core"
_line=$("$COKCTL" console "$EID" | grep 'vector 14 at rip' | tail -n 1)
case $_line in
*"core 1: app "*) t_pass ;;
*) t_fail "last fault line: '$_line'" ;;
esac
same "2 cores: the next launch after the fault" 0 /apps/pthreads.musl 8 200
for libc in musl glibc; do
	same "2 cores: thread_fault.$libc exit (exit_group on the second core)" 7 \
		/apps/thread_fault.$libc exit
done
# munmap on one core, a read of the page on the other after it returned.
for libc in musl glibc; do
	same "2 cores: tlb_stale.$libc (no stale TLB entry after munmap)" 139 \
		/apps/tlb_stale.$libc
done

# Two threads hand a futex word back and forth: the count line as on
# Linux (its threads pinned on the two Linux CPUs), exit 0, and the
# second thread ran on the other core: a wake of a thread asleep on
# another core is an IPI there, so each core's interrupt counter grows
# by at least half the round trips (on one core it would not move).
PP_ROUNDS=400
core_irqs() {	# FILE: the enclave cores' interrupt counters, one a line
	status_read "$T_TMP/pp.flat" || return 1
	for _c in $(enc_cpus "$T_TMP/pp.flat" "$EID"); do
		core_get "$T_TMP/pp.flat" "$EID" "$_c" interrupts
	done >"$1"
}
pingpong_case() {	# LIBC
	t_begin "2 cores: futex_pingpong.$1 (its two threads on two cores)"
	taskset -c "$LCPU2" /apps/futex_pingpong.$1 $PP_ROUNDS "${LCPU2%,*}" "${LCPU2#*,}" \
		>"$T_TMP/pp.l" 2>&1
	_lrc=$?
	core_irqs "$T_TMP/pp.i0" || { t_fail "$STATUS_ERR"; return; }
	"$COKCTL" launch --cores 2 -- /apps/futex_pingpong.$1 $PP_ROUNDS >"$T_TMP/pp.c" 2>&1 3>&-
	_crc=$?
	core_irqs "$T_TMP/pp.i1" || { t_fail "$STATUS_ERR"; return; }
	_grew=$(awk 'NR == FNR { a[FNR] = $1; next }
		{ d = $1 - a[FNR]; if (FNR == 1 || d < m) m = d; n++ }
		END { print n == 2 ? m : -1 }' "$T_TMP/pp.i0" "$T_TMP/pp.i1")
	# A wait that slept on one core ends by a wake from the other: an
	# IPI there.  The fewer of the two threads' sleeps, at least.
	_sleeps=$(sed -n 's/.* sleeps \([0-9]*\) \([0-9]*\)$/\1 \2/p' "$T_TMP/pp.c" |
		awk '{ print $1 < $2 ? $1 : $2 }')
	_sleeps=${_sleeps:-0}
	if [ "$_lrc" != 0 ] || [ "$_crc" != 0 ]; then
		t_fail "exit: Linux $_lrc, enclave $_crc: $(head -c 200 "$T_TMP/pp.c")"
	elif [ "$(head -n 1 "$T_TMP/pp.c")" != "$(head -n 1 "$T_TMP/pp.l")" ]; then
		t_fail "enclave '$(head -n 1 "$T_TMP/pp.c")', Linux '$(head -n 1 "$T_TMP/pp.l")'"
	elif [ "$_grew" -lt $((_sleeps / 2)) ] || [ "$_sleeps" -lt 20 ]; then
		t_fail "a core took $_grew interrupts for $_sleeps waits that slept (of $PP_ROUNDS round trips): both threads on one core? ($(tr '\n' ' ' <"$T_TMP/pp.i0")-> $(tr '\n' ' ' <"$T_TMP/pp.i1"))"
	else
		t_info "$(tail -n 1 "$T_TMP/pp.c"); each core took >= $_grew interrupts"
		t_pass
	fi
}
for libc in musl glibc; do
	pingpong_case $libc
done

t_begin "2 cores: thread_io.musl (a thread blocked in a read)"
io_run "$T_TMP/io.l" taskset -c "$LCPU2" /apps/thread_io.musl 3
_lrc=$IO_RC
io_run "$T_TMP/io.c" "$COKCTL" launch --cores 2 -- /apps/thread_io.musl 3
if [ "$_lrc" != 0 ] || [ "$IO_RC" != 0 ]; then
	t_fail "exit: Linux $_lrc, enclave $IO_RC: $(head -c 200 "$T_TMP/io.c.err")"
elif ! cmp -s "$T_TMP/io.l" "$T_TMP/io.c"; then
	t_fail "output differs: $(diff "$T_TMP/io.l" "$T_TMP/io.c" | head -n 6 | tr '\n' '|')"
else
	t_pass
fi

t_begin "2 cores: freeze and thaw of a 4-thread app (forwarded read, futex waits) on both cores"
case_freeze "$LCPU2" --cores 2

# mtcrunch 4 computing on both cores, frozen twice mid-run: nothing is
# printed while it is frozen, and it ends as the uninterrupted run;
# freeze -j gives the co-kernel's part of the latency, within it.
# thaw_wait: thaw $ID, wait for $P.
thaw_wait() { "$COKCTL" thaw "$ID" >/dev/null 2>&1; wait "$P"; }
t_begin "2 cores: a computing 4-thread app frozen and thawed mid-run: the uninterrupted result"
case_freeze_compute2() {
	mt_linux_run || return
	_before=$(app_ids | tr '\n' ' ')
	"$COKCTL" launch --cores 2 -- /apps/mtcrunch.musl 4 "$MT_ROUNDS" \
		>"$T_TMP/fc.out" 2>"$T_TMP/fc.err" 3>&- &
	P=$!
	new_app_id "$_before" || { t_fail "the app did not appear in cokctl ps"; return; }
	for _round in 1 2; do
		usleep 400000
		run "$COKCTL" freeze -j "$ID"
		[ "$RC" = 0 ] || { t_fail "freeze $_round: exit $RC: $ERR"; kill "$P"; wait "$P"; return; }
		_state=$(app_state_of "$ID")
		_lat=$(echo "$OUT" | sed -n 's/.*"latency_ns":\([0-9]*\).*/\1/p')
		_cns=$(echo "$OUT" | sed -n 's/.*"cokernel_ns":\([0-9]*\).*/\1/p')
		[ -n "$_lat" ] && [ -n "$_cns" ] && [ "$_cns" -gt 0 ] && [ "$_cns" -le "$_lat" ] ||
			{ t_fail "freeze -j: '$OUT': the co-kernel's part not in (0, latency]"; thaw_wait; return; }
		t_info "freeze $_round: $_lat ns, $_cns ns of it in the co-kernel"
		_n0=$(wc -c <"$T_TMP/fc.out")
		usleep 800000
		_n1=$(wc -c <"$T_TMP/fc.out")
		run "$COKCTL" thaw "$ID"
		[ "$RC" = 0 ] || { t_fail "thaw $_round: exit $RC: $ERR"; kill "$P"; wait "$P"; return; }
		[ "$_state" = frozen ] || { t_fail "after freeze $_round the app is '$_state'"; wait "$P"; return; }
		[ "$_n0" = "$_n1" ] || { t_fail "the frozen app wrote ($_n0 then $_n1 bytes)"; wait "$P"; return; }
	done
	wait "$P"
	_rc=$?
	[ "$_rc" = 0 ] || { t_fail "the thawed app exited $_rc: $(head -c 200 "$T_TMP/fc.err")"; return; }
	cmp -s "$T_TMP/pd.lin" "$T_TMP/fc.out" ||
		{ t_fail "output differs from Linux's: $(diff "$T_TMP/pd.lin" "$T_TMP/fc.out" | head -n 6 | tr '\n' '|')"; return; }
	t_pass
}
case_freeze_compute2

# Dumped mid-run on two cores; restored on two, and on one (its four
# threads then share it).
t_begin "2 cores: dump of a 4-thread app mid-run on both cores, restored on two cores: the uninterrupted result"
DUMP_CORES=2 case_dump_threads --cores 2
t_begin "2 cores: a dump of a 4-thread app on both cores restored on one core: the uninterrupted result"
DUMP_CORES=2 case_dump_threads
t_begin "restore --cores 3 in a 2-core enclave: refused with the reason, nothing left behind"
case_restore_too_many() {
	_before=$(app_ids | tr '\n' ' ')
	run "$COKCTL" restore --cores 3 "$T_TMP/pd.img"
	[ "$RC" = 1 ] || { t_fail "exit $RC, want 1: $ERR"; return; }
	case $ERR in
	*"3 cores wanted; the enclave has 2"*) ;;
	*) t_fail "not the reason: $ERR"; return ;;
	esac
	[ "$(app_ids | tr '\n' ' ')" = "$_before" ] || { t_fail "apps before '$_before', after '$(app_ids | tr '\n' ' ')'"; return; }
	run "$COKCTL" restore --cores 0 "$T_TMP/pd.img"
	[ "$RC" = 2 ] || { t_fail "--cores 0: exit $RC, want 2 (usage): $ERR"; return; }
	t_pass
}
case_restore_too_many

# A 4-thread app (thread_io's reader waits on a fifo) on both cores.
t_begin "2 cores: a 4-thread app holds both cores and freezes; kill frees them and its memory"
case_kill2() {
	io_app_start --cores 2 ||
		{ t_fail "the app did not appear in cokctl ps"; exec 7>&-; return; }
	run "$COKCTL" launch -- /apps/hello.musl
	_hrc=$RC _herr=$ERR
	_n=$(app_ids | grep -cx "$ID")
	run "$COKCTL" freeze "$ID"
	_frc=$RC _ferr=$ERR
	_state=$(app_state_of "$ID")
	run "$COKCTL" kill "$ID"
	_krc=$RC _kerr=$ERR
	exec 7>&-
	wait "$P"
	_rc=$?
	[ "$_n" = 1 ] || { t_fail "cokctl ps lists app $ID $_n times"; return; }
	[ "$_hrc" != 0 ] || { t_fail "a 1-core launch ran while both cores were the app's"; return; }
	[ "$_frc" = 0 ] && [ "$_state" = frozen ] ||
		{ t_fail "freeze exit $_frc ($_ferr), the app '$_state' after it"; return; }
	killed_ok || { t_fail "$KILL_WHY"; return; }
	t_info "1-core launch meanwhile: $_herr"
	t_pass
}
case_kill2

# One computing thread per core (OpenMP, 2 threads on 2 cores) takes no
# slice timer: the ring-3 interrupts are the few wakes of its fork and
# join (RESCHED IPIs).  (That 4 threads a core take slices is the next
# case's first half.)
t_begin "2 cores: two computing threads, one per core, take no more than their fork and join's wakes in ring 3"
case_irqs2() {
	OMP_NUM_THREADS=2 irqs --cores 2 -- /apps/omp.glibc $BIG
	[ "$IRQ_RC" = 0 ] && [ -n "$IRQS" ] ||
		{ t_fail "exit $IRQ_RC, no interrupt count: $(head -c 200 "$T_TMP/v.err")"; return; }
	t_info "ring-3 interrupts with 2 threads on 2 cores: $IRQS"
	[ "$IRQS" -le 4 ] || { t_fail "$IRQS ring-3 interrupts with one thread per core"; return; }
	t_pass
}
case_irqs2

# 8 threads on 2 cores (4 x N) take the slice timer; once they exited
# and the main thread computes alone, its core takes no interrupt at all
# but the doorbell of each status read's ping (the home core: in ring 3,
# so the watchdog does not ring it either).
t_begin "2 cores: 8 computing threads take timer interrupts; alone, the main thread's core takes none"
case_timer_stops() {
	taskset -c "$LCPU2" /apps/mtcrunch.musl 8 100 3000 >"$T_TMP/ts.lin" 2>&1 ||
		{ t_fail "the Linux run failed: $(head -c 200 "$T_TMP/ts.lin")"; return; }
	status_read "$T_TMP/ts0.flat"
	_before=$(app_ids | tr '\n' ' ')
	"$COKCTL" launch --cores 2 -- /apps/mtcrunch.musl 8 100 3000 \
		>"$T_TMP/ts.out" 2>"$T_TMP/ts.err" 3>&- &
	P=$!
	new_app_id "$_before" || { t_fail "the app did not appear in cokctl ps"; return; }
	_cpu=$(app_field "$ID" cpu)
	wait_for 15 grep -q 'rounds alone' "$T_TMP/ts.out"
	usleep 1000000		# the write's answer is in, under load too
	status_read "$T_TMP/ts1.flat"
	status_read "$T_TMP/ts1b.flat"
	usleep 1500000
	status_read "$T_TMP/ts2.flat"
	_alone=$(grep -c '^alone' "$T_TMP/ts.out")
	wait "$P"
	_rc=$?
	_i0=$(core_get "$T_TMP/ts0.flat" "$EID" "$_cpu" interrupts)
	_i1=$(core_get "$T_TMP/ts1.flat" "$EID" "$_cpu" interrupts)
	_i1b=$(core_get "$T_TMP/ts1b.flat" "$EID" "$_cpu" interrupts)
	_i2=$(core_get "$T_TMP/ts2.flat" "$EID" "$_cpu" interrupts)
	[ "$_rc" = 0 ] || { t_fail "exit $_rc: $(head -c 200 "$T_TMP/ts.err")"; return; }
	cmp -s "$T_TMP/ts.lin" "$T_TMP/ts.out" ||
		{ t_fail "output differs from Linux's: $(diff "$T_TMP/ts.lin" "$T_TMP/ts.out" | head -n 4 | tr '\n' '|')"; return; }
	[ "$_alone" = 0 ] || { t_fail "the lone phase ended within the 1.5 s window: make it longer"; return; }
	# Each status read pings the core (a doorbell): count that one.
	t_info "core of CPU $_cpu: interrupts $_i0 before, $_i1 and $_i1b when alone, $_i2 1.5 s later"
	[ -n "$_i0" ] && [ "$_i1" -gt "$((_i0 + 10))" ] ||
		{ t_fail "8 threads on 2 cores: the home core's interrupts went from '$_i0' to '$_i1' only"; return; }
	[ "$((_i1b - _i1))" -le 1 ] ||
		{ t_fail "one status read cost the core $((_i1b - _i1)) interrupts"; return; }
	[ "$((_i2 - _i1b))" = "$((_i1b - _i1))" ] ||
		{ t_fail "computing alone, the home core took $((_i2 - _i1b)) interrupts in 1.5 s (a status read costs $((_i1b - _i1)))"; return; }
	t_pass
}
case_timer_stops

# Four threads that would work for hours on both cores (in futex waits,
# queued and computing): a kill ends them all, the launch exits 143.
t_begin "2 cores: kill of a busy 4-thread app"
case_kill_busy() {
	_before=$(app_ids | tr '\n' ' ')
	"$COKCTL" launch --cores 2 -- /apps/pthreads.musl 4 1000000000 \
		>/dev/null 2>"$T_TMP/busy.err" 3>&- &
	P=$!
	new_app_id "$_before" || { kill "$P"; wait "$P"; t_fail "the app did not appear in cokctl ps"; return; }
	usleep 500000
	run "$COKCTL" kill "$ID"
	wait "$P"
	_rc=$?
	[ "$RC" = 0 ] || { t_fail "kill: exit $RC: $ERR"; return; }
	[ "$_rc" = 143 ] || { t_fail "the app's launch exited $_rc, want 143: $(head -c 200 "$T_TMP/busy.err")"; return; }
	[ "$(app_ids | grep -cx "$ID")" = 0 ] || { t_fail "app $ID still listed"; return; }
	t_pass
}
case_kill_busy
same "2 cores: the next launch after the kill" 0 /apps/pthreads.glibc 8 200
destroy_case destroy

# The last 2-core dump of mtcrunch 4 mid-run ($T_TMP/pd.img) restored in
# another enclave, of one core.  Its stdout file is put back as it was
# at the dump, so only this restore can complete it.
t_begin "a 2-core dump restored in another enclave of one core: the uninterrupted result"
case_restore_elsewhere() {
	[ -s "$T_TMP/pd.img" ] || { t_fail "no image of the 2-core dump"; return; }
	create_enclave --cpus 1 --mem 128M || { t_fail "$CREATE_ERR"; return; }
	cp "$T_TMP/pd.at_dump" "$T_TMP/pd.out"
	restored_as_linux "$T_TMP/pd.img" "$T_TMP/pd.lin" "$T_TMP/pd.out" </dev/null ||
		{ t_fail "$RESTORE_WHY"; return; }
	t_pass
}
case_restore_elsewhere
destroy_case "destroy the 1-core enclave"
