// SPDX-License-Identifier: GPL-2.0
/*
 * futex_time: futex(2) as libcs and runtimes call it, with output that
 * does not depend on scheduling, to compare an enclave run with Linux:
 *   - EAGAIN when the word differs, EINVAL for bitset 0,
 *   - ETIMEDOUT after a relative FUTEX_WAIT timeout and an absolute
 *     FUTEX_WAIT_BITSET one on CLOCK_MONOTONIC and CLOCK_REALTIME, each
 *     no earlier than asked,
 *   - WAKE_BITSET wakes only a waiter whose bitset meets its own,
 *   - CMP_REQUEUE moves waiters to a second word, WAKE wakes them there,
 *   - WAKE_OP sets a word and wakes on both,
 *   - pthread_cond_timedwait times out; nanosleep lets another thread
 *     run; sched_yield passes the core back and forth.
 * Exit status 0 when every check holds, 1 otherwise (with a line why).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MS	1000000L

/* <linux/futex.h>'s, which musl-gcc does not see. */
#define FUTEX_WAIT_PRIVATE		128
#define FUTEX_WAKE_PRIVATE		129
#define FUTEX_CMP_REQUEUE_PRIVATE	132
#define FUTEX_WAKE_OP_PRIVATE		133
#define FUTEX_WAIT_BITSET_PRIVATE	137
#define FUTEX_WAKE_BITSET_PRIVATE	138
#define FUTEX_CLOCK_REALTIME		256
#define FUTEX_BITSET_MATCH_ANY		0xffffffffU
#define FUTEX_OP_SET			0
#define FUTEX_OP_CMP_EQ			0
#define FUTEX_OP(op, oparg, cmp, cmparg) \
	(((op & 0xf) << 28) | ((cmp & 0xf) << 24) | \
	 ((oparg & 0xfff) << 12) | (cmparg & 0xfff))

static int bad;

static long futex(uint32_t *uaddr, int op, uint32_t val, void *ts,
		  uint32_t *uaddr2, uint32_t val3)
{
	long r = syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);

	return r < 0 ? -errno : r;
}

static void check(const char *what, long got, long want)
{
	printf("%s: %s\n", what, got == want ? "ok" : "WRONG");
	if (got != want) {
		printf("  got %ld, want %ld\n", got, want);
		bad = 1;
	}
}

static long now_ns(clockid_t clk)
{
	struct timespec t;

	clock_gettime(clk, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

static struct timespec ts_of(long ns)
{
	return (struct timespec){ ns / 1000000000L, ns % 1000000000L };
}

static void timeouts(void)
{
	uint32_t w = 0;
	struct timespec t;
	long t0, r;

	check("wait on a changed word", futex(&w, FUTEX_WAIT_PRIVATE, 1, NULL,
					      NULL, 0), -EAGAIN);
	check("bitset 0", futex(&w, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL,
				0), -EINVAL);
	t = ts_of(20 * MS);
	t0 = now_ns(CLOCK_MONOTONIC);
	r = futex(&w, FUTEX_WAIT_PRIVATE, 0, &t, NULL, 0);
	check("relative timeout", r, -ETIMEDOUT);
	check("relative timeout not early",
	      now_ns(CLOCK_MONOTONIC) - t0 >= 20 * MS, 1);
	t0 = now_ns(CLOCK_MONOTONIC);
	t = ts_of(t0 + 20 * MS);
	r = futex(&w, FUTEX_WAIT_BITSET_PRIVATE, 0, &t, NULL,
		  FUTEX_BITSET_MATCH_ANY);
	check("absolute monotonic timeout", r, -ETIMEDOUT);
	check("absolute monotonic not early",
	      now_ns(CLOCK_MONOTONIC) >= t0 + 20 * MS, 1);
	t0 = now_ns(CLOCK_REALTIME);
	t = ts_of(t0 + 20 * MS);
	r = futex(&w, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, &t,
		  NULL, FUTEX_BITSET_MATCH_ANY);
	check("absolute realtime timeout", r, -ETIMEDOUT);
	check("absolute realtime not early",
	      now_ns(CLOCK_REALTIME) >= t0 + 20 * MS, 1);
	t = ts_of(now_ns(CLOCK_MONOTONIC) - MS);
	check("absolute timeout in the past",
	      futex(&w, FUTEX_WAIT_BITSET_PRIVATE, 0, &t, NULL, 1),
	      -ETIMEDOUT);
}

static uint32_t word_a, word_b;
static volatile int waiting;

/* Waits on word_a with bitset (long)arg; returns the wait's result. */
static void *waiter(void *arg)
{
	long r;

	__atomic_add_fetch(&waiting, 1, __ATOMIC_SEQ_CST);
	r = futex(&word_a, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL,
		  (uint32_t)(long)arg);
	return (void *)r;
}

/* Until n threads announced a wait and had time to block in it. */
static void settle(int n)
{
	while (waiting < n)
		sched_yield();
	usleep(20000);
}

static void bitsets(void)
{
	pthread_t t;
	void *r;

	waiting = 0;
	pthread_create(&t, NULL, waiter, (void *)2L);
	settle(1);
	check("wake_bitset, no common bit",
	      futex(&word_a, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 1), 0);
	check("wake_bitset, a common bit",
	      futex(&word_a, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 6), 1);
	pthread_join(t, &r);
	check("woken waiter's result", (long)r, 0);
}

static void requeue(void)
{
	pthread_t t[3];
	void *r;
	long woke = 0;
	int i;

	waiting = 0;
	for (i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, waiter, (void *)-1L);
	settle(3);
	check("cmp_requeue, word changed",
	      futex(&word_a, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)2L,
		    &word_b, 1), -EAGAIN);
	/* Wake 1, move 2 to word_b: the result counts both. */
	check("cmp_requeue wakes 1, moves 2",
	      futex(&word_a, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)2L,
		    &word_b, 0), 3);
	check("nobody left on word_a",
	      futex(&word_a, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0), 0);
	/* WAKE_OP: word_b = 5 (SET), wake on a, and on b if old == 0. */
	woke = futex(&word_a, FUTEX_WAKE_OP_PRIVATE, 1, (void *)10L, &word_b,
		     FUTEX_OP(FUTEX_OP_SET, 5, FUTEX_OP_CMP_EQ, 0));
	check("wake_op wakes the two moved", woke, 2);
	check("wake_op set the word", word_b, 5);
	for (i = 0; i < 3; i++) {
		pthread_join(t[i], &r);
		woke += (long)r == 0;
	}
	check("all three woken", woke, 5);
}

static volatile long ticks;
static volatile int stop;

static void *counter(void *arg)
{
	(void)arg;
	while (!stop)
		ticks++;
	return NULL;
}

static void *ponger(void *arg)
{
	int i;

	for (i = 0; i < 100; i++) {
		__atomic_add_fetch((int *)arg, 1, __ATOMIC_SEQ_CST);
		sched_yield();
	}
	return NULL;
}

static void others(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	struct timespec t;
	pthread_t th;
	int n = 0, i;

	clock_gettime(CLOCK_REALTIME, &t);
	t = ts_of(t.tv_sec * 1000000000L + t.tv_nsec + 20 * MS);
	pthread_mutex_lock(&m);
	check("cond_timedwait", pthread_cond_timedwait(&c, &m, &t), ETIMEDOUT);
	pthread_mutex_unlock(&m);

	pthread_create(&th, NULL, counter, NULL);
	usleep(1000);
	i = ticks;
	usleep(50000);
	check("another thread runs during a sleep", ticks > i, 1);
	stop = 1;
	pthread_join(th, NULL);

	pthread_create(&th, NULL, ponger, &n);
	for (i = 0; i < 100; i++)
		sched_yield();
	pthread_join(th, NULL);
	check("sched_yield ping-pong", n, 100);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	timeouts();
	bitsets();
	requeue();
	others();
	return bad;
}
