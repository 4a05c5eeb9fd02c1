/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixed work quanta (FWQ, the classic OS-noise benchmark):
 *   fwq [SAMPLES [WORK]]    defaults 1000 and 100000
 * Times SAMPLES runs of the same integer loop of WORK iterations with
 * rdtsc, no system call in between, then prints one line per sample:
 * the cycles it took.  Noise shows as samples above the minimum.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return (uint64_t)hi << 32 | lo;
}

int main(int argc, char **argv)
{
	unsigned long samples = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
	unsigned long work = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000;
	uint64_t *cyc, t0, t1;
	unsigned long s, i;
	volatile uint64_t sink;

	if (samples == 0 || samples > (1UL << 24)) {
		fprintf(stderr, "usage: fwq [SAMPLES (1..16M) [WORK]]\n");
		return 2;
	}
	cyc = malloc(samples * sizeof(*cyc));
	if (!cyc) {
		fprintf(stderr, "fwq: out of memory\n");
		return 1;
	}
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
	for (s = 0; s < samples; s++)
		printf("%llu\n", (unsigned long long)cyc[s]);
	free(cyc);
	return 0;
}
