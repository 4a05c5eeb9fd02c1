# SPDX-License-Identifier: GPL-2.0
# Signals inside an app (issue 9, step 2 of docs/signals.md), each run
# against a Linux run of the same binary in this guest, output
# byte-identical and the same exit status:
#  - signals (musl, glibc): handlers with siginfo (kill, tgkill, sigqueue
#    codes and values), masks and pending sets, a standard signal pending
#    once and a real-time one queued thrice, the order handlers run in,
#    SA_RESETHAND / SA_NODEFER, SIG_IGN and default-ignored signals,
#    errors (ESRCH, EINVAL), the alternate stack, FPU state across a
#    handler, SIGSEGV / SIGFPE / SIGILL caught with their si_code and
#    si_addr and left with siglongjmp, sigtimedwait (EAGAIN, a pending
#    signal, one sent by another thread), sigsuspend and nanosleep
#    interrupted by a signal from another thread (EINTR, time left);
#    once on one core, once (glibc) on two
#  - "signals term": SIGTERM's default action ends it with 143;
#    "signals abort": abort() with 134
#  - busybox sh: a trap runs on kill -USR1 $$, an EXIT trap, an ignored
#    signal, builtins, and kill -TERM $$ ends it with 143, as on Linux
#  - an app with a handler, one with an alarm armed and one holding a
#    connected socket is frozen: its dump is refused with the reason
#    (images do not hold signal and timer state yet; a socket cannot be
#    reopened), and thawed it runs on to the end as on Linux
# Signals from Linux (step 3), to the `cokctl launch` process:
#  - kill -USR1 twice and `cokctl kill -s USR1` once: the app's handler
#    runs three times ("usr1 total 3", as the same kills give on Linux)
#  - kill -TERM with no handler: the app ends, cokctl exits 143
#  - kill -TSTP (what a terminal's Ctrl-Z sends): the app is frozen and
#    cokctl stopped (state T); kill -CONT (fg): it runs on and ends with
#    the output of an uninterrupted run
#  - to a frozen app: SIGUSR1 (a handler) waits for the thaw, then runs
#    once; SIGTERM (default action) ends it at once, cokctl exits 143
# timeout: 600
. /tests/lib.sh
t_require signals module cokctl
ensure_module || { t_begin module; t_fail "$MODULE_ERR"; exit 0; }

# same NAME EXPECTED_RC LAUNCH_OPTIONS -- CMD...: Linux vs enclave.
same() {
	_name=$1 _want=$2
	shift 2
	_opts=
	while [ "$1" != -- ]; do _opts="$_opts $1"; shift; done
	shift
	t_begin "$_name"
	"$@" >"$T_TMP/l.out" 2>"$T_TMP/l.err"
	_lrc=$?
	# shellcheck disable=SC2086
	"$COKCTL" launch $_opts -- "$@" >"$T_TMP/c.out" 2>"$T_TMP/c.err" 3>&-
	_crc=$?
	if [ "$_lrc" != "$_want" ]; then
		t_fail "Linux run exit $_lrc, expected $_want: $(head -c 200 "$T_TMP/l.err")"
	elif [ "$_crc" != "$_lrc" ]; then
		t_fail "enclave exit $_crc, Linux $_lrc: $(head -c 300 "$T_TMP/c.err"); last output: $(tail -n 2 "$T_TMP/c.out" | tr '\n' '|'); console: $("$COKCTL" console 2>&1 | tail -n 6 | tr '\n' '|')"
	elif ! cmp -s "$T_TMP/l.out" "$T_TMP/c.out"; then
		t_fail "output differs (- Linux, + enclave): $(diff -u "$T_TMP/l.out" "$T_TMP/c.out" | grep '^[-+][^-+]' | head -n 6 | tr '\n' '|')"
	else
		t_pass
	fi
}

create_enclave --cpus 2 --mem 256M || { t_begin create; t_fail "$CREATE_ERR"; exit 0; }
for libc in musl glibc; do
	same "signals.$libc" 0 --cores 1 -- /apps/signals.$libc
	same "signals.$libc term: SIGTERM's default action" 143 --cores 1 -- /apps/signals.$libc term
	same "signals.$libc abort" 134 --cores 1 -- /apps/signals.$libc abort
done
same "signals.glibc on two cores" 0 --cores 2 -- /apps/signals.glibc
# Debian's busybox: a shell's traps, kill of itself, builtins.
BB_TRAP='trap "echo got USR1" USR1; trap "echo exit trap" EXIT; kill -USR1 $$; echo after; trap - USR1; trap "" USR2; kill -USR2 $$; i=0; while [ $i -lt 3 ]; do i=$((i + 1)); echo "i=$i"; done; kill -TERM $$; echo not reached'
[ -x /bin/busybox ] &&
	same "busybox sh: traps, kill of itself, builtins" 143 --cores 1 -- /bin/busybox sh -c "$BB_TRAP"

t_begin "an app with a handler: dump refused with the reason, the app runs on"
# case_dump_refused MODE REASON: signals MODE 12 frozen, its dump refused
# naming REASON; thawed, it ends as on Linux.
case_dump_refused() {
	_before=$(app_ids | tr '\n' ' ')
	"$COKCTL" launch -- /apps/signals.musl "$1" 12 >"$T_TMP/lp.out" \
		2>"$T_TMP/lp.err" 3>&- &
	_p=$!
	new_app_id "$_before" || { t_fail "the app did not appear in cokctl ps"; return; }
	wait_for 10 grep -q '^tick 2' "$T_TMP/lp.out"
	run "$COKCTL" freeze "$ID"
	[ "$RC" = 0 ] || { t_fail "freeze: exit $RC: $ERR"; return; }
	run "$COKCTL" dump "$ID" -o "$T_TMP/sig.img"
	_drc=$RC _derr=$ERR
	_state=$(app_state_of "$ID")
	run "$COKCTL" thaw "$ID"
	wait "$_p"
	_rc=$?
	case "$_derr" in
	*"$2"*) ;;
	*) t_fail "dump: exit $_drc, not refused with the reason ($2): $_derr"; return ;;
	esac
	[ "$_drc" != 0 ] || { t_fail "dump exited 0"; return; }
	[ ! -s "$T_TMP/sig.img" ] || { t_fail "the refused dump wrote an image"; return; }
	[ "$_state" = frozen ] || { t_fail "after the refused dump the app is '$_state'"; return; }
	[ "$_rc" = 0 ] || { t_fail "the thawed app exited $_rc: $(head -c 200 "$T_TMP/lp.err")"; return; }
	/apps/signals.musl "$1" 12 >"$T_TMP/lp.lin"
	cmp -s "$T_TMP/lp.lin" "$T_TMP/lp.out" ||
		{ t_fail "output differs from Linux's: $(diff "$T_TMP/lp.lin" "$T_TMP/lp.out" | head -n 4 | tr '\n' '|')"; return; }
	t_pass
}
case_dump_refused loop "signal handlers"
t_begin "an app with an alarm armed: dump refused with the reason, the app runs on"
case_dump_refused alarm "armed interval timer"
t_begin "an app holding a connected socket: dump refused naming the fd, the app runs on"
case_dump_refused socket "fd 3"

# loop_start OUT [LAUNCH OPTIONS]: signals.musl loop 30 in the enclave,
# in the background (P its cokctl), until its third line.
loop_start() {
	_out=$1
	shift
	_before=$(app_ids | tr '\n' ' ')
	"$COKCTL" launch "$@" -- /apps/signals.musl loop 30 >"$_out" \
		2>"$_out.err" 3>&- &
	P=$!
	new_app_id "$_before" && wait_for 10 grep -q '^tick 2' "$_out"
}

t_begin "kill -USR1 of cokctl launch (twice) and cokctl kill -s USR1: the handler runs three times, as on Linux"
case_usr1() {
	/apps/signals.musl loop 30 >"$T_TMP/u.lin" &
	_lp=$!
	loop_start "$T_TMP/u.out" || { t_fail "the app did not start"; return; }
	usleep 300000
	kill -USR1 "$_lp" "$P"
	usleep 300000
	kill -USR1 "$_lp" "$P"
	usleep 300000
	kill -USR1 "$_lp"
	run "$COKCTL" kill -s USR1 "$ID"
	_krc=$RC _kerr=$ERR
	wait "$P"
	_rc=$?
	wait "$_lp"
	[ "$_krc" = 0 ] || { t_fail "cokctl kill -s USR1: exit $_krc: $_kerr"; return; }
	[ "$_rc" = 0 ] || { t_fail "cokctl exited $_rc: $(head -c 200 "$T_TMP/u.out.err")"; return; }
	_l=$(tail -n 1 "$T_TMP/u.lin") _c=$(tail -n 1 "$T_TMP/u.out")
	[ "$_l" = "usr1 total 3" ] || { t_fail "Linux run: '$_l'"; return; }
	[ "$_c" = "$_l" ] || { t_fail "enclave: '$_c', Linux: '$_l'"; return; }
	t_pass
}
case_usr1

app_gone() { [ -z "$(app_state_of "$ID")" ]; }
t_begin "kill -TERM of cokctl launch, no handler: the app ends, exit 143"
case_term() {
	loop_start "$T_TMP/t.out" || { t_fail "the app did not start"; return; }
	kill -TERM "$P"
	wait "$P"
	_rc=$?
	[ "$_rc" = 143 ] || { t_fail "exit $_rc, want 143: $(head -c 200 "$T_TMP/t.out.err")"; return; }
	wait_for 5 app_gone ||
		{ t_fail "app $ID still listed after the end"; return; }
	t_pass
}
case_term

t_begin "kill -TSTP (Ctrl-Z): app frozen, cokctl stopped; kill -CONT (fg): it runs on, output uninterrupted"
proc_state() { awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null; }
proxy_stopped() { [ "$(proc_state "$P")" = T ]; }
case_tstp() {
	loop_start "$T_TMP/s.out" || { t_fail "the app did not start"; return; }
	kill -TSTP "$P"
	wait_for 5 proxy_stopped ||
		{ kill -CONT "$P"; wait "$P"; t_fail "cokctl is not stopped (T) but gone with exit $?: $(head -c 300 "$T_TMP/s.out.err"); output: $(tail -n 2 "$T_TMP/s.out" | tr '\n' '|'); dmesg: $(dmesg | tail -n 3 | tr '\n' '|')"; return; }
	_state=$(app_state_of "$ID")
	_n1=$(wc -l <"$T_TMP/s.out")
	usleep 600000
	_n2=$(wc -l <"$T_TMP/s.out")
	kill -CONT "$P"
	wait "$P"
	_rc=$?
	[ "$_state" = frozen ] || { t_fail "the app is '$_state' while cokctl is stopped"; return; }
	[ "$_n1" = "$_n2" ] || { t_fail "the stopped app printed ($_n1 then $_n2 lines)"; return; }
	[ "$_rc" = 0 ] || { t_fail "exit $_rc after fg: $(head -c 200 "$T_TMP/s.out.err")"; return; }
	/apps/signals.musl loop 30 >"$T_TMP/s.lin"
	cmp -s "$T_TMP/s.lin" "$T_TMP/s.out" ||
		{ t_fail "output differs from Linux's: $(diff "$T_TMP/s.lin" "$T_TMP/s.out" | head -n 4 | tr '\n' '|')"; return; }
	t_pass
}
case_tstp

t_begin "frozen app: SIGUSR1 waits for the thaw and runs its handler then; cokctl kill (SIGTERM) ends it, 143"
case_frozen_signals() {
	loop_start "$T_TMP/f.out" || { t_fail "the app did not start"; return; }
	run "$COKCTL" freeze "$ID"
	[ "$RC" = 0 ] || { t_fail "freeze: exit $RC: $ERR"; return; }
	kill -USR1 "$P"
	usleep 400000
	_state=$(app_state_of "$ID")
	run "$COKCTL" thaw "$ID"
	wait "$P"
	_rc=$?
	[ "$_state" = frozen ] || { t_fail "after SIGUSR1 the frozen app is '$_state'"; return; }
	[ "$_rc" = 0 ] || { t_fail "exit $_rc: $(head -c 200 "$T_TMP/f.out.err")"; return; }
	[ "$(tail -n 1 "$T_TMP/f.out")" = "usr1 total 1" ] ||
		{ t_fail "after the thaw: '$(tail -n 1 "$T_TMP/f.out")', want 'usr1 total 1'"; return; }
	loop_start "$T_TMP/g.out" || { t_fail "the second app did not start"; return; }
	run "$COKCTL" freeze "$ID"
	run "$COKCTL" kill "$ID"
	_krc=$RC _kerr=$ERR
	wait "$P"
	_rc=$?
	[ "$_krc" = 0 ] || { t_fail "cokctl kill: exit $_krc: $_kerr"; return; }
	[ "$_rc" = 143 ] || { t_fail "the frozen app's cokctl exited $_rc, want 143: $(head -c 200 "$T_TMP/g.out.err")"; return; }
	wait_for 5 app_gone || { t_fail "app $ID still listed"; return; }
	t_pass
}
case_frozen_signals
destroy_all
