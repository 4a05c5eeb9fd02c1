// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of kmod/pgtable.c: the co-kernel's boot page tables.  The
 * tables are built into a buffer that pretends to live at a physical
 * address, then walked in software the way the MMU would walk them.
 */
#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/sizes.h>

#include "../../xemem/channel.h"
#include "../../kmod/pgtable.h"

#define FAKE_PT_PHYS	0x40040000ULL	/* chunk 0 at 1 GiB + 0x40000 */
#define P		BIT_ULL(0)
#define RW		BIT_ULL(1)
#define PWT		BIT_ULL(3)
#define PCD		BIT_ULL(4)
#define PS		BIT_ULL(7)
#define G		BIT_ULL(8)
#define ADDR_4K		0x000ffffffffff000ULL
#define ADDR_2M		0x000fffffffe00000ULL

struct walk {
	u64 phys;
	u64 leaf;	/* the PD entry that maps the address */
};

static u64 *next_table(struct kunit *test, u64 *pt, u64 entry)
{
	u64 phys = entry & ADDR_4K;

	/* Every table the tables point to lies inside the table area. */
	KUNIT_ASSERT_GE(test, phys, FAKE_PT_PHYS);
	KUNIT_ASSERT_LT(test, phys, FAKE_PT_PHYS + COK_PGTABLE_SIZE);
	return pt + (phys - FAKE_PT_PHYS) / sizeof(u64);
}

/* Returns false where the MMU would fault (not present). */
static bool walk(struct kunit *test, u64 *pt, u64 virt, struct walk *w)
{
	u64 e = pt[(virt >> 39) & 511];

	if (!(e & P))
		return false;
	e = next_table(test, pt, e)[(virt >> 30) & 511];
	if (!(e & P))
		return false;
	KUNIT_EXPECT_FALSE_MSG(test, e & PS, "no 1 GiB pages expected");
	e = next_table(test, pt, e)[(virt >> 21) & 511];
	if (!(e & P))
		return false;
	KUNIT_EXPECT_TRUE_MSG(test, e & PS, "PD entries map 2 MiB pages");
	w->leaf = e;
	w->phys = (e & ADDR_2M) + (virt & (SZ_2M - 1));
	return true;
}

static u64 *new_tables(struct kunit *test)
{
	u64 *pt = kunit_kzalloc(test, COK_PGTABLE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pt);
	return pt;
}

static u64 *chunks(struct kunit *test, u32 n)
{
	u64 *c = kunit_kcalloc(test, n, sizeof(*c), GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, c);
	/* Deliberately scattered and out of order, as the allocator gives. */
	for (i = 0; i < n; i++)
		c[i] = 0x40000000ULL + (u64)((i * 7919) % (4 * n)) * SZ_2M;
	return c;
}

static void kernel_window(struct kunit *test)
{
	u64 *pt = new_tables(test), *c = chunks(test, 4);
	struct walk w;

	KUNIT_ASSERT_EQ(test, cok_build_page_tables(pt, FAKE_PT_PHYS, c, 4), 0);
	KUNIT_ASSERT_TRUE(test, walk(test, pt, COK_VIRT_KERNEL, &w));
	KUNIT_EXPECT_EQ(test, w.phys, c[0]);
	KUNIT_EXPECT_EQ(test, w.leaf & (RW | G), RW | G);
	KUNIT_EXPECT_EQ(test, w.leaf & (PCD | PWT), 0ULL);
	KUNIT_ASSERT_TRUE(test, walk(test, pt, COK_VIRT_KERNEL +
				      COK_IMAGE_OFFSET + 0x123, &w));
	KUNIT_EXPECT_EQ(test, w.phys, c[0] + COK_IMAGE_OFFSET + 0x123);
	/* Only chunk 0 is in the kernel window. */
	KUNIT_EXPECT_FALSE(test, walk(test, pt, COK_VIRT_KERNEL + SZ_2M, &w));
}

static void direct_map_every_chunk(struct kunit *test)
{
	const u32 n = 1100;	/* spans three page directories */
	u64 *pt = new_tables(test), *c = chunks(test, n);
	struct walk w;
	u32 i;

	KUNIT_ASSERT_EQ(test, cok_build_page_tables(pt, FAKE_PT_PHYS, c, n), 0);
	for (i = 0; i < n; i++) {
		u64 v = COK_VIRT_DIRECT + (u64)i * SZ_2M + (i % 512) * 8;

		KUNIT_ASSERT_TRUE_MSG(test, walk(test, pt, v, &w),
				      "chunk %u not mapped", i);
		KUNIT_EXPECT_EQ_MSG(test, w.phys, c[i] + (i % 512) * 8,
				    "chunk %u", i);
	}
	KUNIT_EXPECT_FALSE(test, walk(test, pt, COK_VIRT_DIRECT +
				       (u64)n * SZ_2M, &w));
}

static void apic_uncached(struct kunit *test)
{
	u64 *pt = new_tables(test), *c = chunks(test, 1);
	struct walk w;

	KUNIT_ASSERT_EQ(test, cok_build_page_tables(pt, FAKE_PT_PHYS, c, 1), 0);
	KUNIT_ASSERT_TRUE(test, walk(test, pt, COK_VIRT_APIC + 0x20, &w));
	KUNIT_EXPECT_EQ(test, w.phys, COK_APIC_PHYS + 0x20);
	KUNIT_EXPECT_EQ(test, w.leaf & (PCD | PWT), PCD | PWT);
}

static void identity_for_trampoline(struct kunit *test)
{
	u64 *pt = new_tables(test), *c = chunks(test, 1);
	struct walk w;

	KUNIT_ASSERT_EQ(test, cok_build_page_tables(pt, FAKE_PT_PHYS, c, 1), 0);
	KUNIT_ASSERT_TRUE(test, walk(test, pt, 0x1000, &w));
	KUNIT_EXPECT_EQ(test, w.phys, 0x1000ULL);
	/* Not global: the co-kernel can drop it for user space later. */
	KUNIT_EXPECT_EQ(test, w.leaf & G, 0ULL);
	KUNIT_EXPECT_FALSE(test, walk(test, pt, SZ_2M, &w));
}

static void sizes_refused_and_max(struct kunit *test)
{
	u64 *pt = new_tables(test), *c = chunks(test, COK_MAX_CHUNKS + 1);
	struct walk w;

	KUNIT_EXPECT_EQ(test, cok_build_page_tables(pt, FAKE_PT_PHYS, c, 0),
			-E2BIG);
	KUNIT_EXPECT_EQ(test, cok_build_page_tables(pt, FAKE_PT_PHYS, c,
						    COK_MAX_CHUNKS + 1), -E2BIG);
	KUNIT_ASSERT_EQ(test, cok_build_page_tables(pt, FAKE_PT_PHYS, c,
						    COK_MAX_CHUNKS), 0);
	KUNIT_ASSERT_TRUE(test, walk(test, pt, COK_VIRT_DIRECT +
				      (u64)(COK_MAX_CHUNKS - 1) * SZ_2M, &w));
	KUNIT_EXPECT_EQ(test, w.phys, c[COK_MAX_CHUNKS - 1]);
}

static struct kunit_case cok_pgtable_cases[] = {
	KUNIT_CASE(kernel_window),
	KUNIT_CASE(direct_map_every_chunk),
	KUNIT_CASE(apic_uncached),
	KUNIT_CASE(identity_for_trampoline),
	KUNIT_CASE(sizes_refused_and_max),
	{}
};

static struct kunit_suite cok_pgtable_suite = {
	.name = "cok_pgtable",
	.test_cases = cok_pgtable_cases,
};

kunit_test_suite(cok_pgtable_suite);
