// SPDX-License-Identifier: GPL-2.0
/*
 * The run queues of the cores and their one-shot timers.  A process's
 * threads run on the cores of its set (p->cores), each thread on the
 * one clone() placed it on (t->core).  A core's queue has a spinlock:
 * a wake on another core (a futex, a timeout) pushes the thread there
 * and sends that core COK_RESCHED_VECTOR.  The co-kernel runs with
 * interrupts off except where it halts.
 *
 * A thread that blocks (futex, sleep), yields or exits calls
 * sched_next(), which switches to the oldest runnable thread of its
 * core; with none, the core halts on the blocked thread's stack with
 * interrupts on, so the doorbell (KILL, FREEZE) is served as in a
 * forwarded call, the timer can wake a waiter and a RESCHED brings a
 * thread woken elsewhere.  A core other than the home core, idle in its
 * command loop, joins the process when a thread is queued on it
 * (sched_join()) and stays with it until the process ends.
 *
 * The end of a process (exit_group, a fault, KILL, on any of its
 * cores): the core that ends it marks p->end and sends RESCHED to the
 * others; each leaves for its command loop at once (from the interrupt,
 * a halt or its next system call); the home core waits until they all
 * left and frees the process (app.c).
 *
 * A thread whose core leaves its affinity (affinity.c) moves at a safe
 * point (sched_settle()): its core gives it up as in a yield and, once
 * it has landed on its next thread or, with none, on its stand-in context
 * (a stand-in thread halting on the core's boot stack below the command
 * loop), queues it on its new core (thread_landed()): no core switches
 * to a thread whose stack another core still runs on.
 *
 * The timer is armed only when something needs it: the head of the
 * core's timer queue (timer.c), which holds the end of the slice while
 * a second runnable thread is on the core (COK_SLICE_MS), the timeouts
 * of its threads' waits and the process timers armed from it.  A core
 * running one thread that waits for nothing takes no interrupt at all.  A slice ends only in ring 3: the
 * interrupt frame on the thread's own kernel stack holds all its
 * registers, and the switch saves the rest (FPU, FS and GS bases).  A
 * thread whose forwarded call is not answered within its awake wait
 * gives the core to a runnable thread, if there is one (BLOCKED_CALL);
 * the doorbell Linux rings with the answer puts it back on the queue.
 */
#include "cokernel.h"

#define COK_SLICE_MS	10

#define NS_MAX		(1ULL << 60)	/* 36 years: a wait without end */

/* Below the command loop's frame on the boot stack: the stand-in's. */
#define STANDIN_GAP	256

/* Each core's stand-in while it has no thread to run (sched_give_up()). */
static struct cok_thread standin[COK_MAX_CORES];

/* In ms and the rest: no 128-bit division in a freestanding build. */
uint64_t sched_ns_to_tsc(const struct cok_proc *p, uint64_t ns)
{
	if (ns > NS_MAX)
		ns = NS_MAX;
	return ns / 1000000U * p->tsc_khz + ns % 1000000U * p->tsc_khz / 1000000U;
}

void sched_enqueue(struct cok_kcore *core, struct cok_thread *t)
{
	spin_lock(&core->rq_lock);
	t->state = COK_THREAD_RUNNABLE;
	cok_rq_push(&core->rq_head, &core->rq_tail, t);
	spin_unlock(&core->rq_lock);
}

/* t may run again, on its core; self is the core that runs this. */
void sched_wake(struct cok_kcore *self, struct cok_thread *t)
{
	sched_enqueue(t->core, t);
	if (t->core != self)
		ipi_core(t->core, COK_RESCHED_VECTOR);
}

static struct cok_thread *pop(struct cok_kcore *core)
{
	return cok_rq_pop(&core->rq_head, &core->rq_tail);
}

static struct cok_thread *dequeue(struct cok_kcore *core)
{
	struct cok_thread *t;

	spin_lock(&core->rq_lock);
	t = pop(core);
	spin_unlock(&core->rq_lock);
	return t;
}

/* Nothing queued on the core, looked at without the lock. */
static bool rq_empty(struct cok_kcore *core)
{
	return !cok_read_once(&core->rq_head);
}

/* The current thread's process ends on another core: leave it. */
void sched_check_end(struct cok_kcore *core)
{
	if (core->in_app &&
	    __atomic_load_n(&core->current->proc->end, __ATOMIC_SEQ_CST))
		thread_exit(core, COK_END_LEAVE);
}

/*
 * From prev to next: prev's FPU state and segment bases are saved, next's
 * loaded (eager FPU: the co-kernel itself never touches it), and ring-3
 * entries go to next's stack.  Returns when prev is switched to again,
 * with the core that did (another one if prev moved).
 */
static struct cok_kcore *switch_to(struct cok_kcore *core,
				   struct cok_thread *prev,
				   struct cok_thread *next)
{
	prev->fs_base = rdmsr(MSR_FS_BASE);
	prev->gs_base = rdmsr(MSR_GS_BASE);	/* the user's (no SWAPGS) */
	ckpt_save_fpu(prev);
	thread_set_stack(core, next);
	wrmsr(MSR_FS_BASE, next->fs_base);
	wrmsr(MSR_GS_BASE, next->gs_base);
	ckpt_load_fpu(next);
	core->switch_next = next;
	cputime_charge(core);		/* prev's time in the kernel */
	core = (struct cok_kcore *)cok_switch(&prev->kctx, &next->kctx,
					      (long)core);
	thread_landed(core);
	return core;
}

/*
 * The current thread leaves for me->core, set already: the next thread
 * of this core runs, or with none the stand-in context, on the boot stack
 * below the command loop (the FPU state it loads is me's, saved twice).
 * Returns on me's new core.
 */
static struct cok_kcore *sched_give_up(struct cok_kcore *core)
{
	struct cok_thread *me = core->current, *next = dequeue(core);

	core->handoff = me;		/* queued once this core landed */
	if (next) {
		next->state = COK_THREAD_RUNNING;
	} else {
		next = &standin[core->index];
		next->proc = me->proc;
		next->state = COK_THREAD_DEAD;	/* nothing a freeze saves */
		ckpt_save_fpu(next);
		thread_prepare_standin(next, core->idle.rsp - STANDIN_GAP);
	}
	core->slice_end = rdtsc() + COK_SLICE_MS * me->proc->tsc_khz;
	return switch_to(core, me, next);
}

/* cok_standin_start: the core is off the stack of the thread it gave up. */
__noreturn void sched_standin(struct cok_kcore *core)
{
	thread_landed(core);
	sched_next(core);
	cok_panic("core %u: the stand-in context was resumed\n", core->index);
}

/*
 * A safe point of the current thread (a system call's end, its return
 * from sched_next(), a RESCHED in ring 3): if its core is not in its
 * affinity any more, it moves (affinity.c).  Returns its core then.
 */
struct cok_kcore *sched_settle(struct cok_kcore *core)
{
	struct cok_proc *p = core->current->proc;
	struct cok_kcore *to;

	/* Not while p is being frozen: its cores stop where they are. */
	while (!(affinity_cores(core->current) & (1U << core->index)) &&
	       !__atomic_load_n(&p->park, __ATOMIC_SEQ_CST)) {
		spin_lock(&p->lock);
		to = affinity_target(core);
		spin_unlock(&p->lock);
		if (!to)
			break;
		core = sched_give_up(core);
	}
	return core;
}

/*
 * The current thread gives the core up: it is on the run queue (a
 * yield or a preemption), blocked, or dead.  Returns once it runs again.
 */
void sched_next(struct cok_kcore *core)
{
	struct cok_thread *me = core->current, *next;

	for (;;) {
		sched_check_end(core);
		next = dequeue(core);
		if (next)
			break;
		sched_timer_update(core);
		core->halted_in_sched = true;	/* a FREEZE may stop it here */
		cputime_halt(core);		/* a wake comes by interrupt */
		core->halted_in_sched = false;
	}
	next->state = COK_THREAD_RUNNING;
	core->slice_end = rdtsc() + COK_SLICE_MS * me->proc->tsc_khz;
	if (next != me)
		core = switch_to(core, me, next);
	core = sched_settle(core);
	sched_timer_update(core);
}

void sched_yield(struct cok_kcore *core)
{
	if (rq_empty(core))
		return;
	sched_enqueue(core, core->current);
	sched_next(core);
}

/* The slice's end on the core's timer queue at when; 0: off it. */
static void slice_timer_set(struct cok_kcore *core, uint64_t when)
{
	struct cok_timer *s = &core->slice_timer;

	if (!when) {
		if (s->queued)
			timer_del(s);
		return;
	}
	if (s->queued && s->deadline == when)
		return;
	s->kind = COK_TIMER_SLICE;
	timer_add(core, s, when);
}

/*
 * The timer for the head of the queue, after the slice's end is put on
 * it when another thread waits to run (off it when none does).
 */
void sched_timer_update(struct cok_kcore *core)
{
	struct cok_proc *p = core->current->proc;
	uint64_t now = rdtsc(), when;

	slice_timer_set(core, cok_rq_timer_when(!rq_empty(core),
						&core->slice_end, now,
						COK_SLICE_MS * p->tsc_khz, 0));
	when = timer_head(core);
	if (when == core->timer_deadline)
		return;
	core->timer_deadline = when;
	if (when)
		apic_timer_set(core, when > now ? when - now : 1, p->tsc_khz);
	else
		apic_timer_stop();
}

/*
 * COK_TIMER_VECTOR, the EOI sent: the expired timers, then maybe a
 * preemption (the slice's timer was among them).
 */
void sched_tick(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_thread *me = core->current;
	bool slice_ended;

	core->timer_deadline = 0;	/* a one-shot: it is spent */
	if (core->stopped)
		return;
	slice_ended = timer_run_expired(core, rdtsc());
	if ((r->cs & 3) == 3 && !rq_empty(core) && slice_ended) {
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

/* Another core's queues too: emptied under their locks. */
static void sched_reset_queue(struct cok_kcore *core)
{
	spin_lock(&core->rq_lock);
	core->rq_head = NULL;
	core->rq_tail = NULL;
	spin_unlock(&core->rq_lock);
	timer_reset(core);
}

/* The process is gone: nothing queued, no timer, nothing stopped. */
void sched_reset(struct cok_kcore *core)
{
	sched_reset_queue(core);
	core->handoff = NULL;
	core->stopped = false;		/* it ended frozen, or parked */
	core->park_pending = false;
	core->call_waiters = NULL;
	core->timer_deadline = 0;
	apic_timer_stop();
}

/*
 * COK_RESCHED_VECTOR, the EOI sent: the process ends, or a thread was
 * queued here (a halted core takes it in sched_next(); one running a
 * thread needs the slice timer now), or the thread in ring 3 (r) has to
 * leave this core (affinity.c).  Returns the core it runs on then.
 */
struct cok_kcore *sched_resched(struct cok_kcore *core,
				 const struct cok_regs *r)
{
	sched_check_end(core);
	if ((r->cs & 3) == 3)
		core = sched_settle(core);
	if (core->current->state == COK_THREAD_RUNNING)
		sched_timer_update(core);
	return core;
}

/*
 * The command loop of an idle core: a thread queued here makes it join
 * that thread's process (true: it did, and the process has ended).
 * Taking the thread, marking the core active in the process and looking
 * at p->end happen under the queue's lock, and the home core empties
 * the queue under that lock before it frees the process, so that p is
 * not touched once it is freed; active is set before end is read, and
 * end set before active is read (sched_end_others()), so that either
 * the home core waits for this core or this core sees the end.  The
 * same holds for p->park, a freeze (checkpoint.c): while it is set the
 * thread stays queued and the core halts until the freeze ends.
 */
static void sched_join(struct cok_kcore *core);

bool sched_idle(struct cok_kcore *core)
{
	uint32_t bit = 1U << core->index;
	struct cok_thread *t;
	struct cok_proc *p;
	bool held = false, end = false;

	if (rq_empty(core))
		return false;
	spin_lock(&core->rq_lock);
	t = core->rq_head;
	if (t) {
		p = t->proc;
		__atomic_fetch_or(&p->active, bit, __ATOMIC_SEQ_CST);
		held = __atomic_load_n(&p->park, __ATOMIC_SEQ_CST);
		end = __atomic_load_n(&p->end, __ATOMIC_SEQ_CST);
		if (held || end)
			__atomic_fetch_and(&p->active, ~bit, __ATOMIC_SEQ_CST);
		if (!held)
			pop(core);
	}
	spin_unlock(&core->rq_lock);
	if (held) {		/* p is being frozen: until it is released */
		irq_enable_and_halt();
		irq_disable();
	}
	if (!t || held || end)
		return false;
	core->current = t;
	sched_join(core);
	return true;
}

/* Run the process of core->current here until it ends. */
static void sched_join(struct cok_kcore *core)
{
	struct cok_thread *t = core->current;
	struct cok_proc *p = t->proc;

	as_activate(&p->as);
	core->in_app = true;
	t->state = COK_THREAD_RUNNING;
	core->slice_end = rdtsc() + COK_SLICE_MS * p->tsc_khz;
	thread_set_stack(core, t);
	wrmsr(MSR_FS_BASE, t->fs_base);
	wrmsr(MSR_GS_BASE, t->gs_base);
	ckpt_load_fpu(t);
	core->switch_next = t;
	core->acct_t0 = rdtsc();	/* t's CPU time counts from here */
	cok_write_once(&core->shared->in_user, 1);	/* see cok_interrupt */
	cok_switch(&core->idle, &t->kctx, (long)core);
	/* The process ended: this core leaves it, then forgets it. */
	core->in_app = false;
	cok_write_once(&core->shared->in_user, 0);
	sched_reset(core);
	as_deactivate();
	wrmsr(MSR_FS_BASE, 0);
	wrmsr(MSR_GS_BASE, 0);
	core->current = NULL;
	__atomic_fetch_and(&p->active, ~(1U << core->index), __ATOMIC_RELEASE);
}

/*
 * The home core, back in its command loop, ends p on its other cores:
 * RESCHED was sent when p->end was set (app.c); wait until every other
 * core left (TLB requests served meanwhile, interrupts open), then empty
 * their queues, which may still hold threads of p woken late.
 */
void sched_end_others(struct cok_kcore *home, struct cok_proc *p)
{
	uint32_t others = p->cores & ~(1U << home->index), c;

	while (__atomic_load_n(&p->active, __ATOMIC_SEQ_CST) & others) {
		tlb_serve(home);
		__asm__ volatile("sti; pause; cli" ::: "memory");
	}
	for (c = 0; c < COK_MAX_CORES; c++)
		if (others & (1U << c))
			sched_reset_queue(&cok_cores[c]);
}
