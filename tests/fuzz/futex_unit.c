// SPDX-License-Identifier: GPL-2.0
/*
 * futex_unit: the system call layer of cokernel/futex.c on the host
 * (ASan+UBSan), with the scheduler and the address space stubbed: the
 * arguments' errors (EAGAIN, EINVAL, ENOSYS), the word compares of WAIT
 * and CMP_REQUEUE, WAKE_OP's store to user memory, what the calls
 * return, and timeouts (relative, absolute already past, the expiry's
 * -ETIMEDOUT, a wake that takes the timeout off the timer queue, an
 * expiry after a wake that changes nothing).  sched_next() returns at once, so a "blocked" waiter
 * stays queued until a wake hands it to sched_wake(), which records
 * it.  The queue's own logic (FIFO order, bitsets, requeue, expiry by
 * deadline) and WAKE_OP's decoding are cokernel/futexq.h's, tested by
 * KUnit in tests/kunit/futex_kunit.c.
 * Prints one line per failed check; exit 1 if any failed.
 */
#include <stdio.h>
#include <string.h>
#include "../../cokernel/cokernel.h"

static uint8_t mem[256];		/* user memory: va = offset */
static struct cok_thread *woken[16];
static int nwoken, failed;

int as_read(struct cok_aspace *as, void *dst, uint64_t va, uint64_t len)
{
	(void)as;
	if (va + len > sizeof(mem))
		return -1;
	memcpy(dst, mem + va, len);
	return 0;
}

int as_put(struct cok_aspace *as, uint64_t va, const void *src, uint64_t len)
{
	(void)as;
	if (va + len > sizeof(mem))
		return -1;
	memcpy(mem + va, src, len);
	return 0;
}

/* A wake: the thread goes to its core's queue (an IPI if another's). */
void sched_wake(struct cok_kcore *self, struct cok_thread *t)
{
	(void)self;
	t->state = COK_THREAD_RUNNABLE;
	woken[nwoken++] = t;
}

void sched_next(struct cok_kcore *core)
{
	(void)core;
}

/* The core's timer queue: a timeout is armed or taken off. */
static struct cok_timer *armed;

void timer_add(struct cok_kcore *core, struct cok_timer *t,
	       uint64_t deadline)
{
	(void)core;
	t->deadline = deadline;
	t->queued = true;
	armed = t;
}

void timer_del(struct cok_timer *t)
{
	t->queued = false;
	if (armed == t)
		armed = NULL;
}

uint64_t app_clock_ns(struct cok_proc *p, bool realtime)
{
	(void)p;
	return realtime ? 5000000000ULL : 1000000000ULL;
}

uint64_t sched_ns_to_tsc(const struct cok_proc *p, uint64_t ns)
{
	(void)p;
	return ns;
}

static struct cok_kcore core;
static struct cok_proc proc = { .core = &core };
static struct cok_thread th[4];

#define CHECK(what, got, want) do {					\
	long long g_ = (long long)(got), w_ = (long long)(want);	\
	if (g_ != w_) {							\
		printf("FAIL %s: got %lld, want %lld\n", what, g_, w_);\
		failed = 1;						\
	}								\
} while (0)

/* futex(uaddr, op, val, timeout/val2, uaddr2, val3) by thread i. */
static long call(int i, uint64_t uaddr, uint32_t op, uint32_t val,
		 uint64_t ts, uint64_t uaddr2, uint32_t val3)
{
	struct cok_regs r = { .rdi = uaddr, .rsi = op, .rdx = val, .r10 = ts,
			      .r8 = uaddr2, .r9 = val3 };

	core.current = &th[i];
	return sys_futex(&core, &r);
}

static void put32(uint64_t va, uint32_t v)
{
	memcpy(mem + va, &v, sizeof(v));
}

int main(void)
{
	uint64_t ts[2] = { 0, 1000 };
	int i;

	for (i = 0; i < 4; i++)
		th[i] = (struct cok_thread){ .tid = 100 + i, .proc = &proc,
					     .core = &core };
	memcpy(mem + 64, ts, sizeof(ts));

	CHECK("EAGAIN", (put32(16, 1), call(0, 16, 128, 0, 0, 0, 0)), -11);
	put32(16, 0);
	CHECK("unaligned", call(0, 17, 128, 0, 0, 0, 0), -22);
	CHECK("wait bitset 0", call(0, 16, 137, 0, 0, 0, 0), -22);
	CHECK("wake bitset 0", call(0, 16, 138, 1, 0, 0, 0), -22);
	CHECK("wake address 0", call(0, 0, 129, 1, 0, 0, 0), -22);
	CHECK("realtime with WAIT", call(0, 16, 256, 0, 0, 0, 0), -38);
	CHECK("unknown op", call(0, 16, 6, 0, 0, 0, 0), -38);
	CHECK("nothing queued", proc.futex_q == NULL, 1);

	/* A wait blocks; a wake runs it again with 0. */
	th[0].wait_result = 99;
	CHECK("wait", call(0, 16, 128, 0, 0, 0, 0), 0);
	CHECK("waiting", proc.futex_q == &th[0].fw, 1);
	CHECK("wake", call(3, 16, 129, 5, 0, 0, 0), 1);
	CHECK("enqueued", nwoken == 1 && woken[0] == &th[0], 1);
	CHECK("wait result", th[0].wait_result, 0);
	CHECK("queue empty", proc.futex_q == NULL, 1);

	/* CMP_REQUEUE: the word first, then woken + moved. */
	nwoken = 0;
	for (i = 0; i < 3; i++)
		call(i, 16, 128, 0, 0, 0, 0);
	CHECK("cmp_requeue changed", call(3, 16, 132, 1, 1, 32, 7), -11);
	CHECK("cmp_requeue bad uaddr2", call(3, 16, 132, 1, 1, 34, 0), -22);
	CHECK("nothing woken", nwoken, 0);
	CHECK("cmp_requeue 1 + 1", call(3, 16, 132, 1, 1, 32, 0), 2);
	CHECK("one woken", nwoken, 1);
	CHECK("moved", th[1].fw.uaddr, 32);
	CHECK("requeue 1 + 0", call(3, 16, 131, 1, 0, 32, 0), 1);
	/* WAKE_OP: *32 = 5 (SET); wake 1 on 16 (none left); on 32 as 0 == 0. */
	put32(32, 0);
	CHECK("wake_op", call(3, 16, 133, 1, 1, 32,
			      (0u << 28) | (0u << 24) | (5u << 12) | 0u), 1);
	CHECK("wake_op stored", mem[32], 5);
	CHECK("wake_op bad op", call(3, 16, 133, 1, 1, 32, 5u << 28), -38);
	CHECK("wake_op bad op stores nothing", mem[32], 5);
	CHECK("all woken", nwoken, 3);

	/* A relative timeout becomes a deadline; its expiry, -ETIMEDOUT. */
	nwoken = 0;
	call(0, 16, 128, 0, 64, 0, 0);	/* 1 us relative timeout */
	CHECK("timer armed", armed == &th[0].wait_timer, 1);
	CHECK("timer kind", th[0].wait_timer.kind, COK_TIMER_WAIT);
	futex_timed_out(&core, &th[0]);
	CHECK("expired", nwoken, 1);
	CHECK("ETIMEDOUT", th[0].wait_result, -110);
	CHECK("expired: off the futex queue", proc.futex_q == NULL, 1);
	futex_timed_out(&core, &th[0]);	/* once only */
	CHECK("expired once", nwoken, 1);
	/* A wake first: its timer comes off; a late expiry does nothing. */
	nwoken = 0;
	call(1, 16, 128, 0, 64, 0, 0);
	CHECK("timer armed again", armed == &th[1].wait_timer, 1);
	CHECK("woken", call(3, 16, 129, 1, 0, 0, 0), 1);
	CHECK("timer taken off", armed == NULL, 1);
	futex_timed_out(&core, &th[1]);
	CHECK("no second run", nwoken, 1);
	CHECK("woken with 0", th[1].wait_result, 0);
	/* Absolute monotonic 0.5 s: before app_clock_ns's 1 s, so past. */
	ts[0] = 0;
	ts[1] = 500000000;
	memcpy(mem + 64, ts, sizeof(ts));
	CHECK("absolute past", call(0, 16, 137, 0, 64, 0, 1), -110);
	CHECK("absolute past, word differs",
	      (put32(16, 3), call(0, 16, 137, 0, 64, 0, 1)), -11);
	ts[1] = 1000000000;		/* not a valid timespec */
	memcpy(mem + 64, ts, sizeof(ts));
	CHECK("bad timespec", (put32(16, 0), call(0, 16, 128, 0, 64, 0, 0)),
	      -22);
	if (!failed)
		printf("futex_unit: all checks passed\n");
	return failed;
}
