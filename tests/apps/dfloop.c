/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dfloop [ROUNDS]: ROUNDS (default 400) rounds of a million-iteration
 * spin without a system call, each run with the direction flag set
 * (std) and checked at its end (pushf, bit 10); DF is cleared (cld) only
 * for the printf every 50 rounds.  A freeze and a dump/restore almost
 * surely land in a spin: if the restored app lost DF, it prints
 * "dfloop: DF lost in round N" and exits 1.  Otherwise its output is
 * the same as on Linux.
 */
#include <stdio.h>
#include <stdlib.h>

#define RFLAGS_DF	0x400UL

/* One round, all in assembly: nothing compiled runs with DF set. */
static unsigned long spin_with_df(unsigned long n)
{
	unsigned long flags;

	__asm__ volatile("std\n\t"
			 "1: decq %1\n\t"
			 "jnz 1b\n\t"
			 "pushfq\n\t"
			 "popq %0\n\t"
			 "cld"
			 : "=r"(flags), "+r"(n) : : "cc", "memory");
	return flags;
}

int main(int argc, char **argv)
{
	unsigned long rounds = argc > 1 ? strtoul(argv[1], NULL, 10) : 400, i;

	printf("dfloop: %lu rounds with DF set\n", rounds);
	fflush(stdout);
	for (i = 1; i <= rounds; i++) {
		if (!(spin_with_df(1000000) & RFLAGS_DF)) {
			printf("dfloop: DF lost in round %lu\n", i);
			return 1;
		}
		if (i % 50 == 0) {
			printf("dfloop: round %lu, DF held\n", i);
			fflush(stdout);
		}
	}
	printf("dfloop: done, DF held in every round\n");
	return 0;
}
