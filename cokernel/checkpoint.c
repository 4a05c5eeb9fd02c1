// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint support on the co-kernel side (xemem/state.h):
 *
 *  - FREEZE, on the app's home core, stops the app where the doorbell
 *    interrupted it in ring 3, or, when it is in a system call, at the
 *    call's return: a forwarded call is then complete on both sides
 *    (the proxy's file offsets agree with the registers), so a dump
 *    never catches half a call.  A core whose threads are all blocked
 *    (halted in sched_next()) stops at once; its other threads, in a
 *    futex wait or a forwarded call, stop with it.  The home core then
 *    parks the process's other cores (park_others(): RESCHED with
 *    p->park set), each by the same rules, and answers once all have.
 *    An idle core of the set does not take the process's threads while
 *    it is frozen (sched_idle()).
 *  - PUBLISH writes every thread: where each goes on after a restore
 *    (resume_point()), its FPU state and its ids.
 *  - A frozen core parks in ckpt_frozen_loop(), serving its ring, until
 *    THAW or KILL.
 *  - PUBLISH writes the frozen state and the app's page runs into a
 *    block of its own for Linux to read.
 *  - RESTORE (app.c) rebuilds an app from a staged block and leaves it
 *    frozen here until Linux has written its pages and sends THAW.
 */
#include "cokernel.h"
#include "restore_check.h"

#define PTE_P		(1ULL << 0)
#define PTE_W		(1ULL << 1)
#define PTE_NX		(1ULL << 63)

#define RFLAGS_FIXED	(1ULL << 1)	/* always 1 */
#define RFLAGS_IF	(1ULL << 9)
/*
 * A restored app keeps the flags Linux lets user space change on
 * sigreturn (COK_RFLAGS_USER, sigframe.h).  IF is forced on; IOPL, NT,
 * VM and the rest are 0.
 */

uint64_t cok_xcr0;		/* XCR0 when XSAVE is on (cpu.c), else 0 */
uint32_t cok_xsave_size;	/* XSAVE area size for that XCR0 */

/* XSAVE with every enabled component, or FXSAVE without XSAVE. */
void ckpt_save_fpu(struct cok_thread *t)
{
	t->xstate_xcr0 = cok_xcr0;
	if (cok_xcr0) {
		/* The XSAVE header (bytes 512-575) must start zeroed. */
		memset(t->xstate + 512, 0, 64);
		__asm__ volatile("xsave64 %0" : "+m"(t->xstate)
				 : "a"((uint32_t)cok_xcr0),
				   "d"((uint32_t)(cok_xcr0 >> 32)));
		t->xstate_size = cok_xsave_size;
	} else {
		__asm__ volatile("fxsave64 %0" : "=m"(t->xstate));
		t->xstate_size = COK_FXSAVE_SIZE;
	}
}

/*
 * The FPU state a new program starts with, as on Linux: x87 control word
 * 0x37f and MXCSR 0x1f80 (every exception masked), every register zero.
 * Its XSAVE header (bytes 512-575) is zero: XSTATE_BV 0 makes XRSTOR put
 * every component of its mask in its init state (MXCSR still comes from
 * bytes 24-27); FXRSTOR takes the first 512 bytes as they are.
 */
static const uint8_t init_xstate[576] __aligned(64) = {
	[0] = 0x7f, [1] = 0x03,		/* FCW 0x037f */
	[24] = 0x80, [25] = 0x1f,	/* MXCSR 0x1f80 */
};

/* Before an app's first instruction: nothing of the previous one stays. */
void ckpt_reset_fpu(void)
{
	if (cok_xcr0)
		__asm__ volatile("xrstor64 %0" : : "m"(init_xstate),
				 "a"((uint32_t)cok_xcr0),
				 "d"((uint32_t)(cok_xcr0 >> 32)));
	else
		__asm__ volatile("fxrstor64 %0" : : "m"(init_xstate));
}

/*
 * A restored app's state.  XRSTOR with every component this core has
 * enabled: those not in the image's XSTATE_BV come up in their init
 * state.  An FXSAVE image on an XSAVE core: the reset first, for the
 * components FXRSTOR does not touch (AVX and above).
 */
void ckpt_load_fpu(const struct cok_thread *t)
{
	if (t->xstate_xcr0) {
		__asm__ volatile("xrstor64 %0" : : "m"(t->xstate),
				 "a"((uint32_t)cok_xcr0),
				 "d"((uint32_t)(cok_xcr0 >> 32)));
		return;
	}
	ckpt_reset_fpu();
	__asm__ volatile("fxrstor64 %0" : : "m"(t->xstate));
}

/*
 * The core's current thread stops: its user registers u (where the
 * core stopped it, or its system call frame), FPU state and segment
 * bases are saved, its state kept for go_on().  A thread that exited
 * (the core halts on its stack) has nothing to save.
 */
static void stop_current(struct cok_kcore *core, const struct cok_regs *u)
{
	struct cok_thread *t = core->current;

	core->stopped = true;
	if (t->state == COK_THREAD_DEAD)
		return;
	t->frozen_regs = *u;
	t->frozen_was = t->state;	/* RUNNING, or blocked in a call */
	t->frozen_fs = rdmsr(MSR_FS_BASE);
	t->frozen_gs = rdmsr(MSR_GS_BASE);	/* the user's, in the kernel */
	ckpt_save_fpu(t);
	t->state = COK_THREAD_FROZEN;
}

/*
 * Registers and FPU are untouched: the thread goes on as it was.
 * Answers and timeouts that came meanwhile were left alone: wake and
 * re-arm now.
 */
static void go_on(struct cok_kcore *core)
{
	struct cok_thread *t = core->current;

	if (t->state == COK_THREAD_FROZEN)
		t->state = t->frozen_was;
	core->stopped = false;
	sched_wake_answered(core);
	sched_timer_update(core);
}

/* How long the home core waits for the others to park (TSC ms). */
#define PARK_WAIT_MS	200
#define PARK_RESEND_MS	1

static uint32_t not_parked(const struct cok_kcore *home, struct cok_proc *p)
{
	return __atomic_load_n(&p->active, __ATOMIC_SEQ_CST) &
	       ~__atomic_load_n(&p->parked, __ATOMIC_SEQ_CST) &
	       ~(1U << home->index);
}

/*
 * The home core asks p's other cores to park (ckpt_park(): from ring 3,
 * a halt, or the end of a system call) and waits until every core that
 * runs p has.  RESCHED is sent again every PARK_RESEND_MS, for a core
 * that took the first one where it could not stop (it stops at its
 * system call's end, or at the next one from ring 3).  Meanwhile this
 * core serves TLB flushes, which a core still running may wait for, and
 * shows it is alive.  False if one did not stop within PARK_WAIT_MS.
 */
static bool park_others(struct cok_kcore *home, struct cok_proc *p)
{
	uint64_t now = rdtsc(), resend = now, give_up;
	uint32_t left;

	give_up = now + PARK_WAIT_MS * p->tsc_khz;
	__atomic_store_n(&p->park, 1, __ATOMIC_SEQ_CST);
	while ((left = not_parked(home, p))) {
		now = rdtsc();
		if (now >= give_up) {
			cok_printf("core %u: app %u: cores %#x did not stop within %u ms: not frozen\n",
				   home->index, p->pid, left, PARK_WAIT_MS);
			return false;
		}
		if (now >= resend) {
			ipi_cores(left, COK_RESCHED_VECTOR);
			resend = now + PARK_RESEND_MS * p->tsc_khz;
			cmd_alive();
		}
		tlb_serve(home);
		cpu_relax();
	}
	return true;
}

/* The parked cores go on; an idle one may take p's queued threads. */
static void release_others(struct cok_kcore *home, struct cok_proc *p)
{
	__atomic_store_n(&p->park, 0, __ATOMIC_SEQ_CST);
	ipi_cores(p->cores & ~(1U << home->index), COK_RESCHED_VECTOR);
}

/*
 * Another core of a process being frozen stops its part of it until
 * the home core releases it, or leaves when the process ends (a KILL
 * while frozen).  u: as for stop_current().
 */
static void park(struct cok_kcore *core, const struct cok_regs *u)
{
	struct cok_proc *p = core->current->proc;
	uint32_t bit = 1U << core->index;

	core->park_pending = false;
	stop_current(core, u);
	__atomic_fetch_or(&p->parked, bit, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&p->park, __ATOMIC_SEQ_CST)) {
		sched_check_end(core);
		irq_enable_and_halt();	/* RESCHED, TLB and the watchdog */
		irq_disable();
		cmd_alive();
	}
	__atomic_fetch_and(&p->parked, ~bit, __ATOMIC_SEQ_CST);
	go_on(core);
}

/*
 * RESCHED on a core that is not p's home core, with p->park set: stop
 * now in ring 3 or where every thread of the core is blocked, else at
 * the end of the system call it is in.
 */
void ckpt_park(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_thread *t = core->current;

	if (core->stopped ||
	    !__atomic_load_n(&t->proc->park, __ATOMIC_SEQ_CST) ||
	    t->proc->core == core)
		return;
	if ((r->cs & 3) == 3)
		park(core, r);
	else if (core->halted_in_sched)
		park(core, t->user_frame);
	else
		core->park_pending = true;
}

/*
 * Stop the process (all of its cores) and answer FREEZE, with arg[0] the
 * TSC cycles since the core took it (t0): the co-kernel's part of the
 * freeze latency.
 */
static void freeze_now(struct cok_kcore *core, struct cok_regs *u,
		       struct cok_msg *m, uint64_t t0)
{
	struct cok_thread *t = core->current;
	struct cok_proc *p = t->proc;
	struct cok_proc_slot *s = proc_slot(p);
	enum cok_frozen_end end;

	stop_current(core, u);
	if (!park_others(core, p)) {
		release_others(core, p);
		go_on(core);
		cmd_reply_status(core, m, -COK_ENOSTOP);
		return;
	}
	p->frozen_monotonic = app_clock_ns(p, false);
	s->frozen_rip = u ? u->rip : 0;
	cok_store_release(&s->state, COK_APP_FROZEN);
	m->arg[0] = rdtsc() - t0;
	cmd_reply_status(core, m, 0);
	end = ckpt_frozen_loop(core);
	if (end == COK_FROZEN_KILL)
		app_end(core, COK_END_KILL);	/* the parked cores leave */
	if (end == COK_FROZEN_TERM)
		app_end(core, COK_END_FAULT);	/* ended by a signal */
	release_others(core, p);
	signal_thawed(core, p);
	go_on(core);
}

/*
 * FREEZE from the doorbell while an app owns the core (its home core).
 * r is the interrupted frame: the app's own in ring 3; in a system
 * call, the freeze waits for the call's return (ckpt_after_syscall).
 */
void ckpt_freeze(struct cok_kcore *core, struct cok_regs *r,
		 struct cok_msg *m)
{
	struct cok_thread *t = core->current;
	uint64_t t0 = rdtsc();

	if ((r->cs & 3) == 3) {
		freeze_now(core, r, m, t0);
		return;
	}
	/* Every thread of the core blocked, or none left: stop here. */
	if (core->halted_in_sched &&
	    (t->user_frame || t->state == COK_THREAD_DEAD)) {
		freeze_now(core, t->user_frame, m, t0);
		return;
	}
	if (core->freeze_pending || !t->user_frame) {
		cmd_reply_status(core, m, -COK_EBUSY);
		return;
	}
	core->freeze_msg = *m;
	core->freeze_t0 = t0;
	core->freeze_pending = true;
}

/*
 * The end of a system call: r holds its result; a freeze, or a park of
 * this core, waits here.
 */
void ckpt_after_syscall(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_msg m;

	if (core->park_pending) {
		core->park_pending = false;
		ckpt_park(core, r);
	}
	if (!core->freeze_pending)
		return;
	core->freeze_pending = false;
	m = core->freeze_msg;
	freeze_now(core, r, &m, core->freeze_t0);
}

/* THAW or the app's end before a pending freeze took: answer it. */
bool ckpt_cancel_pending(struct cok_kcore *core, int64_t status)
{
	if (!core->freeze_pending)
		return false;
	core->freeze_pending = false;
	cmd_reply_status(core, &core->freeze_msg, status);
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

	if (!(pte & PTE_P))
		prot = 0;		/* a PROT_NONE page (uspace.c) */

	if (b->cur.len && b->cur.va + b->cur.len == va &&
	    b->cur.offset + b->cur.len == off && b->cur.prot == prot) {
		b->cur.len += len;
		return;
	}
	run_flush(b);
	b->cur = (struct cok_seg_run){ .va = va, .offset = off, .len = len,
				       .prot = prot };
}

static uint32_t build_runs(struct cok_proc *p, struct cok_seg_run *runs)
{
	struct run_builder b = { .runs = runs };

	as_walk(&p->as, run_add, &b);
	run_flush(&b);
	return b.n;
}

#define SYSCALL_INSN_LEN	2	/* 0f 05 */

static void fill_regs(const struct cok_regs *r, uint64_t fs, uint64_t gs,
		      struct cok_user_regs *u)
{
	*u = (struct cok_user_regs){
		.rax = r->rax, .rbx = r->rbx, .rcx = r->rcx, .rdx = r->rdx,
		.rsi = r->rsi, .rdi = r->rdi, .rbp = r->rbp, .rsp = r->rsp,
		.r8 = r->r8, .r9 = r->r9, .r10 = r->r10, .r11 = r->r11,
		.r12 = r->r12, .r13 = r->r13, .r14 = r->r14, .r15 = r->r15,
		.rip = r->rip, .rflags = r->rflags,
		.fs_base = fs, .gs_base = gs,
	};
}

/*
 * Where a thread stopped in state (not RUNNING) goes on after a restore
 * (state.h), into r: in ring 3 (a slice ended, or it never ran) exactly
 * there; woken in a system call, at its return with its result; still
 * waiting in a futex or a sleep, at the SYSCALL again.  NULL, or why it
 * cannot be said (a forwarded call its proxy has not answered).
 */
static const char *resume_point(const struct cok_thread *t, uint32_t state,
				struct cok_regs *r)
{
	const struct cok_fwd_syscall *sc = &cok_channel->fwd[t->index];
	bool answered = cok_load_acquire(&sc->state) == COK_SC_DONE;

	*r = *thread_user_regs(t);
	if (!t->user_frame)
		return NULL;
	if (t->inner_call) {	/* the co-kernel's own call: ask again */
		r->rip -= SYSCALL_INSN_LEN;
		return NULL;
	}
	switch (state) {
	case COK_THREAD_BLOCKED:		/* rax is still its number */
		r->rip -= SYSCALL_INSN_LEN;
		return NULL;
	case COK_THREAD_RUNNABLE:
		r->rax = answered ? (uint64_t)sc->ret :
			 syscall_served_by(r->rax, sys_futex) ?
			 (uint64_t)t->wait_result : 0;
		return NULL;
	case COK_THREAD_BLOCKED_CALL:
		if (!answered)
			return "is in a forwarded call its proxy has not answered";
		r->rax = (uint64_t)sc->ret;
		return NULL;
	default:
		return "is in a state a dump cannot hold";
	}
}

/*
 * One thread's record.  A thread a core was running when it stopped is
 * FROZEN, with its registers saved by stop_current(); any other has
 * them at the top of its kernel stack.
 */
static const char *fill_rec(const struct cok_thread *t,
			    struct cok_thread_rec *rec)
{
	struct cok_regs r;
	const char *why = NULL;

	memset(rec, 0, sizeof(*rec));
	if (t->state != COK_THREAD_FROZEN) {
		why = resume_point(t, t->state, &r);
		fill_regs(&r, t->fs_base, t->gs_base, &rec->st.regs);
	} else if (t->frozen_was != COK_THREAD_RUNNING) {
		why = resume_point(t, t->frozen_was, &r);
		fill_regs(&r, t->frozen_fs, t->frozen_gs, &rec->st.regs);
	} else {
		fill_regs(&t->frozen_regs, t->frozen_fs, t->frozen_gs,
			  &rec->st.regs);
	}
	rec->st.xcr0 = t->xstate_xcr0;
	rec->st.xstate_size = t->xstate_size;
	rec->ids = (struct cok_thread_ids){
		.tid = t->tid, .clear_child_tid = t->clear_child_tid,
		.robust_head = t->robust_head,
	};
	memcpy(rec->xstate, t->xstate, t->xstate_size);
	return why;
}

static void fill_mm(const struct cok_proc *p, struct cok_mm_state *mm)
{
	*mm = (struct cok_mm_state){
		.brk_start = p->brk_start, .brk = p->brk,
		.mmap_next = p->mmap_next,	/* .rng: 0, never the state */
		.monotonic_ns = p->frozen_monotonic,
	};
}

/* The process's live threads, the core's frozen one first. */
static uint32_t threads_current_first(struct cok_kcore *core,
				      struct cok_thread **list)
{
	uint32_t n = proc_threads(core->current->proc, list,
				  COK_STATE_MAX_THREADS), i;

	for (i = 1; i < n; i++)
		if (list[i] == core->current) {
			list[i] = list[0];
			list[0] = core->current;
		}
	return n;
}

static void publish(struct cok_kcore *core, struct cok_msg *m)
{
	uint32_t owner = COK_OWNER_PUBLISH(core->index), nruns, n, i;
	struct cok_thread *t = core->current, *list[COK_STATE_MAX_THREADS];
	struct cok_thread_rec *recs;
	struct cok_frozen_app *f;
	uint64_t bytes, at;
	const char *why;

	mm_free_owned(owner);
	if (!signal_dumpable(t->proc, &why)) {
		app_set_error(proc_slot(t->proc), why);
		cmd_reply_status(core, m, -COK_ENOSYS);
		return;
	}
	why = vm_dump_check(t->proc);
	if (why) {
		app_set_error(proc_slot(t->proc), why);
		cmd_reply_status(core, m, why[0] == 'n' ? -COK_ENOMEM :
					  -COK_ENOSYS);
		return;
	}
	n = threads_current_first(core, list);
	nruns = build_runs(t->proc, NULL);
	at = (sizeof(*f) + (uint64_t)nruns * sizeof(f->runs[0]) + 63) & ~63ULL;
	bytes = at + (uint64_t)n * sizeof(*recs);
	f = mm_alloc_run_raw((uint32_t)((bytes + COK_CHUNK_SIZE - 1) >>
					COK_CHUNK_SHIFT), owner, false);
	if (!f) {
		cmd_reply_status(core, m, -COK_ENOMEM);
		return;
	}
	memset(f, 0, sizeof(*f));
	recs = (struct cok_thread_rec *)((uint8_t *)f + at);
	for (i = 0; i < n; i++) {
		why = fill_rec(list[i], &recs[i]);
		if (why) {
			cok_printf("core %u: app %u: thread %u %s: not published\n",
				   core->index, t->proc->pid, list[i]->tid, why);
			mm_free_owned(owner);
			cmd_reply_status(core, m, -COK_EBUSY);
			return;
		}
	}
	f->magic = COK_FROZEN_MAGIC;
	f->bytes = bytes;
	f->nthreads = n;
	f->threads_offset = at;
	fill_mm(t->proc, &f->mm);
	f->nruns = build_runs(t->proc, f->runs);
	m->arg[0] = (uint64_t)f - COK_VIRT_DIRECT;
	m->arg[1] = bytes;
	cmd_reply_status(core, m, 0);
}

/*
 * Parked until THAW or KILL, serving the ring: the published block goes
 * when the app leaves the frozen state.
 */
enum cok_frozen_end ckpt_frozen_loop(struct cok_kcore *core)
{
	struct cok_core_slot *s = core->shared;
	struct cok_msg n;

	for (;;) {
		while (cok_ring_pop(&s->cmd, &n) == COK_RING_OK) {
			if (cmd_answer_query(core, &n))
				continue;
			switch (n.type) {
			case COK_MSG_PUBLISH:
				publish(core, &n);
				break;
			case COK_MSG_SIGNAL:
				cmd_reply_status(core, &n,
						 signal_from_linux(core, &n,
								   true));
				if (n.arg[0] != 2)
					break;
				mm_free_owned(COK_OWNER_PUBLISH(core->index));
				return COK_FROZEN_TERM;	/* it ended the app */
			case COK_MSG_THAW:
			case COK_MSG_KILL:
				mm_free_owned(COK_OWNER_PUBLISH(core->index));
				if (n.type == COK_MSG_THAW) {
					rng_thaw(core, &n);
					cok_store_release(
						&proc_slot(core->current->proc)->state,
						COK_APP_RUNNING);
				}
				cmd_reply_status(core, &n, 0);
				return n.type == COK_MSG_THAW ?
				       COK_FROZEN_THAW : COK_FROZEN_KILL;
			default:		/* a second FREEZE among them */
				cmd_reply_status(core, &n, -COK_EBUSY);
				break;
			}
		}
		irq_enable_and_halt();
		irq_disable();
		cok_store_release(&s->heartbeat, s->heartbeat + 1);
	}
}

/* ---- restore -------------------------------------------------------- */

/*
 * The regions, checked (restore_check.h), with their rights, zeroed
 * unless Linux fills all; PROT_NONE ones readable until the THAW, for
 * Linux to write them (vm_restore_rights()).
 */
static const char *map_regions(struct cok_proc *p,
			       const struct cok_restore_block *b)
{
	const struct cok_region *g = b->regions;
	uint32_t i;

	for (i = 0; i < b->mm.nregions; i++)
		if (as_map_bits(&p->as, g[i].va, g[i].len,
				as_prot_bits(g[i].prot ? g[i].prot :
					     COK_PROT_READ),
				!(b->flags & COK_RESTORE_FILLS_ALL)))
			return "not enough free memory in the enclave for the app";
	return NULL;
}

static void set_frozen_regs(struct cok_thread *t,
			    const struct cok_user_regs *u)
{
	t->frozen_regs = (struct cok_regs){
		.rax = u->rax, .rbx = u->rbx, .rcx = u->rcx, .rdx = u->rdx,
		.rsi = u->rsi, .rdi = u->rdi, .rbp = u->rbp, .rsp = u->rsp,
		.r8 = u->r8, .r9 = u->r9, .r10 = u->r10, .r11 = u->r11,
		.r12 = u->r12, .r13 = u->r13, .r14 = u->r14, .r15 = u->r15,
		.rip = u->rip, .cs = GDT_USER_CS | 3, .ss = GDT_USER_DS | 3,
		.rflags = (u->rflags & COK_RFLAGS_USER) | RFLAGS_IF | RFLAGS_FIXED,
	};
	t->frozen_fs = u->fs_base;
	t->frozen_gs = u->gs_base;
}

/* A thread's registers, FPU state and ids from its record. */
static void load_rec(struct cok_thread *t, const struct cok_thread_rec *rec)
{
	set_frozen_regs(t, &rec->st.regs);
	t->xstate_xcr0 = rec->st.xcr0;
	t->xstate_size = rec->st.xstate_size;
	memcpy(t->xstate, rec->xstate, rec->st.xstate_size);
	/* Nothing of an earlier app's saved state past the image's. */
	memset(t->xstate + rec->st.xstate_size, 0,
	       sizeof(t->xstate) - rec->st.xstate_size);
	if (rec->ids.tid)
		t->tid = rec->ids.tid;
	t->clear_child_tid = rec->ids.clear_child_tid;
	t->robust_head = rec->ids.robust_head;
}

/*
 * The restored process's other threads (t, the first, has its record
 * loaded and its stack): each with a kernel stack whose first switch
 * enters ring 3 with its registers, on a core of p's set as clone()
 * would place it (as many cores as at the dump or not), frozen until
 * the THAW.  Tids as in
 * the image; the next clone() gets one above them all.
 */
int ckpt_restore_threads(struct cok_thread *t,
			 const struct cok_restore_block *b, const char **why)
{
	const struct cok_thread_rec *recs = cok_restore_recs(b);
	struct cok_proc *p = t->proc;
	struct cok_thread *q;
	uint32_t i, top = p->pid > t->tid ? p->pid : t->tid;

	for (i = 1; i < b->nthreads; i++) {
		q = proc_new_thread(p);
		if (!q || thread_alloc_stack(q)) {
			*why = q ? "not enough free memory in the enclave for the app" :
				   "not enough free co-kernel threads for the app";
			return -1;
		}
		load_rec(q, &recs[i]);
		q->core = sched_place(p);	/* as clone() places them */
		p->load[q->core->index]++;
		q->fs_base = q->frozen_fs;
		q->gs_base = q->frozen_gs;
		q->user_frame = NULL;
		q->fw.next = NULL;
		q->fw.deadline = 0;
		thread_prepare(q, &q->frozen_regs);
		q->state = COK_THREAD_FROZEN;
		if (q->tid > top)
			top = q->tid;
	}
	p->nthreads = b->nthreads;
	p->next_tid = top + 1;
	return 0;
}

/*
 * A restored process starts (run_app()): its other threads join their
 * cores' run queues; an idle core takes them from there (sched.c).
 */
void ckpt_start_threads(struct cok_kcore *core)
{
	struct cok_thread *list[COK_STATE_MAX_THREADS];
	uint32_t n = proc_threads(core->current->proc, list, ARRAY_SIZE(list));
	uint32_t i;

	for (i = 0; i < n; i++)
		if (list[i] != core->current &&
		    list[i]->state == COK_THREAD_FROZEN)
			sched_wake(core, list[i]);
	if (core->rq_head)
		sched_timer_update(core);
}

/*
 * Check a staged restore block and build the app from it: address space
 * with zeroed regions, registers, FPU state, memory bookkeeping.  The
 * block lies in the staging area: size checks against staged_size.
 */
int ckpt_load_restore(struct cok_thread *t, const struct cok_restore_block *b,
		      const char **why)
{
	struct cok_proc *p = t->proc;

	*why = cok_check_restore_block(b, cok_xcr0);
	if (*why)
		return -1;
	if (as_create(&p->as, COK_OWNER_PROC(p->index)) || vm_init(p)) {
		*why = "not enough free memory in the enclave for the app";
		return -1;
	}
	*why = map_regions(p, b);
	if (*why)
		return -1;
	load_rec(t, cok_restore_recs(b));
	p->brk_start = b->mm.brk_start;
	p->brk = b->mm.brk;
	p->mmap_next = b->mm.mmap_next;
	p->frozen_monotonic = b->mm.monotonic_ns;
	vm_restored(p, b->regions, b->mm.nregions);
	return 0;
}
