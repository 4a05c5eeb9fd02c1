// SPDX-License-Identifier: GPL-2.0
/*
 * The CPU hotplug veto.  An enclave's CPUs are offline for Linux, so
 * `echo 1 > /sys/devices/system/cpu/cpuN/online` would boot Linux on a
 * core that runs our co-kernel.  A dynamic state in the prepare section
 * (run on the controlling CPU before the target is kicked) refuses the
 * bring-up with -EBUSY while an enclave holds the CPU; Linux then rolls
 * the earlier prepare states back and the write fails with EBUSY.  The
 * module's own add_cpu() on destroy releases the CPU first (enclave.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpuhotplug.h>
#include "enclave.h"
#include "hotplug.h"

static int veto_state;

static int veto_online(unsigned int cpu)
{
	if (!cok_cpu_held(cpu))
		return 0;
	pr_info("CPU %u runs a co-kernel enclave: not onlined (cokctl destroy gives it back)\n",
		cpu);
	return -EBUSY;
}

int cok_hotplug_init(void)
{
	int ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN,
					    "ckpt_cokernel:veto", veto_online,
					    NULL);

	if (ret < 0)
		return ret;
	veto_state = ret;
	return 0;
}

void cok_hotplug_exit(void)
{
	cpuhp_remove_state_nocalls(veto_state);
}
