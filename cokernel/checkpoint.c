// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint support on the co-kernel side (xemem/state.h):
 *
 *  - FREEZE stops the app where the doorbell interrupted it in ring 3,
 *    or, when it is in a system call, at the call's return: a forwarded
 *    call is then complete on both sides (the proxy's file offsets agree
 *    with the registers), so a dump never catches half a call.
 *  - A frozen core parks in ckpt_frozen_loop(), serving its ring, until
 *    THAW or KILL.
 *  - PUBLISH writes the frozen state and the app's page runs into a
 *    block of its own for Linux to read.
 *  - RESTORE (app.c) rebuilds an app from a staged block and leaves it
 *    frozen here until Linux has written its pages and sends THAW.
 */
#include "cokernel.h"

#define PTE_W		(1ULL << 1)
#define PTE_NX		(1ULL << 63)
#define RFLAGS_IF	0x200ULL
/* The flags an app may set: CF PF AF ZF SF DF OF, AC and ID. */
#define RFLAGS_USER	0x2408d5ULL

uint64_t cok_xcr0;		/* XCR0 when XSAVE is on (cpu.c), else 0 */
uint32_t cok_xsave_size;	/* XSAVE area size for that XCR0 */

/* XSAVE with every enabled component, or FXSAVE without XSAVE. */
static void save_fpu(struct cok_cpu *c)
{
	c->xstate_xcr0 = cok_xcr0;
	if (cok_xcr0) {
		/* The XSAVE header (bytes 512-575) must start zeroed. */
		memset(c->xstate + 512, 0, 64);
		__asm__ volatile("xsave64 %0" : "+m"(c->xstate)
				 : "a"((uint32_t)cok_xcr0),
				   "d"((uint32_t)(cok_xcr0 >> 32)));
		c->xstate_size = cok_xsave_size;
	} else {
		__asm__ volatile("fxsave64 %0" : "=m"(c->xstate));
		c->xstate_size = COK_FXSAVE_SIZE;
	}
}

void ckpt_load_fpu(struct cok_cpu *c)
{
	if (c->xstate_xcr0)
		__asm__ volatile("xrstor64 %0" : : "m"(c->xstate),
				 "a"((uint32_t)c->xstate_xcr0),
				 "d"((uint32_t)(c->xstate_xcr0 >> 32)));
	else
		__asm__ volatile("fxrstor64 %0" : : "m"(c->xstate));
}

static void freeze_now(struct cok_cpu *c, struct cok_regs *u,
		       struct cok_msg *m)
{
	struct cok_core *s = c->shared;
	enum cok_frozen_end end;

	c->frozen_regs = *u;
	c->frozen_fs = rdmsr(MSR_FS_BASE);
	c->frozen_gs = rdmsr(MSR_GS_BASE);	/* the user's, in the kernel */
	c->frozen_monotonic = app_clock_ns(&c->app, false);
	save_fpu(c);
	s->app.frozen_rip = u->rip;
	c->frozen = true;
	cok_store_release(&s->app.state, COK_APP_FROZEN);
	cmd_reply_status(c, m, 0);
	end = ckpt_frozen_loop(c);
	if (end == COK_FROZEN_KILL)
		app_end(c, COK_END_KILL);
	/* Registers and FPU are untouched: the app goes on as it was. */
}

/*
 * FREEZE from the doorbell while an app owns the core.  r is the
 * interrupted frame: the app's own in ring 3; in a system call, the
 * freeze waits for the call's return (ckpt_after_syscall).
 */
void ckpt_freeze(struct cok_cpu *c, struct cok_regs *r, struct cok_msg *m)
{
	if ((r->cs & 3) == 3) {
		freeze_now(c, r, m);
		return;
	}
	if (c->freeze_pending || !c->user_frame) {
		cmd_reply_status(c, m, -COK_EBUSY);
		return;
	}
	c->freeze_msg = *m;
	c->freeze_pending = true;
}

/* The end of a system call: r holds its result; a freeze waits here. */
void ckpt_after_syscall(struct cok_cpu *c, struct cok_regs *r)
{
	struct cok_msg m;

	if (!c->freeze_pending)
		return;
	c->freeze_pending = false;
	m = c->freeze_msg;
	freeze_now(c, r, &m);
}

/* THAW or the app's end before a pending freeze took: answer it. */
bool ckpt_cancel_pending(struct cok_cpu *c, int64_t status)
{
	if (!c->freeze_pending)
		return false;
	c->freeze_pending = false;
	cmd_reply_status(c, &c->freeze_msg, status);
	return true;
}

/* ---- publish -------------------------------------------------------- */

struct run_builder {
	struct cok_seg_run *runs;	/* NULL: only count */
	uint32_t n;
	struct cok_seg_run cur;
};

static void run_flush(struct run_builder *b)
{
	if (!b->cur.len)
		return;
	if (b->runs)
		b->runs[b->n] = b->cur;
	b->n++;
	b->cur.len = 0;
}

static void run_add(void *ctx, uint64_t va, uint64_t phys, uint64_t len,
		    uint64_t pte)
{
	struct run_builder *b = ctx;
	uint64_t off = (uint64_t)phys_to_virt(phys) - COK_VIRT_DIRECT;
	uint32_t prot = COK_PROT_READ | (pte & PTE_W ? COK_PROT_WRITE : 0) |
			(pte & PTE_NX ? 0 : COK_PROT_EXEC);

	if (b->cur.len && b->cur.va + b->cur.len == va &&
	    b->cur.offset + b->cur.len == off && b->cur.prot == prot) {
		b->cur.len += len;
		return;
	}
	run_flush(b);
	b->cur = (struct cok_seg_run){ .va = va, .offset = off, .len = len,
				       .prot = prot };
}

static uint32_t build_runs(struct cok_cpu *c, struct cok_seg_run *runs)
{
	struct run_builder b = { .runs = runs };

	as_walk(&c->app.as, run_add, &b);
	run_flush(&b);
	return b.n;
}

static void fill_thread(struct cok_cpu *c, struct cok_thread_state *t)
{
	const struct cok_regs *r = &c->frozen_regs;

	t->regs = (struct cok_user_regs){
		.rax = r->rax, .rbx = r->rbx, .rcx = r->rcx, .rdx = r->rdx,
		.rsi = r->rsi, .rdi = r->rdi, .rbp = r->rbp, .rsp = r->rsp,
		.r8 = r->r8, .r9 = r->r9, .r10 = r->r10, .r11 = r->r11,
		.r12 = r->r12, .r13 = r->r13, .r14 = r->r14, .r15 = r->r15,
		.rip = r->rip, .rflags = r->rflags,
		.fs_base = c->frozen_fs, .gs_base = c->frozen_gs,
	};
	t->xcr0 = c->xstate_xcr0;
	t->xstate_size = c->xstate_size;
}

static void fill_mm(struct cok_cpu *c, struct cok_mm_state *mm)
{
	*mm = (struct cok_mm_state){
		.brk_start = c->app.brk_start, .brk = c->app.brk,
		.mmap_next = c->app.mmap_next,	/* .rng: 0, never the state */
		.monotonic_ns = c->frozen_monotonic,
	};
}

static void publish(struct cok_cpu *c, struct cok_msg *m)
{
	uint32_t owner = COK_OWNER_PUBLISH(c->index), nruns;
	struct cok_frozen_app *f;
	uint64_t bytes;

	mm_free_owned(owner);
	nruns = build_runs(c, NULL);
	bytes = sizeof(*f) + (uint64_t)nruns * sizeof(f->runs[0]);
	f = mm_alloc_run_raw((uint32_t)((bytes + COK_CHUNK_SIZE - 1) >>
					COK_CHUNK_SHIFT), owner, false);
	if (!f) {
		cmd_reply_status(c, m, -COK_ENOMEM);
		return;
	}
	memset(f, 0, sizeof(*f));
	f->magic = COK_FROZEN_MAGIC;
	f->bytes = bytes;
	fill_thread(c, &f->thread);
	fill_mm(c, &f->mm);
	memcpy(f->xstate, c->xstate, c->xstate_size);
	f->nruns = build_runs(c, f->runs);
	m->arg[0] = (uint64_t)f - COK_VIRT_DIRECT;
	m->arg[1] = bytes;
	cmd_reply_status(c, m, 0);
}

/*
 * Parked until THAW or KILL, serving the ring: the published block goes
 * when the app leaves the frozen state.
 */
enum cok_frozen_end ckpt_frozen_loop(struct cok_cpu *c)
{
	struct cok_core *s = c->shared;
	struct cok_msg n;

	for (;;) {
		while (cok_ring_pop(&s->cmd, &n) == COK_RING_OK) {
			if (cmd_answer_query(c, &n))
				continue;
			switch (n.type) {
			case COK_MSG_PUBLISH:
				publish(c, &n);
				break;
			case COK_MSG_THAW:
			case COK_MSG_KILL:
				mm_free_owned(COK_OWNER_PUBLISH(c->index));
				c->frozen = false;
				if (n.type == COK_MSG_THAW) {
					rng_thaw(c, &n);
					cok_store_release(&s->app.state,
							  COK_APP_RUNNING);
				}
				cmd_reply_status(c, &n, 0);
				return n.type == COK_MSG_THAW ?
				       COK_FROZEN_THAW : COK_FROZEN_KILL;
			default:		/* a second FREEZE among them */
				cmd_reply_status(c, &n, -COK_EBUSY);
				break;
			}
		}
		irq_enable_and_halt();
		irq_disable();
		cok_store_release(&s->heartbeat, s->heartbeat + 1);
	}
}

/* ---- restore -------------------------------------------------------- */

static bool user_addr(uint64_t va)
{
	return va < COK_USER_END;
}

/* What XRSTOR/FXRSTOR would fault on (#GP) must not reach them. */
static const char *check_xstate(const struct cok_restore_block *b)
{
	const struct cok_thread_state *t = &b->thread;
	uint32_t mxcsr;
	const uint64_t *hdr = (const uint64_t *)(b->xstate + 512);
	int i;

	memcpy(&mxcsr, b->xstate + 24, sizeof(mxcsr));
	if (mxcsr & 0xffff0000U)
		return "bad MXCSR in the saved FPU state";
	if (!t->xcr0)
		return t->xstate_size == COK_FXSAVE_SIZE ? NULL :
		       "bad FXSAVE state size";
	if (!cok_xcr0 || (t->xcr0 & ~cok_xcr0))
		return "the image uses CPU state (XCR0) this core does not have";
	if (t->xstate_size > COK_XSTATE_MAX || t->xstate_size < 576)
		return "bad XSAVE state size";
	/* XSTATE_BV within XCR0; compacted form and reserved bytes zero. */
	if (hdr[0] & ~t->xcr0)
		return "bad XSAVE header";
	for (i = 1; i < 8; i++)
		if (hdr[i])
			return "bad XSAVE header";
	return NULL;
}

static const char *check_thread(const struct cok_restore_block *b)
{
	const struct cok_user_regs *r = &b->thread.regs;

	if (!user_addr(r->rip) || !user_addr(r->rsp) ||
	    !user_addr(r->fs_base) || !user_addr(r->gs_base))
		return "saved registers point outside user space";
	return check_xstate(b);
}

static const char *map_regions(struct cok_cpu *c,
			       const struct cok_restore_block *b)
{
	const struct cok_region *g = b->regions;
	uint64_t prev_end = 0;
	uint32_t i;

	for (i = 0; i < b->mm.nregions; i++) {
		if ((g[i].va | g[i].len) & 4095 || !g[i].len ||
		    g[i].va < prev_end || g[i].va + g[i].len < g[i].va ||
		    g[i].va + g[i].len > COK_USER_END)
			return "bad memory region in the restore block";
		prev_end = g[i].va + g[i].len;
		if (as_map_raw(&c->app.as, g[i].va, g[i].len,
			       g[i].prot & COK_PROT_WRITE,
			       !(b->flags & COK_RESTORE_FILLS_ALL)))
			return "not enough free memory in the enclave for the app";
	}
	return NULL;
}

static void set_frozen_regs(struct cok_cpu *c, const struct cok_user_regs *u)
{
	c->frozen_regs = (struct cok_regs){
		.rax = u->rax, .rbx = u->rbx, .rcx = u->rcx, .rdx = u->rdx,
		.rsi = u->rsi, .rdi = u->rdi, .rbp = u->rbp, .rsp = u->rsp,
		.r8 = u->r8, .r9 = u->r9, .r10 = u->r10, .r11 = u->r11,
		.r12 = u->r12, .r13 = u->r13, .r14 = u->r14, .r15 = u->r15,
		.rip = u->rip, .cs = GDT_USER_CS | 3, .ss = GDT_USER_DS | 3,
		.rflags = (u->rflags & RFLAGS_USER) | RFLAGS_IF | 2,
	};
	c->frozen_fs = u->fs_base;
	c->frozen_gs = u->gs_base;
}

/*
 * Check a staged restore block and build the app from it: address space
 * with zeroed regions, registers, FPU state, memory bookkeeping.  The
 * block lies in the staging area: size checks against staged_size.
 */
int ckpt_load_restore(struct cok_cpu *c, const struct cok_restore_block *b,
		      const char **why)
{
	struct cok_app *a = &c->app;

	if (b->magic != COK_RESTORE_MAGIC ||
	    b->mm.nregions > COK_RESTORE_MAX_REGIONS ||
	    sizeof(*b) + (uint64_t)b->mm.nregions * sizeof(b->regions[0]) >
	    b->staged_size) {
		*why = "bad restore block";
		return -1;
	}
	*why = check_thread(b);
	if (*why)
		return -1;
	if (as_create(&a->as, COK_OWNER_APP(c->index))) {
		*why = "not enough free memory in the enclave for the app";
		return -1;
	}
	*why = map_regions(c, b);
	if (*why)
		return -1;
	set_frozen_regs(c, &b->thread.regs);
	c->xstate_xcr0 = b->thread.xcr0;
	c->xstate_size = b->thread.xstate_size;
	memcpy(c->xstate, b->xstate, b->thread.xstate_size);
	a->brk_start = b->mm.brk_start;
	a->brk = b->mm.brk;
	a->mmap_next = b->mm.mmap_next;
	c->frozen_monotonic = b->mm.monotonic_ns;
	return 0;
}
