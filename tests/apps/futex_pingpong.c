// SPDX-License-Identifier: GPL-2.0
/*
 * futex_pingpong ROUNDS [CPU_A CPU_B]: two threads hand a turn back and
 * forth through one futex word (FUTEX_WAIT / FUTEX_WAKE, private)
 * ROUNDS times: the main thread (A) gives the turn and sleeps until it
 * comes back, the second thread (B) sleeps until it has the turn and
 * gives it back.  A round trip is two wake-ups, one each way.  With
 * CPU_A and CPU_B each thread first pins itself there
 * (sched_setaffinity: on Linux, which would otherwise wake both on one
 * CPU); in an enclave clone places B on the other core.
 *
 * Line 1 depends on nothing but ROUNDS (compared with Linux by the
 * tests); line 2 is the timing: the round trips are timed in batches of
 * BATCH with CLOCK_MONOTONIC, and the median and mean of the batches'
 * ns per round trip are printed with the number of waits that slept.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* <linux/futex.h>'s, which musl-gcc does not see. */
#define FUTEX_WAIT_PRIVATE	128
#define FUTEX_WAKE_PRIVATE	129

#define BATCH		50
#define MAX_BATCHES	10000

static uint32_t turn;			/* 0: A's turn, 1: B's */
static long rounds, b_rounds, sleeps[2];
static int cpu[2] = { -1, -1 };

static long futex(uint32_t *uaddr, int op, uint32_t val)
{
	long r = syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);

	return r < 0 ? -errno : r;
}

/* Sleep while the word still holds val; count the waits that slept. */
static void wait_while(uint32_t val, int me)
{
	while (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) == val)
		if (futex(&turn, FUTEX_WAIT_PRIVATE, val) == 0)
			sleeps[me]++;
}

static void give(uint32_t to)
{
	__atomic_store_n(&turn, to, __ATOMIC_RELEASE);
	futex(&turn, FUTEX_WAKE_PRIVATE, 1);
}

static int pin(int me)
{
	cpu_set_t set;

	if (cpu[me] < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu[me], &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("sched_setaffinity");
		return -1;
	}
	return 0;
}

static void *thread_b(void *arg)
{
	long i;

	(void)arg;
	if (pin(1))
		exit(1);
	for (i = 0; i < rounds; i++) {
		wait_while(0, 1);
		b_rounds++;
		give(0);
	}
	return NULL;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t batch_ns[MAX_BATCHES];

int main(int argc, char **argv)
{
	long nb, k, j;
	uint64_t t, total = 0;
	pthread_t b;

	rounds = argc > 1 ? atol(argv[1]) : 1000;
	if (argc > 3) {
		cpu[0] = atoi(argv[2]);
		cpu[1] = atoi(argv[3]);
	}
	nb = rounds / BATCH;
	if (argc == 3 || argc > 4 || rounds < BATCH || rounds % BATCH ||
	    nb > MAX_BATCHES) {
		fprintf(stderr, "usage: futex_pingpong ROUNDS [CPU_A CPU_B] (ROUNDS a multiple of %d, at most %d)\n",
			BATCH, BATCH * MAX_BATCHES);
		return 2;
	}
	if (pin(0) || pthread_create(&b, NULL, thread_b, NULL))
		return 1;
	for (k = 0; k < nb; k++) {
		t = now_ns();
		for (j = 0; j < BATCH; j++) {
			give(1);
			wait_while(1, 0);
		}
		batch_ns[k] = (now_ns() - t) / BATCH;
		total += batch_ns[k];
	}
	pthread_join(b, NULL);
	printf("futex_pingpong %ld round trips, B saw %ld, turn %u\n", rounds,
	       b_rounds, turn);
	qsort(batch_ns, nb, sizeof(batch_ns[0]), by_value);
	printf("rtt_ns median %llu mean %llu batches %ld sleeps %ld %ld\n",
	       (unsigned long long)batch_ns[nb / 2],
	       (unsigned long long)(total / nb), nb, sleeps[0], sleeps[1]);
	return b_rounds == rounds && turn == 0 ? 0 : 1;
}
