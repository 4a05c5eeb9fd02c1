/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An app's user address space as both kernels see it: its bounds, the
 * x86-64 page-table bits, and the one page walk that the module runs to
 * reach an app's buffers for its proxy (kmod/appmem.c) and that the
 * host tests run over hand-built tables (userland/test_appmem.c).
 *
 * The walk makes the checks the MMU makes for the app itself: a page
 * counts only if it is present and user-accessible at every level, and
 * writable at every level when the access writes.  Where the tables
 * live is the caller's business: table() turns the physical address of
 * a 4 KiB table into a pointer, or NULL when that address is not one
 * the caller lets the walk read (outside the enclave, say).
 */
#ifndef XEMEM_PGWALK_H
#define XEMEM_PGWALK_H

#include "cok_types.h"

#define COK_USER_TOP		0x00007ffffffff000ULL	/* user space ends below */
#define COK_USER_BOTTOM		0x0000000000010000ULL	/* and starts at (mmap_min_addr) */
#define COK_PAGE_SIZE		4096ULL

/* x86-64 page-table entry bits. */
#define COK_PTE_P		(1ULL << 0)
#define COK_PTE_W		(1ULL << 1)
#define COK_PTE_U		(1ULL << 2)
#define COK_PTE_PS		(1ULL << 7)
#define COK_PTE_ADDR		0x000ffffffffff000ULL	/* bits 12..51 */

/* [va, va + len) lies inside user space (no wrap-around). */
static inline int cok_user_range_ok(uint64_t va, uint64_t len)
{
	return va <= COK_USER_TOP && len <= COK_USER_TOP - va;
}

typedef const uint64_t *(*cok_table_fn)(void *ctx, uint64_t phys);

/*
 * The physical address of va, for a write when write is set, and *span,
 * the bytes from va to the end of its page (4 KiB, 2 MiB or 1 GiB): 0,
 * or -1 when the app itself could not make that access.
 */
static inline int cok_pgwalk(uint64_t cr3, uint64_t va, int write,
			     cok_table_fn table, void *ctx, uint64_t *phys,
			     uint64_t *span)
{
	const uint64_t need = COK_PTE_P | COK_PTE_U | (write ? COK_PTE_W : 0);
	uint64_t at = cr3 & COK_PTE_ADDR;
	unsigned int shift;

	if (va >= COK_USER_TOP)
		return -1;
	for (shift = 39; ; shift -= 9) {
		const uint64_t *t = table(ctx, at);
		uint64_t e, mask;

		if (!t)
			return -1;
		e = cok_read_once(&t[(va >> shift) & 511]);
		if ((e & need) != need)
			return -1;
		if (shift == 12) {
			*phys = (e & COK_PTE_ADDR) | (va & (COK_PAGE_SIZE - 1));
			*span = COK_PAGE_SIZE - (va & (COK_PAGE_SIZE - 1));
			return 0;
		}
		if (e & COK_PTE_PS) {
			/* A 1 GiB (PDPT) or 2 MiB (PD) page; reserved in a PML4E. */
			if (shift == 39)
				return -1;
			mask = (1ULL << shift) - 1;
			/* Bit 12 is PAT; bits 13..shift-1 are reserved. */
			if (e & COK_PTE_ADDR & mask & ~COK_PAGE_SIZE)
				return -1;
			*phys = (e & COK_PTE_ADDR & ~mask) | (va & mask);
			*span = (mask + 1) - (va & mask);
			return 0;
		}
		at = e & COK_PTE_ADDR;
	}
}

#endif /* XEMEM_PGWALK_H */
