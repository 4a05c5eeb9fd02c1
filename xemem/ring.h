/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The two ring kinds of the channel between Linux and the co-kernel.
 *
 * cok_msg_ring: a single-producer single-consumer ring of fixed-size
 * messages.  head and tail are free-running 32-bit counters; the slot of
 * index i is slot[i % COK_RING_SLOTS].  Each side writes only its own
 * counter, so no lock is needed; the peer is not trusted, so a counter
 * that claims more than COK_RING_SLOTS entries is reported as corrupt.
 *
 * cok_console: a byte log written by the co-kernel and read, without
 * consuming, by Linux (like the kernel log buffer).  head counts every
 * byte ever written; the newest COK_CONSOLE_SIZE bytes are kept.
 *
 * Everything here is pure logic, shared by kmod, co-kernel, userland and
 * the KUnit tests.
 */
#ifndef XEMEM_RING_H
#define XEMEM_RING_H

#include "cok_types.h"

#define COK_RING_SLOTS		16	/* power of two */
#define COK_MSG_ARGS		6
#define COK_CONSOLE_SIZE	(64 * 1024)	/* power of two */

enum cok_ring_result {
	COK_RING_OK = 0,
	COK_RING_EMPTY = 1,
	COK_RING_FULL = 2,
	COK_RING_CORRUPT = 3,
};

/* One request or response; 64 bytes, one cache line. */
struct cok_msg {
	uint32_t type;			/* enum cok_msg_type (channel.h) */
	uint32_t seq;			/* echoed in the response */
	int64_t status;			/* response: 0 or a negative COK_E* */
	uint64_t arg[COK_MSG_ARGS];
};

struct cok_msg_ring {
	uint32_t head;			/* producer's: next slot to fill */
	uint32_t head_pad[15];
	uint32_t tail;			/* consumer's: next slot to read */
	uint32_t tail_pad[15];
	struct cok_msg slot[COK_RING_SLOTS];
};

static inline void cok_ring_init(struct cok_msg_ring *r)
{
	r->head = 0;
	r->tail = 0;
}

static inline uint32_t cok_ring_count(uint32_t head, uint32_t tail)
{
	return head - tail;	/* wraps correctly in 32-bit arithmetic */
}

static inline int cok_ring_push(struct cok_msg_ring *r,
				const struct cok_msg *m)
{
	uint32_t head = cok_read_once(&r->head);
	uint32_t tail = cok_load_acquire(&r->tail);
	uint32_t used = cok_ring_count(head, tail);

	if (used > COK_RING_SLOTS)
		return COK_RING_CORRUPT;
	if (used == COK_RING_SLOTS)
		return COK_RING_FULL;
	r->slot[head % COK_RING_SLOTS] = *m;
	/* Publish the slot before the new head becomes visible. */
	cok_store_release(&r->head, head + 1);
	return COK_RING_OK;
}

static inline int cok_ring_pop(struct cok_msg_ring *r, struct cok_msg *m)
{
	uint32_t tail = cok_read_once(&r->tail);
	uint32_t head = cok_load_acquire(&r->head);
	uint32_t used = cok_ring_count(head, tail);

	if (used > COK_RING_SLOTS)
		return COK_RING_CORRUPT;
	if (used == 0)
		return COK_RING_EMPTY;
	*m = r->slot[tail % COK_RING_SLOTS];
	/* Release the slot only after it has been copied out. */
	cok_store_release(&r->tail, tail + 1);
	return COK_RING_OK;
}

struct cok_console {
	uint64_t head;			/* bytes ever written */
	uint32_t lock;			/* co-kernel cores serialise writers */
	uint32_t pad[13];
	uint8_t data[COK_CONSOLE_SIZE];
};

static inline void cok_console_init(struct cok_console *c)
{
	c->head = 0;
	c->lock = 0;
}

/* Writer side; the caller holds c->lock when several cores write. */
static inline void cok_console_write(struct cok_console *c,
				     const char *buf, uint32_t len)
{
	uint64_t head = cok_read_once(&c->head);
	uint32_t i;

	for (i = 0; i < len; i++)
		c->data[(head + i) % COK_CONSOLE_SIZE] = (uint8_t)buf[i];
	cok_store_release(&c->head, head + len);
}

/*
 * Reader side.  Copies at most len bytes starting at log offset *pos
 * into buf and advances *pos.  If the writer has already overwritten
 * bytes at *pos, reading skips forward to the oldest byte still held and
 * *lost counts what was skipped.  Returns the number of bytes copied.
 */
static inline uint32_t cok_console_read(const struct cok_console *c,
					uint64_t *pos, uint8_t *buf,
					uint32_t len, uint64_t *lost)
{
	uint64_t head = cok_load_acquire(&c->head);
	uint64_t from = *pos, oldest, n, i;

	oldest = head > COK_CONSOLE_SIZE ? head - COK_CONSOLE_SIZE : 0;
	if (from > head)
		from = head;	/* a position from a previous co-kernel */
	if (from < oldest) {
		*lost += oldest - from;
		from = oldest;
	}
	n = head - from;
	if (n > len)
		n = len;
	for (i = 0; i < n; i++)
		buf[i] = c->data[(from + i) % COK_CONSOLE_SIZE];

	/* Bytes the writer overwrote while we copied are not valid. */
	head = cok_load_acquire(&c->head);
	oldest = head > COK_CONSOLE_SIZE ? head - COK_CONSOLE_SIZE : 0;
	if (from < oldest) {
		uint64_t bad = oldest - from;

		if (bad >= n) {
			*lost += n;
			*pos = from + n;
			return 0;
		}
		for (i = 0; i + bad < n; i++)
			buf[i] = buf[i + bad];
		*lost += bad;
		*pos = from + n;
		return (uint32_t)(n - bad);
	}
	*pos = from + n;
	return (uint32_t)n;
}

#endif /* XEMEM_RING_H */
