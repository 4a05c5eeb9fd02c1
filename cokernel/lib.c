// SPDX-License-Identifier: GPL-2.0
/*
 * The few C library routines the compiler may call implicitly.
 */
#include "cokernel.h"

/* REP STOSB/MOVSB: fast on every CPU with ERMS, and under QEMU TCG. */
void *memset(void *s, int c, size_t n)
{
	void *d = s;

	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	void *dst = d;

	__asm__ volatile("rep movsb" : "+D"(dst), "+S"(s), "+c"(n)
			 : : "memory");
	return d;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}
