// SPDX-License-Identifier: GPL-2.0
/*
 * Timers.  Each core has one queue of struct cok_timer, earliest first
 * (the pure part is timerq.h): the timeouts of its threads' waits, the
 * end of the slice while another thread waits to run, and the process
 * timers (alarm, setitimer, timer_create) armed from it.  The one-shot
 * APIC timer is armed for the head only (sched_timer_update()), so a
 * core with nothing queued takes no timer interrupt at all.
 *
 * Only a core adds to its own queue; any core may take a timer off
 * another's (a futex wake of a waiter there), under that queue's lock.
 * Lock order: p->lock, then a queue's lock; an expiry takes the timer
 * off its queue first, then p->lock to act on it, so a process timer
 * re-armed or disarmed meanwhile (it is queued again, or not armed) is
 * left alone.
 *
 * The process timers post their signals through timer_post_signal(),
 * to signal.c: a handler runs, or the signal's default action.
 */
#include "cokernel.h"

#define SIGEV_SIGNAL	0
#define SIGEV_NONE	1
#define SIGEV_THREAD	2
#define SIGEV_THREAD_ID	4

#define ITIMER_REAL	0
#define ITIMER_VIRTUAL	1
#define ITIMER_PROF	2


/* --- the queue ------------------------------------------------------- */

/* t expires at deadline (TSC), on core's queue (this core's). */
void timer_add(struct cok_kcore *core, struct cok_timer *t,
	       uint64_t deadline)
{
	timer_del(t);
	spin_lock(&core->tq_lock);
	t->core = core->index;
	cok_tq_insert(&core->tq_head, t, deadline);
	spin_unlock(&core->tq_lock);
}

/* t off the queue it is on, if any. */
void timer_del(struct cok_timer *t)
{
	struct cok_kcore *on;

	if (!cok_read_once(&t->queued))
		return;
	on = &cok_cores[t->core];
	spin_lock(&on->tq_lock);
	cok_tq_remove(&on->tq_head, t);
	spin_unlock(&on->tq_lock);
}

/* The TSC the core's timer must fire at; 0: nothing queued. */
uint64_t timer_head(struct cok_kcore *core)
{
	uint64_t d;

	if (!cok_read_once(&core->tq_head))
		return 0;
	spin_lock(&core->tq_lock);
	d = cok_tq_head_deadline(core->tq_head);
	spin_unlock(&core->tq_lock);
	return d;
}

/* The process is gone: nothing of it stays queued on core. */
void timer_reset(struct cok_kcore *core)
{
	spin_lock(&core->tq_lock);
	core->tq_head = NULL;
	core->slice_timer.queued = false;
	spin_unlock(&core->tq_lock);
}

static void ptimer_expired(struct cok_kcore *core, struct cok_ptimer *pt,
			   uint64_t now);

/*
 * The timers of core due at now act, one at a time, off the queue;
 * true if the slice's end was among them (sched_tick() preempts).
 */
bool timer_run_expired(struct cok_kcore *core, uint64_t now)
{
	bool slice = false;
	struct cok_timer *t;

	for (;;) {
		spin_lock(&core->tq_lock);
		t = cok_tq_pop_expired(&core->tq_head, now);
		spin_unlock(&core->tq_lock);
		if (!t)
			return slice;
		switch (t->kind) {
		case COK_TIMER_WAIT:
			futex_timed_out(core, (struct cok_thread *)((char *)t -
					offsetof(struct cok_thread, wait_timer)));
			break;
		case COK_TIMER_SLICE:
			slice = true;
			break;
		default:
			ptimer_expired(core, (struct cok_ptimer *)t, now);
			break;
		}
	}
}

/* --- signals --------------------------------------------------------- */

/*
 * A timer's signal info to thread tid of p (0: to the process), sent as
 * any signal is (signal.c): a handler runs, or its default action is
 * taken.  A thread that exited meanwhile gets nothing, as on Linux.
 */
void timer_post_signal(struct cok_kcore *core, struct cok_proc *p,
		       uint32_t tid, const struct cok_siginfo *info)
{
	struct cok_thread *t = NULL;

	if (tid) {
		t = proc_find_thread(p, tid);
		if (!t)
			return;
	}
	signal_send(core, p, t, info);
}

/* --- process timers -------------------------------------------------- */

static bool cpu_itimer(const struct cok_ptimer *pt, const struct cok_proc *p)
{
	return pt >= &p->itimer[ITIMER_VIRTUAL] &&
	       pt <= &p->itimer[ITIMER_PROF];
}

/* A CPU itimer's queue entry: when its CPU deadline may have come. */
static void cpu_itimer_queue(struct cok_kcore *core, struct cok_ptimer *pt,
			     struct cok_proc *p, uint64_t cpu_now)
{
	uint64_t rest = pt->cpu_target > cpu_now ?
			pt->cpu_target - cpu_now : 0;

	timer_add(core, &pt->t, rdtsc() + cputime_wall_bound(p, rest));
}

/* p->lock held: a CPU itimer that expired; true if it is due. */
static bool cpu_itimer_due(struct cok_kcore *core, struct cok_ptimer *pt,
			   struct cok_proc *p)
{
	bool user = pt == &p->itimer[ITIMER_VIRTUAL];
	uint64_t cpu = cputime_proc_ns(core, p, user);

	if (cpu < pt->cpu_target) {
		cpu_itimer_queue(core, pt, p, cpu);
		return false;
	}
	if (!pt->interval_ns) {
		pt->armed = false;
		return true;
	}
	while (pt->cpu_target <= cpu)
		pt->cpu_target += pt->interval_ns;
	cpu_itimer_queue(core, pt, p, cpu);
	return true;
}

/*
 * The siginfo of pt's signal: an itimer's comes from the kernel, a
 * POSIX timer's says its id, overrun and sigev_value (Linux's SI_TIMER).
 */
static void ptimer_siginfo(const struct cok_proc *p,
			   const struct cok_ptimer *pt,
			   struct cok_siginfo *info)
{
	info->signo = pt->signo;
	if (pt >= &p->itimer[0] && pt < &p->itimer[ARRAY_SIZE(p->itimer)]) {
		info->code = COK_SI_KERNEL;
		return;
	}
	info->code = COK_SI_TIMER;
	info->u.timer.tid = (int32_t)(pt - p->ptimer);
	info->u.timer.overrun = pt->overrun > 0x7fffffff ? 0x7fffffff :
				(int32_t)pt->overrun;
	info->u.timer.value = pt->value;
}

/* pt's queue entry expired on core at now: it posts its signal. */
static void ptimer_expired(struct cok_kcore *core, struct cok_ptimer *pt,
			   uint64_t now)
{
	struct cok_proc *p = core->current->proc;
	struct cok_siginfo info = { 0 };
	uint32_t tid = 0;
	bool due = true;

	spin_lock(&p->lock);
	if (!pt->armed || pt->t.queued) {	/* changed meanwhile */
		spin_unlock(&p->lock);
		return;
	}
	if (cpu_itimer(pt, p))
		due = cpu_itimer_due(core, pt, p);
	else if (pt->t.interval)
		timer_add(core, &pt->t,
			  cok_tq_next_period(pt->t.deadline, pt->t.interval,
					     now, &pt->overrun));
	else
		pt->armed = false;
	if (due && pt->notify != SIGEV_NONE) {
		ptimer_siginfo(p, pt, &info);
		tid = pt->notify == SIGEV_THREAD_ID ? pt->tid : 0;
	}
	spin_unlock(&p->lock);
	if (info.signo)		/* sig_lock comes before p->lock */
		timer_post_signal(core, p, tid, &info);
}

static void ptimer_disarm(struct cok_ptimer *pt)
{
	timer_del(&pt->t);
	pt->armed = false;
	pt->overrun = 0;
}

/* p->lock held: pt's time left and interval, in ns (0: disarmed). */
static void ptimer_get(struct cok_kcore *core, struct cok_proc *p,
		       struct cok_ptimer *pt, uint64_t *left, uint64_t *every)
{
	uint64_t now = rdtsc(), cpu;

	*left = 0;
	*every = 0;
	if (!pt->armed)
		return;
	if (cpu_itimer(pt, p)) {
		cpu = cputime_proc_ns(core, p,
				      pt == &p->itimer[ITIMER_VIRTUAL]);
		*left = pt->cpu_target > cpu ? pt->cpu_target - cpu : COK_TICK_NSEC;
		*every = pt->interval_ns;
		return;
	}
	/* Due but not yet taken: a microsecond, as Linux says then. */
	*left = pt->t.deadline > now ? tsc_to_ns(p, pt->t.deadline - now) :
				       NSEC_PER_USEC;
	*every = pt->interval_ns;
}

/*
 * p->lock held: pt armed from now for value ns (0: disarmed), then
 * every interval ns (0: once).
 */
static void ptimer_set(struct cok_kcore *core, struct cok_proc *p,
		       struct cok_ptimer *pt, uint64_t value,
		       uint64_t interval)
{
	uint64_t cpu;

	ptimer_disarm(pt);
	if (!value)
		return;
	pt->armed = true;
	pt->interval_ns = interval;
	if (cpu_itimer(pt, p)) {
		cpu = cputime_proc_ns(core, p,
				      pt == &p->itimer[ITIMER_VIRTUAL]);
		pt->cpu_target = cpu + value + COK_TICK_NSEC;
		pt->t.interval = 0;
		cpu_itimer_queue(core, pt, p, cpu);
		return;
	}
	pt->t.interval = sched_ns_to_tsc(p, interval);
	timer_add(core, &pt->t, rdtsc() + sched_ns_to_tsc(p, value));
}

/* --- user structures ------------------------------------------------- */

/* A timeval or timespec pair at va as ns; sub is 10^6 or 10^9. */
static int64_t get_pair(struct cok_proc *p, uint64_t va, uint64_t sub,
			uint64_t ns[2])
{
	int64_t v[4];
	int i;

	if (as_read(&p->as, v, va, sizeof(v)))
		return -EFAULT;
	for (i = 0; i < 2; i++) {
		if (v[2 * i] < 0 || v[2 * i + 1] < 0 ||
		    (uint64_t)v[2 * i + 1] >= sub)
			return -EINVAL;
		ns[i] = (uint64_t)v[2 * i] * NSEC_PER_SEC +
			(uint64_t)v[2 * i + 1] * (NSEC_PER_SEC / sub);
	}
	return 0;
}

/* ns[0] (interval) and ns[1] (value) as a timeval or timespec pair. */
static int64_t put_pair(struct cok_proc *p, uint64_t va, uint64_t sub,
			const uint64_t ns[2])
{
	uint64_t v[4];
	int i;

	for (i = 0; i < 2; i++) {
		v[2 * i] = ns[i] / NSEC_PER_SEC;
		v[2 * i + 1] = ns[i] % NSEC_PER_SEC / (NSEC_PER_SEC / sub);
	}
	return as_put(&p->as, va, v, sizeof(v)) ? -EFAULT : 0;
}

/* --- alarm, setitimer, getitimer ------------------------------------ */

#define USEC	1000000ULL

static const int32_t itimer_signal[3] = {
	COK_SIGALRM, COK_SIGVTALRM, COK_SIGPROF
};

/* p->lock held: itimer which from new ns (interval, value); old too. */
static void itimer_swap(struct cok_kcore *core, struct cok_proc *p,
			uint32_t which, const uint64_t *new, uint64_t old[2])
{
	struct cok_ptimer *pt = &p->itimer[which];

	ptimer_get(core, p, pt, &old[1], &old[0]);
	if (!new)
		return;
	pt->notify = SIGEV_SIGNAL;
	pt->signo = itimer_signal[which];
	pt->t.kind = COK_TIMER_SIGNAL;
	ptimer_set(core, p, pt, new[1], new[0]);
}

/* setitimer(which, new, old) */
int64_t sys_setitimer(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	uint64_t which = r->rdi, new[2] = { 0, 0 }, old[2];
	int64_t err = 0;

	if (which > ITIMER_PROF)
		return -EINVAL;
	if (r->rsi) {
		err = get_pair(p, r->rsi, USEC, new);
		if (err)
			return err;
	}
	spin_lock(&p->lock);
	itimer_swap(core, p, (uint32_t)which, new, old);
	spin_unlock(&p->lock);
	return r->rdx ? put_pair(p, r->rdx, USEC, old) : 0;
}

/* getitimer(which, cur) */
int64_t sys_getitimer(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	uint64_t cur[2];

	if (r->rdi > ITIMER_PROF)
		return -EINVAL;
	spin_lock(&p->lock);
	itimer_swap(core, p, (uint32_t)r->rdi, NULL, cur);
	spin_unlock(&p->lock);
	return put_pair(p, r->rsi, USEC, cur);
}

/* alarm(seconds): the seconds left of the one before, rounded. */
int64_t sys_alarm(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	uint64_t new[2] = { 0, (uint32_t)r->rdi * NSEC_PER_SEC }, old[2];
	uint64_t sec, usec;

	spin_lock(&p->lock);
	itimer_swap(core, p, ITIMER_REAL, new, old);
	spin_unlock(&p->lock);
	sec = old[1] / NSEC_PER_SEC;
	usec = old[1] % NSEC_PER_SEC / NSEC_PER_USEC;
	/* As Linux's alarm_setitimer(): never 0 while one was pending. */
	if ((!sec && usec) || usec >= 500000)
		sec++;
	return (int64_t)sec;
}

/* --- POSIX timers ---------------------------------------------------- */

/* The struct sigevent fields timer_create reads. */
struct sigevent_head {
	uint64_t value;
	int32_t signo;
	int32_t notify;
	int32_t tid;
};

_Static_assert(COK_MAX_PTIMERS * sizeof(struct cok_ptimer) <= 4096,
	       "POSIX timers: one page");

static struct cok_ptimer *ptimer_of(struct cok_proc *p, uint64_t id)
{
	if (!p->ptimer || id >= COK_MAX_PTIMERS || !p->ptimer[id].used)
		return NULL;
	return &p->ptimer[id];
}

/* Linux's good_sigevent(): the notification makes sense. */
static bool sigevent_ok(struct cok_proc *p, const struct sigevent_head *e)
{
	switch (e->notify) {
	case SIGEV_THREAD_ID:
		if (e->tid <= 0 || !proc_find_thread(p, (uint32_t)e->tid))
			return false;
		/* fall through */
	case SIGEV_SIGNAL:
	case SIGEV_THREAD:
		return e->signo > 0 && e->signo <= COK_NSIG;
	case SIGEV_NONE:
		return true;
	default:
		return false;
	}
}

static bool clock_ok(uint64_t clk)
{
	return clk == CLOCK_REALTIME || clk == CLOCK_MONOTONIC ||
	       clk == CLOCK_BOOTTIME;
}

/* p->lock held: a free POSIX timer of p, taken: its id, or -EAGAIN. */
static int64_t ptimer_take(struct cok_proc *p, uint64_t clk,
			   const struct sigevent_head *e)
{
	struct cok_ptimer *pt;
	uint32_t i;

	if (!p->ptimer)
		p->ptimer = as_alloc_pages(&p->as, 1);
	if (!p->ptimer)
		return -EAGAIN;		/* as Linux without memory */
	for (i = 0; i < COK_MAX_PTIMERS; i++)
		if (!p->ptimer[i].used)
			break;
	if (i == COK_MAX_PTIMERS)
		return -EAGAIN;
	pt = &p->ptimer[i];
	*pt = (struct cok_ptimer){ .used = true, .which = (uint32_t)clk,
				   .notify = (uint32_t)e->notify,
				   .signo = e->signo, .tid = (uint32_t)e->tid,
				   .value = e->value };
	pt->t.kind = COK_TIMER_SIGNAL;
	if (pt->notify == SIGEV_THREAD)
		pt->notify = SIGEV_SIGNAL;	/* libc's business: a signal */
	return i;
}

/* timer_create(clockid, sevp, timerid) */
int64_t sys_timer_create(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	struct sigevent_head e = { .signo = COK_SIGALRM,
				   .notify = SIGEV_SIGNAL };
	int64_t id;
	int32_t out;

	if (r->rdi >= 2 && r->rdi <= 3)		/* the CPU-time clocks */
		return -EOPNOTSUPP;
	if (!clock_ok(r->rdi))
		return -EINVAL;
	if (r->rsi && as_read(&p->as, &e, r->rsi, sizeof(e)))
		return -EFAULT;
	if (r->rsi && !sigevent_ok(p, &e))
		return -EINVAL;
	spin_lock(&p->lock);
	id = ptimer_take(p, r->rdi, &e);
	if (id >= 0 && !r->rsi)
		p->ptimer[id].value = (uint64_t)id;	/* sigev_value: the id */
	spin_unlock(&p->lock);
	if (id < 0)
		return id;
	out = (int32_t)id;
	if (as_put(&p->as, r->rdx, &out, sizeof(out))) {
		spin_lock(&p->lock);		/* as Linux: no timer then */
		p->ptimer[id].used = false;
		spin_unlock(&p->lock);
		return -EFAULT;
	}
	return 0;
}

/* The ns from now to abs on pt's clock (0 if it is past). */
static uint64_t until(struct cok_proc *p, const struct cok_ptimer *pt,
		      uint64_t abs)
{
	uint64_t now = app_clock_ns(p, pt->which == CLOCK_REALTIME);

	return abs > now ? abs - now : 0;
}

/* timer_settime(id, flags, new, old): rdi, rsi, rdx, r10 */
int64_t sys_timer_settime(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	uint64_t new[2], old[2];
	struct cok_ptimer *pt;
	int64_t err;

	if (!r->rdx)
		return -EINVAL;
	err = get_pair(p, r->rdx, NSEC_PER_SEC, new);
	if (err)
		return err;
	spin_lock(&p->lock);
	pt = ptimer_of(p, r->rdi);
	if (pt) {
		ptimer_get(core, p, pt, &old[1], &old[0]);
		if (new[1] && (r->rsi & TIMER_ABSTIME)) {
			/* Past already: it expires at once. */
			new[1] = until(p, pt, new[1]);
			if (!new[1])
				new[1] = 1;
		}
		ptimer_set(core, p, pt, new[1], new[0]);
	}
	spin_unlock(&p->lock);
	if (!pt)
		return -EINVAL;
	return r->r10 ? put_pair(p, r->r10, NSEC_PER_SEC, old) : 0;
}

/* timer_gettime(id, cur) */
int64_t sys_timer_gettime(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	struct cok_ptimer *pt;
	uint64_t cur[2];

	spin_lock(&p->lock);
	pt = ptimer_of(p, r->rdi);
	if (pt)
		ptimer_get(core, p, pt, &cur[1], &cur[0]);
	spin_unlock(&p->lock);
	if (!pt)
		return -EINVAL;
	return put_pair(p, r->rsi, NSEC_PER_SEC, cur);
}

/* timer_getoverrun(id) */
int64_t sys_timer_getoverrun(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	struct cok_ptimer *pt;
	int64_t n = -EINVAL;

	spin_lock(&p->lock);
	pt = ptimer_of(p, r->rdi);
	if (pt)
		n = pt->overrun > 0x7fffffff ? 0x7fffffff :
		    (int64_t)pt->overrun;
	spin_unlock(&p->lock);
	return n;
}

/* timer_delete(id) */
int64_t sys_timer_delete(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	struct cok_ptimer *pt;

	spin_lock(&p->lock);
	pt = ptimer_of(p, r->rdi);
	if (pt) {
		ptimer_disarm(pt);
		pt->used = false;
	}
	spin_unlock(&p->lock);
	return pt ? 0 : -EINVAL;
}
