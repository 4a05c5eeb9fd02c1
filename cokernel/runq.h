/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pure part of the co-kernel's scheduling policy (sched.c, clone.c,
 * affinity.c): the FIFO run queue of a core, the choice of a core for a
 * thread, the one-shot timer's deadline and the mapping between the
 * CPUs an app sees and the cores of its set.  No lock, no hardware: the
 * KUnit tests (tests/kunit/runq_kunit.c) compile the very code the
 * co-kernel runs.
 *
 * The queue links struct cok_thread through its rq_next field: the
 * includer defines that struct first (cokernel.h; a stand-in in the
 * tests).  The head is written with cok_write_once(): other cores look
 * at it without the lock to see whether anything is queued.
 */
#ifndef COKERNEL_RUNQ_H
#define COKERNEL_RUNQ_H

#include "../xemem/cok_types.h"

#define COK_RQ_NONE	0xffffffffU	/* no core in the set */

/* t runs after every thread queued at *head (tail: the last one). */
static inline void cok_rq_push(struct cok_thread **head,
			       struct cok_thread **tail, struct cok_thread *t)
{
	t->rq_next = NULL;
	if (*tail)
		(*tail)->rq_next = t;
	else
		cok_write_once(head, t);
	*tail = t;
}

/* The oldest queued thread, taken off the queue; NULL if none. */
static inline struct cok_thread *cok_rq_pop(struct cok_thread **head,
					    struct cok_thread **tail)
{
	struct cok_thread *t = *head;

	if (t) {
		cok_write_once(head, t->rq_next);
		if (!t->rq_next)
			*tail = NULL;
	}
	return t;
}

/* t off the queue, the others in their order; false if t is not on it. */
static inline bool cok_rq_remove(struct cok_thread **head,
				 struct cok_thread **tail,
				 struct cok_thread *t)
{
	struct cok_thread **pp = head, *prev = NULL;

	while (*pp && *pp != t) {
		prev = *pp;
		pp = &prev->rq_next;
	}
	if (!*pp)
		return false;
	if (pp == head)
		cok_write_once(head, t->rq_next);
	else
		*pp = t->rq_next;
	if (*tail == t)
		*tail = prev;
	t->rq_next = NULL;
	return true;
}

/*
 * The core for a thread among set (bit c: core c): the one with the
 * fewest live threads of the process (load[c]); on a tie the home core
 * if it is in set, else the lowest.  COK_RQ_NONE if set is empty.
 */
static inline uint32_t cok_rq_place(uint32_t set, const uint32_t *load,
				    uint32_t home)
{
	uint32_t c, best = COK_RQ_NONE;

	if (home < 32 && (set & (1U << home)))
		best = home;
	for (c = 0; c < 32; c++)
		if ((set & (1U << c)) &&
		    (best == COK_RQ_NONE || load[c] < load[best]))
			best = c;
	return best;
}

/*
 * The TSC the core's timer is for, 0 for none: the earliest of the end
 * of the slice (*slice_end, renewed to now + slice if it passed while
 * the thread was not in ring 3), when another thread is queued, and the
 * first wait deadline of its threads (0: none).
 */
static inline uint64_t cok_rq_timer_when(bool queued, uint64_t *slice_end,
					 uint64_t now, uint64_t slice,
					 uint64_t wait_deadline)
{
	uint64_t when = 0;

	if (queued) {
		if (*slice_end <= now)
			*slice_end = now + slice;
		when = *slice_end;
	}
	if (wait_deadline && (!when || wait_deadline < when))
		when = wait_deadline;
	return when;
}

/*
 * An app sees the N cores of its set as CPUs 0 to N - 1, in order:
 * the CPUs of mask cpus as a set of cores (CPUs past N are dropped, as
 * Linux drops CPUs that do not exist) ...
 */
static inline uint32_t cok_rq_cpus_to_cores(uint32_t cores, uint64_t cpus)
{
	uint32_t c, set = 0, cpu = 0;

	for (c = 0; c < 32; c++) {
		if (!(cores & (1U << c)))
			continue;
		if (cpus & (1ULL << cpu))
			set |= 1U << c;
		cpu++;
	}
	return set;
}

/* ... and a set of cores (within cores) as the CPUs the app sees. */
static inline uint64_t cok_rq_cores_to_cpus(uint32_t cores, uint32_t set)
{
	uint32_t c, cpu = 0;
	uint64_t cpus = 0;

	for (c = 0; c < 32; c++) {
		if (!(cores & (1U << c)))
			continue;
		if (set & (1U << c))
			cpus |= 1ULL << cpu;
		cpu++;
	}
	return cpus;
}

/*
 * Linux's cpumask in user memory (get_user_cpu_mask()): COK_RQ_MASK_SIZE
 * bytes (one long: nr_cpu_ids <= 64).  A shorter buffer gives its bytes,
 * the rest zero; a longer one only its first COK_RQ_MASK_SIZE bytes.
 */
#define COK_RQ_MASK_SIZE	8U

static inline uint32_t cok_rq_mask_bytes(uint64_t len)
{
	return len < COK_RQ_MASK_SIZE ? (uint32_t)len : COK_RQ_MASK_SIZE;
}

#endif /* COKERNEL_RUNQ_H */
