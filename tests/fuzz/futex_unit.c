// SPDX-License-Identifier: GPL-2.0
/*
 * futex_unit: cokernel/futex.c on the host (ASan+UBSan), with the
 * scheduler and the address space stubbed: the waiter queue's order
 * (FIFO), bitsets, EAGAIN/EINVAL/ENOSYS, CMP_REQUEUE, WAKE_OP and
 * timeouts.  sched_next() returns at once, so a "blocked" waiter stays
 * queued until a wake hands it to sched_enqueue(), which records it.
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

void sched_enqueue(struct cok_kcore *core, struct cok_thread *t)
{
	(void)core;
	t->state = COK_THREAD_RUNNABLE;
	woken[nwoken++] = t;
}

void sched_next(struct cok_kcore *core)
{
	(void)core;
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
		th[i] = (struct cok_thread){ .tid = 100 + i, .proc = &proc };
	memcpy(mem + 64, ts, sizeof(ts));

	CHECK("EAGAIN", (put32(16, 1), call(0, 16, 128, 0, 0, 0, 0)), -11);
	put32(16, 0);
	CHECK("unaligned", call(0, 17, 128, 0, 0, 0, 0), -22);
	CHECK("bitset 0", call(0, 16, 137, 0, 0, 0, 0), -22);
	CHECK("realtime with WAIT", call(0, 16, 256, 0, 0, 0, 0), -38);
	CHECK("unknown op", call(0, 16, 6, 0, 0, 0, 0), -38);
	for (i = 0; i < 3; i++)
		call(i, 16, 128, 0, 0, 0, 0);
	CHECK("wake 2 of 3", call(3, 16, 129, 2, 0, 0, 0), 2);
	CHECK("FIFO first", woken[0] == &th[0], 1);
	CHECK("FIFO second", woken[1] == &th[1], 1);
	CHECK("wake the last", call(3, 16, 1, 5, 0, 0, 0), 1);
	CHECK("queue empty", proc.futex_q == NULL, 1);

	nwoken = 0;
	call(0, 16, 137, 0, 0, 0, 2);	/* WAIT_BITSET, bitset 2 */
	CHECK("bitset miss", call(3, 16, 138, 1, 0, 0, 1), 0);
	CHECK("bitset hit", call(3, 16, 138, 1, 0, 0, 6), 1);

	nwoken = 0;
	for (i = 0; i < 3; i++)
		call(i, 16, 128, 0, 0, 0, 0);
	CHECK("cmp_requeue changed", call(3, 16, 132, 1, 1, 32, 7), -11);
	CHECK("cmp_requeue 1 + 1", call(3, 16, 132, 1, 1, 32, 0), 2);
	CHECK("woke the oldest", woken[0] == &th[0], 1);
	CHECK("moved th1", th[1].futex_uaddr, 32);
	CHECK("kept th2", th[2].futex_uaddr, 16);
	put32(32, 0);
	/* WAKE_OP: *32 = 5 (SET); wake 1 on 16; on 32 too as old == 0. */
	CHECK("wake_op", call(3, 16, 133, 1, 1, 32,
			      (0u << 28) | (0u << 24) | (5u << 12) | 0u), 2);
	CHECK("wake_op stored", mem[32], 5);

	nwoken = 0;
	th[0].deadline_tsc = 0;
	call(0, 16, 128, 0, 64, 0, 0);	/* 1 us relative timeout */
	CHECK("deadline set", futex_next_deadline(&proc) != 0, 1);
	futex_expire(&proc, th[0].deadline_tsc - 1);
	CHECK("not yet expired", nwoken, 0);
	futex_expire(&proc, th[0].deadline_tsc);
	CHECK("expired", nwoken, 1);
	CHECK("ETIMEDOUT", th[0].wait_result, -110);
	/* Absolute monotonic 0.5 s: before app_clock_ns's 1 s, so past. */
	ts[0] = 0;
	ts[1] = 500000000;
	memcpy(mem + 64, ts, sizeof(ts));
	CHECK("absolute past", call(0, 16, 137, 0, 64, 0, 1), -110);
	CHECK("absolute past, word differs",
	      (put32(16, 3), call(0, 16, 137, 0, 64, 0, 1)), -11);
	if (!failed)
		printf("futex_unit: all checks passed\n");
	return failed;
}
