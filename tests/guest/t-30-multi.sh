# SPDX-License-Identifier: GPL-2.0
# Two enclaves at once, one core and 64 MiB each: both run, on different
# cores, and both are destroyed cleanly.
# timeout: 240
. /tests/lib.sh
t_require multi module cokctl

E1= E2=

t_begin multi/create-two
case_create() {
	t_need module cokctl || return
	ensure_module || { t_fail "$MODULE_ERR"; return; }
	baseline_save multi
	create_enclave --cpus 1 --mem 64M || { t_fail "first: $CREATE_ERR"; return; }
	E1=$EID
	create_enclave --cpus 1 --mem 64M || { t_fail "second: $CREATE_ERR"; return; }
	E2=$EID
	[ "$E1" != "$E2" ] || { t_fail "both enclaves got id $E1"; return; }
	wait_enclave_ok "$E1" 1 5 || { t_fail "$ENC_ERR"; return; }
	wait_enclave_ok "$E2" 1 5 || { t_fail "$ENC_ERR"; return; }
	[ "$(enc_count "$T_TMP/wait.flat")" = 2 ] || { t_fail "status lists $(enc_count "$T_TMP/wait.flat") enclaves, want 2"; return; }
	C1=$(enc_cpus "$T_TMP/wait.flat" "$E1")
	C2=$(enc_cpus "$T_TMP/wait.flat" "$E2")
	[ "$C1" != "$C2" ] || { t_fail "both enclaves on cpu $C1"; return; }
	for c in $C1 $C2; do
		[ "$(cpu_online "$c")" = 0 ] || { t_fail "cpu$c online while an enclave runs on it"; return; }
	done
	t_pass
}
case_create

t_begin multi/both-alive
case_alive() {
	[ -n "$E2" ] || { t_skip "enclaves not created"; return; }
	heartbeat_advances "$E1" || { t_fail "enclave $E1: $HB_ERR"; return; }
	heartbeat_advances "$E2" || { t_fail "enclave $E2: $HB_ERR"; return; }
	t_pass
}
case_alive

t_begin multi/destroy-both
case_destroy() {
	[ -n "$E1" ] || { t_skip "enclaves not created"; return; }
	for e in $E1 $E2; do
		run "$COKCTL" destroy "$e"
		[ "$RC" = 0 ] || { t_fail "destroy $e exit $RC: $ERR"; return; }
	done
	status_read "$T_TMP/d.flat" || { t_fail "$STATUS_ERR"; return; }
	[ "$(enc_count "$T_TMP/d.flat")" = 0 ] || { t_fail "enclaves left after destroying both"; return; }
	baseline_check multi || { t_fail "$BASE_ERR"; return; }
	t_pass
}
case_destroy
destroy_all
