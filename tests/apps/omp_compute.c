// SPDX-License-Identifier: GPL-2.0
/*
 * omp_compute [N [ROUNDS]]: the compute kernel of make bench's OpenMP
 * figure (gcc -fopenmp, libgomp, thread count left to libgomp).  A
 * parallel for with a static schedule over N elements; each element
 * runs ROUNDS steps of a floating-point recurrence and an integer hash,
 * with no system call and no shared writes, and its result is added
 * into a 64-bit integer reduction.  Integer addition is exact in any
 * order, so the printed sum does not depend on the thread count; the
 * work is the same for every element, so a static schedule balances it.
 * The parallel loop's own time (omp_get_wtime) goes to standard error,
 * so that standard output can be compared with another run's.
 */
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t element(long i, long rounds)
{
	uint64_t h = (uint64_t)i * 0x9e3779b97f4a7c15ULL + 1;
	double x = (double)(i % 1000) * 1e-3;
	long r;

	for (r = 0; r < rounds; r++) {
		x = x * 0.999 + 0.25;		/* tends to 250, stays finite */
		h ^= h << 13;
		h ^= h >> 7;
		h ^= h << 17;
	}
	/* x is the same bits wherever it is computed (no FMA, -O2). */
	return h + (uint64_t)(x * 1e6);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000, rounds, i;
	uint64_t sum = 0;
	double t;

	rounds = argc > 2 ? atol(argv[2]) : 20000;
	if (n < 1 || rounds < 1) {
		fprintf(stderr, "usage: omp_compute [N [ROUNDS]] (both >= 1)\n");
		return 2;
	}
	t = omp_get_wtime();
#pragma omp parallel for schedule(static) reduction(+:sum)
	for (i = 0; i < n; i++)
		sum += element(i, rounds);
	t = omp_get_wtime() - t;
	printf("omp_compute n %ld rounds %ld sum %016llx threads %d\n", n,
	       rounds, (unsigned long long)sum, omp_get_max_threads());
	fprintf(stderr, "omp_compute: parallel loop %.3f s\n", t);
	return 0;
}
