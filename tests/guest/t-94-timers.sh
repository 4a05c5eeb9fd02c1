# SPDX-License-Identifier: GPL-2.0
# Timers and CPU time in the co-kernel (issue 9, part 4): tests/apps/
# timers.c (musl, glibc) against a Linux run of the same binary pinned
# to one Linux CPU of the same guest: output byte-identical, same exit
# status.
#  - clock_getres of every clock (CPU clocks and libc's CPU clock ids
#    included), CPU time of a busy loop (> 0, <= wall time) from
#    CLOCK_PROCESS/THREAD_CPUTIME_ID, getrusage (SELF, THREAD, CHILDREN)
#    and times(), a second thread's CPU time in the process's, kept
#    once it exited; clock_nanosleep relative and TIMER_ABSTIME on
#    CLOCK_MONOTONIC and CLOCK_REALTIME (slept at least that long), past
#    deadlines, on the process's CPU clock, bad arguments
#  - setitimer/getitimer (REAL, VIRTUAL, PROF: time left <= the time
#    set, intervals exact), alarm's rounded seconds left, timer_create/
#    settime/gettime/getoverrun/delete (SIGEV_NONE, relative, absolute,
#    periodic, expired), their errors
#  - a timer's signal with no handler takes its default action: alarm in
#    a busy loop and in a sleep (142), SIGEV_SIGNAL SIGUSR1 (138),
#    SIGEV_THREAD_ID SIGUSR2 (140), ITIMER_VIRTUAL (154), ITIMER_PROF
#    (155); a periodic SIGCHLD (ignored by default) changes nothing
#  - with handlers: 5 SIGALRM of a 20 ms ITIMER_REAL counted (pause),
#    a 5 s nanosleep ended by alarm(1) (EINTR, the time left), a
#    SIGEV_THREAD_ID timer's handler in its thread, a POSIX timer's
#    siginfo (SI_TIMER, si_timerid, sigev_value), ITIMER_VIRTUAL ticks
#  - a computing app with no timer takes no ring-3 interrupt; with a
#    10 ms periodic timer armed, it does (the one-shot APIC timer is
#    armed only while a timer is queued)
# timeout: 600
. /tests/lib.sh
t_require timers module cokctl
ensure_module || { t_begin module; t_fail "$MODULE_ERR"; exit 0; }

# same NAME EXPECTED_RC CMD...: Linux (taskset -c $LCPU) vs enclave.
same() {
	_name=$1 _want=$2
	shift 2
	t_begin "$_name"
	taskset -c "$LCPU" "$@" >"$T_TMP/l.out" 2>"$T_TMP/l.err"
	_lrc=$?
	"$COKCTL" launch -- "$@" >"$T_TMP/c.out" 2>"$T_TMP/c.err" 3>&-
	_crc=$?
	if [ "$_lrc" != "$_want" ]; then
		t_fail "Linux run exit $_lrc, expected $_want: $(head -c 200 "$T_TMP/l.err")"
	elif [ "$_crc" != "$_lrc" ]; then
		t_fail "enclave exit $_crc, Linux $_lrc: $(head -c 200 "$T_TMP/c.err")"
	elif ! lowres_ok; then
		t_fail "$LOWRES_WHY"
	elif ! cmp -s "$T_TMP/l.out" "$T_TMP/c.out"; then
		t_fail "output differs: $(diff "$T_TMP/l.out" "$T_TMP/c.out" | head -n 6 | tr '\n' '|')"
	else
		t_pass
	fi
}

# lowres_ok: a Linux without high-resolution timers (the debug lane's
# kernel) gives its clocks a resolution of a tick (getres 0: 4 ms) where
# the co-kernel, which serves time from the TSC, gives 1 ns.  Then the
# getres lines are compared apart: the enclave's must say 1 ns for
# CLOCK_REALTIME, and the rest of both outputs is compared as it is.
lowres_ok() {
	LOWRES_WHY=
	grep -q '^getres 0: 0 errno 0 res 1$' "$T_TMP/l.out" && return 0
	grep -q '^getres 0: ' "$T_TMP/l.out" || return 0
	grep -q '^getres 0: 0 errno 0 res 1$' "$T_TMP/c.out" ||
		{ LOWRES_WHY="the enclave's CLOCK_REALTIME resolution is not 1 ns: $(grep '^getres 0: ' "$T_TMP/c.out")"; return 1; }
	t_info "Linux here has no high-resolution timers: getres lines compared apart"
	grep -v '^getres ' "$T_TMP/l.out" >"$T_TMP/l.tmp" && mv "$T_TMP/l.tmp" "$T_TMP/l.out"
	grep -v '^getres ' "$T_TMP/c.out" >"$T_TMP/c.tmp" && mv "$T_TMP/c.tmp" "$T_TMP/c.out"
}

# irqs CMD...: the ring-3 interrupts `cokctl launch -v` reports for CMD.
irqs() {
	"$COKCTL" launch -v -- "$@" >"$T_TMP/v.out" 2>"$T_TMP/v.err" 3>&-
	IRQ_RC=$?
	IRQS=$(sed -n 's/.*ring-3 interrupts \([0-9]*\).*/\1/p' "$T_TMP/v.err")
}

create_enclave --cpus 1 --mem 128M || { t_begin create; t_fail "$CREATE_ERR"; exit 0; }
LCPU=$(online_cpus | tr ',-' '\n\n' | head -n 1)
for libc in musl glibc; do
	A=/apps/timers.$libc
	same "timers.$libc: clocks, CPU time, sleeps, itimers, POSIX timers" 0 $A
	same "timers.$libc: alarm in a busy loop, no handler" 142 $A alarm
	t_begin "timers.$libc: cokctl reports SIGALRM"
	if grep -q 'killed: SIGALRM' "$T_TMP/c.err"; then
		t_pass
	else
		t_fail "no 'killed: SIGALRM' in: $(head -c 200 "$T_TMP/c.err")"
	fi
	same "timers.$libc: alarm in a sleep" 142 $A alarm-sleep
	same "timers.$libc: SIGEV_SIGNAL SIGUSR1" 138 $A posix
	same "timers.$libc: SIGEV_THREAD_ID SIGUSR2" 140 $A thread-id
	same "timers.$libc: ITIMER_VIRTUAL" 154 $A virtual
	same "timers.$libc: ITIMER_PROF" 155 $A prof
	same "timers.$libc: a periodic SIGCHLD is ignored" 0 $A ignored
	same "timers.$libc: with handlers: ticks, EINTR, SIGEV_THREAD_ID, siginfo" 0 $A handled
done

t_begin "computing with no timer: no ring-3 interrupt"
irqs /apps/timers.musl spin 2
if [ "$IRQ_RC" != 0 ] || [ -z "$IRQS" ]; then
	t_fail "exit $IRQ_RC, no interrupt count: $(head -c 200 "$T_TMP/v.err")"
elif [ "$IRQS" != 0 ]; then
	t_fail "$IRQS ring-3 interrupts with no timer armed"
else
	t_pass
fi

# 2 s of a 10 ms period: up to 200 expiries, most of them in ring 3
# (fewer on a loaded host: periods missed while the vCPU did not run
# are one expiry, its overrun).
t_begin "computing with a 10 ms periodic timer: its interrupts"
irqs /apps/timers.musl spin-timer 2
if [ "$IRQ_RC" != 0 ] || [ -z "$IRQS" ]; then
	t_fail "exit $IRQ_RC, no interrupt count: $(head -c 200 "$T_TMP/v.err")"
elif [ "$IRQS" -lt 20 ]; then
	t_fail "only $IRQS ring-3 interrupts with a 10 ms timer for 2 s"
else
	t_info "$IRQS ring-3 interrupts in 2 s"
	t_pass
fi
destroy_case destroy
