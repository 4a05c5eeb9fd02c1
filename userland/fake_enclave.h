/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the host tests of the proxy: an enclave's memory in an ordinary
 * buffer, with a channel and chunk list at offset 0 and x86-64 page
 * tables built by hand, as the module and the co-kernel lay them out.
 * "Physical" addresses are made up: chunk i sits at phys[i].
 */
#ifndef COKCTL_FAKE_ENCLAVE_H
#define COKCTL_FAKE_ENCLAVE_H

#include <stdbool.h>
#include <stdint.h>

#include "../xemem/cokdev.h"	/* struct cok_ioc_app_mem */
#include "../xemem/pgwalk.h"	/* COK_PTE_*, cok_pgwalk */

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
	/* The app's state as COK_IOC_APP_MEM sees it (fake_app_mem). */
	bool idle;			/* not in a forwarded call: -EBUSY */
	bool restoring;			/* a restoring proxy: writes need read */
	uint64_t app_mem_calls;		/* COK_IOC_APP_MEM served */
};

/* nchunks chunks at the given physical bases (2 MiB-aligned). */
int fake_init(struct fake_enclave *fe, uint32_t nchunks,
	      const uint64_t *phys);
void fake_fini(struct fake_enclave *fe);

/* A zeroed 4 KiB page in chunk c: its physical address. */
uint64_t fake_page(struct fake_enclave *fe, int c);
/* The host address of a physical address (must be in a chunk). */
void *fake_host(struct fake_enclave *fe, uint64_t phys);
/* The chunk holding phys, or -1; the host address of phys, or NULL. */
int fake_chunk_of(const struct fake_enclave *fe, uint64_t phys);
void *fake_lookup(struct fake_enclave *fe, uint64_t phys);
/*
 * cok_table_fn for cok_pgwalk (ctx: the fake enclave): a table anywhere
 * in the chunks, NULL outside them, as the module's enclave_table().
 */
const uint64_t *fake_table(void *ctx, uint64_t phys);
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

/*
 * Serves one COK_IOC_APP_MEM as kmod/appmem.c does, with fe->cr3 as the
 * app's CR3: 0 (m->done set) or -errno.  -EINVAL for a bad op or pad,
 * -EFAULT for a range outside user space (or a NULL buffer to copy
 * with), -EBUSY when fe->idle (unless fe->restoring).  The walk is
 * cok_pgwalk through fake_table; a frame counts only inside a chunk
 * other than chunk 0; copies go run by run (a page, cut at its chunk's
 * end).  When fe->restoring, writes need only read permission.
 */
int fake_app_mem(struct fake_enclave *fe, struct cok_ioc_app_mem *m);

#endif /* COKCTL_FAKE_ENCLAVE_H */
