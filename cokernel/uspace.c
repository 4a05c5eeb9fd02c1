// SPDX-License-Identifier: GPL-2.0
/*
 * User address spaces.  The lower half (PML4 entries 0..255) is the
 * app's; the upper half is shared with the co-kernel (copied from the
 * boot PML4).  A mapping gets whole 2 MiB chunks where it is 2 MiB-
 * aligned, 4 KiB pages carved from a chunk elsewhere (and for page
 * tables); which ranges are backed at once and which on a fault is
 * vm.c's business.  Every chunk an app takes is marked as its own in
 * the allocator, so ending the app frees them all; a 4 KiB page it
 * unmaps goes on its free list (as->free4k) for its next ones.
 *
 * Rights are the leaf entry's: W, NX (with EFER.NXE, cpu.c), and for
 * PROT_NONE a backed page keeps its frame with P clear and PTE_NONE set
 * (a software bit), so that a later mprotect() gives the same bytes.
 */
#include "cokernel.h"

#define PTE_P		(1ULL << 0)
#define PTE_W		(1ULL << 1)
#define PTE_U		(1ULL << 2)
#define PTE_PS		(1ULL << 7)
#define PTE_NONE	(1ULL << 9)	/* software: backed, PROT_NONE */
#define PTE_NX		(1ULL << 63)
#define PTE_ADDR	0x000ffffffffff000ULL
#define PTE_ADDR_2M	0x000fffffffe00000ULL
#define PAGE_SIZE	4096ULL
#define SIZE_2M		(1ULL << 21)
#define USER_HALF	256		/* PML4 entries of the user half */
#define SIZE_1G		(1ULL << 30)

uint64_t cok_pte_nx;		/* PTE_NX once EFER.NXE is on (cpu.c) */

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

/* A zeroed page: one the app gave back, else a new one. */
static void *alloc_page(struct cok_aspace *as)
{
	uint64_t *p;

	if (!as->free4k)
		return carve(as, PAGE_SIZE);
	p = phys_to_virt(as->free4k);
	as->free4k = p[0];
	return memset(p, 0, PAGE_SIZE);
}

/*
 * The leaf bits for COK_PROT_* rights: x86 has no write-only or
 * exec-only page, so any right means readable.
 */
uint64_t as_prot_bits(uint32_t prot)
{
	if (!(prot & (COK_PROT_READ | COK_PROT_WRITE | COK_PROT_EXEC)))
		return PTE_NONE;
	return PTE_P | PTE_U | (prot & COK_PROT_WRITE ? PTE_W : 0) |
	       (prot & COK_PROT_EXEC ? 0 : cok_pte_nx);
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

static uint64_t *pte_slot(struct cok_aspace *as, uint64_t va)
{
	uint64_t *pd = pd_for(as, va), *pt;

	if (!pd || (pd[(va >> 21) & 511] & (PTE_PS | PTE_NONE)))
		return NULL;
	pt = walk_table(as, pd, (va >> 21) & 511);
	return pt ? &pt[(va >> 12) & 511] : NULL;
}

static int map_2m(uint64_t *pde, struct cok_aspace *as, uint64_t flags,
		  bool zero)
{
	void *chunk = mm_alloc_run_raw(1, as->owner, zero);

	if (!chunk)
		return -1;
	*pde = virt_to_phys(chunk) | flags | PTE_PS;
	return 0;
}

static int map_4k(struct cok_aspace *as, uint64_t va, uint64_t flags)
{
	uint64_t *e = pte_slot(as, va);
	void *page;

	if (!e)
		return -1;
	page = alloc_page(as);
	if (!page)
		return -1;
	*e = virt_to_phys(page) | flags;
	return 0;
}

/*
 * The leaf that maps va: a 2 MiB page's PD entry (*big) or a PT entry,
 * present or PROT_NONE; NULL if va is not backed.  *span: the bytes
 * from va to the end of that leaf, or of the empty table entry.
 */
static uint64_t *leaf_of(struct cok_aspace *as, uint64_t va, uint64_t *span,
			 bool *big)
{
	uint64_t e = as->pml4[(va >> 39) & 511], *t;

	*big = false;
	*span = (1ULL << 39) - (va & ((1ULL << 39) - 1));
	if (!(e & PTE_P))
		return NULL;
	t = phys_to_virt(e & PTE_ADDR);
	e = t[(va >> 30) & 511];
	*span = SIZE_1G - (va & (SIZE_1G - 1));
	if (!(e & PTE_P))
		return NULL;
	t = &((uint64_t *)phys_to_virt(e & PTE_ADDR))[(va >> 21) & 511];
	*span = SIZE_2M - (va & (SIZE_2M - 1));
	if (*t & PTE_PS) {
		*big = true;
		return (*t & (PTE_P | PTE_NONE)) ? t : NULL;
	}
	if (!(*t & PTE_P))
		return NULL;
	t = &((uint64_t *)phys_to_virt(*t & PTE_ADDR))[(va >> 12) & 511];
	*span = PAGE_SIZE - (va & (PAGE_SIZE - 1));
	return (*t & (PTE_P | PTE_NONE)) ? t : NULL;
}

/*
 * A 2 MiB page becomes 512 PT entries for the same frame with the same
 * rights (bit 12, the PAT bit of a 2 MiB entry, is 0 here), so that
 * parts of it can get other rights or go.
 */
static int split_2m(struct cok_aspace *as, uint64_t *pde)
{
	uint64_t base = *pde & PTE_ADDR_2M, flags = *pde & ~PTE_ADDR_2M &
						    ~PTE_PS;
	uint64_t *pt = alloc_page(as);
	int i;

	if (!pt)
		return -1;
	for (i = 0; i < 512; i++)
		pt[i] = (base + (uint64_t)i * PAGE_SIZE) | flags;
	*pde = virt_to_phys(pt) | PTE_P | PTE_W | PTE_U;
	return 0;
}

/*
 * A leaf mapped again (two ELF segments sharing a page, brk over pages
 * it kept): the union of the rights.
 */
static void widen(uint64_t *e, uint64_t flags)
{
	if (*e & PTE_NONE) {
		*e = (*e & ~(PTE_NONE | PTE_W | PTE_NX)) | flags;
		return;
	}
	*e |= flags & (PTE_W | PTE_U | PTE_P);
	if (!(flags & PTE_NX))
		*e &= ~PTE_NX;
}

/*
 * Map [va, va + len) (page-aligned) with leaf bits flags: fresh memory
 * where nothing is mapped, zeroed or, with zero false, as it is in its
 * 2 MiB chunks (a restore, where Linux writes every page); a leaf
 * already there keeps its bytes and gets the union of the rights.
 */
int as_map_bits(struct cok_aspace *as, uint64_t va, uint64_t len,
		uint64_t flags, bool zero)
{
	uint64_t end = va + len, span, *e, *pd;
	bool big;

	if ((va | len) & (PAGE_SIZE - 1) || end < va || end > COK_USER_END)
		return -1;
	while (va < end) {
		e = leaf_of(as, va, &span, &big);
		if (e) {
			widen(e, flags);
			va += span;
			continue;
		}
		if (!(va & (SIZE_2M - 1)) && end - va >= SIZE_2M) {
			pd = pd_for(as, va);
			if (!pd)
				return -1;
			if (!pd[(va >> 21) & 511]) {
				if (map_2m(&pd[(va >> 21) & 511], as, flags,
					   zero))
					return -1;
				va += SIZE_2M;
				continue;
			}
		}
		if (map_4k(as, va, flags))
			return -1;
		va += PAGE_SIZE;
	}
	return 0;
}

int as_map_raw(struct cok_aspace *as, uint64_t va, uint64_t len,
	       bool writable, bool zero)
{
	return as_map_bits(as, va, len, PTE_P | PTE_U |
			   (writable ? PTE_W : 0), zero);
}

int as_map(struct cok_aspace *as, uint64_t va, uint64_t len, bool writable)
{
	return as_map_raw(as, va, len, writable, true);
}

/*
 * New rights (leaf bits flags) for the backed pages of [va, end); a
 * 2 MiB page only partly inside is split first.  -1 when a split finds
 * no memory for its table (the pages before va keep their new rights).
 */
int as_protect(struct cok_aspace *as, uint64_t va, uint64_t end,
	       uint64_t flags)
{
	uint64_t span, *e;
	bool big;

	while (va < end) {
		e = leaf_of(as, va, &span, &big);
		if (!e) {
			va += span;
			continue;
		}
		if (big && ((va & (SIZE_2M - 1)) || end - va < SIZE_2M)) {
			if (split_2m(as, e))
				return -1;
			continue;
		}
		*e = (*e & (big ? PTE_ADDR_2M | PTE_PS : PTE_ADDR)) | flags;
		va += span;
	}
	return 0;
}

/* The backed bytes of [va, end) become zeros (their rights stay). */
void as_zero(struct cok_aspace *as, uint64_t va, uint64_t end)
{
	uint64_t span, *e, n;
	bool big;

	while (va < end) {
		e = leaf_of(as, va, &span, &big);
		n = span < end - va ? span : end - va;
		if (e)
			memset((uint8_t *)phys_to_virt(*e & (big ? PTE_ADDR_2M :
							     PTE_ADDR)) +
			       (va & ((big ? SIZE_2M : PAGE_SIZE) - 1)), 0, n);
		va += n;
	}
}

/* How many bytes of [va, end) are backed. */
uint64_t as_backed(struct cok_aspace *as, uint64_t va, uint64_t end)
{
	uint64_t span, n, sum = 0;
	bool big;

	while (va < end) {
		n = leaf_of(as, va, &span, &big) ? span : 0;
		if (n > end - va)
			n = end - va;
		sum += n;
		va += span < end - va ? span : end - va;
	}
	return sum;
}

/*
 * The leaves of [from, from + len) move to [to, to + len), frames and
 * rights unchanged (mremap: no copy); the target range holds nothing.
 * A 2 MiB page moves whole when both ends are 2 MiB-aligned, else it is
 * split.  -1 when a table cannot be had.
 */
int as_move(struct cok_aspace *as, uint64_t from, uint64_t to, uint64_t len)
{
	uint64_t off = 0, span, *e, *d, *pd;
	bool big;

	while (off < len) {
		e = leaf_of(as, from + off, &span, &big);
		if (!e) {
			off += span;
			continue;
		}
		if (big && !((from + off) & (SIZE_2M - 1)) &&
		    !((to + off) & (SIZE_2M - 1)) && len - off >= SIZE_2M) {
			pd = pd_for(as, to + off);
			if (!pd)
				return -1;
			d = &pd[((to + off) >> 21) & 511];
			if (!*d) {
				*d = *e;
				*e = 0;
				off += SIZE_2M;
				continue;
			}
		}
		if (big) {
			if (split_2m(as, e))
				return -1;
			continue;
		}
		d = pte_slot(as, to + off);
		if (!d)
			return -1;
		*d = *e;
		*e = 0;
		off += PAGE_SIZE;
	}
	return 0;
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
 * its pages go into *b (a 4 KiB page tagged COK_UNMAP_4K), for the
 * caller to give back once no core's TLB can reach them any more
 * (tlb.c, as_release()).  A 2 MiB page only partly inside is split.
 * Returns where it stopped: end when all is done (or the range is not
 * one an app may have).
 */
uint64_t as_unmap(struct cok_aspace *as, uint64_t va, uint64_t end,
		  struct cok_unmap_batch *b)
{
	uint64_t span, *e;
	bool big;

	if ((va | end) & (PAGE_SIZE - 1) || end < va || end > COK_USER_END)
		return end;
	while (va < end) {
		e = leaf_of(as, va, &span, &big);
		if (!e) {
			va += span < end - va ? span : end - va;
			continue;
		}
		if (big && ((va & (SIZE_2M - 1)) || end - va < SIZE_2M)) {
			if (split_2m(as, e))
				return end;	/* no table: left mapped */
			continue;
		}
		if (b->n == ARRAY_SIZE(b->phys))
			return va;		/* the rest next time */
		b->phys[b->n++] = big ? *e & PTE_ADDR_2M :
			(*e & PTE_ADDR) | COK_UNMAP_4K;
		*e = 0;
		__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
		va += span;
	}
	return end;
}

/*
 * After the shootdown, under the process's lock: the 4 KiB pages of b
 * go on the app's free list (their 2 MiB chunks stay its own); its
 * 2 MiB frames are left in b for mm_free_chunk_phys().
 */
void as_release(struct cok_aspace *as, struct cok_unmap_batch *b)
{
	uint32_t i, n = 0;

	for (i = 0; i < b->n; i++) {
		uint64_t phys = b->phys[i];

		if (phys & COK_UNMAP_4K) {
			phys &= ~COK_UNMAP_4K;
			*(uint64_t *)phys_to_virt(phys) = as->free4k;
			as->free4k = phys;
		} else {
			b->phys[n++] = phys;
		}
	}
	b->n = n;
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

/* The leaves of one page table (4 KiB pages) under va, PROT_NONE too. */
static void walk_pt(const uint64_t *pt, uint64_t va, as_leaf_fn fn,
		    void *ctx)
{
	int i;

	for (i = 0; i < 512; i++)
		if (pt[i] & (PTE_P | PTE_NONE))
			fn(ctx, va + ((uint64_t)i << 12), pt[i] & PTE_ADDR,
			   PAGE_SIZE, pt[i]);
}

static void walk_pd(const uint64_t *pd, uint64_t va, as_leaf_fn fn,
		    void *ctx)
{
	int i;

	for (i = 0; i < 512; i++) {
		uint64_t e = pd[i], at = va + ((uint64_t)i << 21);

		if (e & PTE_PS) {
			if (e & (PTE_P | PTE_NONE))
				fn(ctx, at, e & PTE_ADDR_2M, SIZE_2M, e);
			continue;
		}
		if (!(e & PTE_P))
			continue;
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
