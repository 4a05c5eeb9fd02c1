/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XXH64, the 64-bit hash of xxHash (Yann Collet), written from its
 * published description (doc/xxhash_spec.md of the xxHash project):
 * the same values as `xxh64sum` for the same bytes and seed 0.  Not a
 * cryptographic hash: it finds accidental damage, not tampering.
 *
 * One call for a buffer, or a streaming state for data that comes in
 * pieces: init, any number of updates, then digest (which leaves the
 * state usable: more updates may follow).
 */
#ifndef COKCTL_XXH64_H
#define COKCTL_XXH64_H

#include <stddef.h>
#include <stdint.h>

struct cok_xxh64 {
	uint64_t total;		/* bytes hashed so far */
	uint64_t v[4];		/* the four lanes' accumulators */
	uint8_t buf[32];	/* the bytes of an unfinished stripe */
	uint32_t nbuf;
};

uint64_t cok_xxh64(const void *p, size_t n, uint64_t seed);

void cok_xxh64_init(struct cok_xxh64 *s, uint64_t seed);
void cok_xxh64_update(struct cok_xxh64 *s, const void *p, size_t n);
uint64_t cok_xxh64_digest(const struct cok_xxh64 *s);

#endif /* COKCTL_XXH64_H */
