/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pure part of a core's timer queue (timer.c): one list per core of
 * struct cok_timer, sorted by deadline (TSC), with no lock, hardware or
 * thread in sight, so that the KUnit tests (tests/kunit/timerq_kunit.c)
 * compile the very code the co-kernel runs.
 *
 * Timers of equal deadline keep the order they were queued in (a new
 * one goes behind them), so two waits that end at the same TSC are
 * woken oldest first.  The core's one-shot APIC timer is armed for the
 * head only (cok_tq_head_deadline()); an empty queue means no timer.
 */
#ifndef COKERNEL_TIMERQ_H
#define COKERNEL_TIMERQ_H

#include "../xemem/cok_types.h"
#ifndef __KERNEL__
#include <stdbool.h>
#endif

/* What an expired timer does (timer.c dispatches on it). */
enum cok_timer_kind {
	COK_TIMER_WAIT = 1,	/* a futex wait or a sleep times out */
	COK_TIMER_SLICE,	/* the running thread's slice ends */
	COK_TIMER_SIGNAL,	/* an itimer or POSIX timer posts a signal */
};

struct cok_timer {
	struct cok_timer *next;
	uint64_t deadline;		/* TSC it expires at */
	uint64_t interval;		/* TSC it re-arms by; 0: one-shot */
	uint32_t kind;			/* enum cok_timer_kind */
	uint32_t core;			/* the queue it is on (timer.c) */
	bool queued;
};

/* t expires at deadline, behind every timer due at or before it. */
static inline void cok_tq_insert(struct cok_timer **q, struct cok_timer *t,
				 uint64_t deadline)
{
	while (*q && (*q)->deadline <= deadline)
		q = &(*q)->next;
	t->deadline = deadline;
	t->next = *q;
	t->queued = true;
	*q = t;
}

/* t off the queue, the others in their order; false if t is not on it. */
static inline bool cok_tq_remove(struct cok_timer **q, struct cok_timer *t)
{
	while (*q && *q != t)
		q = &(*q)->next;
	if (!*q)
		return false;
	*q = t->next;
	t->next = NULL;
	t->queued = false;
	return true;
}

/* The head if it is due at now, taken off the queue; NULL if none. */
static inline struct cok_timer *cok_tq_pop_expired(struct cok_timer **q,
						   uint64_t now)
{
	struct cok_timer *t = *q;

	if (!t || t->deadline > now)
		return NULL;
	*q = t->next;
	t->next = NULL;
	t->queued = false;
	return t;
}

/* When the core's timer must fire: the head's deadline; 0 if empty. */
static inline uint64_t cok_tq_head_deadline(const struct cok_timer *q)
{
	return q ? q->deadline : 0;
}

/*
 * A periodic timer that expired at deadline (interval > 0): its next
 * deadline, the first of deadline + k * interval (k >= 1) after now;
 * *overrun gets the periods missed on the way (k - 1), which POSIX
 * timers report as their overrun.
 */
static inline uint64_t cok_tq_next_period(uint64_t deadline,
					  uint64_t interval, uint64_t now,
					  uint64_t *overrun)
{
	uint64_t k = 1;

	if (now >= deadline + interval)
		k = (now - deadline) / interval + 1;
	*overrun = k - 1;
	return deadline + k * interval;
}

/* Re-arm an expired periodic t by its interval; returns its overrun. */
static inline uint64_t cok_tq_rearm(struct cok_timer **q, struct cok_timer *t,
				    uint64_t now)
{
	uint64_t overrun;

	cok_tq_insert(q, t, cok_tq_next_period(t->deadline, t->interval, now,
					       &overrun));
	return overrun;
}

#endif /* COKERNEL_TIMERQ_H */
