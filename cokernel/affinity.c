// SPDX-License-Identifier: GPL-2.0
/*
 * sched_setaffinity() and sched_getaffinity() for the threads of the
 * caller's process.  The app sees the N cores of its set as CPUs 0 to
 * N - 1 (runq.h); a thread's affinity is a set of cores within p->cores
 * (t->affinity, 0: all of them, which a launch or a restore gives; the
 * image does not hold it).  A new thread inherits its parent's
 * (clone.c), as on Linux.
 *
 * A thread whose core leaves its affinity moves to an allowed core:
 * - queued to run (RUNNABLE) on a core that is off its stack: at once,
 *   from that core's queue to the new one's, under p->lock and the
 *   queues' locks;
 * - otherwise (running, blocked, or its core still on its stack): it
 *   moves itself at its next safe point, where its core gives it up
 *   (sched_settle(): the end of a system call, a return from sched_next(),
 *   a RESCHED in ring 3, which is sent to its core now).  A blocked
 *   thread thus wakes on its old core and leaves it before it returns
 *   to ring 3.
 * p->load[] follows every move (the placement of clone() counts it).
 */
#include "cokernel.h"


/* The cores t may run on. */
uint32_t affinity_cores(const struct cok_thread *t)
{
	uint32_t set = cok_read_once(&t->affinity) & t->proc->cores;

	return set ? set : t->proc->cores;
}

/* pid 0: the caller; else a live thread of its process, or NULL. */
static struct cok_thread *target(struct cok_kcore *core, int32_t pid)
{
	struct cok_thread *me = core->current;

	if (pid == 0)
		return me;
	if (pid < 0)
		return NULL;
	return proc_find_thread(me->proc, (uint32_t)pid);
}

/*
 * p->lock held: t moves to the allowed core with the fewest of p's
 * threads, if it is queued on a core that is off its stack (that core
 * took it from the queue, or still runs on its stack: it stays).
 */
static bool move_queued(struct cok_kcore *self, struct cok_thread *t)
{
	struct cok_proc *p = t->proc;
	struct cok_kcore *from = t->core;
	uint32_t to = cok_rq_place(affinity_cores(t), p->load,
				   p->core->index);
	bool out;

	if (t->state != COK_THREAD_RUNNABLE)
		return false;
	spin_lock(&from->rq_lock);
	out = cok_read_once(&from->current) != t &&
	      cok_rq_remove(&from->rq_head, &from->rq_tail, t);
	spin_unlock(&from->rq_lock);
	if (!out)
		return false;
	p->load[from->index]--;
	p->load[to]++;
	t->core = &cok_cores[to];
	sched_wake(self, t);
	return true;
}

/*
 * p->lock held: the core the caller should move to, its load counted
 * there, or NULL when its core is allowed.
 */
struct cok_kcore *affinity_target(struct cok_kcore *core)
{
	struct cok_thread *me = core->current;
	struct cok_proc *p = me->proc;
	uint32_t set = affinity_cores(me), to;

	if (set & (1U << core->index))
		return NULL;
	to = cok_rq_place(set, p->load, p->core->index);
	p->load[core->index]--;
	p->load[to]++;
	me->core = &cok_cores[to];
	return me->core;
}

/* The mask at va as Linux's get_user_cpu_mask() reads it. */
static int64_t read_mask(struct cok_proc *p, uint64_t va, uint32_t len,
			 uint64_t *cpus)
{
	uint32_t n = cok_rq_mask_bytes(len);

	*cpus = 0;
	if (n && as_read(&p->as, cpus, va, n))
		return -EFAULT;
	return 0;
}

/* sched_setaffinity(pid, len, mask) */
int64_t sys_sched_setaffinity(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	struct cok_thread *t;
	uint64_t cpus;
	uint32_t set;
	int64_t err;

	err = read_mask(p, r->rdx, (uint32_t)r->rsi, &cpus);
	if (err)
		return err;
	spin_lock(&p->lock);
	t = target(core, (int32_t)r->rdi);
	set = cok_rq_cpus_to_cores(p->cores, cpus);
	if (!t || !set) {
		spin_unlock(&p->lock);
		return t ? -EINVAL : -ESRCH;
	}
	cok_write_once(&t->affinity, set == p->cores ? 0 : set);
	if (t != core->current && !(set & (1U << t->core->index)) &&
	    !move_queued(core, t) && t->core != core)
		ipi_core(t->core, COK_RESCHED_VECTOR);	/* if in ring 3 */
	spin_unlock(&p->lock);
	return 0;	/* the caller moves at the call's end (sched_settle) */
}

/*
 * sched_getaffinity(pid, len, mask): the thread's CPUs.  Linux's mask
 * is COK_RQ_MASK_SIZE bytes where nr_cpu_ids <= 64; so is this one.
 */
int64_t sys_sched_getaffinity(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	uint32_t len = (uint32_t)r->rsi;
	struct cok_thread *t;
	uint64_t cpus;

	if (len < COK_RQ_MASK_SIZE || (len & (COK_RQ_MASK_SIZE - 1)))
		return -EINVAL;
	spin_lock(&p->lock);
	t = target(core, (int32_t)r->rdi);
	cpus = t ? cok_rq_cores_to_cpus(p->cores, affinity_cores(t)) : 0;
	spin_unlock(&p->lock);
	if (!t)
		return -ESRCH;
	if (as_put(&p->as, r->rdx, &cpus, sizeof(cpus)))
		return -EFAULT;
	return COK_RQ_MASK_SIZE;
}
