/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pure part of the co-kernel's futex(2) (futex.c): one process's
 * waiter queue and FUTEX_WAKE_OP's decoding, with no thread, scheduler
 * or user memory in sight, so that the KUnit tests
 * (tests/kunit/futex_kunit.c) compile the very code the co-kernel runs.
 *
 * The queue is a singly linked list, oldest waiter first: a wake takes
 * the oldest matching waiters, the order Linux wakes waiters of equal
 * priority in.  What a wake takes leaves the queue as a list of its
 * own, in queue order, for the caller to run; a timeout (on the core's
 * timer queue, timer.c) takes its one waiter.
 */
#ifndef COKERNEL_FUTEXQ_H
#define COKERNEL_FUTEXQ_H

#include "../xemem/cok_types.h"
#ifndef __KERNEL__
#include <stdbool.h>
#endif

/* One waiter; a sleep (nanosleep) is uaddr 0, bitset 0. */
struct cok_fq_waiter {
	struct cok_fq_waiter *next;
	uint64_t uaddr;			/* what it waits on; 0: a sleep */
	uint32_t bitset;		/* 0 for a sleep: no wake matches */
	uint64_t deadline;		/* TSC of its timeout; 0: none */
};

/* A list: its head, and where the next waiter is linked in. */
struct cok_fq_list {
	struct cok_fq_waiter *head;
	struct cok_fq_waiter **tail;
};

static inline void cok_fq_list_init(struct cok_fq_list *l)
{
	l->head = NULL;
	l->tail = &l->head;
}

static inline void cok_fq_list_put(struct cok_fq_list *l,
				   struct cok_fq_waiter *w)
{
	w->next = NULL;
	*l->tail = w;
	l->tail = &w->next;
}

/* w waits behind every waiter of *q. */
static inline void cok_fq_add(struct cok_fq_waiter **q,
			      struct cok_fq_waiter *w)
{
	while (*q)
		q = &(*q)->next;
	w->next = NULL;
	*q = w;
}

/* *pp leaves the queue, its timeout off, for the end of out. */
static inline void cok_fq_take_one(struct cok_fq_waiter **pp,
				   struct cok_fq_list *out)
{
	struct cok_fq_waiter *w = *pp;

	*pp = w->next;
	w->deadline = 0;
	cok_fq_list_put(out, w);
}

static inline bool cok_fq_matches(const struct cok_fq_waiter *w,
				  uint64_t uaddr, uint32_t bitset)
{
	return w->uaddr == uaddr && (w->bitset & bitset);
}

/* Up to n waiters of uaddr sharing a bit with bitset go to out. */
static inline uint32_t cok_fq_wake(struct cok_fq_waiter **q, uint64_t uaddr,
				   uint32_t bitset, uint32_t n,
				   struct cok_fq_list *out)
{
	uint32_t woken = 0;

	while (*q && woken < n) {
		if (cok_fq_matches(*q, uaddr, bitset)) {
			cok_fq_take_one(q, out);
			woken++;
		} else {
			q = &(*q)->next;
		}
	}
	return woken;
}

/*
 * Up to n of the oldest waiters of uaddr now wait on uaddr2, keeping
 * their place in the queue; returns how many moved.
 */
static inline uint32_t cok_fq_requeue(struct cok_fq_waiter *q,
				      uint64_t uaddr, uint32_t n,
				      uint64_t uaddr2)
{
	uint32_t moved = 0;

	for (; q && moved < n; q = q->next)
		if (q->uaddr == uaddr && q->bitset) {
			q->uaddr = uaddr2;
			moved++;
		}
	return moved;
}

/*
 * w leaves the queue (its timeout expired), its timeout off; false if
 * it is not on the queue (a wake took it first).
 */
static inline bool cok_fq_take(struct cok_fq_waiter **q,
			       struct cok_fq_waiter *w)
{
	while (*q && *q != w)
		q = &(*q)->next;
	if (!*q)
		return false;
	*q = w->next;
	w->next = NULL;
	w->deadline = 0;
	return true;
}

/*
 * FUTEX_WAKE_OP's val3 (Linux's FUTEX_OP(op, oparg, cmp, cmparg)):
 * bits 31-28 the operation (bit 31: the argument is a shift count),
 * 27-24 the comparison, 23-12 oparg, 11-0 cmparg, both signed.
 */
#define COK_FUTEX_OP_SET		0	/* uaddr2 = oparg */
#define COK_FUTEX_OP_ADD		1	/* uaddr2 += oparg */
#define COK_FUTEX_OP_OR			2	/* uaddr2 |= oparg */
#define COK_FUTEX_OP_ANDN		3	/* uaddr2 &= ~oparg */
#define COK_FUTEX_OP_XOR		4	/* uaddr2 ^= oparg */
#define COK_FUTEX_OP_OPARG_SHIFT	8	/* oparg is 1 << oparg */

#define COK_FUTEX_OP_CMP_EQ		0	/* wake if old == cmparg */
#define COK_FUTEX_OP_CMP_NE		1
#define COK_FUTEX_OP_CMP_LT		2
#define COK_FUTEX_OP_CMP_LE		3
#define COK_FUTEX_OP_CMP_GT		4
#define COK_FUTEX_OP_CMP_GE		5

static inline uint32_t cok_futex_op_op(uint32_t op)
{
	return (op >> 28) & 7;
}

static inline uint32_t cok_futex_op_cmp(uint32_t op)
{
	return (op >> 24) & 15;
}

/* An operation and a comparison Linux knows (else it says ENOSYS). */
static inline bool cok_futex_op_valid(uint32_t op)
{
	return cok_futex_op_op(op) <= COK_FUTEX_OP_XOR &&
	       cok_futex_op_cmp(op) <= COK_FUTEX_OP_CMP_GE;
}

/* The new value of *uaddr2, from its old one (op valid). */
static inline uint32_t cok_futex_op_new(uint32_t op, uint32_t old)
{
	uint32_t arg = (op >> 12) & 0xfff;

	if (arg & 0x800)		/* sign-extend the 12-bit argument */
		arg |= 0xfffff000U;
	if ((op >> 28) & COK_FUTEX_OP_OPARG_SHIFT)
		arg = 1U << (arg & 31);
	switch (cok_futex_op_op(op)) {
	case COK_FUTEX_OP_SET:
		return arg;
	case COK_FUTEX_OP_ADD:
		return old + arg;
	case COK_FUTEX_OP_OR:
		return old | arg;
	case COK_FUTEX_OP_ANDN:
		return old & ~arg;
	default:
		return old ^ arg;
	}
}

/* Whether the old value of *uaddr2 wakes its waiters too (op valid). */
static inline bool cok_futex_op_test(uint32_t op, uint32_t old)
{
	int32_t arg = (int32_t)(op << 20) >> 20, o = (int32_t)old;

	switch (cok_futex_op_cmp(op)) {
	case COK_FUTEX_OP_CMP_EQ:
		return o == arg;
	case COK_FUTEX_OP_CMP_NE:
		return o != arg;
	case COK_FUTEX_OP_CMP_LT:
		return o < arg;
	case COK_FUTEX_OP_CMP_LE:
		return o <= arg;
	case COK_FUTEX_OP_CMP_GT:
		return o > arg;
	default:
		return o >= arg;
	}
}

#endif /* COKERNEL_FUTEXQ_H */
