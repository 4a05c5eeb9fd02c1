// SPDX-License-Identifier: GPL-2.0
/*
 * The few C library routines the compiler may call implicitly.
 */
#include "cokernel.h"

/*
 * REP STOSQ/MOVSQ for the bulk, then the byte tail: fast on every CPU,
 * and under QEMU TCG, which runs a REP string instruction one element
 * at a time, eight times fewer elements than with STOSB/MOVSB.
 */
void *memset(void *s, int c, size_t n)
{
	uint64_t v = 0x0101010101010101ULL * (uint8_t)c;
	size_t words = n / 8, tail = n % 8;
	void *d = s;

	__asm__ volatile("rep stosq" : "+D"(d), "+c"(words) : "a"(v)
			 : "memory");
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(tail) : "a"(v)
			 : "memory");
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	size_t words = n / 8, tail = n % 8;
	void *dst = d;

	__asm__ volatile("rep movsq" : "+D"(dst), "+S"(s), "+c"(words)
			 : : "memory");
	__asm__ volatile("rep movsb" : "+D"(dst), "+S"(s), "+c"(tail)
			 : : "memory");
	return d;
}

/* Overlapping ranges: a forward copy when d is below s, else backward. */
void *memmove(void *d, const void *s, size_t n)
{
	uint8_t *dst = d;
	const uint8_t *src = s;

	if (dst <= src || dst >= src + n)
		return memcpy(d, s, n);
	while (n--)
		dst[n] = src[n];
	return d;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}
