// SPDX-License-Identifier: GPL-2.0
/*
 * The co-kernel's C entry, reached by every core from head.S with its
 * index and the channel.  The module boots core 0 first and each next
 * core only once the previous one reports RUNNING, so core 0 sets up
 * what all cores share (IDT, allocator) before anyone else runs.
 */
#include "cokernel.h"

struct cok_channel *cok_channel;
struct cok_kcore cok_cores[COK_MAX_CORES];

static void set_stage(struct cok_core_slot *s, uint32_t stage)
{
	cok_store_release(&s->stage, stage);
}

static void banner(void)
{
	struct cok_channel *ch = cok_channel;

	cok_printf("ckpt_cokernel co-kernel: enclave %u, %u cores, TSC %lu kHz\n",
		   ch->enclave_id, ch->ncores, (unsigned long)ch->tsc_khz);
}

void cok_main(uint32_t index, struct cok_channel *ch);

void cok_main(uint32_t index, struct cok_channel *ch)
{
	struct cok_core_slot *s;
	struct cok_kcore *core;

	if (index >= COK_MAX_CORES || ch->magic != COK_CHANNEL_MAGIC)
		return;		/* nothing to report to: head.S halts */
	cok_channel = ch;
	s = &ch->core[index];
	set_stage(s, COK_STAGE_ENTRY);

	/* NMIs can arrive any time: the IDT comes first. */
	cpu_init_tables(index);
	set_stage(s, COK_STAGE_IDT);

	core = &cok_cores[index];
	core->index = index;
	apic_init();
	core->shared = s;	/* from here this_core() finds us */
	set_stage(s, COK_STAGE_APIC);
	cpu_enable_fpu();
	cpu_init_syscall(index);

	if (index == 0) {
		ch->boot_tsc = rdtsc();
		banner();
		mm_init();
		rng_init();
	}
	cok_printf("core %u: apic %u, linux cpu %u, online\n",
		   index, s->apic_id, s->linux_cpu);
	cpu_report_protection(index);
	cok_write_once(&s->alive_tsc, rdtsc());
	cok_write_once(&s->heartbeat, 1);
	set_stage(s, COK_STAGE_RUNNING);
	cmd_serve_forever(core);
}
