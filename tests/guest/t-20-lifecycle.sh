# SPDX-License-Identifier: GPL-2.0
# One enclave through its whole life: create takes two cores and 256 MiB
# away from Linux, the cores run our co-kernel (alive, heartbeat moving,
# boot lines on its console), destroy gives everything back.
# timeout: 300
. /tests/lib.sh
t_require lifecycle module cokctl

MIB256_KB=262144
EID=

t_begin lifecycle/create
case_create() {
	t_need module cokctl || return
	ensure_module || { t_fail "$MODULE_ERR"; return; }
	baseline_save life
	MEM0=$(memtotal_kb)
	create_enclave --cpus 2 --mem 256M || { t_fail "$CREATE_ERR"; return; }
	wait_enclave_ok "$EID" 2 5 || { t_fail "$ENC_ERR"; return; }
	[ "$(enc_get "$T_TMP/wait.flat" "$EID" mem_bytes)" = 268435456 ] ||
		{ t_fail "mem_bytes $(enc_get "$T_TMP/wait.flat" "$EID" mem_bytes), want 268435456"; return; }
	CPUS=$(enc_cpus "$T_TMP/wait.flat" "$EID")
	t_info "lifecycle: enclave $EID on cpus $(echo $CPUS), boot_ns $(enc_get "$T_TMP/wait.flat" "$EID" boot_ns)"
	t_pass
}
case_create

t_begin lifecycle/cores-offline
case_offline() {
	[ -n "$EID" ] || { t_skip "no enclave (create failed)"; return; }
	[ "$(echo "$CPUS" | sort -u | grep -c .)" = 2 ] || { t_fail "cores not 2 distinct CPUs: $(echo $CPUS)"; return; }
	for c in $CPUS; do
		[ "$c" != 0 ] || { t_fail "enclave took CPU 0"; return; }
		[ "$(cpu_online "$c")" = 0 ] || { t_fail "cpu$c/online reads $(cpu_online "$c"), want 0"; return; }
	done
	[ "$(nproc)" = 2 ] || { t_fail "nproc $(nproc) with 2 of 4 cores taken"; return; }
	t_pass
}
case_offline

t_begin lifecycle/memtotal-dropped
case_mem() {
	[ -n "$EID" ] || { t_skip "no enclave (create failed)"; return; }
	m=$(memtotal_kb)
	[ $((MEM0 - m)) -ge $MIB256_KB ] || { t_fail "MemTotal $MEM0 -> $m kB: dropped $((MEM0 - m)) kB, want >= $MIB256_KB"; return; }
	t_pass
}
case_mem

t_begin lifecycle/alive-heartbeat
case_hb() {
	[ -n "$EID" ] || { t_skip "no enclave (create failed)"; return; }
	heartbeat_advances "$EID" || { t_fail "$HB_ERR"; return; }
	t_pass
}
case_hb

t_begin lifecycle/console
case_console() {
	[ -n "$EID" ] || { t_skip "no enclave (create failed)"; return; }
	run timeout 10 "$COKCTL" console "$EID"
	echo "$OUT" | grep -q 'mem:' || { t_fail "no 'mem:' line in cokctl console (exit $RC): $(echo "$OUT" | head -c 200)"; return; }
	echo "$OUT" | grep -q 'core' || { t_fail "no 'core' line in cokctl console (exit $RC)"; return; }
	[ "$RC" = 0 ] || { t_fail "cokctl console exit $RC: $ERR"; return; }
	t_pass
}
case_console

t_begin lifecycle/destroy
case_destroy() {
	[ -n "$EID" ] || { t_skip "no enclave (create failed)"; return; }
	run "$COKCTL" destroy "$EID"
	[ "$RC" = 0 ] || { t_fail "destroy $EID exit $RC: $ERR"; return; }
	status_read "$T_TMP/d.flat" || { t_fail "$STATUS_ERR"; return; }
	[ -z "$(enc_idx "$T_TMP/d.flat" "$EID")" ] || { t_fail "enclave $EID still in status after destroy"; return; }
	t_pass
}
case_destroy

t_begin lifecycle/cores-back
case_back() {
	[ -n "$EID" ] || { t_skip "no enclave (create failed)"; return; }
	for c in $CPUS; do
		[ "$(cpu_online "$c")" = 1 ] || { t_fail "cpu$c/online reads $(cpu_online "$c") after destroy"; return; }
		r=$(task_cpu "$c")
		[ "$r" = "$c" ] || { t_fail "a task pinned to cpu$c ran on cpu '$r'"; return; }
	done
	t_pass
}
case_back

t_begin lifecycle/memtotal-back
case_memback() {
	[ -n "$EID" ] || { t_skip "no enclave (create failed)"; return; }
	baseline_check life || { t_fail "$BASE_ERR"; return; }
	t_pass
}
case_memback
destroy_all
