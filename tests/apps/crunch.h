/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The compute step of crunch and mtcrunch: one round is a million
 * xorshift steps, with no system call, summed into *digest.
 */
#ifndef TESTS_APPS_CRUNCH_H
#define TESTS_APPS_CRUNCH_H

#include <stdint.h>

static inline void crunch_round(uint64_t *x, uint64_t *digest)
{
	unsigned long i;

	for (i = 0; i < 1000000; i++) {
		*x ^= *x << 13;
		*x ^= *x >> 7;
		*x ^= *x << 17;
		*digest += *x * (i | 1);
	}
}

#endif /* TESTS_APPS_CRUNCH_H */
