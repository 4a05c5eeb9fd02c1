// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of xemem/ring.h: the SPSC message ring and the console log.
 *
 * Built into a UML kernel by tests/kunit/run.sh; the header is the very
 * one the module and the co-kernel compile, included by relative path.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/string.h>

#include "../../xemem/ring.h"

/* ------------------------------------------------------------------ */
/* Message ring                                                        */
/* ------------------------------------------------------------------ */

static struct cok_msg_ring *new_ring(struct kunit *test)
{
	struct cok_msg_ring *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, r);
	/* Garbage in the slots must not matter: only head/tail count. */
	memset(r, 0xa5, sizeof(*r));
	cok_ring_init(r);
	return r;
}

static void fill_msg(struct cok_msg *m, u32 seq)
{
	int i;

	memset(m, 0, sizeof(*m));
	m->type = 1 + (seq % 3);
	m->seq = seq;
	m->status = -(s64)seq;
	for (i = 0; i < COK_MSG_ARGS; i++)
		m->arg[i] = ((u64)seq << 32) | (u64)(i * 0x1111);
}

static void expect_msg(struct kunit *test, const struct cok_msg *m, u32 seq)
{
	struct cok_msg want;

	fill_msg(&want, seq);
	KUNIT_EXPECT_EQ(test, m->seq, seq);
	KUNIT_EXPECT_EQ(test, m->type, want.type);
	KUNIT_EXPECT_EQ(test, m->status, want.status);
	KUNIT_EXPECT_EQ(test, memcmp(m->arg, want.arg, sizeof(want.arg)), 0);
}

static void ring_layout(struct kunit *test)
{
	/* The peer compiles the same header: the ABI must not drift. */
	KUNIT_EXPECT_EQ(test, sizeof(struct cok_msg), (size_t)64);
	KUNIT_EXPECT_EQ(test, offsetof(struct cok_msg_ring, tail), (size_t)64);
	KUNIT_EXPECT_EQ(test, offsetof(struct cok_msg_ring, slot), (size_t)128);
	KUNIT_EXPECT_EQ(test, COK_RING_SLOTS & (COK_RING_SLOTS - 1), 0);
	KUNIT_EXPECT_EQ(test, COK_CONSOLE_SIZE & (COK_CONSOLE_SIZE - 1), 0);
}

static void ring_push_pop_order(struct kunit *test)
{
	struct cok_msg_ring *r = new_ring(test);
	struct cok_msg m;
	u32 i, round;

	/* Several rounds of partial fills, so slots are reused. */
	for (round = 0; round < 5; round++) {
		u32 base = round * 100;
		u32 n = COK_RING_SLOTS / 2 + round;

		for (i = 0; i < n; i++) {
			fill_msg(&m, base + i);
			KUNIT_ASSERT_EQ(test, cok_ring_push(r, &m), COK_RING_OK);
		}
		KUNIT_EXPECT_EQ(test, cok_ring_count(r->head, r->tail), n);
		for (i = 0; i < n; i++) {
			memset(&m, 0, sizeof(m));
			KUNIT_ASSERT_EQ(test, cok_ring_pop(r, &m), COK_RING_OK);
			expect_msg(test, &m, base + i);
		}
		KUNIT_EXPECT_EQ(test, r->head, r->tail);
	}
}

static void ring_full_at_slots(struct kunit *test)
{
	struct cok_msg_ring *r = new_ring(test);
	struct cok_msg m;
	u32 i;

	for (i = 0; i < COK_RING_SLOTS; i++) {
		fill_msg(&m, i);
		KUNIT_ASSERT_EQ_MSG(test, cok_ring_push(r, &m), COK_RING_OK,
				    "push %u of %u", i, COK_RING_SLOTS);
	}
	fill_msg(&m, 999);
	KUNIT_EXPECT_EQ(test, cok_ring_push(r, &m), COK_RING_FULL);
	KUNIT_EXPECT_EQ(test, cok_ring_push(r, &m), COK_RING_FULL);
	/* A refused push changes nothing. */
	KUNIT_EXPECT_EQ(test, r->head, (u32)COK_RING_SLOTS);
	KUNIT_EXPECT_EQ(test, r->tail, 0u);

	/* One pop makes room for exactly one more. */
	KUNIT_ASSERT_EQ(test, cok_ring_pop(r, &m), COK_RING_OK);
	expect_msg(test, &m, 0);
	fill_msg(&m, COK_RING_SLOTS);
	KUNIT_EXPECT_EQ(test, cok_ring_push(r, &m), COK_RING_OK);
	KUNIT_EXPECT_EQ(test, cok_ring_push(r, &m), COK_RING_FULL);

	/* The full ring drains in order; the last one pushed comes last. */
	for (i = 1; i <= COK_RING_SLOTS; i++) {
		KUNIT_ASSERT_EQ(test, cok_ring_pop(r, &m), COK_RING_OK);
		expect_msg(test, &m, i);
	}
	KUNIT_EXPECT_EQ(test, cok_ring_pop(r, &m), COK_RING_EMPTY);
}

static void ring_empty(struct kunit *test)
{
	struct cok_msg_ring *r = new_ring(test);
	struct cok_msg m, orig;

	fill_msg(&orig, 77);
	m = orig;
	KUNIT_EXPECT_EQ(test, cok_ring_pop(r, &m), COK_RING_EMPTY);
	/* A refused pop neither writes the message nor moves the tail. */
	KUNIT_EXPECT_EQ(test, memcmp(&m, &orig, sizeof(m)), 0);
	KUNIT_EXPECT_EQ(test, r->tail, 0u);
	KUNIT_EXPECT_EQ(test, r->head, 0u);

	fill_msg(&m, 1);
	KUNIT_ASSERT_EQ(test, cok_ring_push(r, &m), COK_RING_OK);
	KUNIT_ASSERT_EQ(test, cok_ring_pop(r, &m), COK_RING_OK);
	m = orig;
	KUNIT_EXPECT_EQ(test, cok_ring_pop(r, &m), COK_RING_EMPTY);
	KUNIT_EXPECT_EQ(test, memcmp(&m, &orig, sizeof(m)), 0);
	KUNIT_EXPECT_EQ(test, r->tail, 1u);
}

/* head and tail are free-running: they must cross 2^32 unharmed. */
static void ring_counter_wrap(struct kunit *test)
{
	struct cok_msg_ring *r = new_ring(test);
	struct cok_msg m;
	u32 start = U32_MAX - 5;	/* wraps after 6 pushes */
	u32 i, round;

	r->head = start;
	r->tail = start;
	KUNIT_EXPECT_EQ(test, cok_ring_pop(r, &m), COK_RING_EMPTY);

	for (i = 0; i < COK_RING_SLOTS; i++) {
		fill_msg(&m, i);
		KUNIT_ASSERT_EQ_MSG(test, cok_ring_push(r, &m), COK_RING_OK,
				    "push %u, head %u", i, r->head);
	}
	/* head has wrapped to a small value: still exactly full. */
	KUNIT_EXPECT_EQ(test, r->head, start + COK_RING_SLOTS);
	KUNIT_EXPECT_LT(test, r->head, r->tail);
	KUNIT_EXPECT_EQ(test, cok_ring_count(r->head, r->tail),
			(u32)COK_RING_SLOTS);
	KUNIT_EXPECT_EQ(test, cok_ring_push(r, &m), COK_RING_FULL);

	for (i = 0; i < COK_RING_SLOTS; i++) {
		KUNIT_ASSERT_EQ_MSG(test, cok_ring_pop(r, &m), COK_RING_OK,
				    "pop %u, tail %u", i, r->tail);
		expect_msg(test, &m, i);
	}
	KUNIT_EXPECT_EQ(test, cok_ring_pop(r, &m), COK_RING_EMPTY);
	KUNIT_EXPECT_EQ(test, r->tail, start + COK_RING_SLOTS);

	/* Interleaved traffic with head past the wrap and tail before it. */
	r->head = U32_MAX - 1;
	r->tail = U32_MAX - 1;
	for (round = 0; round < 3 * COK_RING_SLOTS; round++) {
		fill_msg(&m, round);
		KUNIT_ASSERT_EQ(test, cok_ring_push(r, &m), COK_RING_OK);
		fill_msg(&m, round + 1000);
		KUNIT_ASSERT_EQ(test, cok_ring_push(r, &m), COK_RING_OK);
		KUNIT_ASSERT_EQ(test, cok_ring_pop(r, &m), COK_RING_OK);
		expect_msg(test, &m, round);
		KUNIT_ASSERT_EQ(test, cok_ring_pop(r, &m), COK_RING_OK);
		expect_msg(test, &m, round + 1000);
	}
	KUNIT_EXPECT_EQ(test, cok_ring_pop(r, &m), COK_RING_EMPTY);
}

/* Counters claiming more than COK_RING_SLOTS entries: an untrusted peer. */
static const struct {
	u32 head, tail;
} corrupt_cases[] = {
	{ COK_RING_SLOTS + 1, 0 },		/* one too many */
	{ 1000, 0 },
	{ 0, 1 },				/* tail ahead of head */
	{ 5, U32_MAX - COK_RING_SLOTS },	/* across the wrap */
	{ U32_MAX, 0 },
	{ 0x80000000u, 0 },
};

static void ring_corrupt_push(struct kunit *test)
{
	struct cok_msg_ring *r = new_ring(test);
	struct cok_msg m, slots_before[COK_RING_SLOTS];
	unsigned int i;

	fill_msg(&m, 42);
	for (i = 0; i < ARRAY_SIZE(corrupt_cases); i++) {
		r->head = corrupt_cases[i].head;
		r->tail = corrupt_cases[i].tail;
		memcpy(slots_before, r->slot, sizeof(slots_before));
		KUNIT_EXPECT_EQ_MSG(test, cok_ring_push(r, &m), COK_RING_CORRUPT,
				    "head %u tail %u", corrupt_cases[i].head,
				    corrupt_cases[i].tail);
		/* Nothing was written or published. */
		KUNIT_EXPECT_EQ(test, r->head, corrupt_cases[i].head);
		KUNIT_EXPECT_EQ(test, r->tail, corrupt_cases[i].tail);
		KUNIT_EXPECT_EQ(test, memcmp(slots_before, r->slot,
					     sizeof(slots_before)), 0);
	}
}

static void ring_corrupt_pop(struct kunit *test)
{
	struct cok_msg_ring *r = new_ring(test);
	struct cok_msg m, orig;
	unsigned int i;

	fill_msg(&orig, 7);
	for (i = 0; i < ARRAY_SIZE(corrupt_cases); i++) {
		r->head = corrupt_cases[i].head;
		r->tail = corrupt_cases[i].tail;
		m = orig;
		KUNIT_EXPECT_EQ_MSG(test, cok_ring_pop(r, &m), COK_RING_CORRUPT,
				    "head %u tail %u", corrupt_cases[i].head,
				    corrupt_cases[i].tail);
		KUNIT_EXPECT_EQ(test, r->head, corrupt_cases[i].head);
		KUNIT_EXPECT_EQ(test, r->tail, corrupt_cases[i].tail);
		KUNIT_EXPECT_EQ(test, memcmp(&m, &orig, sizeof(m)), 0);
	}
	/* Exactly COK_RING_SLOTS is full, not corrupt, on both sides. */
	r->head = 3 + COK_RING_SLOTS;
	r->tail = 3;
	KUNIT_EXPECT_EQ(test, cok_ring_push(r, &m), COK_RING_FULL);
	KUNIT_EXPECT_EQ(test, cok_ring_pop(r, &m), COK_RING_OK);
}

static struct kunit_case cok_ring_cases[] = {
	KUNIT_CASE(ring_layout),
	KUNIT_CASE(ring_push_pop_order),
	KUNIT_CASE(ring_full_at_slots),
	KUNIT_CASE(ring_empty),
	KUNIT_CASE(ring_counter_wrap),
	KUNIT_CASE(ring_corrupt_push),
	KUNIT_CASE(ring_corrupt_pop),
	{}
};

static struct kunit_suite cok_ring_suite = {
	.name = "cok_ring",
	.test_cases = cok_ring_cases,
};

/* ------------------------------------------------------------------ */
/* Console log                                                         */
/* ------------------------------------------------------------------ */

static struct cok_console *new_console(struct kunit *test)
{
	struct cok_console *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, c);
	memset(c, 0x5a, sizeof(*c));
	cok_console_init(c);
	return c;
}

/* The byte the pattern writer put at log offset off. */
static u8 pattern_byte(u64 off)
{
	return (u8)(off * 7 + (off >> 8) * 13 + 1);
}

/* Writes bytes [from, from + len) of the pattern, in odd-sized pieces. */
static void write_pattern(struct kunit *test, struct cok_console *c,
			  u64 from, u64 len)
{
	static const u32 piece[] = { 1, 17, 4000, 333, 65535, 2 };
	char *buf = kunit_kmalloc(test, 65535, GFP_KERNEL);
	unsigned int k = 0;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	while (len) {
		u32 n = min_t(u64, len, piece[k++ % ARRAY_SIZE(piece)]);
		u32 i;

		for (i = 0; i < n; i++)
			buf[i] = (char)pattern_byte(from + i);
		cok_console_write(c, buf, n);
		from += n;
		len -= n;
	}
	kunit_kfree(test, buf);
}

static void console_write_read(struct kunit *test)
{
	struct cok_console *c = new_console(test);
	u64 pos = 0, lost = 0;
	u8 buf[64];

	KUNIT_EXPECT_EQ(test, cok_console_read(c, &pos, buf, sizeof(buf), &lost), 0u);
	KUNIT_EXPECT_EQ(test, pos, 0ull);

	cok_console_write(c, "hello", 5);
	KUNIT_EXPECT_EQ(test, c->head, 5ull);
	memset(buf, 0, sizeof(buf));
	KUNIT_ASSERT_EQ(test, cok_console_read(c, &pos, buf, sizeof(buf), &lost), 5u);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "hello", 5), 0);
	KUNIT_EXPECT_EQ(test, pos, 5ull);
	KUNIT_EXPECT_EQ(test, lost, 0ull);

	/* Nothing new: nothing read, position kept. */
	KUNIT_EXPECT_EQ(test, cok_console_read(c, &pos, buf, sizeof(buf), &lost), 0u);
	KUNIT_EXPECT_EQ(test, pos, 5ull);

	cok_console_write(c, ", world", 7);
	/* A short buffer reads in pieces and never overruns len. */
	memset(buf, 0xee, sizeof(buf));
	KUNIT_ASSERT_EQ(test, cok_console_read(c, &pos, buf, 3, &lost), 3u);
	KUNIT_EXPECT_EQ(test, memcmp(buf, ", w", 3), 0);
	KUNIT_EXPECT_EQ(test, buf[3], (u8)0xee);
	KUNIT_EXPECT_EQ(test, pos, 8ull);
	KUNIT_ASSERT_EQ(test, cok_console_read(c, &pos, buf, sizeof(buf), &lost), 4u);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "orld", 4), 0);
	KUNIT_EXPECT_EQ(test, pos, 12ull);

	/* Reading is not consuming: a second reader from 0 sees it all. */
	pos = 0;
	KUNIT_ASSERT_EQ(test, cok_console_read(c, &pos, buf, sizeof(buf), &lost), 12u);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "hello, world", 12), 0);
	KUNIT_EXPECT_EQ(test, lost, 0ull);
}

/* Writes crossing the end of the data array come back in order. */
static void console_wraps_buffer(struct kunit *test)
{
	struct cok_console *c = new_console(test);
	u64 pos, lost = 0, i;
	u8 *buf = kunit_kmalloc(test, 8192, GFP_KERNEL);
	u32 n;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	write_pattern(test, c, 0, COK_CONSOLE_SIZE - 100);
	pos = COK_CONSOLE_SIZE - 100;
	write_pattern(test, c, pos, 5000);
	n = cok_console_read(c, &pos, buf, 8192, &lost);
	KUNIT_ASSERT_EQ(test, n, 5000u);
	KUNIT_EXPECT_EQ(test, lost, 0ull);
	KUNIT_EXPECT_EQ(test, pos, (u64)COK_CONSOLE_SIZE - 100 + 5000);
	for (i = 0; i < n; i++)
		if (buf[i] != pattern_byte(COK_CONSOLE_SIZE - 100 + i))
			break;
	KUNIT_EXPECT_EQ_MSG(test, i, (u64)n, "first bad byte at %llu", i);
}

/* Reading from 0 after more than COK_CONSOLE_SIZE bytes were written. */
static void console_overrun_lost(struct kunit *test)
{
	struct cok_console *c = new_console(test);
	const u64 extra = 12345;
	const u64 total = COK_CONSOLE_SIZE + extra;
	u8 *buf = kunit_kzalloc(test, COK_CONSOLE_SIZE, GFP_KERNEL);
	u64 pos = 0, lost = 0, i;
	u32 n;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	write_pattern(test, c, 0, total);
	KUNIT_ASSERT_EQ(test, c->head, total);

	n = cok_console_read(c, &pos, buf, COK_CONSOLE_SIZE, &lost);
	KUNIT_EXPECT_EQ(test, lost, extra);
	KUNIT_ASSERT_EQ(test, n, (u32)COK_CONSOLE_SIZE);
	KUNIT_EXPECT_EQ(test, pos, total);
	/* The newest COK_CONSOLE_SIZE bytes, oldest first. */
	for (i = 0; i < n; i++)
		if (buf[i] != pattern_byte(extra + i))
			break;
	KUNIT_EXPECT_EQ_MSG(test, i, (u64)n, "first bad byte at %llu", i);

	/* A small read from a stale position: skips, then newest-first data. */
	pos = 100;
	lost = 0;
	n = cok_console_read(c, &pos, buf, 10, &lost);
	KUNIT_EXPECT_EQ(test, lost, extra - 100);
	KUNIT_ASSERT_EQ(test, n, 10u);
	KUNIT_EXPECT_EQ(test, pos, extra + 10);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, buf[i], pattern_byte(extra + i));

	/* lost accumulates across calls: the caller owns the counter. */
	pos = 0;
	n = cok_console_read(c, &pos, buf, 1, &lost);
	KUNIT_EXPECT_EQ(test, n, 1u);
	KUNIT_EXPECT_EQ(test, lost, (extra - 100) + extra);
}

/* A position beyond head (e.g. from a previous co-kernel) is clamped. */
static void console_pos_beyond_head(struct kunit *test)
{
	struct cok_console *c = new_console(test);
	u64 pos = 1000000, lost = 0;
	u8 buf[32];

	cok_console_write(c, "0123456789", 10);
	KUNIT_EXPECT_EQ(test, cok_console_read(c, &pos, buf, sizeof(buf), &lost), 0u);
	KUNIT_EXPECT_EQ(test, pos, 10ull);
	KUNIT_EXPECT_EQ(test, lost, 0ull);

	cok_console_write(c, "abcde", 5);
	KUNIT_ASSERT_EQ(test, cok_console_read(c, &pos, buf, sizeof(buf), &lost), 5u);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "abcde", 5), 0);
	KUNIT_EXPECT_EQ(test, pos, 15ull);

	pos = U64_MAX;
	KUNIT_EXPECT_EQ(test, cok_console_read(c, &pos, buf, sizeof(buf), &lost), 0u);
	KUNIT_EXPECT_EQ(test, pos, 15ull);
	KUNIT_EXPECT_EQ(test, lost, 0ull);
}

static struct kunit_case cok_console_cases[] = {
	KUNIT_CASE(console_write_read),
	KUNIT_CASE(console_wraps_buffer),
	KUNIT_CASE(console_overrun_lost),
	KUNIT_CASE(console_pos_beyond_head),
	{}
};

static struct kunit_suite cok_console_suite = {
	.name = "cok_console",
	.test_cases = cok_console_cases,
};

kunit_test_suites(&cok_ring_suite, &cok_console_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests of the ckpt_cokernel rings");
