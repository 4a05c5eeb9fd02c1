// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of cokernel/restore_check.h, the checks a staged restore
 * block (regions, thread records, memory bounds) passes in the co-kernel
 * before anything is built from it.  The header is the one
 * cokernel/checkpoint.c compiles, included by relative path.  Each case
 * starts from a good block of NT threads and NR regions and breaks one
 * thing in it.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "../../cokernel/restore_check.h"

#define NT		3
#define NR		2
#define XCR0_X87_SSE_AVX	0x7ULL
#define XSAVE_SIZE	832		/* legacy area, header, AVX */
#define MB		(1ULL << 20)

/* The good block: regions at 4 MiB and 64 MiB, tids 100, 101, 102. */
static struct cok_restore_block *good_block(struct kunit *test)
{
	uint64_t at = ALIGN(sizeof(struct cok_restore_block) +
			    NR * sizeof(struct cok_region), 64);
	uint64_t size = at + NT * sizeof(struct cok_thread_rec);
	struct cok_restore_block *b = kunit_kzalloc(test, size, GFP_KERNEL);
	struct cok_thread_rec *recs;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, b);
	b->magic = COK_RESTORE_MAGIC;
	b->staged_size = size;
	b->nthreads = NT;
	b->threads_offset = at;
	b->mm = (struct cok_mm_state){ .brk_start = 8 * MB, .brk = 9 * MB,
				       .mmap_next = 0x7f0000000000ULL,
				       .nregions = NR };
	b->regions[0] = (struct cok_region){ .va = 4 * MB, .len = 2 * MB,
					     .prot = COK_PROT_READ };
	b->regions[1] = (struct cok_region){ .va = 64 * MB, .len = 4096,
					     .prot = COK_PROT_READ |
						     COK_PROT_WRITE };
	recs = (struct cok_thread_rec *)((uint8_t *)b + at);
	for (i = 0; i < NT; i++) {
		recs[i].st.regs.rip = 4 * MB + 0x1000;
		recs[i].st.regs.rsp = 0x7ffffff00000ULL - i * MB;
		recs[i].st.xcr0 = XCR0_X87_SSE_AVX;
		recs[i].st.xstate_size = XSAVE_SIZE;
		recs[i].xstate[24] = 0x80;	/* MXCSR 0x1f80 */
		recs[i].xstate[25] = 0x1f;
		recs[i].ids.tid = 100 + i;
	}
	return b;
}

static struct cok_thread_rec *rec(struct cok_restore_block *b, int i)
{
	return (struct cok_thread_rec *)cok_restore_recs(b) + i;
}

static const char *check(struct cok_restore_block *b)
{
	return cok_check_restore_block(b, XCR0_X87_SSE_AVX);
}

/* A refusal whose line contains want. */
#define EXPECT_REFUSED(test, b, want) do {				\
	const char *_why = check(b);					\
	KUNIT_ASSERT_NOT_NULL(test, _why);				\
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(_why, want), "%s", _why); \
} while (0)

static void restore_good_block(struct kunit *test)
{
	KUNIT_EXPECT_NULL(test, check(good_block(test)));
}

static void restore_bad_magic_and_sizes(struct kunit *test)
{
	struct cok_restore_block *b = good_block(test);

	b->magic ^= 1;
	EXPECT_REFUSED(test, b, "bad restore block");
	b = good_block(test);
	b->mm.nregions = COK_RESTORE_MAX_REGIONS + 1;
	EXPECT_REFUSED(test, b, "bad restore block");
	b = good_block(test);
	/* The regions would run past what was staged. */
	b->staged_size = sizeof(*b) + sizeof(b->regions[0]);
	EXPECT_REFUSED(test, b, "bad restore block");
}

static void restore_thread_records_bounds(struct kunit *test)
{
	struct cok_restore_block *b = good_block(test);

	b->nthreads = 0;
	EXPECT_REFUSED(test, b, "bad thread records");
	b = good_block(test);
	b->nthreads = NT + 1;		/* one more than was staged */
	EXPECT_REFUSED(test, b, "bad thread records");
	b = good_block(test);
	b->nthreads = COK_STATE_MAX_THREADS + 1;
	EXPECT_REFUSED(test, b, "bad thread records");
	b = good_block(test);
	b->threads_offset = sizeof(*b);	/* over the regions */
	EXPECT_REFUSED(test, b, "bad thread records");
	b = good_block(test);
	b->threads_offset += 4;		/* misaligned */
	EXPECT_REFUSED(test, b, "bad thread records");
	b = good_block(test);
	b->threads_offset = b->staged_size + 64;
	EXPECT_REFUSED(test, b, "bad thread records");
}

static void restore_tids(struct kunit *test)
{
	struct cok_restore_block *b = good_block(test);

	rec(b, 2)->ids.tid = 100;
	EXPECT_REFUSED(test, b, "two threads with one tid");
	b = good_block(test);
	rec(b, 1)->ids.tid = 0;
	EXPECT_REFUSED(test, b, "without a tid");
	/* tid 0 alone: a version 1 image's thread, the process's pid. */
	b = good_block(test);
	b->nthreads = 1;
	rec(b, 0)->ids.tid = 0;
	KUNIT_EXPECT_NULL(test, check(b));
}

static void restore_user_addresses(struct kunit *test)
{
	struct cok_restore_block *b = good_block(test);

	rec(b, 1)->st.regs.rip = 0xffff800000000000ULL;
	EXPECT_REFUSED(test, b, "outside user space");
	b = good_block(test);
	rec(b, 2)->st.regs.fs_base = COK_USER_TOP;
	EXPECT_REFUSED(test, b, "outside user space");
	b = good_block(test);
	rec(b, 0)->ids.robust_head = 0x0000800000000000ULL;
	EXPECT_REFUSED(test, b, "outside user space");
	b = good_block(test);
	rec(b, 0)->st.regs.rsp = COK_USER_TOP - 8;	/* the last word: fine */
	KUNIT_EXPECT_NULL(test, check(b));
}

static void restore_fpu_state(struct kunit *test)
{
	struct cok_restore_block *b = good_block(test);
	uint64_t *hdr;

	rec(b, 1)->xstate[26] = 1;	/* MXCSR bit 16: reserved */
	EXPECT_REFUSED(test, b, "bad MXCSR");
	b = good_block(test);
	rec(b, 0)->st.xcr0 = 0xe7;	/* AVX-512 on a core without it */
	EXPECT_REFUSED(test, b, "XCR0");
	KUNIT_EXPECT_NOT_NULL(test, cok_check_restore_block(b, 0));
	b = good_block(test);
	rec(b, 0)->st.xstate_size = 512;	/* XSAVE, too short */
	EXPECT_REFUSED(test, b, "bad XSAVE state size");
	b = good_block(test);
	hdr = (uint64_t *)(rec(b, 2)->xstate + 512);
	hdr[0] = 0x8;			/* XSTATE_BV beyond the image's XCR0 */
	EXPECT_REFUSED(test, b, "bad XSAVE header");
	b = good_block(test);
	hdr = (uint64_t *)(rec(b, 2)->xstate + 512);
	hdr[1] = 1ULL << 63;		/* compacted form */
	EXPECT_REFUSED(test, b, "bad XSAVE header");
	/* FXSAVE format: exactly 512 bytes, on any core. */
	b = good_block(test);
	rec(b, 0)->st.xcr0 = 0;
	rec(b, 0)->st.xstate_size = COK_FXSAVE_SIZE;
	KUNIT_EXPECT_NULL(test, check(b));
	rec(b, 0)->st.xstate_size = XSAVE_SIZE;
	EXPECT_REFUSED(test, b, "bad FXSAVE state size");
}

static void restore_regions(struct kunit *test)
{
	struct cok_restore_block *b = good_block(test);

	b->regions[0].va = 0x8000;
	EXPECT_REFUSED(test, b, "below 0x10000");
	b = good_block(test);
	b->regions[1].va = 5 * MB;	/* inside region 0 */
	EXPECT_REFUSED(test, b, "bad memory region");
	b = good_block(test);
	b->regions[1].len = 100;	/* not page-aligned */
	EXPECT_REFUSED(test, b, "bad memory region");
	b = good_block(test);
	b->regions[1].len = 0;
	EXPECT_REFUSED(test, b, "bad memory region");
	b = good_block(test);
	b->regions[1].va = COK_USER_TOP - 4096;
	b->regions[1].len = 8192;	/* past the top */
	EXPECT_REFUSED(test, b, "bad memory region");
	b = good_block(test);
	b->regions[1].len = 0ULL - 64 * MB;	/* wraps around */
	EXPECT_REFUSED(test, b, "bad memory region");
}

static void restore_memory_bounds(struct kunit *test)
{
	struct cok_restore_block *b = good_block(test);

	b->mm.brk_start = 0x1000;
	b->mm.brk = 0x1000;
	EXPECT_REFUSED(test, b, "program break");
	b = good_block(test);
	b->mm.brk = b->mm.brk_start - 4096;
	EXPECT_REFUSED(test, b, "program break");
	b = good_block(test);
	b->mm.mmap_next = b->mm.brk;
	EXPECT_REFUSED(test, b, "program break");
	b = good_block(test);
	b->mm.mmap_next = COK_USER_TOP + 4096;
	EXPECT_REFUSED(test, b, "program break");
}

static struct kunit_case restore_cases[] = {
	KUNIT_CASE(restore_good_block),
	KUNIT_CASE(restore_bad_magic_and_sizes),
	KUNIT_CASE(restore_thread_records_bounds),
	KUNIT_CASE(restore_tids),
	KUNIT_CASE(restore_user_addresses),
	KUNIT_CASE(restore_fpu_state),
	KUNIT_CASE(restore_regions),
	KUNIT_CASE(restore_memory_bounds),
	{}
};

static struct kunit_suite restore_suite = {
	.name = "cok_restore",
	.test_cases = restore_cases,
};
kunit_test_suite(restore_suite);
