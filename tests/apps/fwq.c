/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixed work quanta (FWQ, the classic OS-noise benchmark):
 *   fwq [SAMPLES [WORK [THREADS]]]    defaults 1000, 100000 and 1
 * Times SAMPLES runs of the same integer loop of WORK iterations with
 * rdtsc, no system call in between, then prints one line per sample:
 * the cycles it took.  Noise shows as samples above the minimum.  With
 * THREADS > 1 that many threads (the main one among them) do it at
 * once, started together by a barrier, one per core where the system
 * places them so; the lines are thread 0's samples, then thread 1's...
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_THREADS	64

static unsigned long samples, work;
static pthread_barrier_t start;

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return (uint64_t)hi << 32 | lo;
}

static void *quanta(void *arg)
{
	uint64_t *cyc = arg, t0, t1;
	unsigned long s, i;
	volatile uint64_t sink;

	pthread_barrier_wait(&start);
	for (s = 0; s < samples; s++) {
		uint64_t acc = s;

		t0 = rdtsc();
		for (i = 0; i < work; i++) {
			acc = acc * 6364136223846793005ULL + 1442695040888963407ULL;
			__asm__ volatile("" : "+r"(acc));
		}
		t1 = rdtsc();
		sink = acc;
		cyc[s] = t1 - t0;
	}
	(void)sink;
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned long threads, s, k;
	pthread_t t[MAX_THREADS];
	uint64_t *cyc;

	samples = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
	work = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000;
	threads = argc > 3 ? strtoul(argv[3], NULL, 10) : 1;
	if (samples == 0 || samples > (1UL << 24) || threads == 0 ||
	    threads > MAX_THREADS) {
		fprintf(stderr, "usage: fwq [SAMPLES (1..16M) [WORK [THREADS (1..%d)]]]\n",
			MAX_THREADS);
		return 2;
	}
	cyc = malloc(threads * samples * sizeof(*cyc));
	if (!cyc) {
		fprintf(stderr, "fwq: out of memory\n");
		return 1;
	}
	pthread_barrier_init(&start, NULL, threads);
	for (k = 1; k < threads; k++)
		if (pthread_create(&t[k], NULL, quanta, cyc + k * samples)) {
			fprintf(stderr, "fwq: cannot create thread %lu\n", k);
			return 1;
		}
	quanta(cyc);
	for (k = 1; k < threads; k++)
		pthread_join(t[k], NULL);
	for (s = 0; s < threads * samples; s++)
		printf("%llu\n", (unsigned long long)cyc[s]);
	free(cyc);
	return 0;
}
