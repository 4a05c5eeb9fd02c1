// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl-fuzz: random requests to /dev/ckpt_cokernel (xemem/cokdev.h),
 * for a bounded time, from whoever runs it (the guest test runs it as
 * root and as an unprivileged user).  Nothing is checked here but that
 * the requests come back: the verdict is the kernel log's (KASAN,
 * lockdep, BUG/WARNING) and the enclave's health afterwards, both
 * judged by the guest test.
 *
 *   ioctl-fuzz [--seconds N] [--seed S] [--elf FILE] [--fork] [--write]
 *   ioctl-fuzz --check-private --elf FILE [--seg-app ID]
 *
 * Each round opens the device (up to MAX_FDS files at once), sends
 * requests with commands from cokdev.h, the same numbers with wrong
 * sizes or directions, and random ones; their arguments point nowhere
 * (NULL, unmapped, kernel, non-canonical), misaligned, across the end of
 * a mapped page into an unmapped one, into read-only memory, or at
 * structs filled with random and boundary values (with random user
 * pointers inside).  --elf FILE: LAUNCH sometimes gets that real
 * program, so that WAIT/REPLY/KILL and the app mapping see a live app.
 * It also maps the files (MAP_SHARED and MAP_PRIVATE, random lengths,
 * offsets, protections), touches, splits, mprotects and unmaps the
 * mappings, and closes files in random order.  --fork: a third of the
 * way through, a child goes on with its own seed; for a while, both
 * send requests on the same open files (no open or close), to race.
 *
 * It writes through mappings of the device, and hands them to ioctls as
 * buffers, only with --write (the guest test gives it: an app's file has
 * nothing to map since issue 7, and a segment is read-only).  A SIGSEGV or
 * SIGBUS from touching a mapping is caught, counted, and the run goes
 * on; a 10 ms interval timer interrupts a WAIT that would block.
 *
 * The PRNG is seeded (--seed, default 1): a run can be repeated.  The
 * last line is the summary: "ioctl-fuzz: seed S: N rounds, ...".
 *
 * --check-private: LAUNCH FILE, then any mmap of the app's file must
 * fail with EINVAL (a proxy maps nothing); with --seg-app ID (a frozen
 * app), MAP_PRIVATE of a segment of it must fail with EINVAL, MAP_SHARED
 * must work and be readable.  One line
 * per check ("ok ..." / "not ok ..."), exit 1 if one failed.
 *
 * Exit status: 0 done, 1 a check failed (or the forked child did not
 * end with 0), 2 usage, 3 no device or set-up failed, 99 a fault outside
 * a touch (a bug of the fuzzer: where it was is on stderr).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "../xemem/app.h"
#include "../xemem/cokdev.h"
#include "../xemem/state.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PAGE		4096UL
#define MIB		(1024UL * 1024)
#define MAX_FDS		4
#define MAX_MAPS	16
#define MAX_IDS		16
#define ARENA_PAGES	32	/* room for a restore block and regions */
#define TIMER_US	10000	/* interrupts a blocking WAIT */
#define ROUND_OPS	24	/* requests per round, at most */
#define ARG_MAX_SIZE	512	/* the largest struct of cokdev.h fits */

struct map {
	void *addr;
	size_t len;
	int prot;
};

/* What a file of ours is bound to, as far as the fuzzer knows. */
enum fd_kind { FD_NEW, FD_APP, FD_SEG };

struct stats {
	unsigned long rounds, ioctls, ioctl_ok, mmaps, mmap_ok;
	unsigned long private_tried, private_mapped, touches, faults;
	unsigned long launched, restored, events, segs_made, forks;
};

struct fz {
	uint64_t rng;
	int fds[MAX_FDS];
	enum fd_kind kind[MAX_FDS];
	int nfds;
	struct map maps[MAX_MAPS];
	int nmaps;
	uint8_t *arena;		/* ARENA_PAGES read-write, then a guard page */
	uint8_t *guard;		/* PROT_NONE: structs that cross into it */
	uint8_t *rdonly;	/* one read-only page */
	uint8_t *unmapped;	/* an address with nothing mapped, ever */
	const uint8_t *elf;
	size_t elf_size;
	uint32_t app_ids[MAX_IDS], seg_ids[MAX_IDS];
	uint64_t mem_bytes, seg_bytes;
	bool write;
	const char *who;
	struct stats st;
};

static sigjmp_buf touch_env;
static volatile sig_atomic_t touching;
static const char *volatile doing = "set-up";	/* for a fault report */

/* ---- PRNG (xorshift64*), deterministic per seed ------------------------ */

static uint64_t rnd(struct fz *z)
{
	z->rng ^= z->rng >> 12;
	z->rng ^= z->rng << 25;
	z->rng ^= z->rng >> 27;
	return z->rng * 0x2545f4914f6cdd1dULL;
}

static uint64_t below(struct fz *z, uint64_t n)
{
	return n ? rnd(z) % n : 0;
}

static bool chance(struct fz *z, unsigned int pct)
{
	return below(z, 100) < pct;
}

static uint64_t pick(struct fz *z, const uint64_t *v, size_t n)
{
	return v[below(z, n)];
}

#define PICK(z, ...) ({							\
	const uint64_t v__[] = { __VA_ARGS__ };				\
	pick((z), v__, ARRAY_SIZE(v__));				\
})

/* A 64-bit value that is often a boundary. */
static uint64_t edgy64(struct fz *z)
{
	switch (below(z, 6)) {
	case 0:
		return PICK(z, 0, 1, 2, 0x7f, 0x80, 0xff, 0xfff, 0x1000,
			    0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
			    0x7fffffffffffffffULL, 0x8000000000000000ULL,
			    ~0ULL, ~0ULL - 1);
	case 1:
		return 1ULL << below(z, 64);
	case 2:
		return (1ULL << below(z, 64)) - 1;
	case 3:
		return below(z, 64);
	default:
		return rnd(z);
	}
}

static uint32_t edgy32(struct fz *z)
{
	return (uint32_t)(chance(z, 50) ? edgy64(z) : below(z, 40));
}

static void fill_random(struct fz *z, void *p, size_t n)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)rnd(z);
}

/* ---- pointers ----------------------------------------------------------- */

/* A readable device mapping (never a writable one: see the header). */
static void *map_ptr(struct fz *z)
{
	int i;

	for (i = 0; i < z->nmaps; i++) {
		struct map *m = &z->maps[(i + below(z, MAX_MAPS)) % z->nmaps];

		if ((m->prot & PROT_READ) && (z->write || !(m->prot & PROT_WRITE)))
			return (uint8_t *)m->addr + below(z, m->len / PAGE) * PAGE;
	}
	return NULL;
}

/*
 * A pointer for an argument of size bytes.  *valid says it points at
 * size bytes of the arena the caller may fill.
 */
static uint64_t bad_ptr(struct fz *z, size_t size, bool *valid)
{
	uint64_t room = ARENA_PAGES * PAGE - size;

	*valid = false;
	switch (below(z, 12)) {
	case 0:
		return 0;
	case 1:
		return 1 + below(z, PAGE - 1);
	case 2:
		return (uint64_t)(uintptr_t)z->unmapped + below(z, PAGE);
	case 3:
		return PICK(z, 0xffffffff81000000ULL, 0xffff888000000000ULL,
			    0xffff888000100000ULL, 0xffffc90000000000ULL,
			    0xffffea0000000000ULL, ~0ULL - 7, ~0ULL - 4095);
	case 4:
		return PICK(z, 0x0000800000000000ULL, 0x00007ffffffff000ULL,
			    0x00007fffffffffffULL, 0x8000000000000000ULL,
			    0x0000800000000000ULL - 8);
	case 5:		/* across the end of the arena into the guard page */
		if (size < 2)
			return (uint64_t)(uintptr_t)z->guard;
		return (uint64_t)(uintptr_t)(z->guard - 1 - below(z, size - 1));
	case 6:
		return (uint64_t)(uintptr_t)(z->rdonly + below(z, PAGE));
	case 7:
		return (uint64_t)(uintptr_t)map_ptr(z);
	case 8:
		return rnd(z);
	case 9:		/* misaligned, but all there */
		*valid = true;
		return (uint64_t)(uintptr_t)(z->arena + 1 + below(z, 7));
	default:
		*valid = true;
		return (uint64_t)(uintptr_t)(z->arena + (below(z, room) & ~7UL));
	}
}

/* Mostly a valid pointer at size bytes of the arena; sometimes not. */
static uint64_t user_ptr(struct fz *z, size_t size, bool *valid)
{
	if (chance(z, 25))
		return bad_ptr(z, size, valid);
	*valid = true;
	return (uint64_t)(uintptr_t)(z->arena + ARENA_PAGES * PAGE / 2);
}

/* ---- struct contents ------------------------------------------------------ */

static uint32_t some_app(struct fz *z)
{
	if (chance(z, 50))
		return z->app_ids[below(z, MAX_IDS)];
	return chance(z, 70) ? (uint32_t)below(z, 32) : edgy32(z);
}

static uint32_t some_seg(struct fz *z)
{
	if (chance(z, 50))
		return z->seg_ids[below(z, MAX_IDS)];
	return chance(z, 70) ? (uint32_t)below(z, 32) : edgy32(z);
}

static void remember(uint32_t *ids, uint32_t id)
{
	memmove(ids + 1, ids, (MAX_IDS - 1) * sizeof(*ids));
	ids[0] = id;
}

static int32_t some_core(struct fz *z)
{
	return (int32_t)(chance(z, 60) ? PICK(z, -1, 0, 1, 2, 3, -2) :
			 edgy32(z));
}

/* argv/envp strings for LAUNCH/RESTORE: "fuzz\0a\0b\0" or garbage. */
static void fill_strings(struct fz *z, __u64 *ptr, __u64 *size,
			 __u32 *argc, __u32 *envc)
{
	static const char good[] = "fuzz\0-x\0COK=1";
	uint8_t *s = z->arena + ARENA_PAGES * PAGE - 2 * PAGE;
	bool valid;

	*ptr = chance(z, 80) ? (uint64_t)(uintptr_t)s : bad_ptr(z, 64, &valid);
	memcpy(s, good, sizeof(good));
	*size = chance(z, 70) ? sizeof(good) :
		PICK(z, 0, 1, sizeof(good) - 1, PAGE, COK_STRINGS_MAX,
		     COK_STRINGS_MAX + 1, ~0ULL, 1ULL << 40);
	if (chance(z, 10))
		fill_random(z, s, PAGE);
	*argc = chance(z, 70) ? 2 : edgy32(z);
	*envc = chance(z, 70) ? 1 : edgy32(z);
}

static void fill_launch(struct fz *z, struct cok_ioc_launch *l)
{
	bool valid;

	fill_random(z, l, sizeof(*l));
	l->enclave = chance(z, 70) ? 0 : edgy32(z);
	l->core = some_core(z);
	if (z->elf && chance(z, 60)) {
		l->elf = (uint64_t)(uintptr_t)z->elf;
		l->elf_size = chance(z, 80) ? z->elf_size :
			      PICK(z, 1, 63, 64, z->elf_size - 1,
				   z->elf_size + PAGE, COK_ELF_MAX);
	} else {
		l->elf = bad_ptr(z, 4096, &valid);
		if (valid)
			fill_random(z, (void *)(uintptr_t)l->elf, 256);
		l->elf_size = PICK(z, 0, 1, 64, 4096, COK_ELF_MAX,
				   COK_ELF_MAX + 1, ~0ULL, 1ULL << 63);
	}
	fill_strings(z, &l->strings, &l->strings_size, &l->argc, &l->envc);
	l->private_fds[0] = chance(z, 50) ? -1 : (int32_t)edgy32(z);
	l->private_fds[1] = -1;
}

static void fill_region(struct fz *z, struct cok_region *g, uint64_t *va)
{
	uint64_t len = (1 + below(z, 16)) * PAGE;

	if (chance(z, 85)) {
		g->va = *va;
		g->len = len;
		*va += len + below(z, 4) * PAGE;
	} else {
		g->va = edgy64(z);
		g->len = edgy64(z);
	}
	g->prot = (uint32_t)(chance(z, 80) ? below(z, 8) : edgy32(z));
	g->pad = 0;
}

static uint64_t user_va(struct fz *z)
{
	return chance(z, 80) ? 0x400000 + below(z, 0x100000) :
			       edgy64(z);
}

static void fill_thread(struct fz *z, struct cok_thread_rec *t, uint32_t i)
{
	uint32_t mxcsr = chance(z, 80) ? 0x1f80 : edgy32(z);

	t->st.regs.rip = user_va(z);
	t->st.regs.rsp = user_va(z);
	t->st.regs.fs_base = chance(z, 50) ? 0 : user_va(z);
	t->st.regs.gs_base = chance(z, 50) ? 0 : user_va(z);
	t->st.regs.rflags = chance(z, 70) ? 0x202 : edgy64(z);
	t->st.xcr0 = chance(z, 50) ? 0 : PICK(z, 1, 3, 7, 0xe7, ~0ULL);
	t->st.xstate_size = chance(z, 70) ?
		(t->st.xcr0 ? 576 + 256 * (uint32_t)below(z, 2) :
			      COK_FXSAVE_SIZE) : edgy32(z);
	t->ids = (struct cok_thread_ids){
		.tid = chance(z, 80) ? 100 + i : edgy32(z),
		.clear_child_tid = chance(z, 70) ? 0 : user_va(z),
	};
	memset(t->xstate, 0, sizeof(t->xstate));
	memcpy(t->xstate + 24, &mxcsr, sizeof(mxcsr));
	if (chance(z, 20))
		fill_random(z, t->xstate, sizeof(t->xstate));
}

#define FUZZ_MAX_RESTORE_THREADS	3

/* A restore block with up to a few regions in the arena; its size. */
static uint64_t fill_block(struct fz *z, struct cok_restore_block *b)
{
	uint32_t n = (uint32_t)below(z, 6), i;
	uint64_t va = 0x400000;

	uint32_t nt = 1 + (uint32_t)below(z, FUZZ_MAX_RESTORE_THREADS);
	uint64_t at = (sizeof(*b) + n * sizeof(b->regions[0]) + 63) & ~63ULL;
	struct cok_thread_rec *t = (void *)((uint8_t *)b + at);

	fill_random(z, b, sizeof(*b));
	for (i = 0; i < nt; i++)
		fill_thread(z, &t[i], i);
	b->nthreads = chance(z, 85) ? nt : edgy32(z);
	b->threads_offset = chance(z, 85) ? at : edgy64(z);
	b->flags = chance(z, 50) ? COK_RESTORE_FILLS_ALL : edgy64(z);
	b->mm.nregions = chance(z, 85) ? n : edgy32(z);
	b->mm.brk_start = b->mm.brk = 0x600000;
	b->mm.mmap_next = 0x7f0000000000ULL;
	for (i = 0; i < n; i++)
		fill_region(z, &b->regions[i], &va);
	return chance(z, 80) ? at + nt * sizeof(*t) :
	       PICK(z, 0, 1, sizeof(*b) - 1, sizeof(*b),
		    sizeof(*b) + COK_RESTORE_MAX_REGIONS *
		    sizeof(struct cok_region),
		    sizeof(*b) + COK_RESTORE_MAX_REGIONS *
		    sizeof(struct cok_region) + 1, ~0ULL);
}

static void fill_restore(struct fz *z, struct cok_ioc_restore *r)
{
	struct cok_restore_block *b = (void *)z->arena;
	bool valid = true;

	fill_random(z, r, sizeof(*r));
	r->enclave = chance(z, 70) ? 0 : edgy32(z);
	r->core = some_core(z);
	r->block = chance(z, 80) ? (uint64_t)(uintptr_t)b :
		   bad_ptr(z, sizeof(*b), &valid);
	r->block_size = fill_block(z, b);
	fill_strings(z, &r->strings, &r->strings_size, &r->argc, &r->envc);
	r->private_fds[0] = r->private_fds[1] = -1;
}

static void fill_seg_get(struct fz *z, struct cok_ioc_seg_get *g)
{
	bool valid;

	fill_random(z, g, sizeof(*g));
	g->segid = some_seg(z);
	g->max_runs = chance(z, 50) ? (uint32_t)below(z, 8) : edgy32(z);
	g->runs = chance(z, 20) ? 0 : bad_ptr(z, 8 * sizeof(struct cok_seg_run),
					      &valid);
	g->state = chance(z, 30) ? 0 : bad_ptr(z, sizeof(struct cok_frozen_app),
					       &valid);
	g->strings = chance(z, 30) ? 0 : bad_ptr(z, 256, &valid);
	g->strings_max = chance(z, 50) ? 256 : edgy64(z);
}

/* ---- requests ------------------------------------------------------------- */

struct cmd {
	unsigned long nr;
	size_t size;
	void (*fill)(struct fz *z, void *arg);
};

static void f_launch(struct fz *z, void *a) { fill_launch(z, a); }
static void f_restore(struct fz *z, void *a) { fill_restore(z, a); }
static void f_get(struct fz *z, void *a) { fill_seg_get(z, a); }

static void f_make(struct fz *z, void *a)
{
	struct cok_ioc_seg_make *mk = a;

	fill_random(z, mk, sizeof(*mk));
	mk->app_id = some_app(z);
	mk->perms = chance(z, 70) ? COK_SEG_READ : edgy32(z);
}

static void f_attach(struct fz *z, void *a)
{
	struct cok_ioc_seg_attach *at = a;

	at->segid = some_seg(z);
	at->perms = chance(z, 60) ? COK_SEG_READ : edgy32(z);
}

static void f_u32_seg(struct fz *z, void *a)
{
	uint32_t v = some_seg(z);

	memcpy(a, &v, sizeof(v));
}

static void f_s64(struct fz *z, void *a)
{
	int64_t v = (int64_t)(chance(z, 50) ? PICK(z, 0, 1, 5, -1, -14, -4095,
						   -4096) : edgy64(z));

	memcpy(a, &v, sizeof(v));
}

/* JOIN: one of our open files (bound or not), a closed number or junk. */
static void f_join_fd(struct fz *z, void *a)
{
	int32_t v = z->nfds && chance(z, 80) ? z->fds[below(z, z->nfds)] :
		    (int32_t)PICK(z, -1, 0, 2, 1023, 0x7fffffff);

	memcpy(a, &v, sizeof(v));
}

static void f_random(struct fz *z, void *a) { fill_random(z, a, 256); }

/* An app address: low, the usual text and stack, the top, or anything. */
static uint64_t app_va(struct fz *z)
{
	return chance(z, 60) ? PICK(z, 0, 0x1000, 0x10000, 0x400000,
				    0x7ffffffde000ULL, 0x7ffffffff000ULL,
				    0x800000000000ULL) + below(z, 8192) :
			       edgy64(z);
}

static void fill_app_mem(struct fz *z, struct cok_ioc_app_mem *m)
{
	bool valid;

	fill_random(z, m, sizeof(*m));
	m->va = app_va(z);
	m->len = chance(z, 70) ? below(z, 3 * PAGE) : edgy64(z);
	m->buf = chance(z, 80) ? bad_ptr(z, 2 * PAGE, &valid) : edgy64(z);
	m->op = chance(z, 80) ? (uint32_t)below(z, COK_MEM_PROBE_WRITE + 2) :
				edgy32(z);
	m->pad = chance(z, 90) ? 0 : edgy32(z);
}

static void f_app_mem(struct fz *z, void *a) { fill_app_mem(z, a); }

static void f_reply_mem(struct fz *z, void *a)
{
	struct cok_ioc_reply_mem *r = a;

	fill_app_mem(z, &r->mem);
	if (chance(z, 70))
		r->mem.op = COK_MEM_WRITE;
	r->ret = (int64_t)(chance(z, 50) ? r->mem.len : edgy64(z));
	r->replied = (uint32_t)rnd(z);
	r->pad = chance(z, 90) ? 0 : edgy32(z);
}

_Static_assert(sizeof(struct cok_ioc_restore) <= ARG_MAX_SIZE &&
	       sizeof(struct cok_ioc_launch) <= ARG_MAX_SIZE &&
	       sizeof(struct cok_ioc_seg_get) <= ARG_MAX_SIZE &&
	       sizeof(struct cok_ioc_event) <= ARG_MAX_SIZE, "ARG_MAX_SIZE");

static const struct cmd cmds[] = {
	{ COK_IOC_LAUNCH, sizeof(struct cok_ioc_launch), f_launch },
	{ COK_IOC_WAIT, sizeof(struct cok_ioc_event), f_random },
	{ COK_IOC_REPLY, sizeof(int64_t), f_s64 },
	{ COK_IOC_KILL, 0, NULL },
	{ COK_IOC_RESTORE, sizeof(struct cok_ioc_restore), f_restore },
	{ COK_IOC_RESUME, 0, NULL },
	{ COK_IOC_SEG_MAKE, sizeof(struct cok_ioc_seg_make), f_make },
	{ COK_IOC_SEG_GET, sizeof(struct cok_ioc_seg_get), f_get },
	{ COK_IOC_SEG_ATTACH, sizeof(struct cok_ioc_seg_attach), f_attach },
	{ COK_IOC_SEG_DETACH, 0, NULL },
	{ COK_IOC_SEG_REMOVE, sizeof(uint32_t), f_u32_seg },
	{ COK_IOC_APP_MEM, sizeof(struct cok_ioc_app_mem), f_app_mem },
	{ COK_IOC_REPLY_MEM, sizeof(struct cok_ioc_reply_mem), f_reply_mem },
	{ COK_IOC_JOIN, sizeof(int32_t), f_join_fd },
};

/*
 * A command number: a real one; its nr with another size or direction;
 * an unknown nr of our magic; or anything whose type byte is not one the
 * VFS serves itself for every file (FIFREEZE, FIONBIO, FIBMAP, ...).
 */
static unsigned long pick_cmd(struct fz *z, const struct cmd **c)
{
	unsigned long nr;
	uint8_t type;

	*c = &cmds[below(z, ARRAY_SIZE(cmds))];
	switch (below(z, 10)) {
	case 0:
		return _IOC(below(z, 4), COK_IOC_MAGIC, _IOC_NR((*c)->nr),
			    (*c)->size);
	case 1:
		return _IOC(_IOC_DIR((*c)->nr), COK_IOC_MAGIC,
			    _IOC_NR((*c)->nr), below(z, 1U << _IOC_SIZEBITS));
	case 2:
		return _IOC(below(z, 4), COK_IOC_MAGIC, below(z, 256),
			    below(z, 1U << _IOC_SIZEBITS));
	case 3:
		nr = (unsigned long)rnd(z) & 0xffffffffUL;
		type = _IOC_TYPE(nr);
		if (type == 0 || type == 'T' || type == 'X' || type == 'f' ||
		    type == 0x94 || type == 0x12 || type == 0x15)
			nr = (nr & ~(0xffUL << _IOC_TYPESHIFT)) |
			     ((unsigned long)COK_IOC_MAGIC << _IOC_TYPESHIFT);
		return nr;
	default:
		return (*c)->nr;
	}
}

static void learn(struct fz *z, unsigned long nr, const void *arg)
{
	const struct cok_ioc_launch *l = arg;
	const struct cok_ioc_restore *r = arg;
	const struct cok_ioc_seg_make *mk = arg;

	if (nr == COK_IOC_LAUNCH) {
		z->st.launched++;
		remember(z->app_ids, l->app_id);
		z->mem_bytes = l->mem_bytes;
	} else if (nr == COK_IOC_RESTORE) {
		z->st.restored++;
		remember(z->app_ids, r->app_id);
		z->mem_bytes = r->mem_bytes;
	} else if (nr == COK_IOC_SEG_MAKE) {
		z->st.segs_made++;
		remember(z->seg_ids, mk->segid);
		z->seg_bytes = mk->bytes;
	} else if (nr == COK_IOC_WAIT) {
		z->st.events++;
	}
}

static int some_fd(struct fz *z, int *slot)
{
	*slot = (int)below(z, z->nfds);
	return z->fds[*slot];
}

/* A file of that kind if there is one (else any); its slot. */
static int fd_of_kind(struct fz *z, enum fd_kind k, int *slot)
{
	int i, at = (int)below(z, z->nfds);

	for (i = 0; i < z->nfds; i++) {
		*slot = (at + i) % z->nfds;
		if (z->kind[*slot] == k)
			return z->fds[*slot];
	}
	return some_fd(z, slot);
}

static void do_ioctl(struct fz *z)
{
	const struct cmd *c;
	unsigned long nr = pick_cmd(z, &c);
	size_t size = c->size ? c->size : 64;
	uint64_t arg;
	bool valid;
	int slot, fd = some_fd(z, &slot);
	/* Filled aligned, then copied to where arg points (maybe not). */
	_Alignas(8) uint8_t tmp[ARG_MAX_SIZE];

	doing = "filling an ioctl argument";
	arg = user_ptr(z, size, &valid);
	if (c->fill)
		c->fill(z, tmp);
	else
		fill_random(z, tmp, size);
	if (valid)
		memcpy((void *)(uintptr_t)arg, tmp, size);
	if (!c->size && chance(z, 50)) {
		arg = edgy64(z);	/* an argument nobody reads */
		valid = false;
	}
	z->st.ioctls++;
	doing = "an ioctl";
	if (ioctl(fd, nr, (void *)(uintptr_t)arg) == 0) {
		z->st.ioctl_ok++;
		doing = "reading an ioctl's answer";
		if (valid && nr == c->nr) {
			memcpy(tmp, (void *)(uintptr_t)arg, size);
			learn(z, nr, tmp);
		}
		if (nr == COK_IOC_LAUNCH || nr == COK_IOC_RESTORE)
			z->kind[slot] = FD_APP;
		if (nr == COK_IOC_SEG_ATTACH)
			z->kind[slot] = FD_SEG;
		if (nr == COK_IOC_SEG_DETACH)
			z->kind[slot] = FD_NEW;
	}
}

/* ---- mappings ------------------------------------------------------------- */

/* A fault outside a touch is a bug of ours: say where, exit 99. */
static void on_fault(int sig, siginfo_t *si, void *uc)
{
	char msg[160];
	int n;

	if (touching)
		siglongjmp(touch_env, 1);
	n = snprintf(msg, sizeof(msg),
		     "ioctl-fuzz: signal %d (code %d) at %p, rip %#llx, outside a touch, in %s\n",
		     sig, si->si_code, si->si_addr,
		     (unsigned long long)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP],
		     doing);
	if (write(2, msg, n) < 0)
		n = 0;
	_exit(99);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* Read (or with --write, sometimes write) a few pages of a mapping. */
static void touch(struct fz *z, struct map *m)
{
	volatile uint8_t *p;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		p = (volatile uint8_t *)m->addr + below(z, m->len / PAGE) * PAGE +
		    below(z, PAGE);
		z->st.touches++;
		touching = 1;
		if (sigsetjmp(touch_env, 1) == 0) {
			if (z->write && (m->prot & PROT_WRITE) && chance(z, 30))
				*p = (uint8_t)rnd(z);
			else
				(void)*p;
		} else {
			z->st.faults++;
		}
		touching = 0;
	}
}

static void drop_map(struct fz *z, int i)
{
	munmap(z->maps[i].addr, z->maps[i].len);
	z->maps[i] = z->maps[--z->nmaps];
}

static size_t map_len(struct fz *z, enum fd_kind k)
{
	uint64_t whole = k == FD_SEG ? z->seg_bytes : z->mem_bytes;

	if (k != FD_NEW && whole && chance(z, 60))
		return PICK(z, PAGE, 2 * PAGE, 2 * MIB, whole, whole - PAGE,
			    whole + PAGE, (1 + below(z, whole / PAGE)) * PAGE);
	switch (below(z, 5)) {
	case 0:
		return (1 + below(z, 4)) * PAGE;
	case 1:
		return PICK(z, 2 * MIB, 2 * MIB + PAGE, 4 * MIB, 64 * MIB,
			    1024 * MIB, 0, 1);
	case 2:
		return z->mem_bytes ? z->mem_bytes : PAGE;
	case 3:
		return z->seg_bytes ? z->seg_bytes : PAGE;
	default:
		return (1 + below(z, 1024)) * PAGE;
	}
}

/* Split, protect or remap a mapping in place; maybe unmap it. */
static void reshape(struct fz *z, int i)
{
	struct map *m = &z->maps[i];
	int prot;

	doing = "reshaping a mapping";
	switch (below(z, 6)) {
	case 0:
		drop_map(z, i);
		break;
	case 1:		/* a hole in the middle: two mappings */
		if (m->len >= 3 * PAGE)
			munmap((uint8_t *)m->addr + PAGE, PAGE);
		break;
	case 2:
		prot = (int)below(z, 8);
		if (!z->write)
			prot &= ~PROT_WRITE;
		if (mprotect(m->addr, m->len, prot) == 0)
			m->prot = prot;
		break;
	case 3:
		madvise(m->addr, m->len, chance(z, 50) ? MADV_DONTNEED :
					 MADV_DONTFORK);
		break;
	case 4: {
		void *p = mremap(m->addr, m->len, m->len * 2, MREMAP_MAYMOVE);

		if (p != MAP_FAILED) {
			m->addr = p;
			m->len *= 2;
		}
		break;
	}
	default:
		break;
	}
}

static void do_mmap(struct fz *z)
{
	static const int flag_set[] = {
		MAP_SHARED, MAP_SHARED, MAP_PRIVATE, MAP_SHARED | MAP_POPULATE,
		MAP_PRIVATE | MAP_POPULATE, MAP_SHARED_VALIDATE,
		MAP_SHARED | MAP_NORESERVE,
	};
	int slot, fd = chance(z, 70) ?
		fd_of_kind(z, chance(z, 50) ? FD_APP : FD_SEG, &slot) :
		some_fd(z, &slot);
	int flags = flag_set[below(z, ARRAY_SIZE(flag_set))];
	int prot = (int)PICK(z, PROT_READ, PROT_READ, PROT_READ | PROT_WRITE,
			     PROT_NONE, PROT_READ | PROT_EXEC, PROT_WRITE);
	size_t len = map_len(z, z->kind[slot]);
	off_t off = chance(z, 75) ? 0 :
		    (off_t)PICK(z, PAGE, 2 * MIB, 1ULL << 40, 0x7ffffffff000ULL);
	void *p;

	if (z->nmaps == MAX_MAPS)
		drop_map(z, (int)below(z, z->nmaps));
	doing = "mmap";
	z->st.mmaps++;
	if (!(flags & MAP_SHARED))
		z->st.private_tried++;
	p = mmap(NULL, len, prot, flags, fd, off);
	if (p == MAP_FAILED)
		return;
	z->st.mmap_ok++;
	if (!(flags & MAP_SHARED))
		z->st.private_mapped++;
	z->maps[z->nmaps++] = (struct map){ p, len, prot };
	if (prot & PROT_READ)
		touch(z, &z->maps[z->nmaps - 1]);
	reshape(z, z->nmaps - 1);
}

/* ---- files ----------------------------------------------------------------- */

static void open_one(struct fz *z)
{
	static const int modes[] = { O_RDWR, O_RDWR, O_RDONLY, O_WRONLY,
				     O_RDWR | O_NONBLOCK };
	int fd;

	doing = "open";
	if (z->nfds == MAX_FDS)
		return;
	fd = open(COK_DEV_PATH, modes[below(z, ARRAY_SIZE(modes))] | O_CLOEXEC);
	if (fd < 0)
		return;
	z->kind[z->nfds] = FD_NEW;
	z->fds[z->nfds++] = fd;
}

static void close_one(struct fz *z)
{
	int i = (int)below(z, z->nfds);

	doing = "close";
	close(z->fds[i]);
	z->nfds--;
	z->fds[i] = z->fds[z->nfds];
	z->kind[i] = z->kind[z->nfds];
}

/* Some WAITs, answered (or not) with REPLY: the app's calls go on. */
static void serve(struct fz *z)
{
	struct cok_ioc_event ev;
	int64_t ret;
	int slot, fd = fd_of_kind(z, FD_APP, &slot);
	int i;

	doing = "WAIT/REPLY";
	for (i = 0; i < 4; i++) {
		z->st.ioctls++;
		if (ioctl(fd, COK_IOC_WAIT, &ev) < 0)
			return;
		z->st.ioctl_ok++;
		z->st.events++;
		if (ev.kind != COK_EV_SYSCALL)
			return;
		ret = chance(z, 50) ? (int64_t)ev.arg[2] : (int64_t)edgy64(z);
		z->st.ioctls++;
		if (ioctl(fd, COK_IOC_REPLY, &ret) == 0)
			z->st.ioctl_ok++;
	}
}

/* ---- well-formed requests, so that the paths behind them are reached ---- */

static void good_launch(struct fz *z)
{
	static const char strings[] = "fuzz\0-x\0COK=1";
	struct cok_ioc_launch l = {
		.core = -1, .elf = (uint64_t)(uintptr_t)z->elf,
		.elf_size = z->elf_size,
		.strings = (uint64_t)(uintptr_t)strings,
		.strings_size = sizeof(strings), .argc = 2, .envc = 1,
		.private_fds = { -1, -1 },
	};
	int slot, fd = fd_of_kind(z, FD_NEW, &slot);

	if (!z->elf || z->kind[slot] != FD_NEW)
		return;
	z->st.ioctls++;
	if (ioctl(fd, COK_IOC_LAUNCH, &l))
		return;
	z->st.ioctl_ok++;
	z->kind[slot] = FD_APP;
	learn(z, COK_IOC_LAUNCH, &l);
}

/* One region of code that is all zeros: the app faults at once. */
#define GOOD_THREADS_AT	((sizeof(struct cok_restore_block) + \
			  sizeof(struct cok_region) + 63) & ~63UL)

static void good_restore(struct fz *z)
{
	struct cok_restore_block *b = (void *)z->arena;
	struct cok_ioc_restore r = {
		.core = -1, .block = (uint64_t)(uintptr_t)b,
		.block_size = GOOD_THREADS_AT + sizeof(struct cok_thread_rec),
		.strings = (uint64_t)(uintptr_t)"fuzz", .strings_size = 5,
		.argc = 1, .private_fds = { -1, -1 },
	};
	struct cok_thread_rec *t = (void *)((uint8_t *)b + GOOD_THREADS_AT);
	uint32_t mxcsr = 0x1f80;
	int slot, fd = fd_of_kind(z, FD_NEW, &slot);

	if (z->kind[slot] != FD_NEW)
		return;
	memset(b, 0, GOOD_THREADS_AT + sizeof(*t));
	b->nthreads = 1;
	b->threads_offset = GOOD_THREADS_AT;
	t->st.regs.rip = 0x400000;
	t->st.regs.rsp = 0x402000;
	t->st.regs.rflags = 0x202;
	t->st.xstate_size = COK_FXSAVE_SIZE;
	memcpy(t->xstate + 24, &mxcsr, sizeof(mxcsr));
	b->flags = COK_RESTORE_FILLS_ALL;
	b->mm.nregions = 1;
	b->regions[0] = (struct cok_region){ 0x400000, 2 * PAGE,
					     COK_PROT_READ | COK_PROT_WRITE |
					     COK_PROT_EXEC, 0 };
	z->st.ioctls++;
	if (ioctl(fd, COK_IOC_RESTORE, &r))
		return;
	z->st.ioctl_ok++;
	z->kind[slot] = FD_APP;
	learn(z, COK_IOC_RESTORE, &r);
	if (chance(z, 50) && ioctl(fd, COK_IOC_RESUME) == 0)
		z->st.ioctl_ok++;
}

/* A segment of some frozen app (the test's), attached to a new file. */
static void good_segment(struct fz *z)
{
	struct cok_ioc_seg_make mk = { .app_id = some_app(z),
				       .perms = COK_SEG_READ };
	struct cok_ioc_seg_attach at = { .perms = COK_SEG_READ };
	int slot, fd = fd_of_kind(z, FD_NEW, &slot);

	z->st.ioctls++;
	if (ioctl(fd, COK_IOC_SEG_MAKE, &mk) == 0) {
		z->st.ioctl_ok++;
		learn(z, COK_IOC_SEG_MAKE, &mk);
	}
	if (z->kind[slot] != FD_NEW)
		return;
	at.segid = some_seg(z);
	z->st.ioctls++;
	if (ioctl(fd, COK_IOC_SEG_ATTACH, &at))
		return;
	z->st.ioctl_ok++;
	z->kind[slot] = FD_SEG;
}

static void good_request(struct fz *z)
{
	doing = "a well-formed request";
	switch (below(z, 3)) {
	case 0:
		good_launch(z);
		break;
	case 1:
		good_restore(z);
		break;
	default:
		good_segment(z);
		break;
	}
}

static void round_once(struct fz *z)
{
	int n = 1 + (int)below(z, ROUND_OPS), i;

	z->st.rounds++;
	doing = "a round";
	open_one(z);
	for (i = 0; i < n; i++) {
		if (!z->nfds) {
			open_one(z);
			if (!z->nfds)
				return;
		}
		switch (below(z, 16)) {
		case 0:
			open_one(z);
			break;
		case 1:
			close_one(z);
			break;
		case 2:
		case 3:
			do_mmap(z);
			break;
		case 4:
			serve(z);
			break;
		case 6:
			good_request(z);
			break;
		case 5:
			if (z->nmaps)
				reshape(z, (int)below(z, z->nmaps));
			break;
		default:
			do_ioctl(z);
			break;
		}
	}
	/* Files and mappings outlive rounds, but not for ever. */
	doing = "the end of a round";
	while (z->nfds > 1 && chance(z, 50))
		close_one(z);
	if (z->nmaps && chance(z, 30))
		drop_map(z, (int)below(z, z->nmaps));
}

static void cleanup(struct fz *z)
{
	while (z->nmaps)
		drop_map(z, z->nmaps - 1);
	while (z->nfds)
		close_one(z);
}

/* ---- set-up ---------------------------------------------------------------- */

/*
 * Far below where mmap(NULL, ...) places anything (top-down from the
 * stack) and above a static binary's brk: nothing gets mapped there.
 * The first of them that is free now (a sanitizer may hold one).
 */
static const uint64_t unmapped_at[] = {
	0x200000000ULL, 0x100000000000ULL, 0x500000000000ULL,
};

static uint8_t *find_unmapped(void)
{
	size_t i;
	void *u;

	for (i = 0; i < ARRAY_SIZE(unmapped_at); i++) {
		u = mmap((void *)(uintptr_t)unmapped_at[i], PAGE, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			 -1, 0);
		if (u == (void *)(uintptr_t)unmapped_at[i]) {
			munmap(u, PAGE);
			return u;
		}
		if (u != MAP_FAILED)
			munmap(u, PAGE);	/* a kernel without NOREPLACE */
	}
	return NULL;
}

static int setup_memory(struct fz *z)
{
	uint8_t *a = mmap(NULL, (ARENA_PAGES + 2) * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (a == MAP_FAILED)
		return -1;
	z->arena = a;
	z->guard = a + ARENA_PAGES * PAGE;
	z->rdonly = z->guard + PAGE;
	if (mprotect(z->guard, PAGE, PROT_NONE) ||
	    mprotect(z->rdonly, PAGE, PROT_READ))
		return -1;
	z->unmapped = find_unmapped();
	if (!z->unmapped)
		return -1;
	return 0;
}

static int setup_signals(void)
{
	struct sigaction sa = { .sa_sigaction = on_fault,
				.sa_flags = SA_SIGINFO };
	struct itimerval it = {
		.it_interval = { 0, TIMER_US }, .it_value = { 0, TIMER_US },
	};

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL) || sigaction(SIGBUS, &sa, NULL))
		return -1;
	sa.sa_handler = on_alarm;	/* no SA_RESTART: WAIT gets EINTR */
	sa.sa_flags = 0;
	if (sigaction(SIGALRM, &sa, NULL))
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return setitimer(ITIMER_REAL, &it, NULL);
}

static int read_elf(struct fz *z, const char *path)
{
	struct stat sb;
	uint8_t *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &sb) || sb.st_size <= 0) {
		fprintf(stderr, "ioctl-fuzz: %s: %s\n", path, strerror(errno));
		return -1;
	}
	buf = malloc(sb.st_size);
	if (!buf || read(fd, buf, sb.st_size) != sb.st_size) {
		fprintf(stderr, "ioctl-fuzz: %s: short read\n", path);
		return -1;
	}
	close(fd);
	z->elf = buf;
	z->elf_size = sb.st_size;
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void summary(const struct fz *z, uint64_t seed)
{
	const struct stats *s = &z->st;

	printf("ioctl-fuzz%s: seed %" PRIu64 ": %lu rounds, %lu ioctls (%lu ok), %lu mmaps (%lu ok, %lu of %lu MAP_PRIVATE mapped), %lu touches (%lu faults caught), %lu launched, %lu restored, %lu events, %lu segments made, %lu forks\n",
	       z->who, seed, s->rounds, s->ioctls, s->ioctl_ok, s->mmaps,
	       s->mmap_ok, s->private_mapped, s->private_tried, s->touches,
	       s->faults, s->launched, s->restored, s->events, s->segs_made,
	       s->forks);
	fflush(stdout);
}

/*
 * Both sides of a fork on the same open files: requests and mappings
 * only, no open or close, so that each file sees both at once.
 */
static void race(struct fz *z, double until)
{
	while (now_s() < until && z->nfds) {
		switch (below(z, 8)) {
		case 0:
			do_mmap(z);
			break;
		case 1:
			serve(z);
			break;
		case 2:
		case 3:
			good_request(z);
			break;
		default:
			do_ioctl(z);
			break;
		}
	}
}

/* Fill the files, fork, race on them; the child's pid (0 in it). */
static pid_t fork_and_race(struct fz *z, double until)
{
	pid_t child;

	while (z->nfds < MAX_FDS) {
		int n = z->nfds;

		open_one(z);
		if (z->nfds == n)
			break;
	}
	fflush(stdout);
	child = fork();
	if (child == 0) {
		z->rng ^= 0x9e3779b97f4a7c15ULL;
		setup_signals();	/* itimers are not inherited */
		z->who = "[child]";
		memset(&z->st, 0, sizeof(z->st));
	} else if (child > 0) {
		z->st.forks++;
	}
	race(z, until);
	return child;
}

/* Run until deadline; with fork_at, a child goes on from then. */
static pid_t fuzz_until(struct fz *z, double deadline, double fork_at)
{
	pid_t child = -1;

	while (now_s() < deadline) {
		if (fork_at && now_s() >= fork_at) {
			fork_at = 0;
			child = fork_and_race(z, now_s() + (deadline - now_s()) / 3);
		}
		round_once(z);
	}
	return child;
}

/* ---- --check-private --------------------------------------------------------- */

static bool check(bool ok, const char *what, int err)
{
	if (ok)
		printf("ok %s\n", what);
	else
		printf("not ok %s: %s\n", what, err ? strerror(err) : "no error");
	return ok;
}

/* MAP_PRIVATE refused with EINVAL, MAP_SHARED mapped and readable. */
static bool check_maps(int fd, size_t len, const char *what)
{
	char name[128];
	volatile uint8_t *p;
	bool ok;

	p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	snprintf(name, sizeof(name), "%s: MAP_PRIVATE refused with EINVAL", what);
	ok = check(p == MAP_FAILED && errno == EINVAL, name,
		   p == MAP_FAILED ? errno : 0);
	if (p != MAP_FAILED) {
		(void)p[0];	/* the BUG_ON this check is about */
		munmap((void *)p, len);
	}
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	snprintf(name, sizeof(name), "%s: MAP_SHARED mapped", what);
	if (!check(p != MAP_FAILED, name, errno))
		return false;
	(void)p[0];
	(void)p[len - 1];
	munmap((void *)p, len);
	return ok;
}

/* An app's file: nothing to map, shared or private (EINVAL both). */
static bool check_app_maps(int fd)
{
	const size_t len = 2u << 20;
	void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	bool ok = check(p == MAP_FAILED && errno == EINVAL,
			"app memory: MAP_PRIVATE refused with EINVAL",
			p == MAP_FAILED ? errno : 0);

	if (p != MAP_FAILED)
		munmap(p, len);
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	ok = check(p == MAP_FAILED && errno == EINVAL,
		   "app memory: MAP_SHARED refused with EINVAL (the proxy maps nothing)",
		   p == MAP_FAILED ? errno : 0) && ok;
	if (p != MAP_FAILED)
		munmap(p, len);
	return ok;
}

static bool check_segment(uint32_t app)
{
	struct cok_ioc_seg_make mk = { .app_id = app, .perms = COK_SEG_READ };
	struct cok_ioc_seg_attach at = { .perms = COK_SEG_READ };
	int fd = open(COK_DEV_PATH, O_RDWR);
	bool ok;

	if (!check(fd >= 0 && ioctl(fd, COK_IOC_SEG_MAKE, &mk) == 0,
		   "segment made", errno))
		return false;
	at.segid = mk.segid;
	ok = check(ioctl(fd, COK_IOC_SEG_ATTACH, &at) == 0, "segment attached",
		   errno) &&
	     check_maps(fd, mk.bytes, "segment");
	close(fd);
	return ok;
}

static int check_private(struct fz *z, long seg_app)
{
	static const char strings[] = "hello";
	struct cok_ioc_launch l = {
		.core = -1, .elf = (uint64_t)(uintptr_t)z->elf,
		.elf_size = z->elf_size,
		.strings = (uint64_t)(uintptr_t)strings,
		.strings_size = sizeof(strings), .argc = 1,
		.private_fds = { -1, -1 },
	};
	int fd = open(COK_DEV_PATH, O_RDWR);
	bool ok;

	if (!check(fd >= 0, "device opened", errno))
		return 3;
	ok = check(ioctl(fd, COK_IOC_LAUNCH, &l) == 0, "app launched", errno);
	if (!ok)
		printf("  launch: %s\n", l.error);
	ok = ok && check_app_maps(fd);
	close(fd);
	if (seg_app >= 0)
		ok = check_segment((uint32_t)seg_app) && ok;
	return ok ? 0 : 1;
}

/* ---- main -------------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr, "usage: ioctl-fuzz [--seconds N] [--seed S] [--elf FILE] [--fork] [--write]\n"
		"       ioctl-fuzz --check-private --elf FILE [--seg-app ID]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct fz z = { .who = "" };
	uint64_t seed = 1;
	double seconds = 10, start;
	bool do_fork = false, private_check = false;
	long seg_app = -1;
	pid_t child;
	int i, status;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--seconds") && v)
			seconds = atof(argv[++i]);
		else if (!strcmp(a, "--seed") && v)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(a, "--elf") && v) {
			if (read_elf(&z, argv[++i]))
				return 2;
		} else if (!strcmp(a, "--seg-app") && v)
			seg_app = strtol(argv[++i], NULL, 0);
		else if (!strcmp(a, "--fork"))
			do_fork = true;
		else if (!strcmp(a, "--write"))
			z.write = true;
		else if (!strcmp(a, "--check-private"))
			private_check = true;
		else
			usage();
	}
	if (access(COK_DEV_PATH, F_OK)) {
		fprintf(stderr, "ioctl-fuzz: %s: %s\n", COK_DEV_PATH, strerror(errno));
		return 3;
	}
	if (private_check)
		return z.elf ? check_private(&z, seg_app) : (usage(), 2);
	z.rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	if (setup_memory(&z) || setup_signals()) {
		fprintf(stderr, "ioctl-fuzz: set-up: %s\n", strerror(errno));
		return 3;
	}
	start = now_s();
	child = fuzz_until(&z, start + seconds,
			   do_fork ? start + seconds / 3 : 0);
	cleanup(&z);
	free((void *)z.elf);
	summary(&z, seed);
	if (child == 0)
		_exit(0);
	if (child > 0 && waitpid(child, &status, 0) == child &&
	    !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		printf("ioctl-fuzz: the child ended with status 0x%x\n", status);
		return 1;
	}
	return 0;
}
