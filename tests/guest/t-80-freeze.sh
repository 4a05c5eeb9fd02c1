# SPDX-License-Identifier: GPL-2.0
# Freeze and thaw (issue 4, part 1): a compute loop that makes no system
# call stops when frozen (no progress while frozen), the core still
# answers, the app resumes where it stopped and ends with the same output
# as an uninterrupted Linux run.  Second freeze, thaw of a running app,
# freeze of an app that is gone: one-line refusals.
# timeout: 600
. /tests/lib.sh
t_require freeze module cokctl

APP_BIN=/apps/crunch.musl
ROUNDS=2000	# seconds of work left after the thaw, for the checks that follow it
EID=

app_id() {	# the only app's id, from cokctl ps -j
	"$COKCTL" ps -j 2>/dev/null | json_flatten 2>/dev/null |
		sed -n 's/^apps\.0\.id=//p' | head -n 1
}

app_state() {
	"$COKCTL" ps -j 2>/dev/null | json_flatten 2>/dev/null |
		sed -n 's/^apps\.0\.state=//p' | head -n 1
}

# refused NAME WANT_PATTERN CMD...: exit 1, one stderr line matching.
refused() {
	_pat=$1
	shift
	run "$@"
	[ "$RC" = 1 ] || { FAIL_WHY="$* -> exit $RC, want 1 (stderr: $ERR)"; return 1; }
	[ "$ERR_LINES" = 1 ] || { FAIL_WHY="$*: stderr has $ERR_LINES lines"; return 1; }
	case "$ERR" in
	*$_pat*) return 0 ;;
	*) FAIL_WHY="$*: stderr '$ERR' lacks '$_pat'"; return 1 ;;
	esac
}

t_begin freeze/setup
case_setup() {
	t_need module cokctl || return
	[ -x "$APP_BIN" ] || { t_fail "$APP_BIN not in the image: ${WHY_APPS:-not built}"; return; }
	ensure_module || { t_fail "$MODULE_ERR"; return; }
	baseline_save freeze
	create_enclave --cpus 1 --mem 64M || { t_fail "$CREATE_ERR"; return; }
	wait_enclave_ok "$EID" 1 5 || { t_fail "$ENC_ERR"; EID=; return; }
	"$APP_BIN" $ROUNDS >"$T_TMP/lin.out" || { t_fail "Linux run of $APP_BIN failed"; return; }
	t_pass
}
case_setup

t_begin freeze/compute-loop
case_freeze() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	"$COKCTL" launch "$APP_BIN" $ROUNDS >"$T_TMP/cok.out" 2>"$T_TMP/cok.err" &
	P=$!
	i=0
	while [ "$(lines "$T_TMP/cok.out")" -lt 2 ] && [ $i -lt 600 ]; do
		usleep 100000
		i=$((i + 1))
	done
	[ "$(lines "$T_TMP/cok.out")" -ge 2 ] ||
		{ kill "$P"; t_fail "the app made no progress: $(head -c 200 "$T_TMP/cok.err")"; return; }
	ID=$(app_id)
	[ -n "$ID" ] || { kill "$P"; t_fail "cokctl ps lists no app"; return; }

	run "$COKCTL" freeze "$ID"
	[ "$RC" = 0 ] || { kill "$P"; t_fail "freeze $ID exit $RC: $ERR"; return; }
	t_info "freeze: $OUT"
	n0=$(lines "$T_TMP/cok.out")
	[ "$(app_state)" = frozen ] || { kill "$P"; t_fail "ps shows '$(app_state)', want frozen"; return; }
	heartbeat_advances "$EID" || { kill "$P"; t_fail "frozen core: $HB_ERR"; return; }
	refused "already frozen" "$COKCTL" freeze "$ID" || { kill "$P"; t_fail "$FAIL_WHY"; return; }
	sleep 3
	n1=$(lines "$T_TMP/cok.out")
	[ "$n0" = "$n1" ] || { kill "$P"; t_fail "the app printed $((n1 - n0)) lines while frozen"; return; }
	kill -0 "$P" 2>/dev/null || { t_fail "the proxy ended while the app was frozen"; return; }

	run "$COKCTL" thaw "$ID"
	[ "$RC" = 0 ] || { kill "$P"; t_fail "thaw $ID exit $RC: $ERR"; return; }
	refused "not frozen" "$COKCTL" thaw "$ID" || { kill "$P"; t_fail "$FAIL_WHY"; return; }
	wait "$P"
	RCA=$?
	[ "$RCA" = 0 ] || { t_fail "app exit $RCA after thaw: $(head -c 200 "$T_TMP/cok.err")"; return; }
	cmp -s "$T_TMP/lin.out" "$T_TMP/cok.out" ||
		{ t_fail "output differs from the Linux run: $(tail -n 1 "$T_TMP/cok.out") vs $(tail -n 1 "$T_TMP/lin.out")"; return; }
	t_pass
}
case_freeze

t_begin freeze/gone-app
case_gone() {
	[ -n "$ID" ] || { t_skip "no app ran"; return; }
	refused "no app with id" "$COKCTL" freeze "$ID" || { t_fail "$FAIL_WHY"; return; }
	refused "no app with id" "$COKCTL" thaw "$ID" || { t_fail "$FAIL_WHY"; return; }
	t_pass
}
case_gone

t_begin freeze/destroy
case_destroy() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	run "$COKCTL" destroy "$EID"
	[ "$RC" = 0 ] || { t_fail "destroy $EID exit $RC: $ERR"; return; }
	baseline_check freeze || { t_fail "$BASE_ERR"; return; }
	t_pass
}
case_destroy
destroy_all
