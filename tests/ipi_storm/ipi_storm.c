// SPDX-License-Identifier: GPL-2.0
/*
 * ipi_storm: a test-only module for the guest tests.  Loading it makes
 * Linux broadcast interrupts the way it does in normal operation, so
 * that a test can check that an enclave's cores survive them:
 *
 *   - NMI to all-but-self (apic->send_IPI_allbutself(NMI_VECTOR)); with
 *     more than two CPUs Linux uses the APIC shorthand, which also hits
 *     cores that Linux has offlined and the co-kernel now runs on.
 *     Linux's own CPUs see an unknown NMI ("Uhhuh. NMI received for
 *     unknown reason"), which is harmless while unknown_nmi_panic is 0.
 *   - on_each_cpu(): CALL_FUNCTION IPIs, again possibly by shorthand.
 *     Only vectors Linux handles are ever sent to online CPUs.
 *   - optionally NMIs sent directly (physical destination) to the APIC
 *     IDs given in nmi_apic_ids=, i.e. to the enclave's cores only.
 *
 * The work is done in init; the module stays loaded until rmmod.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/smp.h>
#include <linux/delay.h>
#include <linux/irqflags.h>
#include <linux/atomic.h>
#include <asm/apic.h>
#include <asm/irq_vectors.h>

static int rounds = 20;
module_param(rounds, int, 0444);
MODULE_PARM_DESC(rounds, "broadcast rounds (NMI + on_each_cpu each)");

static bool broadcast_nmi = true;
module_param(broadcast_nmi, bool, 0444);
MODULE_PARM_DESC(broadcast_nmi, "send NMI to all-but-self each round");

static int nmi_apic_ids[32];
static int n_nmi_apic_ids;
module_param_array(nmi_apic_ids, int, &n_nmi_apic_ids, 0444);
MODULE_PARM_DESC(nmi_apic_ids, "APIC IDs to send NMIs to directly");

static atomic_t calls = ATOMIC_INIT(0);

static void poke(void *unused)
{
	atomic_inc(&calls);
}

static void nmi_allbutself(void)
{
	unsigned long flags;

	local_irq_save(flags);
	apic->send_IPI_allbutself(NMI_VECTOR);
	local_irq_restore(flags);
}

static void nmi_to_apic_id(u32 apic_id)
{
	unsigned long flags;

	local_irq_save(flags);
	apic->wait_icr_idle();
	apic->icr_write(APIC_DEST_PHYSICAL | APIC_DM_NMI, apic_id);
	apic->wait_icr_idle();
	local_irq_restore(flags);
}

static int __init ipi_storm_init(void)
{
	int i, j, nmis = 0, directed = 0;

	for (i = 0; i < rounds; i++) {
		if (broadcast_nmi) {
			preempt_disable();
			nmi_allbutself();
			preempt_enable();
			nmis++;
		}
		on_each_cpu(poke, NULL, 1);
		for (j = 0; j < n_nmi_apic_ids; j++) {
			nmi_to_apic_id(nmi_apic_ids[j]);
			directed++;
		}
		msleep(2);
	}
	pr_info("ipi_storm: %d rounds: %d NMI broadcasts, %d call-function runs, %d directed NMIs\n",
		rounds, nmis, atomic_read(&calls), directed);
	return 0;
}

static void __exit ipi_storm_exit(void)
{
}

module_init(ipi_storm_init);
module_exit(ipi_storm_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("test-only: broadcast NMIs and call-function IPIs");
