// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of cokernel/runq.h, the pure part of the co-kernel's
 * scheduling policy: the FIFO run queue (push, pop, remove), the core a
 * new or moved thread goes to, the one-shot timer's deadline and the
 * CPU numbers an app sees for the cores of its set.  The header is the
 * one sched.c, clone.c and affinity.c compile, included by relative
 * path, with a stand-in for the thread it links.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/string.h>

struct cok_thread {
	struct cok_thread *rq_next;
	int id;
};

#include "../../cokernel/runq.h"

#define NT	6

struct rq {
	struct cok_thread t[NT];
	struct cok_thread *head, *tail;
};

static struct rq *new_rq(struct kunit *test)
{
	struct rq *q = kunit_kzalloc(test, sizeof(*q), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, q);
	for (i = 0; i < NT; i++) {
		q->t[i].id = i;
		q->t[i].rq_next = (void *)0x5a5a;	/* not trusted */
	}
	return q;
}

static void push(struct rq *q, int i)
{
	cok_rq_push(&q->head, &q->tail, &q->t[i]);
}

/* The queue is exactly want[] in order (-1 ends it), and tail is last. */
static void expect_queue(struct kunit *test, struct rq *q, const int *want)
{
	struct cok_thread *t = q->head, *last = NULL;
	int n = 0;

	for (; want[n] >= 0; n++) {
		KUNIT_ASSERT_NOT_NULL_MSG(test, t, "queue ends at %d", n);
		KUNIT_EXPECT_EQ_MSG(test, t->id, want[n], "position %d", n);
		last = t;
		t = t->rq_next;
	}
	KUNIT_EXPECT_NULL(test, t);
	KUNIT_EXPECT_PTR_EQ(test, q->tail, last);
}

static void rq_fifo(struct kunit *test)
{
	struct rq *q = new_rq(test);
	static const int three[] = { 2, 0, 4, -1 }, none[] = { -1 };

	KUNIT_EXPECT_NULL(test, cok_rq_pop(&q->head, &q->tail));
	push(q, 2);
	push(q, 0);
	push(q, 4);
	expect_queue(test, q, three);
	KUNIT_EXPECT_EQ(test, cok_rq_pop(&q->head, &q->tail)->id, 2);
	KUNIT_EXPECT_EQ(test, cok_rq_pop(&q->head, &q->tail)->id, 0);
	push(q, 1);		/* behind 4, which is still queued */
	KUNIT_EXPECT_EQ(test, cok_rq_pop(&q->head, &q->tail)->id, 4);
	KUNIT_EXPECT_EQ(test, cok_rq_pop(&q->head, &q->tail)->id, 1);
	KUNIT_EXPECT_NULL(test, cok_rq_pop(&q->head, &q->tail));
	expect_queue(test, q, none);
	push(q, 3);		/* an emptied queue takes threads again */
	KUNIT_EXPECT_PTR_EQ(test, q->head, &q->t[3]);
	KUNIT_EXPECT_PTR_EQ(test, q->tail, &q->t[3]);
}

static void rq_remove(struct kunit *test)
{
	struct rq *q = new_rq(test);
	static const int mid[] = { 0, 2, 3, -1 }, last[] = { 0, 2, -1 };
	static const int first[] = { 2, -1 }, after[] = { 2, 5, -1 };

	push(q, 0);
	push(q, 1);
	push(q, 2);
	push(q, 3);
	KUNIT_EXPECT_TRUE(test, cok_rq_remove(&q->head, &q->tail, &q->t[1]));
	expect_queue(test, q, mid);
	KUNIT_EXPECT_FALSE(test, cok_rq_remove(&q->head, &q->tail, &q->t[1]));
	KUNIT_EXPECT_FALSE(test, cok_rq_remove(&q->head, &q->tail, &q->t[4]));
	expect_queue(test, q, mid);
	KUNIT_EXPECT_TRUE(test, cok_rq_remove(&q->head, &q->tail, &q->t[3]));
	expect_queue(test, q, last);
	KUNIT_EXPECT_TRUE(test, cok_rq_remove(&q->head, &q->tail, &q->t[0]));
	expect_queue(test, q, first);
	push(q, 5);		/* the tail moved back: 5 goes behind 2 */
	expect_queue(test, q, after);
	KUNIT_EXPECT_TRUE(test, cok_rq_remove(&q->head, &q->tail, &q->t[2]));
	KUNIT_EXPECT_TRUE(test, cok_rq_remove(&q->head, &q->tail, &q->t[5]));
	KUNIT_EXPECT_NULL(test, q->head);
	KUNIT_EXPECT_NULL(test, q->tail);
}

static void place_fewest(struct kunit *test)
{
	u32 load[32] = { 0 };

	load[0] = 3;
	load[1] = 1;
	load[2] = 2;
	KUNIT_EXPECT_EQ(test, cok_rq_place(0x7, load, 0), 1U);
	load[1] = 3;
	KUNIT_EXPECT_EQ(test, cok_rq_place(0x7, load, 0), 2U);
	/* Cores out of the set do not count, however idle. */
	load[5] = 0;
	KUNIT_EXPECT_EQ(test, cok_rq_place(0x3, load, 0), 0U);
	KUNIT_EXPECT_EQ(test, cok_rq_place(0x22, load, 1), 5U);
}

static void place_ties(struct kunit *test)
{
	u32 load[32] = { 0 };

	/* A tie: the home core ... */
	KUNIT_EXPECT_EQ(test, cok_rq_place(0xf, load, 2), 2U);
	load[0] = load[1] = load[2] = load[3] = 1;
	KUNIT_EXPECT_EQ(test, cok_rq_place(0xf, load, 3), 3U);
	/* ... unless it is not in the set: then the lowest. */
	KUNIT_EXPECT_EQ(test, cok_rq_place(0xc, load, 0), 2U);
	KUNIT_EXPECT_EQ(test, cok_rq_place(0x80000000U, load, 0), 31U);
	KUNIT_EXPECT_EQ(test, cok_rq_place(0, load, 0), COK_RQ_NONE);
	load[2] = 2;
	KUNIT_EXPECT_EQ(test, cok_rq_place(0xc, load, 0), 3U);
}

#define SLICE	1000ULL

static void timer_when(struct kunit *test)
{
	u64 slice_end = 5000;

	/* One thread that waits for nothing: no timer at all. */
	KUNIT_EXPECT_EQ(test, cok_rq_timer_when(false, &slice_end, 4000,
						SLICE, 0), 0ULL);
	KUNIT_EXPECT_EQ(test, slice_end, 5000ULL);
	/* Only a wait: its deadline, whether the slice is past or not. */
	KUNIT_EXPECT_EQ(test, cok_rq_timer_when(false, &slice_end, 4000,
						SLICE, 9000), 9000ULL);
	KUNIT_EXPECT_EQ(test, cok_rq_timer_when(false, &slice_end, 6000,
						SLICE, 9000), 9000ULL);
	KUNIT_EXPECT_EQ(test, slice_end, 5000ULL);
	/* Another thread queued: the slice's end ... */
	KUNIT_EXPECT_EQ(test, cok_rq_timer_when(true, &slice_end, 4000,
						SLICE, 0), 5000ULL);
	/* ... or the wait's deadline, whichever comes first. */
	KUNIT_EXPECT_EQ(test, cok_rq_timer_when(true, &slice_end, 4000,
						SLICE, 9000), 5000ULL);
	KUNIT_EXPECT_EQ(test, cok_rq_timer_when(true, &slice_end, 4000,
						SLICE, 4500), 4500ULL);
}

static void timer_slice_renewed(struct kunit *test)
{
	u64 slice_end = 5000;

	/* The slice ended outside ring 3: a new one from now. */
	KUNIT_EXPECT_EQ(test, cok_rq_timer_when(true, &slice_end, 7000,
						SLICE, 0), 8000ULL);
	KUNIT_EXPECT_EQ(test, slice_end, 8000ULL);
	slice_end = 7000;	/* exactly now counts as ended */
	KUNIT_EXPECT_EQ(test, cok_rq_timer_when(true, &slice_end, 7000,
						SLICE, 7500), 7500ULL);
	KUNIT_EXPECT_EQ(test, slice_end, 8000ULL);
}

static void cpu_numbers(struct kunit *test)
{
	/* Cores 2 and 5 are the app's CPUs 0 and 1. */
	KUNIT_EXPECT_EQ(test, cok_rq_cpus_to_cores(0x24, 0x1), 0x4U);
	KUNIT_EXPECT_EQ(test, cok_rq_cpus_to_cores(0x24, 0x2), 0x20U);
	KUNIT_EXPECT_EQ(test, cok_rq_cpus_to_cores(0x24, 0x3), 0x24U);
	/* CPUs past the set's are dropped. */
	KUNIT_EXPECT_EQ(test, cok_rq_cpus_to_cores(0x24, 0x4), 0U);
	KUNIT_EXPECT_EQ(test, cok_rq_cpus_to_cores(0x24, ~0ULL), 0x24U);
	KUNIT_EXPECT_EQ(test, cok_rq_cores_to_cpus(0x24, 0x24), 0x3ULL);
	KUNIT_EXPECT_EQ(test, cok_rq_cores_to_cpus(0x24, 0x20), 0x2ULL);
	KUNIT_EXPECT_EQ(test, cok_rq_cores_to_cpus(0x24, 0x1b), 0ULL);
	KUNIT_EXPECT_EQ(test, cok_rq_cores_to_cpus(0xffffffffU, 0x80000001U),
			0x80000001ULL);
}

static void mask_bytes(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, cok_rq_mask_bytes(0), 0U);
	KUNIT_EXPECT_EQ(test, cok_rq_mask_bytes(1), 1U);
	KUNIT_EXPECT_EQ(test, cok_rq_mask_bytes(7), 7U);
	KUNIT_EXPECT_EQ(test, cok_rq_mask_bytes(8), 8U);
	KUNIT_EXPECT_EQ(test, cok_rq_mask_bytes(128), 8U);
	KUNIT_EXPECT_EQ(test, cok_rq_mask_bytes(1ULL << 40), 8U);
}

static struct kunit_case cok_runq_cases[] = {
	KUNIT_CASE(rq_fifo),
	KUNIT_CASE(rq_remove),
	KUNIT_CASE(place_fewest),
	KUNIT_CASE(place_ties),
	KUNIT_CASE(timer_when),
	KUNIT_CASE(timer_slice_renewed),
	KUNIT_CASE(cpu_numbers),
	KUNIT_CASE(mask_bytes),
	{}
};

static struct kunit_suite cok_runq_suite = {
	.name = "cok_runq",
	.test_cases = cok_runq_cases,
};

kunit_test_suite(cok_runq_suite);
