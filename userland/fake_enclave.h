/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the host tests of the proxy: an enclave's memory in an ordinary
 * buffer, with a channel and chunk list at offset 0 and x86-64 page
 * tables built by hand, as the module and the co-kernel lay them out.
 * "Physical" addresses are made up: chunk i sits at phys[i].
 */
#ifndef COKCTL_FAKE_ENCLAVE_H
#define COKCTL_FAKE_ENCLAVE_H

#include <stdint.h>

#define FAKE_MAX_CHUNKS	64

struct fake_enclave {
	uint8_t *mem;			/* enclave offset 0 */
	uint64_t size;
	uint32_t nchunks;
	uint64_t phys[FAKE_MAX_CHUNKS];
	uint64_t next[FAKE_MAX_CHUNKS];	/* bump allocator, per chunk */
	uint64_t cr3;			/* the PML4, physical */
	int table_chunk;		/* where new page tables go */
	uint64_t table_flags;		/* flags of new upper-level entries */
};

/* nchunks chunks at the given physical bases (2 MiB-aligned). */
int fake_init(struct fake_enclave *fe, uint32_t nchunks,
	      const uint64_t *phys);
void fake_fini(struct fake_enclave *fe);

/* A zeroed 4 KiB page in chunk c: its physical address. */
uint64_t fake_page(struct fake_enclave *fe, int c);
/* The host address of a physical address (must be in a chunk). */
void *fake_host(struct fake_enclave *fe, uint64_t phys);
/* Physical address of chunk c + off. */
uint64_t fake_phys(const struct fake_enclave *fe, int c, uint64_t off);

/* Mappings; flags are COK_PTE_* bits (P is added). */
void fake_map_4k(struct fake_enclave *fe, uint64_t va, uint64_t phys,
		 uint64_t flags);
void fake_map_2m(struct fake_enclave *fe, uint64_t va, uint64_t phys,
		 uint64_t flags);
void fake_map_1g(struct fake_enclave *fe, uint64_t va, uint64_t phys,
		 uint64_t flags);
/* The entry that maps va at a level (39, 30, 21, 12), or NULL. */
uint64_t *fake_entry(struct fake_enclave *fe, uint64_t va,
		     unsigned int shift);

/*
 * Maps [va, va + len) with 4 KiB pages taken from chunk c, each page
 * after the first placed two pages further on (never contiguous in the
 * host), and returns the host address of page i through fake_host.
 */
void fake_map_scattered(struct fake_enclave *fe, uint64_t va, uint64_t len,
			int c, uint64_t flags);

/* Copies between the host and app memory through the fake tables. */
void fake_poke(struct fake_enclave *fe, uint64_t va, const void *src,
	       uint64_t len);
void fake_peek(struct fake_enclave *fe, uint64_t va, void *dst,
	       uint64_t len);

#endif /* COKCTL_FAKE_ENCLAVE_H */
