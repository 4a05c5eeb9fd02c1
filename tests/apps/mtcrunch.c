// SPDX-License-Identifier: GPL-2.0
/*
 * mtcrunch THREADS ROUNDS [ALONE]: THREADS threads each run crunch's
 * compute loop (no system call inside) for ROUNDS rounds of a million
 * steps;
 * every 25 rounds a thread adds its progress under a mutex, and the main
 * thread, waiting on a condition variable, prints each quarter of the
 * whole once it is reached; at the end every thread's digest, in thread
 * order; then, with ALONE, the main thread computes ALONE more rounds by
 * itself (the others have exited) between two lines.  The output does
 * not depend on how the threads were scheduled,
 * so a run that was frozen, dumped and restored must print what an
 * uninterrupted one does.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "crunch.h"

#define MAX_THREADS	64

static unsigned long rounds;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t moved = PTHREAD_COND_INITIALIZER;
static unsigned long done_rounds;

static void *crunch(void *arg)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL + (uintptr_t)arg, digest = 0;
	unsigned long r;

	for (r = 1; r <= rounds; r++) {
		crunch_round(&x, &digest);
		if (r % 25 == 0 || r == rounds) {
			pthread_mutex_lock(&lock);
			done_rounds += r % 25 ? r % 25 : 25;
			pthread_cond_signal(&moved);
			pthread_mutex_unlock(&lock);
		}
	}
	return (void *)(uintptr_t)digest;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 4, i, quarter = 1;
	pthread_t t[MAX_THREADS];
	unsigned long total, alone, r;
	uint64_t x = 1, digest = 0;
	void *d;

	rounds = argc > 2 ? strtoul(argv[2], NULL, 10) : 100;
	alone = argc > 3 ? strtoul(argv[3], NULL, 10) : 0;
	if (n < 1 || n > MAX_THREADS || !rounds) {
		fprintf(stderr, "usage: mtcrunch [1..%d [ROUNDS [ALONE]]]\n",
			MAX_THREADS);
		return 2;
	}
	total = rounds * (unsigned long)n;
	printf("mtcrunch: %d threads, %lu rounds each\n", n, rounds);
	fflush(stdout);
	for (i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, crunch, (void *)(intptr_t)i))
			return 1;
	pthread_mutex_lock(&lock);
	while (quarter <= 4) {
		while (done_rounds * 4 < total * (unsigned long)quarter)
			pthread_cond_wait(&moved, &lock);
		printf("mtcrunch: %d/4 done\n", quarter++);
		fflush(stdout);
	}
	pthread_mutex_unlock(&lock);
	for (i = 0; i < n; i++) {
		pthread_join(t[i], &d);
		printf("thread %d: %016" PRIx64 "\n", i, (uint64_t)(uintptr_t)d);
	}
	if (!alone)
		return 0;
	printf("mtcrunch: %lu rounds alone\n", alone);
	fflush(stdout);
	for (r = 0; r < alone; r++)
		crunch_round(&x, &digest);
	printf("alone: %016" PRIx64 "\n", digest);
	return 0;
}
