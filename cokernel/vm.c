// SPDX-License-Identifier: GPL-2.0
/*
 * The app's memory calls, with Linux's semantics for anonymous memory:
 * brk, mmap (MAP_FIXED, MAP_FIXED_NOREPLACE, hints, MAP_NORESERVE),
 * munmap, mremap (in place or moved without a copy), mprotect with the
 * rights in the page tables, madvise(MADV_DONTNEED) zeroing, msync and
 * the mlock family accepted.
 *
 * Each process keeps its mappings in p->vma[] (p->nvma of them, sorted,
 * none overlapping, neighbours with the same rights merged), under
 * p->lock: the program's segments, the break, the main stack and what
 * mmap made.  A mapping is backed by memory at once, except:
 *  - PROT_NONE ranges, backed when mprotect() (or MAP_FIXED) makes them
 *    accessible: the large reservations the Go runtime and glibc's
 *    arenas make cost nothing until used;
 *  - MAP_NORESERVE ones (COK_VMA_LAZY), backed on the first touch
 *    (vm_fault());
 *  - the main stack, which app_grow_stack() backs page by page.
 * Pages that go (munmap, a shrinking brk or mremap, MAP_FIXED over them)
 * are unmapped, the other cores of the process flush their TLBs
 * (tlb.c), and then their frames are given back: so a brk that grows
 * again, like any new mapping, gets zeroed memory.
 */
#include "cokernel.h"
#include "../xemem/pgwalk.h"

#define PAGE_SIZE	4096ULL
#define SIZE_2M		(1ULL << 21)

#define PROT_ALL	(COK_PROT_READ | COK_PROT_WRITE | COK_PROT_EXEC)
#define MAP_SHARED	0x01
#define MAP_PRIVATE	0x02
#define MAP_SHARED_VALIDATE 0x03
#define MAP_TYPE	0x0f
#define MAP_FIXED	0x10
#define MAP_ANONYMOUS	0x20
#define MAP_NORESERVE	0x4000
#define MAP_FIXED_NOREPLACE 0x100000
#define MREMAP_MAYMOVE	1
#define MREMAP_FIXED	2
#define MADV_DONTNEED	4
#define MADV_DONTNEED_LOCKED 24
#define MADV_LAST	25		/* MADV_COLLAPSE */
#define MADV_HWPOISON	100
#define MS_ASYNC	1
#define MS_INVALIDATE	2
#define MS_SYNC		4
#define MCL_CURRENT	1
#define MCL_FUTURE	2
#define MCL_ONFAULT	4
#define MLOCK_ONFAULT	1

/* A PROT_NONE or lazy mapping up to this size is backed for a dump. */
#define DUMP_BACK_MAX	(1ULL << 20)

static uint64_t page_up(uint64_t v)
{
	return (v + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

/* ---- the list of mappings, under p->lock --------------------------- */

/* The first mapping that ends above va; p->nvma if none. */
static uint32_t vma_index(const struct cok_proc *p, uint64_t va)
{
	uint32_t lo = 0, hi = p->nvma;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (p->vma[mid].end <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct cok_vma *vma_at(struct cok_proc *p, uint64_t va)
{
	uint32_t i = vma_index(p, va);

	return i < p->nvma && p->vma[i].start <= va ? &p->vma[i] : NULL;
}

static bool vma_overlaps(const struct cok_proc *p, uint64_t s, uint64_t e)
{
	uint32_t i = vma_index(p, s);

	return i < p->nvma && p->vma[i].start < e;
}

/* Every byte of [s, e) lies in some mapping. */
static bool vma_covers(const struct cok_proc *p, uint64_t s, uint64_t e)
{
	uint32_t i;

	for (i = vma_index(p, s); s < e; i++) {
		if (i >= p->nvma || p->vma[i].start > s)
			return false;
		s = p->vma[i].end;
	}
	return true;
}

/* Room for the two pieces a cut and a put may add. */
static bool vma_room(const struct cok_proc *p)
{
	return p->nvma + 2 <= COK_MAX_VMAS;
}

static void vma_del(struct cok_proc *p, uint32_t i)
{
	memmove(&p->vma[i], &p->vma[i + 1],
		(p->nvma - i - 1) * sizeof(p->vma[0]));
	p->nvma--;
}

static void vma_ins(struct cok_proc *p, uint32_t i, const struct cok_vma *v)
{
	memmove(&p->vma[i + 1], &p->vma[i], (p->nvma - i) * sizeof(p->vma[0]));
	p->vma[i] = *v;
	p->nvma++;
}

/* [s, e) leaves the list; a mapping around it is split (vma_room()). */
static void vma_cut(struct cok_proc *p, uint64_t s, uint64_t e)
{
	uint32_t i = vma_index(p, s);

	while (i < p->nvma && p->vma[i].start < e) {
		struct cok_vma *v = &p->vma[i], tail = *v;

		if (v->start < s && v->end > e) {
			v->end = s;
			tail.start = e;
			vma_ins(p, i + 1, &tail);
			return;
		}
		if (v->start >= s && v->end > e) {
			v->start = e;
			return;
		}
		if (v->start < s) {
			v->end = s;
			i++;
		} else {
			vma_del(p, i);
		}
	}
}

static bool vma_same(const struct cok_vma *v, uint32_t prot, uint32_t flags)
{
	return v->prot == prot && v->flags == flags;
}

/* [s, e), which no mapping overlaps, joins the list (vma_room()). */
static void vma_put(struct cok_proc *p, uint64_t s, uint64_t e,
		    uint32_t prot, uint32_t flags)
{
	uint32_t i = vma_index(p, s);
	struct cok_vma *prev = i ? &p->vma[i - 1] : NULL;
	struct cok_vma *next = i < p->nvma ? &p->vma[i] : NULL;
	struct cok_vma v = { .start = s, .end = e, .prot = prot,
			     .flags = flags };
	bool with_prev = prev && prev->end == s && vma_same(prev, prot, flags);
	bool with_next = next && next->start == e && vma_same(next, prot, flags);

	if (with_prev && with_next) {
		prev->end = next->end;
		vma_del(p, i);
	} else if (with_prev) {
		prev->end = e;
	} else if (with_next) {
		next->start = s;
	} else {
		vma_ins(p, i, &v);
	}
}

/* Backed at once (else on a fault, or by app_grow_stack()). */
static bool eager(uint32_t prot, uint32_t flags)
{
	return prot && !(flags & (COK_VMA_LAZY | COK_VMA_STACK));
}

int vm_init(struct cok_proc *p)
{
	uint32_t pages = (COK_MAX_VMAS * sizeof(struct cok_vma) +
			  PAGE_SIZE - 1) / PAGE_SIZE;

	p->vma = as_alloc_pages(&p->as, pages);
	p->nvma = 0;
	return p->vma ? 0 : -1;
}

/* A mapping the loader made (a segment, the stack): replaces any other. */
int vm_add(struct cok_proc *p, uint64_t start, uint64_t end, uint32_t prot,
	   uint32_t flags)
{
	if (!vma_room(p))
		return -1;
	vma_cut(p, start, end);
	vma_put(p, start, end, prot, flags);
	return 0;
}

/* ---- placement ----------------------------------------------------- */

/*
 * The highest va below hi and at or above lo with va = phase modulo
 * align where len bytes fit; 0 if none.
 */
static uint64_t fit_below(uint64_t lo, uint64_t hi, uint64_t len,
			  uint64_t align, uint64_t phase)
{
	uint64_t va;

	if (hi < lo || hi - lo < len + phase)
		return 0;
	va = ((hi - len - phase) & ~(align - 1)) + phase;
	return va >= lo ? va : 0;
}

/*
 * Top-down from COK_USER_MMAP_TOP, as Linux's default layout: the
 * highest gap that fits.  Large mappings are 2 MiB-aligned (with phase:
 * the same offset in a 2 MiB page as the mapping a mremap moves), so
 * they get 2 MiB pages.
 */
static uint64_t find_free(const struct cok_proc *p, uint64_t len,
			  uint64_t phase)
{
	uint64_t align = len >= SIZE_2M ? SIZE_2M : PAGE_SIZE;
	uint64_t hi = COK_USER_MMAP_TOP, va;
	uint32_t i;

	phase &= align - 1;
	for (i = p->nvma; i-- > 0;) {
		const struct cok_vma *v = &p->vma[i];

		if (v->start >= hi)
			continue;
		if (v->end < hi) {
			va = fit_below(v->end, hi, len, align, phase);
			if (va)
				return va;
		}
		hi = v->start;
	}
	return fit_below(COK_USER_BOTTOM, hi, len, align, phase);
}

static bool user_range(uint64_t va, uint64_t len)
{
	return va >= COK_USER_BOTTOM && va <= COK_USER_END &&
	       len <= COK_USER_END - va;
}

/* ---- page tables ---------------------------------------------------- */

/*
 * Unmap [s, e) and give its frames back, a batch at a time: each batch
 * is unmapped under p->lock, the other cores flush their TLBs, and only
 * then do its frames go (tlb.c).  Then the range leaves the list.
 */
static void unmap_range(struct cok_kcore *core, struct cok_proc *p,
			uint64_t s, uint64_t e)
{
	struct cok_unmap_batch b;
	uint64_t va = s;
	uint32_t i;

	for (;;) {
		b.n = 0;
		spin_lock(&p->lock);
		va = as_unmap(&p->as, va, e, &b);
		if (va >= e)
			vma_cut(p, s, e);
		spin_unlock(&p->lock);
		tlb_shootdown(core, p);
		spin_lock(&p->lock);
		as_release(&p->as, &b);
		spin_unlock(&p->lock);
		for (i = 0; i < b.n; i++)
			mm_free_chunk_phys(b.phys[i]);
		if (va >= e)
			return;
	}
}

/* After a change of rights or a move: no core keeps the old ones. */
static void flush_after(struct cok_kcore *core, struct cok_proc *p)
{
	tlb_flush_local();
	tlb_shootdown(core, p);
}

/* [s, e) of a mapping with these rights: backed now if it is eager. */
static int back(struct cok_proc *p, uint64_t s, uint64_t e, uint32_t prot,
		uint32_t flags)
{
	if (!eager(prot, flags))
		return 0;
	return as_map_bits(&p->as, s, e - s, as_prot_bits(prot), true);
}

/* ---- brk ------------------------------------------------------------ */

/*
 * The break moves within [brk_start, the next mapping); its pages are
 * a mapping with rw- rights.  Shrinking unmaps the whole pages above
 * the new break, as Linux does, so growing again gives zeros (glibc's
 * calloc counts on fresh sbrk memory being zero).
 */
int64_t sys_brk(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	uint64_t want = r->rdi, old_end, new_end;
	uint32_t rw = COK_PROT_READ | COK_PROT_WRITE;

	rlimit_load(core);	/* the limits it obeys */
	spin_lock(&p->lock);
	old_end = page_up(p->brk);
	new_end = page_up(want);
	if (want < p->brk_start || want > COK_USER_MMAP_TOP) {
		want = p->brk;
	} else if (new_end > old_end) {
		if (!vma_room(p) || vma_overlaps(p, old_end, new_end) ||
		    !rlimit_vm_ok(p, new_end - old_end) ||
		    as_map_bits(&p->as, old_end, new_end - old_end,
				as_prot_bits(rw), true)) {
			want = p->brk;	/* what was mapped goes with the rest */
		} else {
			vma_put(p, old_end, new_end, rw, 0);
			p->brk = want;
		}
	} else {
		p->brk = want;
	}
	spin_unlock(&p->lock);
	if (new_end < old_end && want == r->rdi)
		unmap_range(core, p, new_end, old_end);
	return (int64_t)want;
}

/* ---- mmap, munmap --------------------------------------------------- */

/* PROT_NONE is never backed; MAP_NORESERVE stays lazy when accessible. */
static uint32_t vma_flags_for(uint64_t flags)
{
	return (flags & MAP_NORESERVE ? COK_VMA_LAZY : 0) |
	       ((flags & MAP_TYPE) != MAP_PRIVATE ? COK_VMA_SHARED : 0);
}

/* The checks Linux makes before it looks at the address space. */
static int64_t mmap_args(uint64_t addr, uint64_t *len, uint64_t flags)
{
	uint64_t type = flags & MAP_TYPE;

	if (!(flags & MAP_ANONYMOUS))
		return -ENODEV;		/* file mappings: a later issue */
	if (type != MAP_SHARED && type != MAP_PRIVATE &&
	    type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (!*len)
		return -EINVAL;
	*len = page_up(*len);
	if (!*len || *len > COK_USER_END)
		return -ENOMEM;
	if (!(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)))
		return 0;
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (addr < COK_USER_BOTTOM)
		return -EPERM;		/* below mmap_min_addr */
	return user_range(addr, *len) ? 0 : -ENOMEM;
}

/* Under p->lock: where a mapping without MAP_FIXED goes; 0 if nowhere. */
static uint64_t place(const struct cok_proc *p, uint64_t hint, uint64_t len)
{
	hint &= ~(PAGE_SIZE - 1);
	if (hint && user_range(hint, len) && !vma_overlaps(p, hint, hint + len))
		return hint;
	return find_free(p, len, 0);
}

int64_t sys_mmap(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	uint64_t va = r->rdi, len = r->rsi, flags = r->r10;
	uint32_t prot = r->rdx & PROT_ALL, vflags = vma_flags_for(flags);
	int64_t err = mmap_args(va, &len, flags);
	bool put = false;

	if (err)
		return err;
	rlimit_load(core);	/* the limits it obeys */
	if ((flags & MAP_FIXED) && !(flags & MAP_FIXED_NOREPLACE))
		unmap_range(core, p, va, va + len);	/* replaced */
	spin_lock(&p->lock);
	if (!vma_room(p) || (prot && !rlimit_vm_ok(p, len))) {
		err = -ENOMEM;
	} else if (flags & MAP_FIXED_NOREPLACE) {
		if (vma_overlaps(p, va, va + len))
			err = -EEXIST;
	} else if (!(flags & MAP_FIXED)) {
		va = place(p, va, len);
		if (!va)
			err = -ENOMEM;
	}
	if (!err) {
		vma_put(p, va, va + len, prot, vflags);
		put = true;
		if (va < p->mmap_next)
			p->mmap_next = va;
		if (back(p, va, va + len, prot, vflags))
			err = -ENOMEM;
	}
	spin_unlock(&p->lock);
	if (err && put)		/* a partial backing goes */
		unmap_range(core, p, va, va + len);
	return err ? err : (int64_t)va;
}

int64_t sys_munmap(struct cok_kcore *core, struct cok_regs *r)
{
	uint64_t va = r->rdi, len = page_up(r->rsi);

	if ((va & (PAGE_SIZE - 1)) || !r->rsi || len > COK_USER_END ||
	    va > COK_USER_END - len)
		return -EINVAL;
	unmap_range(core, core->current->proc, va, va + len);
	return 0;
}

/* ---- mprotect ------------------------------------------------------- */

/* Under p->lock: [s, e) of one mapping gets prot. */
static int protect_piece(struct cok_proc *p, uint64_t s, uint64_t e,
			 uint32_t prot, uint32_t flags)
{
	vma_cut(p, s, e);
	vma_put(p, s, e, prot, flags);
	if (as_protect(&p->as, s, e, as_prot_bits(prot)))
		return -1;
	return back(p, s, e, prot, flags);
}

int64_t sys_mprotect(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	uint64_t s = r->rdi, e = s + page_up(r->rsi);
	uint32_t prot = r->rdx & PROT_ALL;
	int64_t err = 0;

	if ((s & (PAGE_SIZE - 1)) || (r->rdx & ~(uint64_t)PROT_ALL) ||
	    e < s)
		return -EINVAL;
	spin_lock(&p->lock);
	if (!vma_covers(p, s, e) || !vma_room(p))
		err = -ENOMEM;
	while (!err && s < e) {
		const struct cok_vma *v = vma_at(p, s);
		uint64_t end = v->end < e ? v->end : e;

		if (protect_piece(p, s, end, prot, v->flags))
			err = -ENOMEM;
		s = end;
	}
	spin_unlock(&p->lock);
	flush_after(core, p);
	return err;
}

/* ---- mremap --------------------------------------------------------- */

static int64_t mremap_args(uint64_t old, uint64_t old_len, uint64_t new_len,
			   uint64_t flags, uint64_t to)
{
	if ((old & (PAGE_SIZE - 1)) || (flags & ~(MREMAP_MAYMOVE |
						  MREMAP_FIXED)) ||
	    ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)))
		return -EINVAL;
	/* old_len 0 duplicates a shared mapping: none here is one. */
	if (!new_len || !old_len || !user_range(old, old_len))
		return -EINVAL;
	if (!(flags & MREMAP_FIXED))
		return 0;
	if ((to & (PAGE_SIZE - 1)) || !user_range(to, new_len))
		return -EINVAL;
	if (to < old + old_len && old < to + new_len)
		return -EINVAL;		/* the two ranges overlap */
	return 0;
}

/*
 * Under p->lock: [old, old + len) of mapping v moves to the free range
 * at to, where the new mapping is new_len long (len <= new_len).
 */
static int64_t move(struct cok_proc *p, const struct cok_vma *v,
		    uint64_t old, uint64_t len, uint64_t to, uint64_t new_len)
{
	uint32_t prot = v->prot, flags = v->flags;

	vma_cut(p, old, old + len);
	if (as_move(&p->as, old, to, len))
		return -ENOMEM;
	vma_put(p, to, to + new_len, prot, flags);
	if (back(p, to + len, to + new_len, prot, flags))
		return -ENOMEM;
	return (int64_t)to;
}

/* Under p->lock: grow in place, or move when that is allowed. */
static int64_t remap_locked(struct cok_proc *p, uint64_t old, uint64_t len,
			    uint64_t new_len, uint64_t flags, uint64_t to)
{
	const struct cok_vma *v = vma_at(p, old);
	uint64_t end = old + len;

	if (!v || v->end < end || v->start > old || !vma_room(p))
		return -EFAULT;
	if (!rlimit_vm_ok(p, new_len - len))
		return -ENOMEM;
	if (flags & MREMAP_FIXED)
		return move(p, v, old, len, to, new_len);
	if (v->end == end && user_range(end, new_len - len) &&
	    !vma_overlaps(p, end, old + new_len)) {
		uint32_t prot = v->prot, vflags = v->flags;

		if (back(p, end, old + new_len, prot, vflags))
			return -ENOMEM;
		vma_put(p, end, old + new_len, prot, vflags);
		return (int64_t)old;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	to = find_free(p, new_len, old);
	return to ? move(p, v, old, len, to, new_len) : -ENOMEM;
}

int64_t sys_mremap(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	uint64_t old = r->rdi, len = page_up(r->rsi), new_len = page_up(r->rdx);
	uint64_t flags = r->r10, to = r->r8;
	int64_t ret = mremap_args(old, len, new_len, flags, to);

	if (ret)
		return ret;
	if (new_len == len && !(flags & MREMAP_FIXED)) {
		spin_lock(&p->lock);
		ret = vma_covers(p, old, old + len) ? (int64_t)old : -EFAULT;
		spin_unlock(&p->lock);
		return ret;
	}
	if (new_len < len) {			/* the tail goes first */
		spin_lock(&p->lock);
		ret = vma_covers(p, old, old + len) ? 0 : -EFAULT;
		spin_unlock(&p->lock);
		if (ret)
			return ret;
		unmap_range(core, p, old + new_len, old + len);
		len = new_len;
		if (!(flags & MREMAP_FIXED))
			return (int64_t)old;
	}
	if (flags & MREMAP_FIXED)
		unmap_range(core, p, to, to + new_len);
	spin_lock(&p->lock);
	ret = remap_locked(p, old, len, new_len, flags, to);
	spin_unlock(&p->lock);
	flush_after(core, p);
	return ret;
}

/* ---- madvise, msync, mlock ------------------------------------------ */

static bool advice_known(uint64_t advice)
{
	return advice <= MADV_DONTNEED ||
	       (advice >= 8 && advice <= MADV_LAST) ||
	       advice == MADV_HWPOISON || advice == MADV_HWPOISON + 1;
}

/*
 * Under p->lock: the private pages of [s, e) become zeros; a shared
 * mapping's stay as they are (Linux keeps them in its shmem object).
 */
static void zero_private(struct cok_proc *p, uint64_t s, uint64_t e)
{
	while (s < e) {
		const struct cok_vma *v = vma_at(p, s);
		uint64_t end = v->end < e ? v->end : e;

		if (!(v->flags & COK_VMA_SHARED))
			as_zero(&p->as, s, end);
		s = end;
	}
}

/*
 * MADV_DONTNEED: the next touch of an anonymous private page reads
 * zeros.  The pages stay backed and are zeroed now (no TLB entry goes
 * stale).  Other advice is accepted and changes nothing.
 */
int64_t sys_madvise(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	uint64_t s = r->rdi, e = s + page_up(r->rsi), advice = r->rdx;
	int64_t err = 0;

	if ((s & (PAGE_SIZE - 1)) || e < s || !advice_known(advice))
		return -EINVAL;
	spin_lock(&p->lock);
	if (!vma_covers(p, s, e))
		err = -ENOMEM;
	else if (advice == MADV_DONTNEED || advice == MADV_DONTNEED_LOCKED)
		zero_private(p, s, e);
	spin_unlock(&p->lock);
	return err;
}

/* [s, s + len) rounded out to pages is mapped: 0, or -ENOMEM. */
static int64_t mapped(struct cok_proc *p, uint64_t s, uint64_t len)
{
	uint64_t e = page_up(s + len);
	int64_t err;

	s &= ~(PAGE_SIZE - 1);
	if (e < s)
		return -EINVAL;
	spin_lock(&p->lock);
	err = vma_covers(p, s, e) ? 0 : -ENOMEM;
	spin_unlock(&p->lock);
	return err;
}

/* No file mappings yet: nothing to write back. */
int64_t sys_msync(struct cok_kcore *core, struct cok_regs *r)
{
	uint64_t flags = r->rdx;

	if ((r->rdi & (PAGE_SIZE - 1)) ||
	    (flags & ~(uint64_t)(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	return mapped(core->current->proc, r->rdi, r->rsi);
}

/* Memory is never paged out: locking is accepted as it is. */
int64_t sys_mlock(struct cok_kcore *core, struct cok_regs *r)
{
	return mapped(core->current->proc, r->rdi, r->rsi);
}

int64_t sys_mlock2(struct cok_kcore *core, struct cok_regs *r)
{
	if (r->rdx & ~(uint64_t)MLOCK_ONFAULT)
		return -EINVAL;
	return mapped(core->current->proc, r->rdi, r->rsi);
}

int64_t sys_munlock(struct cok_kcore *core, struct cok_regs *r)
{
	return mapped(core->current->proc, r->rdi, r->rsi);
}

int64_t sys_mlockall(struct cok_kcore *core, struct cok_regs *r)
{
	uint64_t flags = r->rdi;

	(void)core;
	if (!flags || (flags & ~(uint64_t)(MCL_CURRENT | MCL_FUTURE |
					   MCL_ONFAULT)) ||
	    flags == MCL_ONFAULT)
		return -EINVAL;
	return 0;
}

int64_t sys_munlockall(struct cok_kcore *core, struct cok_regs *r)
{
	(void)core;
	(void)r;
	return 0;
}

/* ---- faults, dump and restore --------------------------------------- */

/*
 * A page fault on a page not present (error code bit 0 clear) in a
 * lazy mapping the app may access: back it (its 2 MiB page when that
 * lies inside the mapping) and let the instruction run again.  A wrong
 * access there faults again on the present page: SIGSEGV.
 */
/* va lies in a mapping (of any rights): a fault there is SEGV_ACCERR. */
bool vm_mapped(struct cok_proc *p, uint64_t va)
{
	bool in;

	spin_lock(&p->lock);
	in = vma_at(p, va) != NULL;
	spin_unlock(&p->lock);
	return in;
}

bool vm_fault(struct cok_proc *p, const struct cok_regs *r)
{
	uint64_t addr = read_cr2() & ~(PAGE_SIZE - 1), big, room;
	const struct cok_vma *v;
	bool ok = false;

	if (r->vector != 14 || (r->error & 1))
		return false;
	big = addr & ~(SIZE_2M - 1);
	spin_lock(&p->lock);	/* another core may back the same page */
	v = vma_at(p, addr);
	if (v && v->prot && (v->flags & COK_VMA_LAZY)) {
		uint64_t bits = as_prot_bits(v->prot);

		ok = as_lookup(&p->as, addr, &room, false) ||
		     (big >= v->start && big + SIZE_2M <= v->end &&
		      !as_map_bits(&p->as, big, SIZE_2M, bits, true)) ||
		     !as_map_bits(&p->as, addr, PAGE_SIZE, bits, true);
	}
	spin_unlock(&p->lock);
	return ok;
}

/*
 * Before a dump (the app frozen): an image holds the pages the app has,
 * with their rights, PROT_NONE ones among them.  Small reservations not
 * backed yet (a thread stack's guard page) are backed now; a large one
 * (a Go heap reservation) is refused: the reason, or NULL (one that
 * starts with "not enough" is a lack of memory).
 */
const char *vm_dump_check(struct cok_proc *p)
{
	const char *why = NULL;
	uint32_t i;

	spin_lock(&p->lock);
	for (i = 0; i < p->nvma && !why; i++) {
		const struct cok_vma *v = &p->vma[i];

		if (v->prot && !(v->flags & COK_VMA_LAZY))
			continue;
		if (v->end - v->start > DUMP_BACK_MAX) {
			if (as_backed(&p->as, v->start, v->end) <
			    v->end - v->start)
				why = "has a PROT_NONE or MAP_NORESERVE reservation above 1 MiB not backed by memory, which images do not hold yet";
		} else if (as_map_bits(&p->as, v->start, v->end - v->start,
				     as_prot_bits(v->prot), true))
			why = "not enough free memory in the enclave to back the app's reservations for the dump";
	}
	spin_unlock(&p->lock);
	return why;
}

/*
 * A restored app's mappings: the image's regions (its pages, with their
 * rights), then the break and the main stack over them.  The regions
 * were mapped readable for Linux to write them (PROT_NONE ones too):
 * vm_restore_rights() gives those their rights before the app runs.
 */
void vm_restored(struct cok_proc *p, const struct cok_region *g, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		vm_add(p, g[i].va, g[i].va + g[i].len, g[i].prot, 0);
	if (p->brk > p->brk_start)
		vm_add(p, p->brk_start, page_up(p->brk),
		       COK_PROT_READ | COK_PROT_WRITE, 0);
	vm_add(p, COK_USER_STACK_TOP - COK_USER_STACK_SIZE, COK_USER_STACK_TOP,
	       COK_PROT_READ | COK_PROT_WRITE, COK_VMA_STACK);
}

void vm_restore_rights(struct cok_proc *p)
{
	uint32_t i;

	for (i = 0; i < p->nvma; i++)
		if (!p->vma[i].prot)
			as_protect(&p->as, p->vma[i].start, p->vma[i].end,
				   as_prot_bits(0));
	tlb_flush_local();
}
