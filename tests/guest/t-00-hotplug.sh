# SPDX-License-Identifier: GPL-2.0
# Harness self-check, independent of our module: the guest has the CPUs
# QEMU was given, CPU hotplug works (the mechanism the module builds on),
# and a task runs on a CPU that came back.
# timeout: 120
. /tests/lib.sh

t_begin harness/dmesg-check
echo "<4>WARNING: cok harness self-test line" >/dev/kmsg
if t_dmesg_bad | grep -q 'cok harness self-test line'; then
	T_DMESG_ALLOW='cok harness self-test line'
	t_pass
else
	t_fail "a WARNING: line written to the kernel log was not detected"
fi

t_begin hotplug/cpus
n=$(nproc)
if [ "$n" != 4 ]; then t_fail "nproc is $n, want 4 (-smp 4)"; else t_pass; fi

t_begin hotplug/cpu3-offline-online
case_cpu3() {
	[ "$(cpu_online 3)" = 1 ] || { t_fail "cpu3 not online at start"; return; }
	echo 0 >/sys/devices/system/cpu/cpu3/online || { t_fail "writing 0 to cpu3/online failed"; return; }
	[ "$(cpu_online 3)" = 0 ] || { t_fail "cpu3/online reads $(cpu_online 3) after offlining"; return; }
	[ "$(nproc)" = 3 ] || { t_fail "nproc is $(nproc) with cpu3 offline, want 3"; return; }
	[ "$(online_cpus)" = 0-2 ] || { t_fail "online CPUs '$(online_cpus)', want 0-2"; return; }
	echo 1 >/sys/devices/system/cpu/cpu3/online || { t_fail "writing 1 to cpu3/online failed"; return; }
	[ "$(cpu_online 3)" = 1 ] || { t_fail "cpu3/online reads $(cpu_online 3) after onlining"; return; }
	c=$(task_cpu 3)
	[ "$c" = 3 ] || { t_fail "a task pinned to cpu3 ran on cpu '$c'"; return; }
	t_pass
}
case_cpu3
