/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spin [TAG [MLOOPS]]: prints "spin TAG: spinning", then loops without a
 * system call - forever, or MLOOPS million iterations after which it
 * prints "spin TAG: done" and exits 0.  TAG defaults to "spin".
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	const char *tag = argc > 1 ? argv[1] : "spin";
	unsigned long long n = argc > 2 ? strtoull(argv[2], NULL, 10) * 1000000ULL : 0, i;

	printf("spin %s: spinning\n", tag);
	fflush(stdout);
	if (argc <= 2)
		for (;;)
			__asm__ volatile("pause" ::: "memory");
	for (i = 0; i < n; i++)
		__asm__ volatile("" ::: "memory");
	printf("spin %s: done\n", tag);
	return 0;
}
