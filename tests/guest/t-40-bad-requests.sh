# SPDX-License-Identifier: GPL-2.0
# Requests that must be refused: each gets its exit code, exactly one
# line on stderr, and changes nothing (online CPUs, MemTotal, and the
# enclaves in status -j are identical before and after).  They run while
# one enclave is live, so that "already taken" can be asked, and so that
# a refusal that disturbs a live enclave is seen.
# timeout: 240
. /tests/lib.sh
t_require bad module cokctl

LIVE=

t_begin bad/setup-live-enclave
case_setup() {
	t_need module cokctl || return
	ensure_module || { t_fail "$MODULE_ERR"; return; }
	baseline_save bad
	create_enclave --cpus 1 --mem 64M || { t_fail "$CREATE_ERR"; return; }
	LIVE=$EID
	wait_enclave_ok "$LIVE" 1 5 || { t_fail "$ENC_ERR"; return; }
	LIVECPU=$(enc_cpus "$T_TMP/wait.flat" "$LIVE")
	t_pass
}
case_setup

# refused NAME WANT_RC [user] -- CMD ARGS...
refused() {
	_name=$1 _want=$2
	shift 2
	_user=
	[ "$1" = user ] && { _user=1; shift; }
	[ "$1" = -- ] && shift
	t_begin "bad/$_name"
	[ -n "$LIVE" ] || { t_skip "no live enclave (setup failed)"; return; }
	snapshot "$T_TMP/before"
	if [ -n "$_user" ]; then run_as_user "$@"; else run "$@"; fi
	snapshot "$T_TMP/after"
	[ "$RC" = "$_want" ] || { t_fail "exit $RC, want $_want (stderr: $ERR)"; return; }
	[ "$ERR_LINES" = 1 ] && [ -n "$ERR" ] ||
		{ t_fail "stderr has $ERR_LINES lines, want exactly 1: $ERR"; return; }
	if ! cmp -s "$T_TMP/before" "$T_TMP/after"; then
		t_fail "state changed: $(diff "$T_TMP/before" "$T_TMP/after" | grep '^[-+][^-+]' | tr '\n' ' ')"
		return
	fi
	t_pass
}

refused unprivileged-create 4 user -- "$COKCTL" create --cpus 1 --mem 64M
# The module itself says why (extack), not only cokctl's errno text.
t_begin bad/unprivileged-reason
case "$ERR" in
*"changing enclaves needs CAP_SYS_ADMIN"*) t_pass ;;
*) t_fail "unprivileged create: no extack reason in: $ERR" ;;
esac
[ -n "$LIVE" ] && refused unprivileged-destroy 4 user -- "$COKCTL" destroy "$LIVE"
refused cpu0 1 -- "$COKCTL" create --cpu-list 0 --mem 64M
refused cpu99 1 -- "$COKCTL" create --cpu-list 99 --mem 64M
[ -n "$LIVE" ] && refused cpu-taken 1 -- "$COKCTL" create --cpu-list "$LIVECPU" --mem 64M
refused mem-100G 1 -- "$COKCTL" create --cpus 1 --mem 100G
refused destroy-unknown 1 -- "$COKCTL" destroy 4242

t_begin bad/nl-malformed
case_nlm() {
	t_need nl_malformed || return
	[ -n "$LIVE" ] || { t_skip "no live enclave (setup failed)"; return; }
	snapshot "$T_TMP/before"
	run "$NL_MALFORMED"
	snapshot "$T_TMP/after"
	[ "$RC" = 0 ] || { t_fail "nl-malformed exit $RC: $(echo "$OUT$ERR" | grep -iv '^ok' | head -n 1)"; return; }
	cmp -s "$T_TMP/before" "$T_TMP/after" ||
		{ t_fail "state changed: $(diff "$T_TMP/before" "$T_TMP/after" | grep '^[-+][^-+]' | tr '\n' ' ')"; return; }
	t_pass
}
case_nlm

t_begin bad/live-enclave-unharmed
case_live() {
	[ -n "$LIVE" ] || { t_skip "no live enclave (setup failed)"; return; }
	heartbeat_advances "$LIVE" || { t_fail "$HB_ERR"; return; }
	run "$COKCTL" destroy "$LIVE"
	[ "$RC" = 0 ] || { t_fail "destroy $LIVE exit $RC: $ERR"; return; }
	baseline_check bad || { t_fail "after destroy: $BASE_ERR"; return; }
	t_pass
}
case_live
destroy_all
