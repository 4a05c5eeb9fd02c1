// SPDX-License-Identifier: GPL-2.0
/*
 * The physical-memory allocator: the enclave's 2 MiB chunks, one bit
 * each.  Chunk 0 holds the channel, page tables, stacks and this kernel,
 * so it is never handed out.  Chunks are reached through the direct map
 * at COK_VIRT_DIRECT, where chunk i lives at i * 2 MiB.
 */
#include "cokernel.h"

#define OWNER_FREE	0
#define OWNER_KERNEL	0xff		/* chunk 0 */

/* Who holds each chunk: free, the kernel, or an app (core index + 1). */
static uint8_t owner[COK_MAX_CHUNKS];
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

static void publish_free(void)
{
	cok_write_once(&cok_channel->mem_free,
		       (uint64_t)nfree << COK_CHUNK_SHIFT);
}

static void *chunk_virt(uint32_t i)
{
	return (void *)(COK_VIRT_DIRECT + ((uint64_t)i << COK_CHUNK_SHIFT));
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
	owner[0] = OWNER_KERNEL;
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

/* First fit: n consecutive free chunks (enclave offsets), zeroed or not. */
void *mm_alloc_run_raw(uint32_t n, uint32_t who, bool zero)
{
	uint32_t i, run = 0;

	mm_lock();
	for (i = 1; i < nchunks && run < n; i++)
		run = owner[i] == OWNER_FREE ? run + 1 : 0;
	if (run < n || n == 0) {
		mm_unlock();
		return NULL;
	}
	for (run = i - n; run < i; run++)
		owner[run] = who;
	nfree -= n;
	publish_free();
	mm_unlock();
	for (run = i - n; zero && run < i; run++) {
		memset(chunk_virt(run), 0, COK_CHUNK_SIZE);
		cmd_alive();	/* a big run takes a while */
	}
	return chunk_virt(i - n);
}

void *mm_alloc_run(uint32_t n, uint32_t who)
{
	return mm_alloc_run_raw(n, who, true);
}

void *mm_alloc_chunk_for(uint32_t who)
{
	return mm_alloc_run(1, who);
}

/* Free the chunk that starts at this physical address (munmap). */
void mm_free_chunk_phys(uint64_t phys)
{
	uint32_t i;

	mm_lock();
	for (i = 1; i < nchunks; i++) {
		if (cok_channel->chunk_phys[i] == phys &&
		    owner[i] != OWNER_FREE && owner[i] != OWNER_KERNEL) {
			owner[i] = OWNER_FREE;
			nfree++;
			break;
		}
	}
	publish_free();
	mm_unlock();
}

/*
 * Free every chunk held by who (an app ending, a staging area).  Owner 0
 * is "free": an address space never created (a launch or restore refused
 * before as_create) has it, and must not count free chunks again.
 */
void mm_free_owned(uint32_t who)
{
	uint32_t i;

	if (who == OWNER_FREE || who == OWNER_KERNEL)
		return;
	mm_lock();
	for (i = 1; i < nchunks; i++) {
		if (owner[i] == who) {
			owner[i] = OWNER_FREE;
			nfree++;
		}
	}
	publish_free();
	mm_unlock();
}
