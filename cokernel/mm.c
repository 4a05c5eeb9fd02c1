// SPDX-License-Identifier: GPL-2.0
/*
 * The physical-memory allocator: the enclave's 2 MiB chunks, one bit
 * each.  Chunk 0 holds the channel, page tables, stacks and this kernel,
 * so it is never handed out.  Chunks are reached through the direct map
 * at COK_VIRT_DIRECT, where chunk i lives at i * 2 MiB.
 */
#include "cokernel.h"

#define BITS_PER_WORD	64

static uint64_t used[COK_MAX_CHUNKS / BITS_PER_WORD];
static uint32_t nchunks;
static uint32_t nfree;
static uint32_t lock;

static void mm_lock(void)
{
	while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
}

static void mm_unlock(void)
{
	__atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
}

static bool chunk_used(uint32_t i)
{
	return used[i / BITS_PER_WORD] & (1ULL << (i % BITS_PER_WORD));
}

static void chunk_mark(uint32_t i, bool in_use)
{
	uint64_t bit = 1ULL << (i % BITS_PER_WORD);

	if (in_use)
		used[i / BITS_PER_WORD] |= bit;
	else
		used[i / BITS_PER_WORD] &= ~bit;
}

static void publish_free(void)
{
	cok_write_once(&cok_channel->mem_free,
		       (uint64_t)nfree << COK_CHUNK_SHIFT);
}

void *phys_to_virt(uint64_t phys)
{
	uint32_t i;

	for (i = 0; i < nchunks; i++) {
		uint64_t base = cok_channel->chunk_phys[i];

		if (phys >= base && phys - base < COK_CHUNK_SIZE)
			return (void *)(COK_VIRT_DIRECT +
					((uint64_t)i << COK_CHUNK_SHIFT) +
					(phys - base));
	}
	return NULL;
}

/* Print the map as runs of physically contiguous chunks. */
static void print_map(void)
{
	uint32_t i, start = 0, runs = 0;

	for (i = 1; i <= nchunks; i++) {
		uint64_t end = cok_channel->chunk_phys[i - 1] + COK_CHUNK_SIZE;

		if (i < nchunks && cok_channel->chunk_phys[i] == end)
			continue;
		if (runs++ < 16)
			cok_printf("mem: phys %#014lx-%#014lx %5lu MiB%s\n",
				   (unsigned long)cok_channel->chunk_phys[start],
				   (unsigned long)end,
				   (unsigned long)(i - start) * 2,
				   start == 0 ? " (kernel in first 2 MiB)" : "");
		start = i;
	}
	if (runs > 16)
		cok_printf("mem: ... %u more runs\n", runs - 16);
}

void mm_init(void)
{
	nchunks = cok_channel->nchunks;
	if (nchunks == 0 || nchunks > COK_MAX_CHUNKS)
		cok_panic("mem: bad chunk count %u\n", nchunks);
	chunk_mark(0, true);
	nfree = nchunks - 1;
	publish_free();
	cok_printf("mem: %u chunks of 2 MiB = %u MiB, %u MiB free\n",
		   nchunks, nchunks * 2, nfree * 2);
	print_map();
}

uint64_t mm_free_bytes(void)
{
	return (uint64_t)nfree << COK_CHUNK_SHIFT;
}

void *mm_alloc_chunk(void)
{
	void *virt = NULL;
	uint32_t i;

	mm_lock();
	for (i = 1; i < nchunks; i++) {
		if (!chunk_used(i)) {
			chunk_mark(i, true);
			nfree--;
			virt = (void *)(COK_VIRT_DIRECT +
					((uint64_t)i << COK_CHUNK_SHIFT));
			break;
		}
	}
	publish_free();
	mm_unlock();
	if (virt)
		memset(virt, 0, COK_CHUNK_SIZE);
	return virt;
}

void mm_free_chunk(void *virt)
{
	uint64_t off = (uint64_t)virt - COK_VIRT_DIRECT;
	uint32_t i = off >> COK_CHUNK_SHIFT;

	if (off & (COK_CHUNK_SIZE - 1) || i == 0 || i >= nchunks)
		cok_panic("mem: free of bad chunk %p\n", virt);
	mm_lock();
	if (!chunk_used(i))
		cok_panic("mem: double free of chunk %u\n", i);
	chunk_mark(i, false);
	nfree++;
	publish_free();
	mm_unlock();
}
