/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memhog MIB [SECONDS]: fills MIB MiB with pseudo-random data (no zero
 * page), says so, then keeps computing over it for SECONDS (default
 * 3600) and prints a digest.  For the dump
 * benchmark: an app whose image is mostly page data.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
	double secs = argc > 2 ? strtod(argv[2], NULL) : 3600, t0 = now();
	size_t n = mib << 17, i;		/* 8-byte words */
	uint64_t x = 0x9e3779b97f4a7c15ULL, digest = 0, *m;

	m = malloc(n * sizeof(*m));
	if (!m) {
		perror("malloc");
		return 1;
	}
	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		m[i] = x | 1;
	}
	printf("memhog: %zu MiB filled\n", mib);
	fflush(stdout);
	t0 = now();
	while (now() - t0 < secs)
		for (i = 0; i < n; i += 512)
			digest = (digest ^ m[i]) * 0x100000001b3ULL;
	printf("memhog: digest %016llx\n", (unsigned long long)digest);
	return 0;
}
