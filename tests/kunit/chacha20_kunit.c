// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of xemem/chacha20.h: ChaCha20 against the test vectors of
 * RFC 8439 (2.1.1, 2.3.2, A.1), and the fast-key-erasure generator the
 * co-kernel builds on it.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "../../xemem/chacha20.h"

static const u32 zero_nonce[3];

/* RFC 8439, 2.1.1. */
static void chacha_quarter_round(struct kunit *test)
{
	u32 x[16] = {};

	x[0] = 0x11111111;
	x[1] = 0x01020304;
	x[2] = 0x9b8d6f43;
	x[3] = 0x01234567;
	cok_chacha_qr(x, 0, 1, 2, 3);
	KUNIT_EXPECT_EQ(test, x[0], 0xea2a92f4U);
	KUNIT_EXPECT_EQ(test, x[1], 0xcb1cf8ceU);
	KUNIT_EXPECT_EQ(test, x[2], 0x4581472eU);
	KUNIT_EXPECT_EQ(test, x[3], 0x5881c4bbU);
}

/* RFC 8439, 2.3.2, as the co-kernel checks it at boot. */
static void chacha_block_vector(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, cok_chacha20_selftest());
}

/* RFC 8439, A.1, test vectors #1 and #2: zero key and nonce. */
static void chacha_zero_key(struct kunit *test)
{
	static const u8 want1[64] = {
		0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90,
		0x40, 0x5d, 0x6a, 0xe5, 0x53, 0x86, 0xbd, 0x28,
		0xbd, 0xd2, 0x19, 0xb8, 0xa0, 0x8d, 0xed, 0x1a,
		0xa8, 0x36, 0xef, 0xcc, 0x8b, 0x77, 0x0d, 0xc7,
		0xda, 0x41, 0x59, 0x7c, 0x51, 0x57, 0x48, 0x8d,
		0x77, 0x24, 0xe0, 0x3f, 0xb8, 0xd8, 0x4a, 0x37,
		0x6a, 0x43, 0xb8, 0xf4, 0x15, 0x18, 0xa1, 0x1c,
		0xc3, 0x87, 0xb6, 0x69, 0xb2, 0xee, 0x65, 0x86,
	};
	static const u8 want2[64] = {
		0x9f, 0x07, 0xe7, 0xbe, 0x55, 0x51, 0x38, 0x7a,
		0x98, 0xba, 0x97, 0x7c, 0x73, 0x2d, 0x08, 0x0d,
		0xcb, 0x0f, 0x29, 0xa0, 0x48, 0xe3, 0x65, 0x69,
		0x12, 0xc6, 0x53, 0x3e, 0x32, 0xee, 0x7a, 0xed,
		0x29, 0xb7, 0x21, 0x76, 0x9c, 0xe6, 0x4e, 0x43,
		0xd5, 0x71, 0x33, 0xb0, 0x74, 0xd8, 0x39, 0xd5,
		0x31, 0xed, 0x1f, 0x28, 0x51, 0x0a, 0xfb, 0x45,
		0xac, 0xe1, 0x0a, 0x1f, 0x4b, 0x79, 0x4d, 0x6f,
	};
	u8 key[32] = {}, out[64];
	u32 s[16];

	cok_chacha20_init(s, key, 0, zero_nonce);
	cok_chacha20_block(s, out);
	KUNIT_EXPECT_EQ(test, memcmp(out, want1, 64), 0);
	KUNIT_EXPECT_EQ(test, s[12], 1U);
	/* The counter moved on: the next block is vector #2 (counter 1). */
	cok_chacha20_block(s, out);
	KUNIT_EXPECT_EQ(test, memcmp(out, want2, 64), 0);
}

/* Block `counter` of ChaCha20 under key, nonce 0. */
static void block_of(const u8 key[32], u32 counter, u8 out[64])
{
	u32 s[16];

	cok_chacha20_init(s, key, counter, zero_nonce);
	cok_chacha20_block(s, out);
}

/* Short request: the key becomes block 0's first half, output its second. */
static void rng_short_request(struct kunit *test)
{
	struct cok_rng r;
	u8 old[32], b0[64], out[32];
	int i;

	for (i = 0; i < 32; i++)
		r.key[i] = i * 7 + 1;
	memcpy(old, r.key, 32);
	block_of(old, 0, b0);
	cok_rng_fill(&r, out, sizeof(out));
	KUNIT_EXPECT_EQ(test, memcmp(r.key, b0, 32), 0);
	KUNIT_EXPECT_EQ(test, memcmp(out, b0 + 32, 32), 0);
	/* Erased: the old key is nowhere in the generator. */
	KUNIT_EXPECT_NE(test, memcmp(r.key, old, 32), 0);
}

/* Long request: blocks 1, 2, ... of the old key; key from block 0. */
static void rng_long_request(struct kunit *test)
{
	struct cok_rng r;
	u8 old[32], b[64], out[150];
	int k;

	memset(r.key, 0x5a, 32);
	memcpy(old, r.key, 32);
	cok_rng_fill(&r, out, sizeof(out));
	block_of(old, 0, b);
	KUNIT_EXPECT_EQ(test, memcmp(r.key, b, 32), 0);
	for (k = 0; k * 64 < (int)sizeof(out); k++) {
		int n = min_t(int, 64, sizeof(out) - k * 64);

		block_of(old, k + 1, b);
		KUNIT_EXPECT_EQ(test, memcmp(out + k * 64, b, n), 0);
	}
}

/* Successive requests never repeat, and differ from the key's bytes. */
static void rng_requests_differ(struct kunit *test)
{
	struct cok_rng r;
	u8 a[16], b[16];

	memset(r.key, 0, 32);
	cok_rng_fill(&r, a, sizeof(a));
	cok_rng_fill(&r, b, sizeof(b));
	KUNIT_EXPECT_NE(test, memcmp(a, b, 16), 0);
}

/*
 * Seeding: a keyed function of the seed alone (the old key is gone),
 * the hardware words change it, one seed bit changes everything.
 */
static void rng_seeding(struct kunit *test)
{
	static const u32 no_hw[4], hw[4] = { 1, 2, 3, 4 };
	struct cok_rng r1, r2;
	u8 seed[32], b[64];

	memset(seed, 0x33, 32);
	memset(r1.key, 0x11, 32);
	memset(r2.key, 0x22, 32);
	cok_rng_seed(&r1, seed, no_hw);
	cok_rng_seed(&r2, seed, no_hw);
	KUNIT_EXPECT_EQ(test, memcmp(r1.key, r2.key, 32), 0);
	block_of(seed, 0, b);
	KUNIT_EXPECT_EQ(test, memcmp(r1.key, b, 32), 0);
	KUNIT_EXPECT_NE(test, memcmp(r1.key, seed, 32), 0);

	cok_rng_seed(&r2, seed, hw);
	KUNIT_EXPECT_NE(test, memcmp(r1.key, r2.key, 32), 0);

	seed[31] ^= 0x80;
	cok_rng_seed(&r2, seed, no_hw);
	KUNIT_EXPECT_NE(test, memcmp(r1.key, r2.key, 32), 0);
}

static struct kunit_case cok_chacha20_cases[] = {
	KUNIT_CASE(chacha_quarter_round),
	KUNIT_CASE(chacha_block_vector),
	KUNIT_CASE(chacha_zero_key),
	KUNIT_CASE(rng_short_request),
	KUNIT_CASE(rng_long_request),
	KUNIT_CASE(rng_requests_differ),
	KUNIT_CASE(rng_seeding),
	{}
};

static struct kunit_suite cok_chacha20_suite = {
	.name = "cok_chacha20",
	.test_cases = cok_chacha20_cases,
};

kunit_test_suite(cok_chacha20_suite);
