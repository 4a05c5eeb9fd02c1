// SPDX-License-Identifier: GPL-2.0
/*
 * XXH64 (see xxh64.h).  The input is read as 32-byte stripes, each four
 * little-endian 64-bit words, one per lane; the lanes are independent,
 * so the CPU runs their multiplications in parallel.  Fewer than 32
 * bytes left over are folded in 8, 4 and 1 bytes at a time, and a final
 * avalanche mixes every bit of the result.
 */
#include <string.h>

#include "xxh64.h"

#define P1	0x9e3779b185ebca87ULL
#define P2	0xc2b2ae3d27d4eb4fULL
#define P3	0x165667b19e3779f9ULL
#define P4	0x85ebca77c2b2ae63ULL
#define P5	0x27d4eb2f165667c5ULL

static inline uint64_t rotl64(uint64_t x, unsigned int r)
{
	return (x << r) | (x >> (64 - r));
}

/* Unaligned little-endian loads: memcpy becomes one mov on x86-64. */
static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline uint32_t load32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

static inline uint64_t round64(uint64_t acc, uint64_t input)
{
	acc += input * P2;
	acc = rotl64(acc, 31);
	return acc * P1;
}

static inline uint64_t merge64(uint64_t h, uint64_t v)
{
	h ^= round64(0, v);
	return h * P1 + P4;
}

static void lanes_init(uint64_t v[4], uint64_t seed)
{
	v[0] = seed + P1 + P2;
	v[1] = seed + P2;
	v[2] = seed;
	v[3] = seed - P1;
}

/* Runs the lanes over every whole stripe of p; returns the bytes used. */
static size_t stripes(uint64_t v[4], const uint8_t *p, size_t n)
{
	uint64_t v0 = v[0], v1 = v[1], v2 = v[2], v3 = v[3];
	const uint8_t *start = p, *end = p + (n & ~(size_t)31);

	while (p < end) {
		v0 = round64(v0, load64(p));
		v1 = round64(v1, load64(p + 8));
		v2 = round64(v2, load64(p + 16));
		v3 = round64(v3, load64(p + 24));
		p += 32;
	}
	v[0] = v0;
	v[1] = v1;
	v[2] = v2;
	v[3] = v3;
	return (size_t)(p - start);
}

static uint64_t lanes_converge(const uint64_t v[4])
{
	uint64_t h;

	h = rotl64(v[0], 1) + rotl64(v[1], 7) + rotl64(v[2], 12) +
	    rotl64(v[3], 18);
	h = merge64(h, v[0]);
	h = merge64(h, v[1]);
	h = merge64(h, v[2]);
	return merge64(h, v[3]);
}

/* The last n < 32 bytes, then the avalanche. */
static uint64_t finish(uint64_t h, const uint8_t *p, size_t n)
{
	for (; n >= 8; p += 8, n -= 8) {
		h ^= round64(0, load64(p));
		h = rotl64(h, 27) * P1 + P4;
	}
	if (n >= 4) {
		h ^= (uint64_t)load32(p) * P1;
		h = rotl64(h, 23) * P2 + P3;
		p += 4;
		n -= 4;
	}
	for (; n; p++, n--) {
		h ^= *p * P5;
		h = rotl64(h, 11) * P1;
	}
	h ^= h >> 33;
	h *= P2;
	h ^= h >> 29;
	h *= P3;
	return h ^ (h >> 32);
}

uint64_t cok_xxh64(const void *p, size_t n, uint64_t seed)
{
	const uint8_t *b = p;
	uint64_t v[4], h;
	size_t done = 0;

	if (n >= 32) {
		lanes_init(v, seed);
		done = stripes(v, b, n);
		h = lanes_converge(v);
	} else {
		h = seed + P5;
	}
	h += n;
	return finish(h, b + done, n - done);
}

void cok_xxh64_init(struct cok_xxh64 *s, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	lanes_init(s->v, seed);
}

void cok_xxh64_update(struct cok_xxh64 *s, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t k;

	if (!n)
		return;		/* p may be NULL */
	s->total += n;
	if (s->nbuf) {		/* complete the pending stripe first */
		k = 32 - s->nbuf;
		if (k > n)
			k = n;
		memcpy(s->buf + s->nbuf, b, k);
		s->nbuf += k;
		b += k;
		n -= k;
		if (s->nbuf < 32)
			return;
		stripes(s->v, s->buf, 32);
		s->nbuf = 0;
	}
	k = stripes(s->v, b, n);
	memcpy(s->buf, b + k, n - k);
	s->nbuf = n - k;
}

uint64_t cok_xxh64_digest(const struct cok_xxh64 *s)
{
	uint64_t h;

	/* Below one stripe the lanes are unused; v[2] still is the seed. */
	if (s->total >= 32)
		h = lanes_converge(s->v);
	else
		h = s->v[2] + P5;
	h += s->total;
	return finish(h, s->buf, s->nbuf);
}
