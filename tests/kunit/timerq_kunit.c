// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of cokernel/timerq.h, the pure part of a co-kernel core's
 * timer queue: sorted insertion, equal deadlines in queue order, removal
 * from anywhere, the expiry of the due head only, a periodic timer's
 * next deadline and overrun, and an empty queue that asks for no timer.
 * The header is the one cokernel/timer.c compiles, by relative path.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "../../cokernel/timerq.h"

#define NT	6

struct tq {
	struct cok_timer t[NT];
	struct cok_timer *q;
};

static struct tq *new_tq(struct kunit *test)
{
	struct tq *q = kunit_kzalloc(test, sizeof(*q), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, q);
	for (i = 0; i < NT; i++)
		q->t[i].next = (void *)0x5a5a;	/* not trusted */
	return q;
}

static void add(struct tq *q, int i, u64 deadline)
{
	cok_tq_insert(&q->q, &q->t[i], deadline);
}

/* The queue is exactly want[] (timer indexes) in order, -1 ending it. */
static void expect_queue(struct kunit *test, struct tq *q, const int *want)
{
	struct cok_timer *t = q->q;
	int n = 0;

	for (; want[n] >= 0; n++) {
		KUNIT_ASSERT_NOT_NULL_MSG(test, t, "queue ends at %d", n);
		KUNIT_EXPECT_PTR_EQ_MSG(test, t, &q->t[want[n]],
					"position %d", n);
		KUNIT_EXPECT_TRUE(test, t->queued);
		if (t->next)
			KUNIT_EXPECT_LE(test, t->deadline, t->next->deadline);
		t = t->next;
	}
	KUNIT_EXPECT_NULL(test, t);
}

static void tq_order(struct kunit *test)
{
	struct tq *q = new_tq(test);
	static const int want[] = { 3, 1, 0, 2, -1 };

	add(q, 0, 300);
	add(q, 1, 200);
	add(q, 2, 900);
	add(q, 3, 100);		/* a new head */
	expect_queue(test, q, want);
	KUNIT_EXPECT_EQ(test, cok_tq_head_deadline(q->q), 100ULL);
	/* Nothing is due before the head's deadline ... */
	KUNIT_EXPECT_NULL(test, cok_tq_pop_expired(&q->q, 99));
	/* ... then one at a time, earliest first, and only those due. */
	KUNIT_EXPECT_PTR_EQ(test, cok_tq_pop_expired(&q->q, 250), &q->t[3]);
	KUNIT_EXPECT_FALSE(test, q->t[3].queued);
	KUNIT_EXPECT_PTR_EQ(test, cok_tq_pop_expired(&q->q, 250), &q->t[1]);
	KUNIT_EXPECT_NULL(test, cok_tq_pop_expired(&q->q, 250));
	KUNIT_EXPECT_EQ(test, cok_tq_head_deadline(q->q), 300ULL);
}

static void tq_equal_fifo(struct kunit *test)
{
	struct tq *q = new_tq(test);
	static const int want[] = { 4, 0, 1, 2, 3, -1 };

	add(q, 0, 500);
	add(q, 1, 500);
	add(q, 2, 500);
	add(q, 3, 800);
	add(q, 4, 100);
	expect_queue(test, q, want);
	KUNIT_EXPECT_PTR_EQ(test, cok_tq_pop_expired(&q->q, 500), &q->t[4]);
	KUNIT_EXPECT_PTR_EQ(test, cok_tq_pop_expired(&q->q, 500), &q->t[0]);
	KUNIT_EXPECT_PTR_EQ(test, cok_tq_pop_expired(&q->q, 500), &q->t[1]);
	/* One more at the same deadline goes behind those still there. */
	add(q, 5, 500);
	KUNIT_EXPECT_PTR_EQ(test, cok_tq_pop_expired(&q->q, 500), &q->t[2]);
	KUNIT_EXPECT_PTR_EQ(test, cok_tq_pop_expired(&q->q, 500), &q->t[5]);
	KUNIT_EXPECT_NULL(test, cok_tq_pop_expired(&q->q, 500));
}

static void tq_remove(struct kunit *test)
{
	struct tq *q = new_tq(test);
	static const int mid[] = { 0, 2, 3, -1 }, ends[] = { 2, -1 };

	add(q, 0, 10);
	add(q, 1, 20);
	add(q, 2, 30);
	add(q, 3, 40);
	KUNIT_EXPECT_TRUE(test, cok_tq_remove(&q->q, &q->t[1]));
	KUNIT_EXPECT_FALSE(test, q->t[1].queued);
	expect_queue(test, q, mid);
	/* Not queued (any more): nothing changes. */
	KUNIT_EXPECT_FALSE(test, cok_tq_remove(&q->q, &q->t[1]));
	KUNIT_EXPECT_FALSE(test, cok_tq_remove(&q->q, &q->t[5]));
	expect_queue(test, q, mid);
	KUNIT_EXPECT_TRUE(test, cok_tq_remove(&q->q, &q->t[3]));	/* last */
	KUNIT_EXPECT_TRUE(test, cok_tq_remove(&q->q, &q->t[0]));	/* head */
	expect_queue(test, q, ends);
	KUNIT_EXPECT_EQ(test, cok_tq_head_deadline(q->q), 30ULL);
	/* A removed timer can be queued again, at a new deadline. */
	add(q, 1, 5);
	KUNIT_EXPECT_EQ(test, cok_tq_head_deadline(q->q), 5ULL);
}

static void tq_rearm(struct kunit *test)
{
	struct tq *q = new_tq(test);
	struct cok_timer *t;
	u64 over;

	q->t[0].interval = 100;
	add(q, 0, 1000);
	add(q, 1, 1150);
	/* Expired on time: next period, no overrun, behind timer 1. */
	t = cok_tq_pop_expired(&q->q, 1000);
	KUNIT_ASSERT_PTR_EQ(test, t, &q->t[0]);
	KUNIT_EXPECT_EQ(test, cok_tq_rearm(&q->q, t, 1000), 0ULL);
	KUNIT_EXPECT_EQ(test, q->t[0].deadline, 1100ULL);
	KUNIT_EXPECT_PTR_EQ(test, q->q, &q->t[0]);
	/* Taken late, at 1420: 1200, 1300 and 1400 were missed. */
	t = cok_tq_pop_expired(&q->q, 1420);
	KUNIT_ASSERT_PTR_EQ(test, t, &q->t[0]);
	KUNIT_EXPECT_EQ(test, cok_tq_rearm(&q->q, t, 1420), 3ULL);
	KUNIT_EXPECT_EQ(test, q->t[0].deadline, 1500ULL);
	KUNIT_EXPECT_PTR_EQ(test, q->q, &q->t[1]);
	/* Exactly on a later period counts as past: the one after it. */
	KUNIT_EXPECT_EQ(test, cok_tq_next_period(1000, 100, 1200, &over),
			1300ULL);
	KUNIT_EXPECT_EQ(test, over, 2ULL);
	KUNIT_EXPECT_EQ(test, cok_tq_next_period(1000, 100, 1099, &over),
			1100ULL);
	KUNIT_EXPECT_EQ(test, over, 0ULL);
}

static void tq_empty(struct kunit *test)
{
	struct tq *q = new_tq(test);

	/* No timer queued: no deadline, nothing to expire. */
	KUNIT_EXPECT_EQ(test, cok_tq_head_deadline(q->q), 0ULL);
	KUNIT_EXPECT_NULL(test, cok_tq_pop_expired(&q->q, ~0ULL));
	add(q, 0, 7);
	KUNIT_EXPECT_PTR_EQ(test, cok_tq_pop_expired(&q->q, ~0ULL), &q->t[0]);
	KUNIT_EXPECT_EQ(test, cok_tq_head_deadline(q->q), 0ULL);
	add(q, 0, 7);
	KUNIT_EXPECT_TRUE(test, cok_tq_remove(&q->q, &q->t[0]));
	KUNIT_EXPECT_NULL(test, q->q);
	KUNIT_EXPECT_EQ(test, cok_tq_head_deadline(q->q), 0ULL);
}

static struct kunit_case cok_timerq_cases[] = {
	KUNIT_CASE(tq_order),
	KUNIT_CASE(tq_equal_fifo),
	KUNIT_CASE(tq_remove),
	KUNIT_CASE(tq_rearm),
	KUNIT_CASE(tq_empty),
	{}
};

static struct kunit_suite cok_timerq_suite = {
	.name = "cok_timerq",
	.test_cases = cok_timerq_cases,
};

kunit_test_suite(cok_timerq_suite);
