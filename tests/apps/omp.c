// SPDX-License-Identifier: GPL-2.0
/*
 * omp [N]: an OpenMP program as codes use it (gcc -fopenmp, libgomp):
 * a parallel for with a reduction, a barrier between two phases of a
 * parallel region, a critical section and a static schedule whose
 * result does not depend on the thread count.  Prints the results and
 * omp_get_max_threads() (the enclave's cores, in an enclave); with
 * OMP_NUM_THREADS set, that number.
 */
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_N	(1 << 22)

static double a[MAX_N];

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1 << 20, i;
	uint64_t checksum = 0, crit = 0;
	double sum = 0;

	if (n < 1 || n > MAX_N) {
		fprintf(stderr, "usage: omp [1..%d]\n", MAX_N);
		return 2;
	}
#pragma omp parallel for schedule(static)
	for (i = 0; i < n; i++)
		a[i] = (double)(i % 1000) * 0.5;
#pragma omp parallel for reduction(+:sum) reduction(^:checksum)
	for (i = 0; i < n; i++) {
		sum += a[i];
		checksum ^= (uint64_t)i * 0x9e3779b97f4a7c15ULL;
	}
#pragma omp parallel
	{
		long me = omp_get_thread_num(), k;

#pragma omp for schedule(static)
		for (k = 0; k < n; k++)
			a[k] = a[k] * 2 + (double)me * 0;
#pragma omp barrier
#pragma omp critical
		crit += 1;
	}
	/* sum is exact: halves of integers below 2^53. */
	printf("n %ld sum %.1f xor %016llx a[n-1] %.1f\n", n, sum,
	       (unsigned long long)checksum, a[n - 1]);
	printf("critical entries %s\n",
	       crit == (uint64_t)omp_get_max_threads() ? "one per thread" :
							 "WRONG");
	printf("omp_get_max_threads %d\n", omp_get_max_threads());
	return crit == (uint64_t)omp_get_max_threads() ? 0 : 1;
}
