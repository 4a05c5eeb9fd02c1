# SPDX-License-Identifier: GPL-2.0
# The module loads cleanly and answers an empty status.
# timeout: 120
. /tests/lib.sh

t_begin module/insmod
if t_need module; then
	if module_loaded; then
		t_fail "ckpt_cokernel already loaded before the test"
	elif ! ensure_module; then
		t_fail "$MODULE_ERR"
	else
		t_pass
	fi
fi

t_begin module/status-empty
case_status() {
	t_need module cokctl || return
	module_loaded || { t_fail "module not loaded"; return; }
	run "$COKCTL" status -j
	[ "$RC" = 0 ] || { t_fail "status -j exit $RC: $ERR"; return; }
	status_read "$T_TMP/s.flat" || { t_fail "$STATUS_ERR"; return; }
	[ "$(enc_count "$T_TMP/s.flat")" = 0 ] || { t_fail "enclaves listed before any create: $OUT"; return; }
	grep -q '"enclaves"' "$T_TMP/status.json" || { t_fail "no \"enclaves\" key: $OUT"; return; }
	run "$COKCTL" status
	[ "$RC" = 0 ] || { t_fail "status exit $RC: $ERR"; return; }
	t_pass
}
case_status
