/* SPDX-License-Identifier: GPL-2.0 */
/* Unbounded recursion: the stack runs into its guard, SIGSEGV (exit 139). */
#include <stdio.h>

static volatile unsigned long depth;

__attribute__((noinline)) static unsigned long recurse(unsigned long n)
{
	volatile char frame[512];

	frame[0] = (char)n;
	depth = n;
	/* Not a tail call: the result is used after the call. */
	return recurse(n + 1) + frame[0];
}

int main(void)
{
	printf("crash_stack: recursing without end\n");
	fflush(stdout);
	return (int)recurse(0);
}
