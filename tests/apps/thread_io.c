// SPDX-License-Identifier: GPL-2.0
/*
 * thread_io [THREADS [ALONE]]: one thread blocked reading stdin while the others
 * compute and print.  The reader echoes each line it gets ("in: ...");
 * the workers compute at once, then print their results after the first
 * line, in turn (a token passed with a condition variable).  Fed "a",
 * then (once every worker line is out) "b" and EOF, the output is the
 * same on every run however the threads are scheduled; a read that
 * blocked the whole process shows as a hang before the worker lines.
 * With ALONE, the main thread then computes ALONE rounds of crunch's
 * loop by itself (no system call) and prints their digest: a dump
 * taken then finds every forwarded call answered.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "crunch.h"

#define MAX_THREADS	64

static int nthreads = 3;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_changed = PTHREAD_COND_INITIALIZER;
static int turn = -1;		/* -1 until the first line is in */

static void *reader(void *arg)
{
	char line[256];
	long n = 0;

	(void)arg;
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		pthread_mutex_lock(&lock);
		printf("in: %s\n", line);
		fflush(stdout);
		if (turn < 0) {
			turn = 0;
			pthread_cond_broadcast(&turn_changed);
		}
		pthread_mutex_unlock(&lock);
		n++;
	}
	return (void *)(intptr_t)n;
}

static void *worker(void *arg)
{
	int me = (int)(intptr_t)arg;
	uint64_t x = (uint64_t)me + 1;
	long i;

	for (i = 0; i < 2000000; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	pthread_mutex_lock(&lock);
	while (turn != me)
		pthread_cond_wait(&turn_changed, &lock);
	printf("worker %d: %016llx\n", me, (unsigned long long)x);
	fflush(stdout);
	turn++;
	pthread_cond_broadcast(&turn_changed);
	pthread_mutex_unlock(&lock);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t r, w[MAX_THREADS];
	unsigned long alone, k;
	uint64_t x = 1, digest = 0;
	void *lines;
	int i;

	if (argc > 1)
		nthreads = atoi(argv[1]);
	alone = argc > 2 ? strtoul(argv[2], NULL, 10) : 0;
	if (nthreads < 1 || nthreads > MAX_THREADS) {
		fprintf(stderr, "usage: thread_io [1..%d [ALONE]]\n", MAX_THREADS);
		return 2;
	}
	if (pthread_create(&r, NULL, reader, NULL))
		return 1;
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&w[i], NULL, worker, (void *)(intptr_t)i))
			return 1;
	for (i = 0; i < nthreads; i++)
		pthread_join(w[i], NULL);
	pthread_join(r, &lines);
	printf("lines %ld\n", (long)(intptr_t)lines);
	if (!alone)
		return 0;
	fflush(stdout);
	for (k = 0; k < alone; k++)
		crunch_round(&x, &digest);
	printf("alone: %016llx\n", (unsigned long long)digest);
	return 0;
}
