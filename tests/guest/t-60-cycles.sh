# SPDX-License-Identifier: GPL-2.0
# Repetition: 20 create/destroy cycles return to the same baseline each
# time; rmmod with a live enclave destroys it and gives everything back;
# the module loads again and works.
# timeout: 600
. /tests/lib.sh
t_require cycles module cokctl

CYCLES=${COK_CYCLES:-20}

t_begin cycles/create-destroy-x$CYCLES
case_cycles() {
	t_need module cokctl || return
	ensure_module || { t_fail "$MODULE_ERR"; return; }
	baseline_save cyc
	s=$(cut -d' ' -f1 /proc/uptime)
	i=1
	while [ $i -le $CYCLES ]; do
		create_enclave --cpus 2 --mem 256M || { t_fail "cycle $i: $CREATE_ERR"; return; }
		wait_enclave_ok "$EID" 2 5 || { t_fail "cycle $i: $ENC_ERR"; return; }
		run "$COKCTL" destroy "$EID"
		[ "$RC" = 0 ] || { t_fail "cycle $i: destroy exit $RC: $ERR"; return; }
		baseline_check cyc || { t_fail "cycle $i: $BASE_ERR"; return; }
		i=$((i + 1))
	done
	e=$(cut -d' ' -f1 /proc/uptime)
	t_info "cycles: $CYCLES create/destroy cycles in $(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.1f", b - a }') s"
	t_pass
}
case_cycles

t_begin cycles/rmmod-with-live-enclave
RMMOD_OK=
case_rmmod() {
	t_need module cokctl || return
	ensure_module || { t_fail "$MODULE_ERR"; return; }
	baseline_save rm
	create_enclave --cpus 2 --mem 256M || { t_fail "$CREATE_ERR"; return; }
	wait_enclave_ok "$EID" 2 5 || { t_fail "$ENC_ERR"; return; }
	CPUS=$(enc_cpus "$T_TMP/wait.flat" "$EID")
	run rmmod ckpt_cokernel
	[ "$RC" = 0 ] || { t_fail "rmmod exit $RC: $ERR"; return; }
	module_loaded && { t_fail "module still loaded after rmmod"; return; }
	RMMOD_OK=1
	baseline_check rm || { t_fail "after rmmod: $BASE_ERR"; return; }
	for c in $CPUS; do
		r=$(task_cpu "$c")
		[ "$r" = "$c" ] || { t_fail "a task pinned to cpu$c ran on cpu '$r'"; return; }
	done
	t_pass
}
case_rmmod

t_begin cycles/cokctl-module-not-loaded
case_notloaded() {
	[ -n "$RMMOD_OK" ] || { t_skip "module was not unloaded"; return; }
	run "$COKCTL" status
	[ "$RC" = 3 ] || { t_fail "cokctl status without the module: exit $RC, want 3"; return; }
	[ "$ERR_LINES" = 1 ] || { t_fail "stderr has $ERR_LINES lines, want 1"; return; }
	t_pass
}
case_notloaded

t_begin cycles/insmod-again
case_again() {
	t_need module cokctl || return
	ensure_module || { t_fail "$MODULE_ERR"; return; }
	create_enclave --cpus 2 --mem 256M || { t_fail "$CREATE_ERR"; return; }
	wait_enclave_ok "$EID" 2 5 || { t_fail "$ENC_ERR"; return; }
	heartbeat_advances "$EID" || { t_fail "$HB_ERR"; return; }
	run "$COKCTL" destroy "$EID"
	[ "$RC" = 0 ] || { t_fail "destroy exit $RC: $ERR"; return; }
	baseline_check cyc || { t_fail "$BASE_ERR"; return; }
	t_pass
}
case_again
destroy_all
