/* SPDX-License-Identifier: GPL-2.0 */
#ifndef COK_PGTABLE_H
#define COK_PGTABLE_H

#include <linux/types.h>

/*
 * Build the co-kernel's boot page tables (see xemem/channel.h for the
 * virtual layout) in pt, COK_PGTABLE_SIZE zeroed bytes at physical
 * address pt_phys.  Pure logic.  Returns 0, or -E2BIG if nchunks does
 * not fit.
 */
int cok_build_page_tables(u64 *pt, u64 pt_phys, const u64 *chunk_phys,
			  u32 nchunks);

#endif /* COK_PGTABLE_H */
