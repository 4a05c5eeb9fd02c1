// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of kmod/resources.c: choosing an enclave's CPUs and
 * sizing its memory.  Only the documented API (kmod/resources.h) is
 * used: a refusal is a negative errno plus a one-line reason in *why.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/sizes.h>

#include "../../xemem/channel.h"
#include "../../kmod/resources.h"

#define NBITS		8	/* CPUs 0..7 exist */
#define OUT_LEN		(2 * COK_MAX_CORES + 8)

/*
 * The machine of most cases: CPUs 0..5 online, 6 and 7 offline,
 * CPU 2 already taken by another enclave.  Free for us: 1, 3, 4, 5.
 */
struct machine {
	DECLARE_BITMAP(online, 128);
	DECLARE_BITMAP(taken, 128);
	u32 out[OUT_LEN];
	const char *why;
};

static struct machine *new_machine(struct kunit *test)
{
	struct machine *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m);
	bitmap_zero(m->online, 128);
	bitmap_zero(m->taken, 128);
	bitmap_set(m->online, 0, 6);
	__set_bit(2, m->taken);
	return m;
}

/* Explicit list; expects a refusal with a reason. */
static void expect_list_refused(struct kunit *test, struct machine *m,
				unsigned int nbits, const u32 *list, u32 n,
				const char *what)
{
	int ret;

	m->why = NULL;
	ret = cok_pick_cpus(m->online, m->taken, nbits, list, n, 0, m->out,
			    &m->why);
	KUNIT_EXPECT_LT_MSG(test, ret, 0, "%s: not refused", what);
	KUNIT_EXPECT_NOT_ERR_OR_NULL_MSG(test, m->why, "%s: no reason", what);
	if (m->why)
		KUNIT_EXPECT_GT_MSG(test, strlen(m->why), (size_t)0,
				    "%s: empty reason", what);
	if (ret < 0 && m->why)
		kunit_info(test, "%s: %d \"%s\"", what, ret, m->why);
}

static void expect_count_refused(struct kunit *test, struct machine *m,
				 unsigned int nbits, u32 count,
				 const char *what)
{
	int ret;

	m->why = NULL;
	ret = cok_pick_cpus(m->online, m->taken, nbits, NULL, 0, count,
			    m->out, &m->why);
	KUNIT_EXPECT_LT_MSG(test, ret, 0, "%s: not refused", what);
	KUNIT_EXPECT_NOT_ERR_OR_NULL_MSG(test, m->why, "%s: no reason", what);
	if (m->why)
		KUNIT_EXPECT_GT_MSG(test, strlen(m->why), (size_t)0,
				    "%s: empty reason", what);
	if (ret < 0 && m->why)
		kunit_info(test, "%s: %d \"%s\"", what, ret, m->why);
}

static void pick_cpu0_refused(struct kunit *test)
{
	struct machine *m = new_machine(test);
	static const u32 only0[] = { 0 };
	static const u32 with0[] = { 1, 0 };

	expect_list_refused(test, m, NBITS, only0, 1, "list {0}");
	expect_list_refused(test, m, NBITS, with0, 2, "list {1,0}");
	/* Even when CPU 0 is the only online, untaken CPU. */
	bitmap_zero(m->online, 128);
	__set_bit(0, m->online);
	expect_count_refused(test, m, NBITS, 1, "count 1, only CPU 0 up");
}

static void pick_nonexistent_refused(struct kunit *test)
{
	struct machine *m = new_machine(test);
	static const u32 l1[] = { NBITS };		/* first past the end */
	static const u32 l2[] = { 1, 1000 };
	static const u32 l3[] = { U32_MAX };

	/* Even if a stray bit beyond nbits is set in the masks. */
	__set_bit(NBITS, m->online);
	expect_list_refused(test, m, NBITS, l1, 1, "list {nbits}");
	expect_list_refused(test, m, NBITS, l2, 2, "list {1,1000}");
	expect_list_refused(test, m, NBITS, l3, 1, "list {U32_MAX}");
}

static void pick_offline_refused(struct kunit *test)
{
	struct machine *m = new_machine(test);
	static const u32 l1[] = { 6 };
	static const u32 l2[] = { 1, 3, 7 };

	expect_list_refused(test, m, NBITS, l1, 1, "list {6} offline");
	expect_list_refused(test, m, NBITS, l2, 3, "list {1,3,7}, 7 offline");
}

static void pick_taken_refused(struct kunit *test)
{
	struct machine *m = new_machine(test);
	static const u32 l1[] = { 2 };
	static const u32 l2[] = { 4, 2 };

	expect_list_refused(test, m, NBITS, l1, 1, "list {2} taken");
	expect_list_refused(test, m, NBITS, l2, 2, "list {4,2}, 2 taken");
}

static void pick_duplicate_refused(struct kunit *test)
{
	struct machine *m = new_machine(test);
	static const u32 l1[] = { 1, 1 };
	static const u32 l2[] = { 3, 1, 3 };

	expect_list_refused(test, m, NBITS, l1, 2, "list {1,1}");
	expect_list_refused(test, m, NBITS, l2, 3, "list {3,1,3}");
}

static void pick_count_exceeds_free(struct kunit *test)
{
	struct machine *m = new_machine(test);
	int ret;

	/* Four are free (1, 3, 4, 5): five is too many ... */
	expect_count_refused(test, m, NBITS, 5, "count 5 of 4 free");
	expect_count_refused(test, m, NBITS, 1000, "count 1000");
	/* ... four is exactly all of them. */
	m->why = NULL;
	ret = cok_pick_cpus(m->online, m->taken, NBITS, NULL, 0, 4, m->out,
			    &m->why);
	KUNIT_ASSERT_EQ(test, ret, 4);
	KUNIT_EXPECT_EQ(test, m->out[0], 1u);
	KUNIT_EXPECT_EQ(test, m->out[1], 3u);
	KUNIT_EXPECT_EQ(test, m->out[2], 4u);
	KUNIT_EXPECT_EQ(test, m->out[3], 5u);

	/* Nothing free at all. */
	bitmap_set(m->taken, 1, NBITS - 1);
	expect_count_refused(test, m, NBITS, 1, "count 1, all taken");
}

static void pick_lowest_free_ascending(struct kunit *test)
{
	struct machine *m = new_machine(test);
	static const u32 unsorted[] = { 5, 1, 4 };
	int ret;

	ret = cok_pick_cpus(m->online, m->taken, NBITS, NULL, 0, 2, m->out,
			    &m->why);
	KUNIT_ASSERT_EQ(test, ret, 2);
	KUNIT_EXPECT_EQ(test, m->out[0], 1u);	/* never 0, skips taken 2 */
	KUNIT_EXPECT_EQ(test, m->out[1], 3u);

	ret = cok_pick_cpus(m->online, m->taken, NBITS, NULL, 0, 1, m->out,
			    &m->why);
	KUNIT_ASSERT_EQ(test, ret, 1);
	KUNIT_EXPECT_EQ(test, m->out[0], 1u);

	/* An explicit list comes back ascending, whatever its order. */
	ret = cok_pick_cpus(m->online, m->taken, NBITS, unsorted,
			    ARRAY_SIZE(unsorted), 0, m->out, &m->why);
	KUNIT_ASSERT_EQ(test, ret, 3);
	KUNIT_EXPECT_EQ(test, m->out[0], 1u);
	KUNIT_EXPECT_EQ(test, m->out[1], 4u);
	KUNIT_EXPECT_EQ(test, m->out[2], 5u);

	/* The masks are inputs only. */
	KUNIT_EXPECT_TRUE(test, test_bit(2, m->taken));
	KUNIT_EXPECT_EQ(test, bitmap_weight(m->taken, NBITS), 1u);
	KUNIT_EXPECT_EQ(test, bitmap_weight(m->online, NBITS), 6u);
}

/* A machine with 100 CPUs, all online and free. */
static void pick_more_than_max_cores(struct kunit *test)
{
	struct machine *m = new_machine(test);
	u32 *list = kunit_kcalloc(test, COK_MAX_CORES + 1, sizeof(u32),
				  GFP_KERNEL);
	int ret, i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, list);
	bitmap_zero(m->taken, 128);
	bitmap_set(m->online, 0, 100);

	expect_count_refused(test, m, 100, COK_MAX_CORES + 1,
			     "count COK_MAX_CORES + 1");
	for (i = 0; i < COK_MAX_CORES + 1; i++)
		list[i] = i + 1;
	expect_list_refused(test, m, 100, list, COK_MAX_CORES + 1,
			    "list of COK_MAX_CORES + 1");

	/* Exactly COK_MAX_CORES is allowed, both ways. */
	ret = cok_pick_cpus(m->online, m->taken, 100, NULL, 0, COK_MAX_CORES,
			    m->out, &m->why);
	KUNIT_ASSERT_EQ(test, ret, COK_MAX_CORES);
	for (i = 0; i < COK_MAX_CORES; i++)
		KUNIT_EXPECT_EQ(test, m->out[i], (u32)(i + 1));
	ret = cok_pick_cpus(m->online, m->taken, 100, list, COK_MAX_CORES, 0,
			    m->out, &m->why);
	KUNIT_ASSERT_EQ(test, ret, COK_MAX_CORES);
	KUNIT_EXPECT_EQ(test, m->out[COK_MAX_CORES - 1], (u32)COK_MAX_CORES);
}

static void expect_chunks_refused(struct kunit *test, u64 bytes)
{
	const char *why = NULL;
	u32 n = 0xdead;
	int ret = cok_mem_chunks(bytes, &n, &why);

	KUNIT_EXPECT_LT_MSG(test, ret, 0, "bytes %llu: not refused", bytes);
	KUNIT_EXPECT_NOT_ERR_OR_NULL_MSG(test, why, "bytes %llu: no reason",
					 bytes);
	if (why) {
		KUNIT_EXPECT_GT_MSG(test, strlen(why), (size_t)0,
				    "bytes %llu: empty reason", bytes);
		if (ret < 0)
			kunit_info(test, "%llu: %d \"%s\"", bytes, ret, why);
	}
}

static void expect_chunks(struct kunit *test, u64 bytes, u32 want)
{
	const char *why = NULL;
	u32 n = 0xdead;
	int ret = cok_mem_chunks(bytes, &n, &why);

	KUNIT_EXPECT_EQ_MSG(test, ret, 0, "bytes %llu refused: %s", bytes,
			    why ? why : "(no reason)");
	KUNIT_EXPECT_EQ_MSG(test, n, want, "bytes %llu", bytes);
}

static void mem_chunks_refused(struct kunit *test)
{
	expect_chunks_refused(test, 0);
	expect_chunks_refused(test, 1);
	expect_chunks_refused(test, 3 * SZ_1M);
	expect_chunks_refused(test, SZ_2M + 4096);
	expect_chunks_refused(test, SZ_2M - 1);
}

static void mem_chunks_sizes(struct kunit *test)
{
	expect_chunks(test, SZ_2M, 1);
	expect_chunks(test, 2 * SZ_2M, 2);
	expect_chunks(test, SZ_256M, 128);
	expect_chunks(test, (u64)COK_MAX_CHUNKS * SZ_2M, COK_MAX_CHUNKS);
}

static void mem_chunks_too_large(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, (u64)COK_MAX_CHUNKS * SZ_2M, 16ull * SZ_1G);
	expect_chunks_refused(test, 16ull * SZ_1G + SZ_2M);
	expect_chunks_refused(test, 32ull * SZ_1G);
	/* Chunk counts that would overflow 32 bits. */
	expect_chunks_refused(test, (u64)SZ_2M << 32);
	expect_chunks_refused(test, U64_MAX & ~(u64)(SZ_2M - 1));
	expect_chunks_refused(test, U64_MAX);
}

static struct kunit_case cok_resources_cases[] = {
	KUNIT_CASE(pick_cpu0_refused),
	KUNIT_CASE(pick_nonexistent_refused),
	KUNIT_CASE(pick_offline_refused),
	KUNIT_CASE(pick_taken_refused),
	KUNIT_CASE(pick_duplicate_refused),
	KUNIT_CASE(pick_count_exceeds_free),
	KUNIT_CASE(pick_lowest_free_ascending),
	KUNIT_CASE(pick_more_than_max_cores),
	KUNIT_CASE(mem_chunks_refused),
	KUNIT_CASE(mem_chunks_sizes),
	KUNIT_CASE(mem_chunks_too_large),
	{}
};

static struct kunit_suite cok_resources_suite = {
	.name = "cok_resources",
	.test_cases = cok_resources_cases,
};

kunit_test_suite(cok_resources_suite);
