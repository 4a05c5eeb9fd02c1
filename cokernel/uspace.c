// SPDX-License-Identifier: GPL-2.0
/*
 * User address spaces.  The lower half (PML4 entries 0..255) is the
 * app's; the upper half is shared with the co-kernel (copied from the
 * boot PML4).  Memory is mapped eagerly, never on demand: a region gets
 * whole 2 MiB chunks where it is 2 MiB-aligned, 4 KiB pages carved from
 * a chunk elsewhere (and for page tables).  Every chunk an app takes is
 * marked as its own in the allocator, so ending the app frees them all.
 */
#include "cokernel.h"

#define PTE_P		(1ULL << 0)
#define PTE_W		(1ULL << 1)
#define PTE_U		(1ULL << 2)
#define PTE_PS		(1ULL << 7)
#define PTE_ADDR	0x000ffffffffff000ULL
#define PTE_ADDR_2M	0x000fffffffe00000ULL
#define PAGE_SIZE	4096ULL
#define SIZE_2M		(1ULL << 21)
#define USER_HALF	256		/* PML4 entries of the user half */

static uint64_t virt_to_phys(const void *v)
{
	uint64_t off = (uint64_t)v - COK_VIRT_DIRECT;

	return cok_channel->chunk_phys[off >> COK_CHUNK_SHIFT] +
	       (off & (COK_CHUNK_SIZE - 1));
}

/*
 * len zeroed bytes (whole pages) for the app from its current carving
 * chunk, or from a new one when they do not fit in what is left.
 */
static void *carve(struct cok_aspace *as, uint64_t len)
{
	void *p;

	if (!as->carve || COK_CHUNK_SIZE - as->carve_used < len) {
		/* Zeroed piece by piece below, as they are handed out. */
		as->carve = mm_alloc_run_raw(1, as->owner, false);
		as->carve_used = 0;
		if (!as->carve)
			return NULL;
	}
	p = (uint8_t *)as->carve + as->carve_used;
	as->carve_used += len;
	return memset(p, 0, len);
}

static void *alloc_page(struct cok_aspace *as)
{
	return carve(as, PAGE_SIZE);
}

/*
 * n contiguous zeroed pages of the direct map (supervisor only) for the
 * co-kernel's use on the app's behalf, freed with its address space.
 */
void *as_alloc_pages(struct cok_aspace *as, uint32_t n)
{
	return carve(as, (uint64_t)n * PAGE_SIZE);
}

/* The entry of the next level for va at this level; allocates tables. */
static uint64_t *walk_table(struct cok_aspace *as, uint64_t *table, int idx)
{
	uint64_t e = table[idx];
	void *next;

	if (e & PTE_P)
		return phys_to_virt(e & PTE_ADDR);
	next = alloc_page(as);
	if (!next)
		return NULL;
	/* Tables are permissive; the leaf entry decides. */
	table[idx] = virt_to_phys(next) | PTE_P | PTE_W | PTE_U;
	return next;
}

static uint64_t *pd_for(struct cok_aspace *as, uint64_t va)
{
	uint64_t *pdpt = walk_table(as, as->pml4, (va >> 39) & 511);

	return pdpt ? walk_table(as, pdpt, (va >> 30) & 511) : NULL;
}

static int map_2m(struct cok_aspace *as, uint64_t va, uint64_t flags,
		  bool zero)
{
	uint64_t *pd = pd_for(as, va);
	void *chunk;

	if (!pd || (pd[(va >> 21) & 511] & PTE_P))
		return -1;
	chunk = mm_alloc_run_raw(1, as->owner, zero);
	if (!chunk)
		return -1;
	pd[(va >> 21) & 511] = virt_to_phys(chunk) | flags | PTE_PS;
	return 0;
}

static int map_4k(struct cok_aspace *as, uint64_t va, uint64_t flags)
{
	uint64_t *pd = pd_for(as, va), *pt;
	void *page;

	if (!pd || (pd[(va >> 21) & 511] & PTE_PS))
		return -1;
	pt = walk_table(as, pd, (va >> 21) & 511);
	if (!pt)
		return -1;
	if (pt[(va >> 12) & 511] & PTE_P) {
		/* Two segments sharing a page: the union of permissions. */
		pt[(va >> 12) & 511] |= flags;
		return 0;
	}
	page = alloc_page(as);
	if (!page)
		return -1;
	pt[(va >> 12) & 511] = virt_to_phys(page) | flags;
	return 0;
}

/*
 * Map [va, va + len) (page-aligned) with fresh memory: zeroed, or, with
 * zero false, as it is in its 2 MiB chunks (a restore, where Linux
 * writes every page).
 */
int as_map_raw(struct cok_aspace *as, uint64_t va, uint64_t len,
	       bool writable, bool zero)
{
	uint64_t end = va + len, flags = PTE_P | PTE_U | (writable ? PTE_W : 0);

	if ((va | len) & (PAGE_SIZE - 1) || end < va || end > COK_USER_END)
		return -1;
	while (va < end) {
		if (!(va & (SIZE_2M - 1)) && end - va >= SIZE_2M) {
			if (map_2m(as, va, flags, zero))
				return -1;
			va += SIZE_2M;
			continue;
		}
		if (map_4k(as, va, flags))
			return -1;
		va += PAGE_SIZE;
	}
	return 0;
}

int as_map(struct cok_aspace *as, uint64_t va, uint64_t len, bool writable)
{
	return as_map_raw(as, va, len, writable, true);
}

/*
 * The co-kernel's address of the byte at user address va, and how many
 * bytes follow it in the same page; NULL if unmapped (or, with
 * need_write, read-only).
 */
void *as_lookup(struct cok_aspace *as, uint64_t va, uint64_t *room,
		bool need_write)
{
	uint64_t e = as->pml4[(va >> 39) & 511];
	uint64_t *t;

	if (va >= COK_USER_END || !(e & PTE_P))
		return NULL;
	t = phys_to_virt(e & PTE_ADDR);
	e = t[(va >> 30) & 511];
	if (!(e & PTE_P))
		return NULL;
	t = phys_to_virt(e & PTE_ADDR);
	e = t[(va >> 21) & 511];
	if ((e & PTE_P) && (e & PTE_PS)) {
		*room = SIZE_2M - (va & (SIZE_2M - 1));
		if (need_write && !(e & PTE_W))
			return NULL;
		return (uint8_t *)phys_to_virt(e & PTE_ADDR_2M) +
		       (va & (SIZE_2M - 1));
	}
	if (!(e & PTE_P))
		return NULL;
	t = phys_to_virt(e & PTE_ADDR);
	e = t[(va >> 12) & 511];
	if (!(e & PTE_P) || (need_write && !(e & PTE_W)))
		return NULL;
	*room = PAGE_SIZE - (va & (PAGE_SIZE - 1));
	return (uint8_t *)phys_to_virt(e & PTE_ADDR) + (va & (PAGE_SIZE - 1));
}

/*
 * Unmap [va, end), or as much of it as *b has room for: the frames of
 * its 2 MiB pages go into *b, for the caller to give back to the
 * allocator once no core's TLB can reach them any more (tlb.c); 4 KiB
 * pages are unmapped but their memory stays with the app until it ends
 * (they are cut from shared chunks).  Returns where it stopped: end
 * when all is done (or the range is not one an app may have).
 */
uint64_t as_unmap(struct cok_aspace *as, uint64_t va, uint64_t end,
		  struct cok_unmap_batch *b)
{
	if ((va | end) & (PAGE_SIZE - 1) || end < va || end > COK_USER_END)
		return end;
	while (va < end) {
		uint64_t room, *pd = NULL, *pt, e;

		if (as_lookup(as, va, &room, false)) {
			pd = pd_for(as, va);
			e = pd ? pd[(va >> 21) & 511] : 0;
			if ((e & PTE_PS) && !(va & (SIZE_2M - 1)) &&
			    end - va >= SIZE_2M) {
				if (b->n == ARRAY_SIZE(b->phys))
					return va;	/* the rest next time */
				pd[(va >> 21) & 511] = 0;
				b->phys[b->n++] = e & PTE_ADDR_2M;
				__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
				va += SIZE_2M;
				continue;
			}
			if (!(e & PTE_PS)) {
				pt = phys_to_virt(e & PTE_ADDR);
				pt[(va >> 12) & 511] = 0;
				__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
			}
		}
		va += PAGE_SIZE;
	}
	return end;
}

/*
 * Copy between the co-kernel and the app's memory, page by page through
 * the app's tables; -1 on an unmapped byte (or, with need_write, a
 * read-only one).
 */
static int copy_user(struct cok_aspace *as, uint64_t va, void *kbuf,
		     uint64_t len, bool to_user, bool need_write)
{
	uint8_t *k = kbuf;

	while (len) {
		uint64_t room, n;
		uint8_t *u = as_lookup(as, va, &room, need_write);

		if (!u)
			return -1;
		n = len < room ? len : room;
		if (to_user)
			memcpy(u, k, n);
		else
			memcpy(k, u, n);
		k += n;
		va += n;
		len -= n;
	}
	return 0;
}

/* Loading: ignores the app's write protection. */
int as_write(struct cok_aspace *as, uint64_t va, const void *src,
	     uint64_t len)
{
	return copy_user(as, va, (void *)src, len, true, false);
}

/* A system call's answer: only into memory the app may write. */
int as_put(struct cok_aspace *as, uint64_t va, const void *src,
	   uint64_t len)
{
	return copy_user(as, va, (void *)src, len, true, true);
}

int as_read(struct cok_aspace *as, void *dst, uint64_t va, uint64_t len)
{
	return copy_user(as, va, dst, len, false, false);
}

int as_create(struct cok_aspace *as, uint32_t owner)
{
	const uint64_t *boot = (const uint64_t *)(COK_VIRT_KERNEL +
						  COK_PGTABLE_OFFSET);
	int i;

	memset(as, 0, sizeof(*as));
	as->owner = owner;
	as->pml4 = alloc_page(as);
	if (!as->pml4)
		return -1;
	for (i = USER_HALF; i < 512; i++)
		as->pml4[i] = boot[i];
	as->pml4_phys = virt_to_phys(as->pml4);
	return 0;
}

/* Every chunk of the app goes back to the allocator. */
void as_destroy(struct cok_aspace *as)
{
	mm_free_owned(as->owner);
	memset(as, 0, sizeof(*as));
}

void as_activate(struct cok_aspace *as)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(as->pml4_phys) : "memory");
}

/* Back to the boot tables (kernel half only matters). */
void as_deactivate(void)
{
	uint64_t boot = cok_channel->chunk_phys[0] + COK_PGTABLE_OFFSET;

	__asm__ volatile("mov %0, %%cr3" : : "r"(boot) : "memory");
}

/* The leaves of one page table (4 KiB pages) under va. */
static void walk_pt(const uint64_t *pt, uint64_t va, as_leaf_fn fn,
		    void *ctx)
{
	int i;

	for (i = 0; i < 512; i++)
		if (pt[i] & PTE_P)
			fn(ctx, va + ((uint64_t)i << 12), pt[i] & PTE_ADDR,
			   PAGE_SIZE, pt[i]);
}

static void walk_pd(const uint64_t *pd, uint64_t va, as_leaf_fn fn,
		    void *ctx)
{
	int i;

	for (i = 0; i < 512; i++) {
		uint64_t e = pd[i], at = va + ((uint64_t)i << 21);

		if (!(e & PTE_P))
			continue;
		if (e & PTE_PS)
			fn(ctx, at, e & PTE_ADDR_2M, SIZE_2M, e);
		else
			walk_pt(phys_to_virt(e & PTE_ADDR), at, fn, ctx);
	}
}

/* Apps get no 1 GiB pages, so a PDPT entry is always a table. */
void as_walk(struct cok_aspace *as, as_leaf_fn fn, void *ctx)
{
	int i, j;

	for (i = 0; i < USER_HALF; i++) {
		const uint64_t *pdpt;

		if (!(as->pml4[i] & PTE_P))
			continue;
		pdpt = phys_to_virt(as->pml4[i] & PTE_ADDR);
		for (j = 0; j < 512; j++)
			if (pdpt[j] & PTE_P)
				walk_pd(phys_to_virt(pdpt[j] & PTE_ADDR),
					((uint64_t)i << 39) |
					((uint64_t)j << 30), fn, ctx);
	}
}
