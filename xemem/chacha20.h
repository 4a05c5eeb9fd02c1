/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ChaCha20 (RFC 8439, section 2.3) and the co-kernel's random generator
 * built on it, the one behind an app's getrandom() and AT_RANDOM.
 *
 * The generator holds nothing but a 256-bit key.  Every request first
 * runs one ChaCha20 block (counter 0, nonce 0) of the key: the block's
 * first 32 bytes replace the key ("fast key erasure", as Linux's
 * drivers/char/random.c and D. J. Bernstein's 2017 note of that name),
 * so that what an app later learns of the generator says nothing about
 * bytes it handed out before.  A request of up to 32 bytes gets the
 * block's other half; a longer one the blocks 1, 2, ... of the old key,
 * which lives only in the request's own state and is wiped with it.
 *
 * Seeding replaces the key by the first half of a ChaCha20 block keyed
 * with the seed (32 bytes from Linux's get_random_bytes(), the only
 * entropy that has to be good), with counter and nonce taken from the
 * CPU's RDSEED/RDRAND where it has them: a keyed function of the seed,
 * so hardware words cannot cancel the seed whatever they are.  Nothing
 * of the previous key survives a seeding.
 *
 * Pure logic, shared by the co-kernel and the KUnit tests; the seed
 * fields of the launch and restore blocks and of THAW use
 * COK_RNG_SEED_SIZE.
 */
#ifndef XEMEM_CHACHA20_H
#define XEMEM_CHACHA20_H

#include "cok_types.h"

#define COK_CHACHA_BLOCK_SIZE	64
#define COK_CHACHA_KEY_SIZE	32
#define COK_CHACHA_STATE_WORDS	16
#define COK_RNG_SEED_SIZE	COK_CHACHA_KEY_SIZE
/* Words of hardware randomness mixed into a seeding: counter and nonce. */
#define COK_RNG_EXTRA_WORDS	4

struct cok_rng {
	uint8_t key[COK_CHACHA_KEY_SIZE];
};

static inline uint32_t cok_rotl32(uint32_t v, int n)
{
	return (v << n) | (v >> (32 - n));
}

static inline uint32_t cok_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline void cok_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/*
 * Zeros the compiler may not drop although nothing reads them again:
 * the empty asm claims to read the memory (Linux's memzero_explicit()).
 */
static inline void cok_wipe(void *p, size_t n)
{
	uint8_t *b = (uint8_t *)p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = 0;
	__asm__ volatile("" : : "r"(p) : "memory");
}

/* The quarter round of RFC 8439, 2.1, on words a, b, c, d of x. */
static inline void cok_chacha_qr(uint32_t *x, int a, int b, int c, int d)
{
	x[a] += x[b];
	x[d] = cok_rotl32(x[d] ^ x[a], 16);
	x[c] += x[d];
	x[b] = cok_rotl32(x[b] ^ x[c], 12);
	x[a] += x[b];
	x[d] = cok_rotl32(x[d] ^ x[a], 8);
	x[c] += x[d];
	x[b] = cok_rotl32(x[b] ^ x[c], 7);
}

/*
 * The initial state of RFC 8439, 2.3: the constant "expand 32-byte k",
 * the key as eight little-endian words, the block counter, the nonce.
 */
static inline void cok_chacha20_init(uint32_t s[COK_CHACHA_STATE_WORDS],
				     const uint8_t key[COK_CHACHA_KEY_SIZE],
				     uint32_t counter, const uint32_t nonce[3])
{
	int i;

	s[0] = 0x61707865;
	s[1] = 0x3320646e;
	s[2] = 0x79622d32;
	s[3] = 0x6b206574;
	for (i = 0; i < 8; i++)
		s[4 + i] = cok_get_le32(key + 4 * i);
	s[12] = counter;
	s[13] = nonce[0];
	s[14] = nonce[1];
	s[15] = nonce[2];
}

/*
 * The block function (RFC 8439, 2.3): 20 rounds, alternately on columns
 * and diagonals, the input added back, serialised little-endian; then
 * the counter moves on to the next block.
 */
static inline void cok_chacha20_block(uint32_t s[COK_CHACHA_STATE_WORDS],
				      uint8_t out[COK_CHACHA_BLOCK_SIZE])
{
	uint32_t x[COK_CHACHA_STATE_WORDS];
	int i;

	for (i = 0; i < COK_CHACHA_STATE_WORDS; i++)
		x[i] = s[i];
	for (i = 0; i < 10; i++) {
		cok_chacha_qr(x, 0, 4, 8, 12);
		cok_chacha_qr(x, 1, 5, 9, 13);
		cok_chacha_qr(x, 2, 6, 10, 14);
		cok_chacha_qr(x, 3, 7, 11, 15);
		cok_chacha_qr(x, 0, 5, 10, 15);
		cok_chacha_qr(x, 1, 6, 11, 12);
		cok_chacha_qr(x, 2, 7, 8, 13);
		cok_chacha_qr(x, 3, 4, 9, 14);
	}
	for (i = 0; i < COK_CHACHA_STATE_WORDS; i++)
		cok_put_le32(out + 4 * i, x[i] + s[i]);
	s[12]++;
	cok_wipe(x, sizeof(x));
}

/* Key := first half of ChaCha20(seed, counter extra[0], nonce extra[1..3]). */
static inline void cok_rng_seed(struct cok_rng *r,
				const uint8_t seed[COK_RNG_SEED_SIZE],
				const uint32_t extra[COK_RNG_EXTRA_WORDS])
{
	uint32_t s[COK_CHACHA_STATE_WORDS];
	uint8_t block[COK_CHACHA_BLOCK_SIZE];
	int i;

	cok_chacha20_init(s, seed, extra[0], extra + 1);
	cok_chacha20_block(s, block);
	for (i = 0; i < COK_CHACHA_KEY_SIZE; i++)
		r->key[i] = block[i];
	cok_wipe(s, sizeof(s));
	cok_wipe(block, sizeof(block));
}

/*
 * len random bytes into out, with fast key erasure (see the top).  One
 * call makes at most 2^32 - 1 blocks (256 GiB): callers ask in pieces.
 */
static inline void cok_rng_fill(struct cok_rng *r, uint8_t *out, size_t len)
{
	static const uint32_t zero_nonce[3];
	uint32_t s[COK_CHACHA_STATE_WORDS];
	uint8_t block[COK_CHACHA_BLOCK_SIZE];
	size_t i, n;

	cok_chacha20_init(s, r->key, 0, zero_nonce);
	cok_chacha20_block(s, block);
	for (i = 0; i < COK_CHACHA_KEY_SIZE; i++)
		r->key[i] = block[i];
	if (len <= COK_CHACHA_BLOCK_SIZE - COK_CHACHA_KEY_SIZE) {
		for (i = 0; i < len; i++)
			out[i] = block[COK_CHACHA_KEY_SIZE + i];
	} else {
		while (len) {	/* s still holds the old key, counter 1 */
			cok_chacha20_block(s, block);
			n = len < sizeof(block) ? len : sizeof(block);
			for (i = 0; i < n; i++)
				out[i] = block[i];
			out += n;
			len -= n;
		}
	}
	cok_wipe(s, sizeof(s));
	cok_wipe(block, sizeof(block));
}

/*
 * The block function test vector of RFC 8439, 2.3.2: true if this
 * build computes it.  The co-kernel runs it at boot.
 */
static inline int cok_chacha20_selftest(void)
{
	static const uint8_t key[COK_CHACHA_KEY_SIZE] = {
		0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
		0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
		0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
		0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
	};
	/* nonce 00:00:00:09:00:00:00:4a:00:00:00:00, as words */
	static const uint32_t nonce[3] = { 0x09000000, 0x4a000000, 0 };
	static const uint8_t want[COK_CHACHA_BLOCK_SIZE] = {
		0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15,
		0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20, 0x71, 0xc4,
		0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03,
		0x04, 0x22, 0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e,
		0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa, 0x09,
		0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2,
		0xb5, 0x12, 0x9c, 0xd1, 0xde, 0x16, 0x4e, 0xb9,
		0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e,
	};
	uint32_t s[COK_CHACHA_STATE_WORDS];
	uint8_t out[COK_CHACHA_BLOCK_SIZE];
	int i, ok = 1;

	cok_chacha20_init(s, key, 1, nonce);
	cok_chacha20_block(s, out);
	for (i = 0; i < COK_CHACHA_BLOCK_SIZE; i++)
		ok &= out[i] == want[i];
	return ok && s[12] == 2;
}

#endif /* XEMEM_CHACHA20_H */
