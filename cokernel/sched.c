// SPDX-License-Identifier: GPL-2.0
/*
 * The run queue of a core and its one-shot timer.  All threads of a
 * process run on the process's core (issue 8, step 3), and the
 * co-kernel runs with interrupts off except where it halts, so the
 * queue needs no lock: only its own core touches it.
 *
 * A thread that blocks (futex, sleep), yields or exits calls
 * sched_next(), which switches to the oldest runnable thread; with none,
 * the core halts on the blocked thread's stack with interrupts on, so
 * the doorbell (KILL, FREEZE) is served as in a forwarded call and the
 * timer can wake a waiter.
 *
 * The timer is armed only when something needs it: a second runnable
 * thread (the slice, COK_SLICE_MS) or a wait with a timeout.  A core
 * running one thread that waits for nothing takes no interrupt at all.
 * A slice ends only in ring 3: the interrupt frame on the thread's own
 * kernel stack holds all its registers, and the switch saves the rest
 * (FPU, FS and GS bases).  A thread whose forwarded call is not answered
 * within its awake wait gives the core to a runnable thread, if there
 * is one (BLOCKED_CALL); the doorbell Linux rings with the answer puts
 * it back on the run queue.
 */
#include "cokernel.h"

#define COK_SLICE_MS	10

#define NS_MAX		(1ULL << 60)	/* 36 years: a wait without end */

/* In ms and the rest: no 128-bit division in a freestanding build. */
uint64_t sched_ns_to_tsc(const struct cok_proc *p, uint64_t ns)
{
	if (ns > NS_MAX)
		ns = NS_MAX;
	return ns / 1000000U * p->tsc_khz + ns % 1000000U * p->tsc_khz / 1000000U;
}

void sched_enqueue(struct cok_kcore *core, struct cok_thread *t)
{
	t->state = COK_THREAD_RUNNABLE;
	t->rq_next = NULL;
	if (core->rq_tail)
		core->rq_tail->rq_next = t;
	else
		core->rq_head = t;
	core->rq_tail = t;
}

static struct cok_thread *dequeue(struct cok_kcore *core)
{
	struct cok_thread *t = core->rq_head;

	if (t) {
		core->rq_head = t->rq_next;
		if (!core->rq_head)
			core->rq_tail = NULL;
	}
	return t;
}

/*
 * From prev to next: prev's FPU state and segment bases are saved, next's
 * loaded (eager FPU: the co-kernel itself never touches it), and ring-3
 * entries go to next's stack.  Returns when prev is switched to again.
 */
static void switch_to(struct cok_kcore *core, struct cok_thread *prev,
		      struct cok_thread *next)
{
	prev->fs_base = rdmsr(MSR_FS_BASE);
	prev->gs_base = rdmsr(MSR_GS_BASE);	/* the user's (no SWAPGS) */
	ckpt_save_fpu(prev);
	thread_set_stack(core, next);
	wrmsr(MSR_FS_BASE, next->fs_base);
	wrmsr(MSR_GS_BASE, next->gs_base);
	ckpt_load_fpu(next);
	core->current = next;
	cok_switch(&prev->kctx, &next->kctx, 0);
}

/*
 * The current thread gives the core up: it is on the run queue (a
 * yield or a preemption), blocked, or dead.  Returns once it runs again.
 */
void sched_next(struct cok_kcore *core)
{
	struct cok_thread *me = core->current, *next;

	for (;;) {
		next = dequeue(core);
		if (next)
			break;
		sched_timer_update(core);
		core->halted_in_sched = true;	/* a FREEZE may stop it here */
		irq_enable_and_halt();		/* a wake comes by interrupt */
		irq_disable();
		core->halted_in_sched = false;
	}
	next->state = COK_THREAD_RUNNING;
	core->slice_end = rdtsc() + COK_SLICE_MS * me->proc->tsc_khz;
	if (next != me)
		switch_to(core, me, next);
	sched_timer_update(core);
}

void sched_yield(struct cok_kcore *core)
{
	if (!core->rq_head)
		return;
	sched_enqueue(core, core->current);
	sched_next(core);
}

/*
 * The timer for the earliest of: the end of the slice, when another
 * thread waits to run; the first timeout of a wait.  Nothing else.
 */
void sched_timer_update(struct cok_kcore *core)
{
	struct cok_proc *p = core->current->proc;
	uint64_t now = rdtsc(), when = 0, d;

	if (core->rq_head) {
		if (core->slice_end <= now)	/* ended outside ring 3 */
			core->slice_end = now + COK_SLICE_MS * p->tsc_khz;
		when = core->slice_end;
	}
	d = futex_next_deadline(p);
	if (d && (!when || d < when))
		when = d;
	if (when == core->timer_deadline)
		return;
	core->timer_deadline = when;
	if (when)
		apic_timer_set(core, when > now ? when - now : 1, p->tsc_khz);
	else
		apic_timer_stop();
}

/* COK_TIMER_VECTOR, the EOI sent: timeouts, then maybe a preemption. */
void sched_tick(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_thread *me = core->current;
	uint64_t now = rdtsc();

	core->timer_deadline = 0;	/* a one-shot: it is spent */
	if (me->state == COK_THREAD_FROZEN)
		return;
	futex_expire(me->proc, now);
	if ((r->cs & 3) == 3 && core->rq_head && now >= core->slice_end) {
		sched_enqueue(core, me);
		sched_next(core);
		return;
	}
	sched_timer_update(core);
}

/*
 * The current thread waits for the answer to its forwarded call, which
 * comes with a doorbell (interrupts are off until sched_next() halts or
 * switches to a thread in ring 3, so that doorbell cannot be missed).
 */
void sched_wait_call(struct cok_kcore *core)
{
	struct cok_thread *me = core->current;

	me->state = COK_THREAD_BLOCKED_CALL;
	me->cw_next = core->call_waiters;
	core->call_waiters = me;
	sched_next(core);
}

/* A doorbell: the threads whose call is answered may run again. */
void sched_wake_answered(struct cok_kcore *core)
{
	struct cok_thread **pp = &core->call_waiters, *t;
	bool woke = false;

	while ((t = *pp)) {
		if (cok_load_acquire(&cok_channel->fwd[t->index].state) !=
		    COK_SC_DONE) {
			pp = &t->cw_next;
			continue;
		}
		*pp = t->cw_next;
		t->cw_next = NULL;
		sched_enqueue(core, t);
		woke = true;
	}
	if (woke && core->current->state == COK_THREAD_RUNNING)
		sched_timer_update(core);	/* a slice for the others */
}

/* The process is gone: nothing queued, no timer. */
void sched_reset(struct cok_kcore *core)
{
	core->rq_head = NULL;
	core->rq_tail = NULL;
	core->call_waiters = NULL;
	core->timer_deadline = 0;
	apic_timer_stop();
}
