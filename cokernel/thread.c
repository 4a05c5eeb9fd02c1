// SPDX-License-Identifier: GPL-2.0
/*
 * Running a thread on a core.  Every thread has a kernel stack of its
 * own, COK_KSTACK_SIZE from its process's memory: while the thread runs,
 * TSS.RSP0 (interrupts from ring 3) and the SYSCALL entry's stack point
 * at its top, so its system calls, faults and interrupts run there.  A
 * core goes from its command loop on the boot stack (the idle context)
 * to a thread and back with cok_switch() (entry.S).  A thread's first
 * switch lands in cok_thread_start, which IRETQs to its user registers
 * laid at the top of its stack.
 */
#include "cokernel.h"

#define RFLAGS_START	0x202	/* IF, and bit 1, which is always set */

/* What cok_switch() leaves on a stack, lowest address first. */
struct cok_switch_frame {
	uint64_t r15, r14, r13, r12, rbp, rbx;
	uint64_t rip;			/* where its RET goes */
};

_Static_assert(sizeof(struct cok_switch_frame) == 7 * 8, "switch frame");
/* The user frame at the top keeps the stack 16-byte aligned below it. */
_Static_assert(sizeof(struct cok_regs) % 16 == 0, "user frame");

int thread_alloc_stack(struct cok_thread *t)
{
	t->kstack = as_alloc_pages(&t->proc->as, COK_KSTACK_PAGES);
	return t->kstack ? 0 : -1;
}

/* A new program's registers: all zero but where it starts. */
void thread_start_regs(struct cok_regs *r, uint64_t entry, uint64_t rsp)
{
	*r = (struct cok_regs){
		.rip = entry, .cs = GDT_USER_CS | 3, .rflags = RFLAGS_START,
		.rsp = rsp, .ss = GDT_USER_DS | 3,
	};
}

static uint64_t stack_top(const struct cok_thread *t)
{
	return (uint64_t)t->kstack + COK_KSTACK_SIZE;
}

/*
 * A thread off its core has its user registers at the top of its kernel
 * stack: where SYSCALL and interrupts from ring 3 saved them, or where
 * thread_prepare() laid them for its first entry.
 */
const struct cok_regs *thread_user_regs(const struct cok_thread *t)
{
	return (const struct cok_regs *)stack_top(t) - 1;
}

/*
 * The first context: the user frame at the top, a switch frame below;
 * the first switch to t enters ring 3 with user.
 */
void thread_prepare(struct cok_thread *t, const struct cok_regs *user)
{
	struct cok_regs *r = (struct cok_regs *)stack_top(t) - 1;
	struct cok_switch_frame *f = (struct cok_switch_frame *)r - 1;

	*r = *user;
	*f = (struct cok_switch_frame){ .rip = (uint64_t)cok_thread_start };
	t->kctx.rsp = (uint64_t)f;
}

/*
 * Run t from the user registers given until it ends, with interrupts
 * off until it reaches ring 3; returns how it ended (enum cok_app_end).
 */
long thread_run(struct cok_kcore *core, struct cok_thread *t,
		const struct cok_regs *user)
{
	thread_prepare(t, user);
	thread_set_stack(core, t);
	core->switch_next = t;
	core->acct_t0 = rdtsc();	/* t's CPU time counts from here */
	return cok_switch(&core->idle, &t->kctx, (long)core);
}

/*
 * Right after a switch to a thread, on its stack (from switch_to() or,
 * for its first run, cok_thread_start): only now does it become the
 * core's current thread, so that a core that sees another's current
 * thread elsewhere knows that core is off the stack of the one before
 * (a dead thread's slot and stack are reused then: proc.c).  A thread
 * the core gave up for another core (sched.c) is queued there now.
 */
void thread_landed(struct cok_kcore *core)
{
	struct cok_thread *moved = core->handoff;

	cok_write_once(&core->current, core->switch_next);
	if (moved) {
		core->handoff = NULL;
		sched_wake(core, moved);
	}
}

/*
 * A core's stand-in context (sched.c): t's stack ends at top, on the
 * core's boot stack, and the first switch to t lands in cok_standin_start with
 * the stack 16-byte aligned, as a call expects.
 */
void thread_prepare_standin(struct cok_thread *t, uint64_t top)
{
	struct cok_switch_frame *f;

	top &= ~15ULL;
	t->kstack = (void *)(top - COK_KSTACK_SIZE);
	f = (struct cok_switch_frame *)top - 1;
	*f = (struct cok_switch_frame){ .rip = (uint64_t)cok_standin_start };
	t->kctx.rsp = (uint64_t)f;
}

/* Entries from ring 3 (interrupts, SYSCALL) land on t's stack. */
void thread_set_stack(struct cok_kcore *core, const struct cok_thread *t)
{
	*cpu_tss_rsp0(core->index) = stack_top(t);
	core->sca.kernel_rsp = stack_top(t);
}

/*
 * The current thread ends (how): back to the command loop for good; its
 * stack, where this runs, is freed there with the process.
 */
__noreturn void thread_exit(struct cok_kcore *core, long how)
{
	cok_switch(&core->current->kctx, &core->idle, how);
	cok_panic("core %u: a thread that ended was resumed\n", core->index);
}
