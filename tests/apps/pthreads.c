// SPDX-License-Identifier: GPL-2.0
/*
 * pthreads [THREADS [ROUNDS]]: the pthread features programs use, with
 * output that does not depend on how the threads were scheduled, so that
 * a run in the enclave can be compared byte for byte with a Linux run:
 *   - a mutex-protected counter (THREADS x ROUNDS increments),
 *   - a condition-variable queue: one producer, THREADS consumers,
 *   - a barrier between phases, each phase reading the last one's data,
 *   - a rwlock: readers check a pair of values writers keep equal,
 *   - __thread (TLS): each thread's own accumulator,
 *   - join: every thread's return value.
 * Exit status 0 when every check holds, 1 otherwise (with a line why).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_THREADS	256
#define QUEUE_LEN	16

static int nthreads = 4;
static long rounds = 2000;

static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_nonempty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t q_nonfull = PTHREAD_COND_INITIALIZER;
static long queue[QUEUE_LEN];
static int q_head, q_len;
static long consumed_sum;

static pthread_barrier_t phase;
static uint64_t cells[MAX_THREADS];

static pthread_rwlock_t pair_lock = PTHREAD_RWLOCK_INITIALIZER;
static long pair_a, pair_b, pair_mismatch;

static __thread uint64_t tls_acc;

static void q_put(long v)
{
	pthread_mutex_lock(&q_lock);
	while (q_len == QUEUE_LEN)
		pthread_cond_wait(&q_nonfull, &q_lock);
	queue[(q_head + q_len++) % QUEUE_LEN] = v;
	pthread_cond_signal(&q_nonempty);
	pthread_mutex_unlock(&q_lock);
}

/* The next value, or -1 (the end marker, one per consumer). */
static long q_get(void)
{
	long v;

	pthread_mutex_lock(&q_lock);
	while (!q_len)
		pthread_cond_wait(&q_nonempty, &q_lock);
	v = queue[q_head];
	q_head = (q_head + 1) % QUEUE_LEN;
	q_len--;
	pthread_cond_signal(&q_nonfull);
	pthread_mutex_unlock(&q_lock);
	return v;
}

static void consume(void)
{
	long v, sum = 0;

	while ((v = q_get()) >= 0)
		sum += v;
	pthread_mutex_lock(&q_lock);
	consumed_sum += sum;
	pthread_mutex_unlock(&q_lock);
}

/* Phase p: cell i = f(cells of phase p - 1), read across a barrier. */
static void phases(int me)
{
	int p;

	cells[me] = (uint64_t)me + 1;
	for (p = 0; p < 8; p++) {
		uint64_t next;

		pthread_barrier_wait(&phase);
		next = cells[me] * 31 + cells[(me + 1) % nthreads];
		pthread_barrier_wait(&phase);
		cells[me] = next;
	}
	pthread_barrier_wait(&phase);
}

static void readers_writers(int me)
{
	long i;

	for (i = 0; i < rounds / 4; i++) {
		if ((i + me) % 8 == 0) {
			pthread_rwlock_wrlock(&pair_lock);
			pair_a++;
			pair_b++;
			pthread_rwlock_unlock(&pair_lock);
		} else {
			pthread_rwlock_rdlock(&pair_lock);
			if (pair_a != pair_b)
				__atomic_fetch_add(&pair_mismatch, 1,
						   __ATOMIC_RELAXED);
			pthread_rwlock_unlock(&pair_lock);
		}
	}
}

static void *worker(void *arg)
{
	int me = (int)(intptr_t)arg;
	long i;

	for (i = 0; i < rounds; i++) {
		pthread_mutex_lock(&count_lock);
		counter++;
		pthread_mutex_unlock(&count_lock);
		tls_acc += (uint64_t)(me + 1);
	}
	consume();
	phases(me);
	readers_writers(me);
	return (void *)(intptr_t)(tls_acc == (uint64_t)(me + 1) * rounds ?
				  me * 3 + 1 : -1);
}

/* How many i in [0, rounds / 4) have (i + me) % 8 == 0. */
static long writes_of(int me)
{
	long first = (8 - me % 8) % 8;

	return first < rounds / 4 ? (rounds / 4 - 1 - first) / 8 + 1 : 0;
}

static int check(int ok, const char *what)
{
	if (!ok)
		printf("FAILED: %s\n", what);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	static pthread_t t[MAX_THREADS];
	long v, want_q = 0, joined = 0, want_joined = 0, writes = 0;
	uint64_t cells_sum = 0;
	int i, bad = 0;

	if (argc > 1)
		nthreads = atoi(argv[1]);
	if (argc > 2)
		rounds = atol(argv[2]);
	if (nthreads < 1 || nthreads > MAX_THREADS || rounds < 8) {
		fprintf(stderr, "usage: pthreads [1..%d [ROUNDS >= 8]]\n",
			MAX_THREADS);
		return 2;
	}
	pthread_barrier_init(&phase, NULL, (unsigned int)nthreads);
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i)) {
			printf("FAILED: pthread_create %d\n", i);
			return 1;
		}
	for (v = 1; v <= rounds; v++) {
		q_put(v);
		want_q += v;
	}
	for (i = 0; i < nthreads; i++)
		q_put(-1);
	for (i = 0; i < nthreads; i++) {
		void *r;

		pthread_join(t[i], &r);
		joined += (long)(intptr_t)r;
		want_joined += i * 3 + 1;
		writes += writes_of(i);
	}
	for (i = 0; i < nthreads; i++)
		cells_sum = cells_sum * 1000003 + cells[i];
	bad |= check(counter == nthreads * rounds, "mutex counter");
	bad |= check(consumed_sum == want_q, "condvar queue sum");
	bad |= check(joined == want_joined, "join values / TLS");
	bad |= check(!pair_mismatch, "rwlock pair seen unequal");
	bad |= check(pair_a == writes && pair_b == writes, "rwlock writes");
	printf("threads %d rounds %ld\n", nthreads, rounds);
	printf("counter %ld queue %ld joined %ld pair %ld\n", counter,
	       consumed_sum, joined, pair_a);
	printf("cells %llu\n", (unsigned long long)cells_sum);
	return bad;
}
