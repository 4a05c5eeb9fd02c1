# SPDX-License-Identifier: GPL-2.0
# The co-kernel never blocks Linux (issue 7, part 9): a sick core stalls
# only its own enclave's users.
#
# The module is loaded with its watchdog off (watchdog_ms=0), so that a
# hung core is never declared dead and every command to it waits for
# its full timeout.  Enclave A's core is hung ("inject hang CPU"); then
# a launch onto it waits (its STAGE timeout, 2 s) for an answer that
# never comes.  While that launch is inside its wait (its launcher in
# state D), a status of the healthy enclave B, a create of enclave C and
# a destroy of C must each take no longer than they take with the core
# hung but no launch waiting on it, plus MARGIN_MS (less than the rest
# of the stall): before part 9 one global mutex was held across the wait
# and each of them waited for the launch to give up.  The launch itself must really have stalled
# (>= STALL_MIN_MS, one-line error), else the test proves nothing.
# Also: a status of A itself answers (its ping times out: core not
# alive), and A is destroyed with its hung core.
# timeout: 600
. /tests/lib.sh
t_require locks module cokctl

INJECT=/sys/kernel/debug/ckpt_cokernel/inject
HELLO=/apps/hello.musl
STALL_MIN_MS=1500	# the STAGE timeout is 2000 ms
MARGIN_MS=1000		# < the stall left once the launch is seen waiting
HUNG_STATUS_MAX_MS=5000
EA= EB= EC=

ms_now() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

# timed CMD...: run CMD (as run does); DT: its wall time in ms.
timed() {
	_t0=$(ms_now)
	run "$@"
	DT=$(($(ms_now) - _t0))
}

# proc_state PID: its state letter (R, S, D, ...), empty if gone.
proc_state() { awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null; }

# stall_begin: a launch onto A's hung core in the background (LPID,
# LT0), returned once it sleeps in the module (state D) waiting for the
# core's answer.
stall_begin() {
	LT0=$(ms_now)
	"$COKCTL" launch --enclave "$EA" "$HELLO" >"$T_TMP/stall.out" 2>"$T_TMP/stall.err" 3>&- &
	LPID=$!
	_n=0
	until [ "$(proc_state $LPID)" = D ]; do
		_n=$((_n + 1))
		[ $_n -le 300 ] || { FAIL_WHY="the launch onto the hung core never waited in the kernel (state '$(proc_state $LPID)')"; return 1; }
		usleep 10000
	done
}

# stall_end: wait for that launch; it must have failed, with one line,
# after at least STALL_MIN_MS.
stall_end() {
	wait $LPID
	_lrc=$?
	LDT=$(($(ms_now) - LT0))
	[ "$_lrc" != 0 ] || { FAIL_WHY="the launch onto the hung core succeeded"; return 1; }
	[ "$(lines "$T_TMP/stall.err")" = 1 ] || { FAIL_WHY="launch onto the hung core: '$(head -c 300 "$T_TMP/stall.err")', want one line"; return 1; }
	[ "$LDT" -ge $STALL_MIN_MS ] || { FAIL_WHY="the launch onto the hung core gave up after $LDT ms: no stall to measure against"; return 1; }
}

# during NAME BASE_MS CMD...: CMD while a launch stalls on A; within
# BASE_MS + MARGIN_MS, and exit 0.
during() {
	_name=$1 _base=$2
	shift 2
	stall_begin || return 1
	timed "$@"
	_rc=$RC _dt=$DT
	# Whatever else happens, an enclave it made is cleaned up at the end.
	[ "$_rc" = 0 ] && [ "$2" = create ] && EC=$(parse_id "$OUT")
	stall_end || return 1
	[ "$_rc" = 0 ] || { FAIL_WHY="$_name during the stall: exit $_rc: $ERR"; return 1; }
	[ "$_dt" -le $((_base + MARGIN_MS)) ] ||
		{ FAIL_WHY="$_name took $_dt ms while a launch waited $LDT ms on another enclave's hung core; $_base ms without it (allowed: $((_base + MARGIN_MS)))"; return 1; }
	t_info "locks: $_name $_dt ms during a $LDT ms stall ($_base ms before)"
}

t_begin locks/setup
case_setup() {
	t_need module cokctl || return
	[ -x "$HELLO" ] || { t_skip "no test apps: ${WHY_APPS:-not built}"; return; }
	destroy_all
	if module_loaded; then
		rmmod ckpt_cokernel 2>"$T_TMP/rmmod.err" || { t_fail "rmmod: $(cat "$T_TMP/rmmod.err")"; return; }
	fi
	insmod "$COK_KO" watchdog_ms=0 2>"$T_TMP/insmod.err" || { t_fail "insmod watchdog_ms=0: $(cat "$T_TMP/insmod.err")"; return; }
	[ "$(cat /sys/module/ckpt_cokernel/parameters/watchdog_ms)" = 0 ] || { t_fail "watchdog_ms is not 0"; return; }
	baseline_save locks
	create_enclave --cpu-list 1 --mem 64M || { t_fail "A: $CREATE_ERR"; return; }
	EA=$EID
	create_enclave --cpu-list 2 --mem 64M || { t_fail "B: $CREATE_ERR"; return; }
	EB=$EID
	wait_enclave_ok "$EA" 1 5 || { t_fail "$ENC_ERR"; return; }
	wait_enclave_ok "$EB" 1 5 || { t_fail "$ENC_ERR"; return; }
	t_pass
}
case_setup

t_begin locks/hang
case_hang() {
	[ -n "$EB" ] || { t_skip "no enclaves (setup failed)"; return; }
	status_read "$T_TMP/a.flat" || { t_fail "$STATUS_ERR"; return; }
	CPUA=$(enc_cpus "$T_TMP/a.flat" "$EA")
	(echo "hang $CPUA" >"$INJECT") 2>"$T_TMP/inj.err" || { t_fail "inject hang $CPUA: $(cat "$T_TMP/inj.err")"; return; }
	# The hung enclave's own status: its ping times out (100 ms); the
	# bound only catches a wait that does not end.
	timed "$COKCTL" status -j "$EA"
	[ "$RC" = 0 ] || { t_fail "status of the hung enclave: exit $RC: $ERR"; return; }
	echo "$OUT" | grep -q "\"cpu\":$CPUA,[^}]*\"alive\":false" || { t_fail "the hung core still answers pings: $(echo "$OUT" | head -c 300)"; return; }
	[ "$DT" -le $HUNG_STATUS_MAX_MS ] || { t_fail "status of the hung enclave took $DT ms (at most $HUNG_STATUS_MAX_MS)"; return; }
	t_info "locks: status of the hung enclave $DT ms"
	HUNG=1
	t_pass
}
case_hang

# With A's core hung (a spinning vCPU slows the whole TCG guest) but no
# command waiting on it: what a status of B, a create and a destroy of C
# take.
t_begin locks/baseline
case_baseline() {
	[ -n "$HUNG" ] || { t_skip "no hung core"; return; }
	timed "$COKCTL" status "$EB"
	[ "$RC" = 0 ] || { t_fail "status $EB: $ERR"; return; }
	BASE_STATUS=$DT
	timed "$COKCTL" create --cpu-list 3 --mem 64M
	[ "$RC" = 0 ] || { t_fail "create C: $ERR"; return; }
	BASE_CREATE=$DT
	EC=$(parse_id "$OUT")
	timed "$COKCTL" destroy "$EC"
	[ "$RC" = 0 ] || { t_fail "destroy C: $ERR"; return; }
	BASE_DESTROY=$DT
	EC=
	t_info "locks: with the hung core idle: status $BASE_STATUS ms, create $BASE_CREATE ms, destroy $BASE_DESTROY ms"
	t_pass
}
case_baseline

t_begin locks/status-other
case_status() {
	[ -n "$BASE_DESTROY" ] || { t_skip "no baseline"; return; }
	during "status of enclave $EB" "$BASE_STATUS" "$COKCTL" status "$EB" || { t_fail "$FAIL_WHY"; return; }
	t_pass
}
case_status

t_begin locks/create-destroy-other
case_create() {
	[ -n "$BASE_DESTROY" ] || { t_skip "no baseline"; return; }
	during "create on CPU 3" "$BASE_CREATE" "$COKCTL" create --cpu-list 3 --mem 64M || { t_fail "$FAIL_WHY"; return; }
	[ -n "$EC" ] || { t_fail "no enclave id in '$OUT'"; return; }
	during "destroy of enclave $EC" "$BASE_DESTROY" "$COKCTL" destroy "$EC" || { t_fail "$FAIL_WHY"; return; }
	EC=
	t_pass
}
case_create

# Destroy resets the hung core (INIT); everything comes back.
t_begin locks/destroy-hung
case_destroy() {
	[ -n "$EA" ] || { t_skip "no enclaves"; return; }
	[ -z "$EC" ] || "$COKCTL" destroy "$EC" >/dev/null 2>&1
	EC=
	run "$COKCTL" destroy "$EA"
	[ "$RC" = 0 ] || { t_fail "destroy of the hung enclave: exit $RC: $ERR"; return; }
	run "$COKCTL" destroy "$EB"
	[ "$RC" = 0 ] || { t_fail "destroy $EB: exit $RC: $ERR"; return; }
	baseline_check locks || { t_fail "$BASE_ERR"; return; }
	t_pass
}
case_destroy

# Back to the module as the other tests expect it (watchdog on).
t_begin locks/reload
case_reload() {
	t_need module || return
	destroy_all
	if module_loaded; then
		rmmod ckpt_cokernel 2>"$T_TMP/rmmod.err" || { t_fail "rmmod: $(cat "$T_TMP/rmmod.err")"; return; }
	fi
	ensure_module || { t_fail "$MODULE_ERR"; return; }
	t_pass
}
case_reload
