/* SPDX-License-Identifier: GPL-2.0 */
/*
 * crunch [ROUNDS]: a long, deterministic compute loop with no system
 * call inside it; prints (and flushes) a progress line every 25 rounds
 * and a digest at the end, so a test can see whether it moves.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "crunch.h"

int main(int argc, char **argv)
{
	unsigned long rounds = argc > 1 ? strtoul(argv[1], NULL, 10) : 400;
	uint64_t x = 0x9e3779b97f4a7c15ULL, digest = 0;
	unsigned long r;

	printf("crunch: started, %lu rounds\n", rounds);
	fflush(stdout);
	for (r = 1; r <= rounds; r++) {
		crunch_round(&x, &digest);
		if (r % 25 == 0) {
			printf("crunch: round %lu\n", r);
			fflush(stdout);
		}
	}
	printf("crunch: digest %016llx\n", (unsigned long long)digest);
	return 0;
}
