# SPDX-License-Identifier: GPL-2.0
# While an enclave lives, Linux broadcasts NMIs and IPIs: sysrq 'l'
# (NMI backtrace of all CPUs), and the test module ipi_storm (NMI to
# all-but-self, on_each_cpu call-function IPIs, then NMIs aimed at the
# enclave's APIC IDs).  The enclave's cores must stay alive with their
# heartbeat moving, and must have counted the NMIs that reached them.
# "Uhhuh. NMI received for unknown reason" on Linux's own CPUs is
# expected here (unknown_nmi_panic is 0), as are the backtraces sysrq
# 'l' asks for.
# timeout: 300
. /tests/lib.sh
t_require storm module cokctl ipi_storm

EID=
NMI_ALLOW='Uhhuh\. NMI received|NMI received for unknown reason|Dazed and confused|Do you have a strange power saving mode'

nmis_of() {	# FLAT: "cpu=nmis ..." of the enclave
	for _c in $(enc_cpus "$1" "$EID"); do
		printf '%s=%s ' "$_c" "$(core_get "$1" "$EID" "$_c" nmis)"
	done
}

t_begin storm/setup
case_setup() {
	t_need module cokctl ipi_storm || return
	ensure_module || { t_fail "$MODULE_ERR"; return; }
	[ "$(cat /proc/sys/kernel/unknown_nmi_panic 2>/dev/null || echo 0)" = 0 ] ||
		{ t_fail "unknown_nmi_panic is set: an unknown NMI would panic Linux"; return; }
	baseline_save storm
	create_enclave --cpus 2 --mem 64M || { t_fail "$CREATE_ERR"; return; }
	wait_enclave_ok "$EID" 2 5 || { t_fail "$ENC_ERR"; EID=; return; }
	t_pass
}
case_setup

t_begin storm/sysrq-l
case_sysrq() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	T_DMESG_ALLOW=$NMI_ALLOW
	T_DMESG_NMI_BT=1
	for i in 1 2 3 4 5; do
		echo l >/proc/sysrq-trigger
		usleep 200000
	done
	heartbeat_advances "$EID" || { t_fail "after sysrq l: $HB_ERR"; return; }
	t_info "storm: nmis after sysrq l: $(nmis_of "$HB_FLAT")"
	t_pass
}
case_sysrq

t_begin storm/broadcast
case_broadcast() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	T_DMESG_ALLOW=$NMI_ALLOW
	run insmod "$IPI_STORM_KO" rounds=20
	[ "$RC" = 0 ] || { t_fail "insmod ipi_storm: $ERR"; return; }
	rmmod ipi_storm
	dmesg | grep -q 'ipi_storm: 20 rounds' || { t_fail "ipi_storm did not report its rounds"; return; }
	heartbeat_advances "$EID" || { t_fail "after the broadcast storm: $HB_ERR"; return; }
	t_info "storm: nmis after broadcasts: $(nmis_of "$HB_FLAT"); $(dmesg | grep 'ipi_storm:' | tail -n 1 | sed 's/^\[[ 0-9.]*\] //')"
	t_pass
}
case_broadcast

t_begin storm/directed-nmi
case_directed() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	T_DMESG_ALLOW=$NMI_ALLOW	# late console output of the broadcasts
	status_read "$T_TMP/pre.flat" || { t_fail "$STATUS_ERR"; return; }
	ids=
	for c in $(enc_cpus "$T_TMP/pre.flat" "$EID"); do
		ids="$ids${ids:+,}$(core_get "$T_TMP/pre.flat" "$EID" "$c" apic_id)"
	done
	run insmod "$IPI_STORM_KO" rounds=10 broadcast_nmi=0 nmi_apic_ids="$ids"
	[ "$RC" = 0 ] || { t_fail "insmod ipi_storm nmi_apic_ids=$ids: $ERR"; return; }
	rmmod ipi_storm
	heartbeat_advances "$EID" || { t_fail "after NMIs to APIC IDs $ids: $HB_ERR"; return; }
	for c in $(enc_cpus "$HB_FLAT" "$EID"); do
		n0=$(core_get "$T_TMP/pre.flat" "$EID" "$c" nmis)
		n1=$(core_get "$HB_FLAT" "$EID" "$c" nmis)
		[ "$n1" -gt "$n0" ] 2>/dev/null || { t_fail "cpu $c nmis $n0 -> $n1 after 10 NMIs sent to it"; return; }
	done
	t_pass
}
case_directed

t_begin storm/nmis-counted
case_counted() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	status_read "$T_TMP/n.flat" || { t_fail "$STATUS_ERR"; return; }
	for c in $(enc_cpus "$T_TMP/n.flat" "$EID"); do
		n=$(core_get "$T_TMP/n.flat" "$EID" "$c" nmis)
		[ "$n" -gt 0 ] 2>/dev/null || { t_fail "cpu $c counted nmis=$n"; return; }
	done
	t_info "storm: final counters: $(for c in $(enc_cpus "$T_TMP/n.flat" "$EID"); do printf 'cpu%s nmis=%s foreign=%s irqs=%s; ' "$c" "$(core_get "$T_TMP/n.flat" "$EID" "$c" nmis)" "$(core_get "$T_TMP/n.flat" "$EID" "$c" foreign_irqs)" "$(core_get "$T_TMP/n.flat" "$EID" "$c" interrupts)"; done)"
	t_pass
}
case_counted

t_begin storm/destroy
case_destroy() {
	[ -n "$EID" ] || { t_skip "no enclave (setup failed)"; return; }
	run "$COKCTL" destroy "$EID"
	[ "$RC" = 0 ] || { t_fail "destroy exit $RC: $ERR"; return; }
	baseline_check storm || { t_fail "$BASE_ERR"; return; }
	t_pass
}
case_destroy
destroy_all
