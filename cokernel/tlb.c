// SPDX-License-Identifier: GPL-2.0
/*
 * Stale translations on the other cores of a process.  A core that
 * unmapped pages of its process asks each other core the process runs
 * on to drop its TLB (COK_TLB_VECTOR) and waits until every one of them
 * did before the system call returns.  The simple version: the asked
 * core reloads CR3, which drops its non-global translations, the
 * process's among them.
 *
 * Each core counts the flushes asked of it (tlb_req, bumped by the
 * asker) and the last count it has served (tlb_done): the asker waits
 * until tlb_done reaches its own request, so a flush that began before
 * the request does not count.  A core waiting here, or spinning at the
 * end of a process, serves its own requests meanwhile, so two cores
 * that ask each other at once do not wait for ever.
 */
#include "cokernel.h"

/* This core's translations of the process it runs (not global ones). */
void tlb_flush_local(void)
{
	uint64_t cr3;

	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	__asm__ volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
}

/* COK_TLB_VECTOR, or a wait: the flushes asked of this core so far. */
void tlb_serve(struct cok_kcore *core)
{
	uint64_t want = __atomic_load_n(&core->tlb_req, __ATOMIC_ACQUIRE);

	if (want == core->tlb_done)
		return;
	tlb_flush_local();
	__atomic_store_n(&core->tlb_done, want, __ATOMIC_RELEASE);
}

/* p's tables changed on core: its other active cores flush, then go on. */
void tlb_shootdown(struct cok_kcore *core, struct cok_proc *p)
{
	uint32_t others, c;
	uint64_t want[COK_MAX_CORES];

	others = __atomic_load_n(&p->active, __ATOMIC_SEQ_CST) &
		 ~(1U << core->index);
	if (!others)
		return;
	for (c = 0; c < COK_MAX_CORES; c++) {
		if (!(others & (1U << c)))
			continue;
		want[c] = __atomic_add_fetch(&cok_cores[c].tlb_req, 1,
					     __ATOMIC_SEQ_CST);
		ipi_core(&cok_cores[c], COK_TLB_VECTOR);
	}
	for (c = 0; c < COK_MAX_CORES; c++) {
		if (!(others & (1U << c)))
			continue;
		while (__atomic_load_n(&cok_cores[c].tlb_done,
				       __ATOMIC_ACQUIRE) < want[c]) {
			tlb_serve(core);
			cpu_relax();
		}
	}
}
