// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of cokernel/futexq.h, the pure part of the co-kernel's
 * futex(2): the waiter queue (FIFO wakes, bitset matching, requeue,
 * a timeout taking its waiter) and FUTEX_WAKE_OP's operation and
 * comparison.  The header is the one cokernel/futex.c compiles, included by relative
 * path.  The system call around it (user memory, errors, timeouts in
 * TSC) is tested on the host by tests/fuzz/futex_unit.c.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "../../cokernel/futexq.h"

#define NW		8
#define ANY		0xffffffffU
#define UA		0x1000
#define UB		0x2000
#define UC		0x3000

/* Linux's FUTEX_OP(): operation, its argument, comparison, its argument. */
#define OP(op, oparg, cmp, cmparg)					\
	((((op) & 0xfU) << 28) | (((cmp) & 0xfU) << 24) |		\
	 (((oparg) & 0xfffU) << 12) | ((cmparg) & 0xfffU))

struct fq {
	struct cok_fq_waiter w[NW];
	struct cok_fq_waiter *q;
	struct cok_fq_list out;
};

static struct fq *new_fq(struct kunit *test)
{
	struct fq *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, f);
	cok_fq_list_init(&f->out);
	return f;
}

/* Waiter i waits on uaddr with bitset and deadline, behind the others. */
static void wait_on(struct fq *f, int i, u64 uaddr, u32 bitset, u64 deadline)
{
	memset(&f->w[i], 0x5a, sizeof(f->w[i]));	/* next is not trusted */
	f->w[i].uaddr = uaddr;
	f->w[i].bitset = bitset;
	f->w[i].deadline = deadline;
	cok_fq_add(&f->q, &f->w[i]);
}

/*
 * The list at head is exactly the waiters want[0..n-1] in that order,
 * given as indices into f->w; -1 ends want.
 */
static void expect_list(struct kunit *test, struct fq *f,
			const struct cok_fq_waiter *head, const int *want)
{
	int i;

	for (i = 0; want[i] >= 0; i++) {
		KUNIT_ASSERT_NOT_NULL_MSG(test, head, "list ends at %d", i);
		KUNIT_EXPECT_EQ_MSG(test, (int)(head - f->w), want[i],
				    "position %d", i);
		head = head->next;
	}
	KUNIT_EXPECT_NULL_MSG(test, head, "list longer than %d", i);
}

/* Waiters 0-4 on A, but 1 on B, none with a timeout. */
static struct fq *new_fq_abaaa(struct kunit *test)
{
	struct fq *f = new_fq(test);
	int i;

	for (i = 0; i < 5; i++)
		wait_on(f, i, i == 1 ? UB : UA, ANY, 0);
	return f;
}

static void fq_wake_fifo(struct kunit *test)
{
	struct fq *f = new_fq_abaaa(test);


	KUNIT_EXPECT_EQ(test, cok_fq_wake(&f->q, UA, ANY, 2, &f->out), 2U);
	expect_list(test, f, f->out.head, (const int[]){ 0, 2, -1 });
	expect_list(test, f, f->q, (const int[]){ 1, 3, 4, -1 });

	/* More asked than wait: all of them, oldest first, B untouched. */
	cok_fq_list_init(&f->out);
	KUNIT_EXPECT_EQ(test, cok_fq_wake(&f->q, UA, ANY, 10, &f->out), 2U);
	expect_list(test, f, f->out.head, (const int[]){ 3, 4, -1 });
	expect_list(test, f, f->q, (const int[]){ 1, -1 });

	cok_fq_list_init(&f->out);
	KUNIT_EXPECT_EQ(test, cok_fq_wake(&f->q, UA, ANY, 10, &f->out), 0U);
	KUNIT_EXPECT_NULL(test, f->out.head);
	KUNIT_EXPECT_EQ(test, cok_fq_wake(&f->q, UB, ANY, 0, &f->out), 0U);
	expect_list(test, f, f->q, (const int[]){ 1, -1 });
	KUNIT_EXPECT_EQ(test, cok_fq_wake(&f->q, UB, ANY, 1, &f->out), 1U);
	KUNIT_EXPECT_NULL(test, f->q);
	expect_list(test, f, f->out.head, (const int[]){ 1, -1 });
}

/* A wake appends to what the list holds already, and clears timeouts. */
static void fq_wake_appends(struct kunit *test)
{
	struct fq *f = new_fq(test);

	wait_on(f, 0, UA, ANY, 500);
	wait_on(f, 1, UB, ANY, 600);
	wait_on(f, 2, UA, ANY, 0);
	KUNIT_EXPECT_EQ(test, cok_fq_wake(&f->q, UB, ANY, 1, &f->out), 1U);
	KUNIT_EXPECT_EQ(test, cok_fq_wake(&f->q, UA, ANY, 2, &f->out), 2U);
	expect_list(test, f, f->out.head, (const int[]){ 1, 0, 2, -1 });
	KUNIT_EXPECT_EQ(test, f->w[0].deadline, 0ULL);
	KUNIT_EXPECT_EQ(test, f->w[1].deadline, 0ULL);
	KUNIT_EXPECT_NULL(test, f->q);
}

static void fq_bitset(struct kunit *test)
{
	struct fq *f = new_fq(test);

	wait_on(f, 0, UA, 0x1, 0);
	wait_on(f, 1, UA, 0x2, 0);
	wait_on(f, 2, UA, 0x3, 0);
	wait_on(f, 3, UA, 0x4, 0);
	wait_on(f, 4, 0, 0, 0);			/* a sleep */

	KUNIT_EXPECT_EQ(test, cok_fq_wake(&f->q, UA, 0x8, 10, &f->out), 0U);
	KUNIT_EXPECT_EQ(test, cok_fq_wake(&f->q, UA, 0x2, 10, &f->out), 2U);
	expect_list(test, f, f->out.head, (const int[]){ 1, 2, -1 });
	expect_list(test, f, f->q, (const int[]){ 0, 3, 4, -1 });
	/* No wake ever matches a sleep, not even one of address 0. */
	cok_fq_list_init(&f->out);
	KUNIT_EXPECT_EQ(test, cok_fq_wake(&f->q, 0, ANY, 10, &f->out), 0U);
	KUNIT_EXPECT_EQ(test, cok_fq_wake(&f->q, UA, 0x5, 10, &f->out), 2U);
	expect_list(test, f, f->out.head, (const int[]){ 0, 3, -1 });
	expect_list(test, f, f->q, (const int[]){ 4, -1 });
}

static void fq_requeue(struct kunit *test)
{
	struct fq *f = new_fq_abaaa(test);


	KUNIT_EXPECT_EQ(test, cok_fq_requeue(f->q, UA, 2, UC), 2U);
	KUNIT_EXPECT_EQ(test, f->w[0].uaddr, (u64)UC);
	KUNIT_EXPECT_EQ(test, f->w[1].uaddr, (u64)UB);
	KUNIT_EXPECT_EQ(test, f->w[2].uaddr, (u64)UC);
	KUNIT_EXPECT_EQ(test, f->w[3].uaddr, (u64)UA);
	KUNIT_EXPECT_EQ(test, f->w[4].uaddr, (u64)UA);
	/* They keep their place: the queue is unchanged. */
	expect_list(test, f, f->q, (const int[]){ 0, 1, 2, 3, 4, -1 });

	KUNIT_EXPECT_EQ(test, cok_fq_requeue(f->q, UA, 0, UC), 0U);
	KUNIT_EXPECT_EQ(test, cok_fq_requeue(f->q, UA, 9, UB), 2U);
	KUNIT_EXPECT_EQ(test, cok_fq_requeue(f->q, UA, 9, UB), 0U);
	KUNIT_EXPECT_EQ(test, cok_fq_wake(&f->q, UB, ANY, 9, &f->out), 3U);
	expect_list(test, f, f->out.head, (const int[]){ 1, 3, 4, -1 });
	cok_fq_list_init(&f->out);
	KUNIT_EXPECT_EQ(test, cok_fq_wake(&f->q, UC, ANY, 9, &f->out), 2U);
	expect_list(test, f, f->out.head, (const int[]){ 0, 2, -1 });
}

/* A sleep (address 0, bitset 0) is never requeued. */
static void fq_requeue_skips_sleeps(struct kunit *test)
{
	struct fq *f = new_fq(test);

	wait_on(f, 0, 0, 0, 100);
	KUNIT_EXPECT_EQ(test, cok_fq_requeue(f->q, 0, 9, UA), 0U);
	KUNIT_EXPECT_EQ(test, f->w[0].uaddr, 0ULL);
}

/* A timeout takes its own waiter, wherever it is, once. */
static void fq_take(struct kunit *test)
{
	struct fq *f = new_fq(test);

	wait_on(f, 0, UA, ANY, 0);		/* no timeout */
	wait_on(f, 1, UA, ANY, 50);
	wait_on(f, 2, UB, ANY, 10);
	wait_on(f, 3, 0, 0, 100);		/* a sleep */

	KUNIT_EXPECT_TRUE(test, cok_fq_take(&f->q, &f->w[2]));
	KUNIT_EXPECT_EQ(test, f->w[2].deadline, 0ULL);
	expect_list(test, f, f->q, (const int[]){ 0, 1, 3, -1 });
	KUNIT_EXPECT_TRUE(test, cok_fq_take(&f->q, &f->w[3]));	/* last */
	KUNIT_EXPECT_TRUE(test, cok_fq_take(&f->q, &f->w[0]));	/* head */
	expect_list(test, f, f->q, (const int[]){ 1, -1 });
	/* Woken first (off the queue): the timeout finds nothing. */
	KUNIT_EXPECT_EQ(test, cok_fq_wake(&f->q, UA, ANY, 1, &f->out), 1U);
	KUNIT_EXPECT_FALSE(test, cok_fq_take(&f->q, &f->w[1]));
	KUNIT_EXPECT_NULL(test, f->q);
}

/* Each operation on an old value; the argument is signed, 12 bits. */
static void wake_op_arith(struct kunit *test)
{
	static const struct {
		u32 op, old, want;
	} c[] = {
		{ OP(COK_FUTEX_OP_SET, 5, 0, 0), 77, 5 },
		{ OP(COK_FUTEX_OP_SET, -1, 0, 0), 77, 0xffffffffU },
		{ OP(COK_FUTEX_OP_ADD, 3, 0, 0), 10, 13 },
		{ OP(COK_FUTEX_OP_ADD, -1, 0, 0), 10, 9 },
		{ OP(COK_FUTEX_OP_ADD, 0x7ff, 0, 0), 1, 0x800 },
		{ OP(COK_FUTEX_OP_ADD, -2048, 0, 0), 0, 0xfffff800U },
		{ OP(COK_FUTEX_OP_OR, 0x0f0, 0, 0), 0x00f, 0x0ff },
		{ OP(COK_FUTEX_OP_ANDN, 0x0f0, 0, 0), 0xfff, 0xf0f },
		{ OP(COK_FUTEX_OP_XOR, 0x0ff, 0, 0), 0xf0f, 0xff0 },
		/* FUTEX_OP_OPARG_SHIFT: the argument is 1 << oparg (mod 32). */
		{ OP(COK_FUTEX_OP_OPARG_SHIFT | COK_FUTEX_OP_ADD, 4, 0, 0),
		  1, 17 },
		{ OP(COK_FUTEX_OP_OPARG_SHIFT | COK_FUTEX_OP_SET, 31, 0, 0),
		  0, 0x80000000U },
		{ OP(COK_FUTEX_OP_OPARG_SHIFT | COK_FUTEX_OP_OR, 33, 0, 0),
		  1, 3 },
		{ OP(COK_FUTEX_OP_OPARG_SHIFT | COK_FUTEX_OP_ANDN, 0, 0, 0),
		  3, 2 },
		{ OP(COK_FUTEX_OP_OPARG_SHIFT | COK_FUTEX_OP_XOR, 8, 0, 0),
		  0x100, 0 },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		KUNIT_EXPECT_TRUE_MSG(test, cok_futex_op_valid(c[i].op),
				      "case %d", i);
		KUNIT_EXPECT_EQ_MSG(test, cok_futex_op_new(c[i].op, c[i].old),
				    c[i].want, "case %d", i);
	}
}

/* Every comparison below, at and above its (signed) argument. */
static void wake_op_compare(struct kunit *test)
{
	/* want[cmp][old < arg, old == arg, old > arg] */
	static const bool want[6][3] = {
		[COK_FUTEX_OP_CMP_EQ] = { false, true, false },
		[COK_FUTEX_OP_CMP_NE] = { true, false, true },
		[COK_FUTEX_OP_CMP_LT] = { true, false, false },
		[COK_FUTEX_OP_CMP_LE] = { true, true, false },
		[COK_FUTEX_OP_CMP_GT] = { false, false, true },
		[COK_FUTEX_OP_CMP_GE] = { false, true, true },
	};
	/* arg, and old values below, at and above it (as u32). */
	static const struct {
		int arg;
		u32 old[3];
	} v[] = {
		{ 7, { 6, 7, 8 } },
		{ -1, { 0xfffffffeU, 0xffffffffU, 0 } },
		{ -2048, { 0x80000000U, 0xfffff800U, 0x7fffffffU } },
		{ 2047, { 0, 2047, 2048 } },
	};
	int cmp, i, k;

	for (cmp = 0; cmp < ARRAY_SIZE(want); cmp++)
		for (i = 0; i < ARRAY_SIZE(v); i++)
			for (k = 0; k < 3; k++) {
				u32 op = OP(COK_FUTEX_OP_SET, 0, cmp, v[i].arg);

				KUNIT_EXPECT_TRUE(test, cok_futex_op_valid(op));
				KUNIT_EXPECT_EQ_MSG(test,
					cok_futex_op_test(op, v[i].old[k]),
					want[cmp][k], "cmp %d arg %d old %#x",
					cmp, v[i].arg, v[i].old[k]);
			}
}

/* Operations 5-7 and comparisons 6-15 are Linux's ENOSYS. */
static void wake_op_valid(struct kunit *test)
{
	u32 o, c;

	for (o = 0; o < 16; o++)
		for (c = 0; c < 16; c++)
			KUNIT_EXPECT_EQ_MSG(test,
				cok_futex_op_valid(OP(o, 1, c, 1)),
				(o & 7) <= 4 && c <= 5, "op %u cmp %u", o, c);
}

static struct kunit_case cok_futex_cases[] = {
	KUNIT_CASE(fq_wake_fifo),
	KUNIT_CASE(fq_wake_appends),
	KUNIT_CASE(fq_bitset),
	KUNIT_CASE(fq_requeue),
	KUNIT_CASE(fq_requeue_skips_sleeps),
	KUNIT_CASE(fq_take),
	KUNIT_CASE(wake_op_arith),
	KUNIT_CASE(wake_op_compare),
	KUNIT_CASE(wake_op_valid),
	{}
};

static struct kunit_suite cok_futex_suite = {
	.name = "cok_futex",
	.test_cases = cok_futex_cases,
};

kunit_test_suite(cok_futex_suite);
