/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pure part of RESTORE (checkpoint.c): the checks a staged restore
 * block passes before the co-kernel builds anything from it, with no
 * memory, core or process in sight, so that the KUnit tests
 * (tests/kunit/restore_kunit.c) compile the very code the co-kernel
 * runs.  The block comes from Linux (from an image file, through the
 * module): every size, offset, address and register is checked here, and
 * each refusal is one line the module passes on.
 *
 * host_xcr0 is the XCR0 the restoring core runs with (0 without XSAVE).
 */
#ifndef COKERNEL_RESTORE_CHECK_H
#define COKERNEL_RESTORE_CHECK_H

#include "../xemem/cok_types.h"
#include "../xemem/app.h"	/* COK_MAX_THREADS */
#include "../xemem/pgwalk.h"	/* COK_USER_TOP, COK_USER_BOTTOM */
#include "../xemem/state.h"
#ifndef __KERNEL__
#include <stdbool.h>
#endif

/* Below COK_USER_TOP: canonical, and what WRMSR and IRETQ accept. */
static inline bool cok_user_addr(uint64_t va)
{
	return va < COK_USER_TOP;
}

/*
 * What XRSTOR/FXRSTOR would fault on (#GP) must not reach them: an
 * FXSAVE (xcr0 0) or standard-form XSAVE image xs of size bytes, for a
 * core with host_xcr0 (a restore's saved state, a signal frame's).
 */
static inline const char *cok_check_xsave(const uint8_t *xs, uint64_t xcr0,
					  uint32_t size, uint64_t host_xcr0)
{
	const uint64_t *hdr = (const uint64_t *)(xs + 512);
	int i;

	/* MXCSR is bytes 24-27; its reserved bits, 16-31, must be 0. */
	if (xs[26] || xs[27])
		return "bad MXCSR in the saved FPU state";
	if (!xcr0)
		return size == COK_FXSAVE_SIZE ? NULL :
		       "bad FXSAVE state size";
	if (!host_xcr0 || (xcr0 & ~host_xcr0))
		return "the image uses CPU state (XCR0) this core does not have";
	if (size > COK_XSTATE_MAX || size < 576)
		return "bad XSAVE state size";
	/* XSTATE_BV within XCR0; compacted form and reserved bytes zero. */
	if (hdr[0] & ~xcr0)
		return "bad XSAVE header";
	for (i = 1; i < 8; i++)
		if (hdr[i])
			return "bad XSAVE header";
	return NULL;
}

static inline const char *cok_check_xstate(const struct cok_thread_rec *rec,
					   uint64_t host_xcr0)
{
	return cok_check_xsave(rec->xstate, rec->st.xcr0, rec->st.xstate_size,
			       host_xcr0);
}

/*
 * The program break and the mmap floor, as a loaded app has them:
 * brk_start at or above COK_USER_BOTTOM (brk never goes below it, mmap
 * never below brk), brk_start <= brk < mmap_next <= COK_USER_TOP.
 */
static inline const char *cok_check_mm(const struct cok_mm_state *mm)
{
	if (mm->brk_start < COK_USER_BOTTOM || mm->brk < mm->brk_start ||
	    mm->mmap_next <= mm->brk || mm->mmap_next > COK_USER_TOP)
		return "bad program break or mmap bounds in the restore block";
	return NULL;
}

static inline const char *cok_check_thread(const struct cok_thread_rec *rec,
					   uint64_t host_xcr0)
{
	const struct cok_user_regs *r = &rec->st.regs;

	if (!cok_user_addr(r->rip) || !cok_user_addr(r->rsp) ||
	    !cok_user_addr(r->fs_base) || !cok_user_addr(r->gs_base) ||
	    !cok_user_addr(rec->ids.clear_child_tid) ||
	    !cok_user_addr(rec->ids.robust_head))
		return "saved registers point outside user space";
	return cok_check_xstate(rec, host_xcr0);
}

static inline const struct cok_thread_rec *
cok_restore_recs(const struct cok_restore_block *b)
{
	return (const void *)((const uint8_t *)b + b->threads_offset);
}

/*
 * The thread records: 1 to COK_STATE_MAX_THREADS after the regions,
 * inside the staged block, each valid; tids unique (0 only alone).
 */
static inline const char *cok_check_threads(const struct cok_restore_block *b,
					    uint64_t host_xcr0)
{
	const struct cok_thread_rec *recs = cok_restore_recs(b);
	uint64_t end = sizeof(*b) + (uint64_t)b->mm.nregions *
				    sizeof(b->regions[0]);
	const char *why;
	uint32_t i, j;

	if (!b->nthreads || b->nthreads > COK_STATE_MAX_THREADS ||
	    b->nthreads > COK_MAX_THREADS || b->threads_offset < end ||
	    b->threads_offset & 7 || b->threads_offset > b->staged_size ||
	    (b->staged_size - b->threads_offset) / sizeof(*recs) < b->nthreads)
		return "bad thread records in the restore block";
	for (i = 0; i < b->nthreads; i++) {
		why = cok_check_thread(&recs[i], host_xcr0);
		if (why)
			return why;
		if (!recs[i].ids.tid && b->nthreads > 1)
			return "a thread without a tid in the restore block";
		for (j = 0; j < i; j++)
			if (recs[j].ids.tid == recs[i].ids.tid)
				return "two threads with one tid in the restore block";
	}
	return NULL;
}

/*
 * The memory regions: page-aligned, not empty, in address order without
 * overlap, inside [COK_USER_BOTTOM, COK_USER_TOP).
 */
static inline const char *cok_check_regions(const struct cok_restore_block *b)
{
	const struct cok_region *g = b->regions;
	uint64_t prev_end = 0;
	uint32_t i;

	for (i = 0; i < b->mm.nregions; i++) {
		if (g[i].va < COK_USER_BOTTOM)
			return "a memory region below 0x10000 (64 KiB) in the restore block";
		if ((g[i].va | g[i].len) & 4095 || !g[i].len ||
		    g[i].va < prev_end || g[i].va + g[i].len < g[i].va ||
		    g[i].va + g[i].len > COK_USER_TOP)
			return "bad memory region in the restore block";
		prev_end = g[i].va + g[i].len;
	}
	return NULL;
}

/* The whole block, staged_size bytes of it readable; NULL if it is good. */
static inline const char *
cok_check_restore_block(const struct cok_restore_block *b, uint64_t host_xcr0)
{
	const char *why;

	if (b->staged_size < sizeof(*b) || b->magic != COK_RESTORE_MAGIC ||
	    b->mm.nregions > COK_RESTORE_MAX_REGIONS ||
	    sizeof(*b) + (uint64_t)b->mm.nregions * sizeof(b->regions[0]) >
	    b->staged_size)
		return "bad restore block";
	why = cok_check_regions(b);
	if (!why)
		why = cok_check_threads(b, host_xcr0);
	if (!why)
		why = cok_check_mm(&b->mm);
	return why;
}

#endif /* COKERNEL_RESTORE_CHECK_H */
