// SPDX-License-Identifier: GPL-2.0
/*
 * The co-kernel's boot page tables, built by the module because the
 * trampoline needs a CR3 before any co-kernel code runs.  Only 2 MiB
 * pages: a PML4, PDPTs and page directories, one 4 KiB table each.
 */
#include <linux/errno.h>
#include "pgtable.h"
#include "../xemem/channel.h"

#define PTE_PRESENT	(1ULL << 0)
#define PTE_WRITE	(1ULL << 1)
#define PTE_PWT		(1ULL << 3)	/* write-through */
#define PTE_PCD		(1ULL << 4)	/* cache disable */
#define PTE_LARGE	(1ULL << 7)	/* PS: 2 MiB page in a PD entry */
#define PTE_GLOBAL	(1ULL << 8)
#define PTE_TABLE	(PTE_PRESENT | PTE_WRITE)
#define PTE_2M_RAM	(PTE_PRESENT | PTE_WRITE | PTE_LARGE | PTE_GLOBAL)
#define PTE_2M_MMIO	(PTE_2M_RAM | PTE_PWT | PTE_PCD)

#define ENTRIES		512
#define PML4_INDEX(v)	(((v) >> 39) & (ENTRIES - 1))
#define PDPT_INDEX(v)	(((v) >> 30) & (ENTRIES - 1))
#define PD_INDEX(v)	(((v) >> 21) & (ENTRIES - 1))

/* Which 4 KiB table of the area holds what. */
enum {
	T_PML4,
	T_PDPT_LOW,	/* identity 0..2 MiB, for the trampoline's jump */
	T_PD_LOW,
	T_PDPT_HIGH,	/* top 1 GiB slots: kernel and APIC */
	T_PD_KERNEL,
	T_PD_IO,
	T_PDPT_DIRECT,
	T_PD_DIRECT,	/* first of one PD per GiB of enclave memory */
};

static u64 *table(u64 *pt, int t)
{
	return pt + t * ENTRIES;
}

static u64 table_phys(u64 pt_phys, int t)
{
	return pt_phys + t * ENTRIES * sizeof(u64);
}

int cok_build_page_tables(u64 *pt, u64 pt_phys, const u64 *chunk_phys,
			  u32 nchunks)
{
	u32 npd = (nchunks + ENTRIES - 1) / ENTRIES;
	u32 i;

	if (nchunks == 0 || nchunks > COK_MAX_CHUNKS ||
	    (T_PD_DIRECT + npd) * ENTRIES * sizeof(u64) > COK_PGTABLE_SIZE)
		return -E2BIG;

	table(pt, T_PML4)[0] = table_phys(pt_phys, T_PDPT_LOW) | PTE_TABLE;
	table(pt, T_PDPT_LOW)[0] = table_phys(pt_phys, T_PD_LOW) | PTE_TABLE;
	table(pt, T_PD_LOW)[0] = 0 | PTE_PRESENT | PTE_WRITE | PTE_LARGE;

	table(pt, T_PML4)[PML4_INDEX(COK_VIRT_KERNEL)] =
		table_phys(pt_phys, T_PDPT_HIGH) | PTE_TABLE;
	table(pt, T_PDPT_HIGH)[PDPT_INDEX(COK_VIRT_KERNEL)] =
		table_phys(pt_phys, T_PD_KERNEL) | PTE_TABLE;
	table(pt, T_PD_KERNEL)[PD_INDEX(COK_VIRT_KERNEL)] =
		chunk_phys[0] | PTE_2M_RAM;
	table(pt, T_PDPT_HIGH)[PDPT_INDEX(COK_VIRT_APIC)] =
		table_phys(pt_phys, T_PD_IO) | PTE_TABLE;
	table(pt, T_PD_IO)[PD_INDEX(COK_VIRT_APIC)] =
		COK_APIC_PHYS | PTE_2M_MMIO;

	table(pt, T_PML4)[PML4_INDEX(COK_VIRT_DIRECT)] =
		table_phys(pt_phys, T_PDPT_DIRECT) | PTE_TABLE;
	for (i = 0; i < npd; i++)
		table(pt, T_PDPT_DIRECT)[PDPT_INDEX(COK_VIRT_DIRECT) + i] =
			table_phys(pt_phys, T_PD_DIRECT + i) | PTE_TABLE;
	for (i = 0; i < nchunks; i++)
		table(pt, T_PD_DIRECT + i / ENTRIES)[i % ENTRIES] =
			chunk_phys[i] | PTE_2M_RAM;
	return 0;
}
