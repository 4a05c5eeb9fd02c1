# SPDX-License-Identifier: GPL-2.0
# The device against bad input (issue 7): with /dev/ckpt_cokernel made
# 0666, ioctl-fuzz (tests/ioctl-fuzz.c: random commands, sizes, pointers
# and mappings, a bounded time) runs as the unprivileged user and as root
# (with a fork), while an app of the test is frozen, so that LAUNCH,
# WAIT/REPLY, RESTORE and the segment paths all see live objects.  Then:
# the kernel log is clean (KASAN, lockdep, BUG, WARNING, ...), the
# enclave is healthy, the frozen app thaws and runs, a new app gives the
# output of its Linux run, and destroy gives every CPU and MemTotal back.
# Part 2: a MAP_PRIVATE mmap of the device is refused with EINVAL (an
# app's memory and a segment), and MAP_SHARED still works.
# timeout: 900
. /tests/lib.sh
t_require ioctl-fuzz module cokctl ioctl_fuzz

DEV=/dev/ckpt_cokernel
SPIN=/apps/spin.musl	# the test's own app, frozen while the fuzzer runs
HELLO=/apps/hello.musl	# what the fuzzer launches, and the launch check
case $KNAME in
debug) SECS=20 ;;
*) SECS=8 ;;
esac
SEED=${COK_FUZZ_SEED:-$(date +%s)}
EID= ID= P= MODE=

app_ids() {	# every app id, from cokctl ps -j
	"$COKCTL" ps -j 2>/dev/null | json_flatten 2>/dev/null |
		sed -n 's/^apps\.[0-9]*\.id=//p'
}

app_state() {	# ID
	"$COKCTL" ps -j 2>/dev/null | json_flatten 2>/dev/null | awk -F= -v id="$1" '
		$1 ~ /^apps\.[0-9]+\.id$/ && $2 == id { split($1, k, "."); want = k[2] }
		{ v[$1] = $2 }
		END { if (want != "") print v["apps." want ".state"] }'
}

no_apps() { [ -z "$(app_ids)" ]; }

restore_mode() {
	[ -n "$MODE" ] && chmod "$MODE" "$DEV"
	MODE=
}

t_begin ioctl-fuzz/setup
case_setup() {
	[ -x "$SPIN" ] && [ -x "$HELLO" ] ||
		{ t_fail "$SPIN or $HELLO not in the image: ${WHY_APPS:-not built}"; return; }
	ensure_module || { t_fail "$MODULE_ERR"; return; }
	baseline_save fuzz
	create_enclave --cpus 2 --mem 128M || { t_fail "$CREATE_ERR"; return; }
	wait_enclave_ok "$EID" 2 5 || { t_fail "$ENC_ERR"; EID=; return; }
	"$COKCTL" launch "$SPIN" fuzz >"$T_TMP/spin.out" 2>"$T_TMP/spin.err" &
	P=$!
	wait_lines "$T_TMP/spin.out" 1 || { t_fail "spin printed nothing: $(head -c 200 "$T_TMP/spin.err")"; return; }
	ID=$(app_ids | head -n 1)
	[ -n "$ID" ] || { t_fail "cokctl ps lists no app"; return; }
	run "$COKCTL" freeze "$ID"
	[ "$RC" = 0 ] || { t_fail "freeze $ID exit $RC: $ERR"; ID=; return; }
	MODE=$(stat -c %a "$DEV")
	chmod 0666 "$DEV" || { t_fail "chmod 0666 $DEV failed"; return; }
	t_info "ioctl-fuzz: seed $SEED, $SECS s per run, app $ID frozen on enclave $EID"
	t_pass
}
case_setup

# private_refused NAME ARGS...: --check-private, every check ok.
private_refused() {
	_n=$1
	shift
	"$@" >"$T_TMP/priv.out" 2>&1
	_rc=$?
	sed 's/^/  /' "$T_TMP/priv.out"
	[ "$_rc" = 0 ] || { FAIL_WHY="$_n: exit $_rc: $(grep -m1 'not ok' "$T_TMP/priv.out")"; return 1; }
	grep -q '^ok .*MAP_PRIVATE refused' "$T_TMP/priv.out" ||
		{ FAIL_WHY="$_n: no MAP_PRIVATE check ran"; return 1; }
	return 0
}

t_begin ioctl-fuzz/map-private
case_private() {
	[ -n "$ID" ] || { t_skip "no frozen app (setup failed)"; return; }
	private_refused root "$IOCTL_FUZZ" --check-private --elf "$HELLO" --seg-app "$ID" ||
		{ t_fail "$FAIL_WHY"; return; }
	grep -q '^ok segment: MAP_PRIVATE refused' "$T_TMP/priv.out" ||
		{ t_fail "the segment's MAP_PRIVATE was not checked"; return; }
	private_refused user su -s /bin/sh "$T_USER" -c "exec $IOCTL_FUZZ --check-private --elf $HELLO" ||
		{ t_fail "$FAIL_WHY"; return; }
	t_pass
}
case_private

# fuzz_run WHO ARGS...: one bounded run; the summary line must come.
fuzz_run() {
	_who=$1
	shift
	if [ "$_who" = user ]; then
		run_as_user timeout $((SECS * 3 + 60)) "$IOCTL_FUZZ" "$@"
	else
		run timeout $((SECS * 3 + 60)) "$IOCTL_FUZZ" "$@"
	fi
	# The module's own lines of the run (warnings are below the console's level).
	dmesg | grep 'ckpt_cokernel' | tail -n 20 | sed 's/^/  kmsg: /'
	"$COKCTL" console "$EID" 2>&1 | tail -n 10 | sed 's/^/  console: /'
	[ "$RC" = 0 ] || { FAIL_WHY="ioctl-fuzz $* exit $RC: $(echo "$ERR" | head -n 1)"; return 1; }
	echo "$OUT" | grep -q '^ioctl-fuzz: seed ' ||
		{ FAIL_WHY="ioctl-fuzz $*: no summary line"; return 1; }
	t_info "$_who: $(echo "$OUT" | grep '^ioctl-fuzz' | tr '\n' ' ')"
	kill -0 "$P" 2>/dev/null || { FAIL_WHY="the frozen app's proxy is gone"; return 1; }
	[ "$(app_state "$ID")" = frozen ] ||
		{ FAIL_WHY="app $ID is '$(app_state "$ID")', want frozen"; return 1; }
	return 0
}

t_begin ioctl-fuzz/unprivileged
case_user() {
	[ -n "$ID" ] || { t_skip "no frozen app (setup failed)"; return; }
	fuzz_run user --seconds "$SECS" --seed "$SEED" --elf "$HELLO" --write ||
		{ t_fail "$FAIL_WHY"; return; }
	t_pass
}
case_user

t_begin ioctl-fuzz/root
case_root() {
	[ -n "$ID" ] || { t_skip "no frozen app (setup failed)"; return; }
	fuzz_run root --seconds "$SECS" --seed "$((SEED + 1))" --elf "$HELLO" --fork --write ||
		{ t_fail "$FAIL_WHY"; return; }
	t_pass
}
case_root
restore_mode

t_begin ioctl-fuzz/enclave-healthy
case_healthy() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	wait_enclave_ok "$EID" 2 5 || { t_fail "$ENC_ERR"; return; }
	heartbeat_advances "$EID" || { t_fail "$HB_ERR"; return; }
	[ -n "$ID" ] || { t_skip "no frozen app (setup failed)"; return; }
	run "$COKCTL" thaw "$ID"
	[ "$RC" = 0 ] || { t_fail "thaw $ID exit $RC: $ERR"; return; }
	[ "$(app_state "$ID")" = running ] || { t_fail "app $ID is '$(app_state "$ID")' after thaw"; return; }
	# A background job's SIGINT stays ignored: SIGTERM ends it too.
	kill -TERM "$P"
	wait "$P"
	RCP=$?
	P=
	[ "$RCP" = 143 ] || { t_fail "SIGTERM to the thawed app's cokctl: exit $RCP, want 143"; return; }
	wait_for 5 no_apps ||
		{ t_fail "apps left after the fuzz runs: $(app_ids | tr '\n' ' ')"; return; }
	t_pass
}
case_healthy

t_begin ioctl-fuzz/launch-after
case_launch() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	"$HELLO" >"$T_TMP/lin.out" 2>&1
	RCL=$?
	run "$COKCTL" launch "$HELLO"
	[ "$RC" = "$RCL" ] || { t_fail "launch exit $RC, Linux $RCL: $ERR"; return; }
	[ "$OUT" = "$(cat "$T_TMP/lin.out")" ] || { t_fail "output '$OUT' differs from Linux's"; return; }
	t_pass
}
case_launch

t_begin ioctl-fuzz/destroy
case_destroy() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	run "$COKCTL" destroy "$EID"
	[ "$RC" = 0 ] || { t_fail "destroy $EID exit $RC: $ERR"; return; }
	EID=
	baseline_check fuzz || { t_fail "$BASE_ERR"; return; }
	t_pass
}
case_destroy
restore_mode
[ -n "$P" ] && kill "$P" 2>/dev/null
destroy_all
