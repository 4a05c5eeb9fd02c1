// SPDX-License-Identifier: GPL-2.0
/*
 * CPU time and the clocks apps read and sleep on.  A thread's CPU time
 * is TSC counted at every way into and out of ring 3: each core keeps
 * acct_t0, the TSC of its last entry, exit or switch, and charges the
 * time since to its current thread, as user time (utime) on the way in
 * from ring 3, as system time (stime) on the way out and at a switch
 * or a halt (time halted is nobody's).  A thread that exits leaves its
 * time to its process (dead_utime, dead_stime).
 *
 * The clocks: CLOCK_REALTIME and CLOCK_MONOTONIC (and their variants)
 * come from Linux's clocks at launch and the TSC (app_clock_ns());
 * CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID and the clock ids
 * clock_getcpuclockid() and pthread_getcpuclockid() make (Linux's
 * encoding: ~pid << 3, bit 2 a thread's, bits 1-0 PROF, VIRT or SCHED)
 * from that CPU time.
 */
#include "cokernel.h"

/* A CPU-time clock id: which clock (bits 1-0), a thread's (bit 2). */
#define CPUCLOCK_PROF		0	/* user + system */
#define CPUCLOCK_VIRT		1	/* user */
#define CPUCLOCK_SCHED		2	/* user + system, finest */
#define CPUCLOCK_PERTHREAD	4
#define CPUCLOCK_SELF		((int64_t)(~0ULL << 3))	/* ~pid: pid 0 */

#define RUSAGE_SELF		0
#define RUSAGE_CHILDREN		(-1)
#define RUSAGE_THREAD		1

#define USER_HZ		100		/* times()'s clock ticks */
/* A CPU-time deadline not come yet is looked at again no sooner. */
#define CPU_RECHECK_NS	100000ULL

/* --- accounting ------------------------------------------------------ */

/* The TSC since the core's last mark, the mark moved to now. */
static uint64_t since_mark(struct cok_kcore *core)
{
	uint64_t now = rdtsc(), d = now - core->acct_t0;

	core->acct_t0 = now;
	return d;
}

/* From ring 3 into the kernel: the time since was the thread's own. */
void cputime_enter(struct cok_kcore *core)
{
	core->current->utime += since_mark(core);
}

/* Back to ring 3: the time since the entry was spent in the kernel. */
void cputime_leave(struct cok_kcore *core)
{
	core->current->stime += since_mark(core);
}

/* The current thread leaves the core (a switch): its kernel time. */
void cputime_charge(struct cok_kcore *core)
{
	core->current->stime += since_mark(core);
}

/* Halt with interrupts on until one comes; the time halted is nobody's. */
void cputime_halt(struct cok_kcore *core)
{
	cputime_charge(core);
	irq_enable_and_halt();
	irq_disable();
	core->acct_t0 = rdtsc();
}

/* The current thread exits: its time stays its process's. */
void cputime_exit(struct cok_kcore *core)
{
	struct cok_thread *t = core->current;
	struct cok_proc *p = t->proc;

	cputime_charge(core);
	spin_lock(&p->lock);
	p->dead_utime += t->utime;
	p->dead_stime += t->stime;
	t->utime = 0;
	t->stime = 0;
	spin_unlock(&p->lock);
}

uint64_t tsc_to_ns(const struct cok_proc *p, uint64_t tsc)
{
	return (uint64_t)(((__uint128_t)tsc * p->ns_mult) >> 32);
}

/*
 * t's CPU time in TSC (user only, or user + system), up to now: the
 * caller's own call so far counts as system time; a thread running on
 * another core is counted as in ring 3 since that core's last mark.
 */
static uint64_t thread_tsc(struct cok_kcore *self, struct cok_thread *t,
			   bool user_only)
{
	uint64_t u = t->utime, s = t->stime, now = rdtsc(), t0;

	if (t == self->current) {
		s += now - self->acct_t0;
	} else if (cok_read_once(&t->state) == COK_THREAD_RUNNING && t->core) {
		t0 = cok_read_once(&t->core->acct_t0);
		if (now > t0)
			u += now - t0;
	}
	return user_only ? u : u + s;
}

/* p->lock held: p's CPU time in ns, its exited threads' included. */
uint64_t cputime_proc_ns(struct cok_kcore *core, struct cok_proc *p,
			 bool user_only)
{
	struct cok_thread *list[COK_STATE_MAX_THREADS];
	uint32_t i, n = proc_threads(p, list, ARRAY_SIZE(list));
	uint64_t tsc = p->dead_utime + (user_only ? 0 : p->dead_stime);

	for (i = 0; i < n; i++)
		tsc += thread_tsc(core, list[i], user_only);
	return tsc_to_ns(p, tsc);
}

/*
 * The wall-clock ns before which p cannot have spent rest ns of CPU
 * time: on all its cores at once (at least CPU_RECHECK_NS).
 */
uint64_t cputime_wall_bound(const struct cok_proc *p, uint64_t rest)
{
	uint32_t n = 0, c;

	for (c = p->cores; c; c &= c - 1)
		n++;
	rest /= n ? n : 1;
	return rest < CPU_RECHECK_NS ? CPU_RECHECK_NS : rest;
}

static uint64_t proc_ns(struct cok_kcore *core, bool user_only)
{
	struct cok_proc *p = core->current->proc;
	uint64_t ns;

	spin_lock(&p->lock);
	ns = cputime_proc_ns(core, p, user_only);
	spin_unlock(&p->lock);
	return ns;
}

static uint64_t thread_ns(struct cok_kcore *core, struct cok_thread *t,
			  bool user_only)
{
	return tsc_to_ns(t->proc, thread_tsc(core, t, user_only));
}

/* --- the clocks ------------------------------------------------------ */

static int64_t put_ts(struct cok_proc *p, uint64_t va, uint64_t ns)
{
	uint64_t v[2] = { ns / NSEC_PER_SEC, ns % NSEC_PER_SEC };

	return as_put(&p->as, va, v, sizeof(v)) ? -EFAULT : 0;
}

/*
 * What clock clk is: Linux's realtime or monotonic one (coarse: read at
 * the tick), CPU time, or none.
 */
enum { CLK_NONE, CLK_REAL, CLK_MONO, CLK_CPU };

static int clock_kind(int64_t clk, bool *realtime, bool *coarse)
{
	*coarse = clk == CLOCK_REALTIME_COARSE ||
		  clk == CLOCK_MONOTONIC_COARSE;
	*realtime = clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_COARSE ||
		    clk == CLOCK_REALTIME_ALARM || clk == CLOCK_TAI;
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_REALTIME_ALARM:
	case CLOCK_TAI:
		return CLK_REAL;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_BOOTTIME_ALARM:
		return CLK_MONO;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		return CLK_CPU;
	default:
		return clk < 0 ? CLK_CPU : CLK_NONE;
	}
}

/*
 * A CPU-time clock (2, 3 or an encoded id) at now in ns; -EINVAL for
 * a bad id or a process or thread that is not the caller's.
 */
static int64_t cpu_clock_ns(struct cok_kcore *core, int64_t clk,
			    uint64_t *ns, uint32_t *which)
{
	struct cok_thread *t = core->current;
	struct cok_proc *p = t->proc;
	int64_t pid;

	if (clk == CLOCK_PROCESS_CPUTIME_ID)	/* pid 0: the caller's */
		clk = CPUCLOCK_SELF | CPUCLOCK_SCHED;
	else if (clk == CLOCK_THREAD_CPUTIME_ID)
		clk = CPUCLOCK_SELF | CPUCLOCK_SCHED | CPUCLOCK_PERTHREAD;
	else if (clk >= 0 || (clk & 3) == 3)
		return -EINVAL;
	pid = ~(clk >> 3);
	*which = clk & 3;
	if (clk & CPUCLOCK_PERTHREAD) {
		if (pid)
			t = proc_find_thread(p, (uint32_t)pid);
		if (!t)
			return -EINVAL;
		*ns = thread_ns(core, t, *which == CPUCLOCK_VIRT);
		return 0;
	}
	if (pid && pid != p->pid)
		return -EINVAL;
	*ns = proc_ns(core, *which == CPUCLOCK_VIRT);
	return 0;
}

/* clock_gettime(clk, ts) */
int64_t sys_clock_gettime(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	int64_t clk = (int32_t)r->rdi, err;
	bool realtime, coarse;
	uint32_t which;
	uint64_t ns;

	switch (clock_kind(clk, &realtime, &coarse)) {
	case CLK_REAL:
	case CLK_MONO:
		ns = app_clock_ns(p, realtime);
		break;
	case CLK_CPU:
		err = cpu_clock_ns(core, clk, &ns, &which);
		if (err)
			return err;
		break;
	default:
		return -EINVAL;
	}
	return put_ts(p, r->rsi, ns);
}

/* clock_getres(clk, res): Linux's, high-resolution timers on. */
int64_t sys_clock_getres(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	int64_t clk = (int32_t)r->rdi, err;
	bool realtime, coarse;
	uint32_t which;
	uint64_t ns, res = 1;

	switch (clock_kind(clk, &realtime, &coarse)) {
	case CLK_REAL:
	case CLK_MONO:
		if (coarse)
			res = COK_TICK_NSEC;
		break;
	case CLK_CPU:
		err = cpu_clock_ns(core, clk, &ns, &which);
		if (err)
			return err;
		if (which != CPUCLOCK_SCHED)
			res = COK_TICK_NSEC;
		break;
	default:
		return -EINVAL;
	}
	return r->rsi ? put_ts(p, r->rsi, res) : 0;
}

/* --- sleeps ---------------------------------------------------------- */

/* A timespec at va as ns: -EFAULT, -EINVAL as Linux's checks. */
int64_t user_timespec_ns(struct cok_proc *p, uint64_t va, uint64_t *ns)
{
	int64_t v[2];

	if (as_read(&p->as, v, va, sizeof(v)))
		return -EFAULT;
	if (v[0] < 0 || v[1] < 0 || (uint64_t)v[1] >= NSEC_PER_SEC)
		return -EINVAL;
	*ns = (uint64_t)v[0] * NSEC_PER_SEC + (uint64_t)v[1];
	return 0;
}

/*
 * The caller sleeps ns on its core's timer queue (the core halts, or
 * runs its other threads meanwhile): 0 once they passed; interrupted
 * by a signal, -ERESTART_RESTARTBLOCK (-EINTR if a handler runs: a
 * relative sleep) with the ns left in *left.
 */
static int64_t sleep_ns(struct cok_kcore *core, uint64_t ns, uint64_t *left)
{
	struct cok_proc *p = core->current->proc;
	uint64_t until = rdtsc() + sched_ns_to_tsc(p, ns), now;

	if (!ns || !futex_sleep(core, until))
		return 0;
	now = rdtsc();
	*left = until > now ? tsc_to_ns(p, until - now) : 0;
	return -ERESTART_RESTARTBLOCK;
}

/* An interrupted relative sleep tells the time left in rem (if any). */
static int64_t slept(struct cok_proc *p, int64_t ret, uint64_t left,
		     uint64_t rem)
{
	if (ret && rem && put_ts(p, rem, left))
		return -EFAULT;
	return ret;
}

/* An absolute one runs again as it was, unless a handler runs. */
static int64_t slept_abs(int64_t ret)
{
	return ret ? -ERESTARTNOHAND : 0;
}

/* nanosleep(req, rem) */
int64_t sys_nanosleep(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	uint64_t ns, left = 0;
	int64_t err = user_timespec_ns(p, r->rdi, &ns);

	if (err)
		return err;
	err = sleep_ns(core, ns, &left);
	return slept(p, err, left, r->rsi);
}

/* Until the process's CPU time (ns) reaches target. */
static int64_t sleep_cpu_until(struct cok_kcore *core, uint64_t target)
{
	struct cok_proc *p = core->current->proc;
	uint64_t cpu, left;
	int64_t ret = 0;

	while (!ret && (cpu = proc_ns(core, false)) < target)
		ret = sleep_ns(core, cputime_wall_bound(p, target - cpu), &left);
	return ret;		/* interrupted: no time left to tell */
}

/* clock_nanosleep(clk, flags, req, rem), in Linux's order of checks */
int64_t sys_clock_nanosleep(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	int64_t clk = (int32_t)r->rdi, err;
	bool realtime, coarse;
	uint64_t ns, now, left = 0;
	uint32_t which;
	int kind = clock_kind(clk, &realtime, &coarse);

	if (kind == CLK_NONE || clk == CLOCK_THREAD_CPUTIME_ID ||
	    (clk < 0 && (clk & CPUCLOCK_PERTHREAD)))
		return -EINVAL;
	if (coarse || clk == CLOCK_MONOTONIC_RAW)
		return -EOPNOTSUPP;	/* Linux has no sleep on these */
	if (kind == CLK_CPU)		/* the process's: ours only */
		err = cpu_clock_ns(core, clk, &now, &which);
	else
		err = 0;
	if (!err)
		err = user_timespec_ns(p, r->rdx, &ns);
	if (err)
		return err;
	if (kind == CLK_CPU && (r->rsi & TIMER_ABSTIME))
		return slept_abs(sleep_cpu_until(core, ns));
	if (kind == CLK_CPU)
		return sleep_cpu_until(core, now + ns);
	if (!(r->rsi & TIMER_ABSTIME)) {
		err = sleep_ns(core, ns, &left);
		return slept(p, err, left, r->r10);
	}
	now = app_clock_ns(p, realtime);
	return slept_abs(sleep_ns(core, ns > now ? ns - now : 0, &left));
}

/* --- getrusage, times ------------------------------------------------ */

/* getrusage(who, usage): the CPU times; the other fields are 0. */
int64_t sys_getrusage(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	int64_t who = (int32_t)r->rdi;
	uint64_t ru[18] = { 0 }, u = 0, all = 0;

	if (who == RUSAGE_SELF) {
		u = proc_ns(core, true);
		all = proc_ns(core, false);
	} else if (who == RUSAGE_THREAD) {
		u = thread_ns(core, core->current, true);
		all = thread_ns(core, core->current, false);
	} else if (who != RUSAGE_CHILDREN) {
		return -EINVAL;
	}
	if (all < u)
		all = u;
	ru[0] = u / NSEC_PER_SEC;			/* ru_utime */
	ru[1] = u % NSEC_PER_SEC / 1000;
	ru[2] = (all - u) / NSEC_PER_SEC;		/* ru_stime */
	ru[3] = (all - u) % NSEC_PER_SEC / 1000;
	return as_put(&p->as, r->rsi, ru, sizeof(ru)) ? -EFAULT : 0;
}

/* times(buf): the process's times in clock ticks; ticks since boot. */
int64_t sys_times(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	uint64_t u = proc_ns(core, true), all = proc_ns(core, false);
	uint64_t tick = NSEC_PER_SEC / USER_HZ;
	uint64_t tms[4] = { u / tick, all > u ? (all - u) / tick : 0, 0, 0 };

	if (r->rdi && as_put(&p->as, r->rdi, tms, sizeof(tms)))
		return -EFAULT;
	return (int64_t)(app_clock_ns(p, false) / tick);
}
