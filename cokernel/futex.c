// SPDX-License-Identifier: GPL-2.0
/*
 * futex(2) for the threads of one process.  The process has one address
 * space, so every futex is private (FUTEX_PRIVATE_FLAG changes
 * nothing) and is known by its user address.  Waiters hang on one
 * queue per process, oldest first, which is the order Linux wakes
 * waiters of equal priority in; a sleep (nanosleep with more than one
 * thread) is a waiter of address 0 and bitset 0, which no wake matches.
 * The process's threads run on several cores: the queue, and the futex
 * words between their check and the wait, are under p->lock; a waiter
 * woken runs again on its own core (sched_wake(), an IPI if that is
 * another core).
 * The queue itself and WAKE_OP's decoding are pure code in futexq.h
 * (tested by tests/kunit/futex_kunit.c); here are user memory, the
 * timeouts and the scheduler.
 */
#include "cokernel.h"


#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_REQUEUE		3
#define FUTEX_CMP_REQUEUE	4
#define FUTEX_WAKE_OP		5
#define FUTEX_WAIT_BITSET	9
#define FUTEX_WAKE_BITSET	10
#define FUTEX_PRIVATE_FLAG	128
#define FUTEX_CLOCK_REALTIME	256
#define FUTEX_BITSET_ANY	0xffffffffU

#define NSEC_PER_SEC	1000000000ULL

/* The thread whose futex wait w is. */
static struct cok_thread *waiter_thread(struct cok_fq_waiter *w)
{
	return (struct cok_thread *)((char *)w -
				     offsetof(struct cok_thread, fw));
}

/*
 * The waiters of l, taken off the queue, run again with result.  Called
 * after p->lock is let go: the IPI to a waiter's core makes that core
 * take p->lock at once (sched_next() looks at the timeouts), which
 * would spin for as long as the lock is still held here.  Off the queue
 * and still BLOCKED, nothing else touches them meanwhile.
 */
static void run_taken(struct cok_kcore *self, struct cok_proc *p,
		      struct cok_fq_list *l, int64_t result)
{
	struct cok_fq_waiter *w = l->head, *next;
	struct cok_thread *t;

	for (; w; w = next) {
		next = w->next;
		w->next = NULL;
		if (w->deadline)
			__atomic_fetch_sub(&p->timed_waits, 1,
					   __ATOMIC_RELAXED);
		t = waiter_thread(w);
		t->wait_result = result;
		sched_wake(self, t);
	}
}

int64_t futex_wake(struct cok_kcore *self, struct cok_proc *p,
		   uint64_t uaddr, uint32_t n, uint32_t bitset)
{
	struct cok_fq_list woken;
	int64_t nwoken;

	cok_fq_list_init(&woken);
	spin_lock(&p->lock);
	nwoken = cok_fq_wake(&p->futex_q, uaddr, bitset, n, &woken);
	spin_unlock(&p->lock);
	run_taken(self, p, &woken, 0);
	return nwoken;
}

/* Waiters whose timeout has come run again with -ETIMEDOUT. */
void futex_expire(struct cok_kcore *self, struct cok_proc *p, uint64_t now)
{
	struct cok_fq_list expired;

	if (!__atomic_load_n(&p->timed_waits, __ATOMIC_RELAXED))
		return;
	cok_fq_list_init(&expired);
	spin_lock(&p->lock);
	cok_fq_expire(&p->futex_q, now, &expired);
	spin_unlock(&p->lock);
	run_taken(self, p, &expired, -ETIMEDOUT);
}

/* The first deadline of a waiter on core on (its timer's), or 0. */
uint64_t futex_next_deadline(struct cok_proc *p, const struct cok_kcore *on)
{
	struct cok_fq_waiter *w;
	uint64_t d = 0;

	/* Every pass of sched_next() asks: no lock when nothing can expire. */
	if (!__atomic_load_n(&p->timed_waits, __ATOMIC_RELAXED))
		return 0;
	spin_lock(&p->lock);
	for (w = p->futex_q; w; w = w->next)
		if (w->deadline && waiter_thread(w)->core == on &&
		    (!d || w->deadline < d))
			d = w->deadline;
	spin_unlock(&p->lock);
	return d;
}

/*
 * The current thread waits on the queue until a wake or its deadline;
 * p->lock held, let go once it is queued (a wake from another core may
 * then queue it to run before it has left: sched_next() takes it back).
 */
static int64_t wait_queued(struct cok_kcore *core, uint64_t uaddr,
			   uint32_t bitset, uint64_t deadline_tsc)
{
	struct cok_thread *t = core->current;

	if (signal_wanted(t)) {		/* a sender's futex_interrupt() */
		spin_unlock(&t->proc->lock);	/* came before: no wait */
		return -ERESTARTSYS;
	}
	t->fw.uaddr = uaddr;
	t->fw.bitset = bitset;
	t->fw.deadline = deadline_tsc;
	t->wait_result = 0;
	t->state = COK_THREAD_BLOCKED;
	if (deadline_tsc)
		__atomic_fetch_add(&t->proc->timed_waits, 1, __ATOMIC_RELAXED);
	cok_fq_add(&t->proc->futex_q, &t->fw);
	spin_unlock(&t->proc->lock);
	sched_next(core);
	return t->wait_result;
}

/* 0 at the deadline (none: 0), -ERESTARTSYS for a signal. */
int64_t futex_sleep(struct cok_kcore *core, uint64_t deadline_tsc)
{
	int64_t ret;

	spin_lock(&core->current->proc->lock);
	ret = wait_queued(core, 0, 0, deadline_tsc);
	return ret == -ETIMEDOUT ? 0 : ret;
}

/*
 * A signal for t (signal.c), sent after its pending set changed: if t
 * waits on the queue, it leaves it and its call returns -ERESTARTSYS
 * (EINTR or a restart, by the handler's SA_RESTART).  A wait that
 * starts later sees the signal itself (wait_queued()).
 */
bool futex_interrupt(struct cok_kcore *self, struct cok_thread *t)
{
	struct cok_proc *p = t->proc;
	struct cok_fq_waiter **pp;
	struct cok_fq_list taken;

	cok_fq_list_init(&taken);
	spin_lock(&p->lock);
	for (pp = &p->futex_q; *pp; pp = &(*pp)->next) {
		if (*pp != &t->fw)
			continue;
		if (t->fw.deadline)
			__atomic_fetch_sub(&p->timed_waits, 1,
					   __ATOMIC_RELAXED);
		cok_fq_take_one(pp, &taken);
		break;
	}
	spin_unlock(&p->lock);
	if (!taken.head)
		return false;
	run_taken(self, p, &taken, -ERESTARTSYS);
	return true;
}

/*
 * The timeout at ts as a TSC deadline: relative to now, or absolute on
 * CLOCK_MONOTONIC or CLOCK_REALTIME.  0 with no timeout; -ETIMEDOUT if
 * it is past already.
 */
static int64_t deadline_of(struct cok_proc *p, uint64_t ts, bool absolute,
			   bool realtime, uint64_t *deadline)
{
	int64_t v[2];
	uint64_t ns, now;

	*deadline = 0;
	if (!ts)
		return 0;
	if (as_read(&p->as, v, ts, sizeof(v)))
		return -EFAULT;
	if (v[0] < 0 || v[1] < 0 || (uint64_t)v[1] >= NSEC_PER_SEC)
		return -EINVAL;
	ns = (uint64_t)v[0] * NSEC_PER_SEC + (uint64_t)v[1];
	if (absolute) {
		now = app_clock_ns(p, realtime);
		if (ns <= now)
			return -ETIMEDOUT;
		ns -= now;
	}
	if (!ns)
		return -ETIMEDOUT;
	*deadline = rdtsc() + sched_ns_to_tsc(p, ns);
	return 0;
}

static int64_t read_word(struct cok_proc *p, uint64_t uaddr, uint32_t *v)
{
	if (!uaddr || (uaddr & 3))
		return -EINVAL;
	return as_read(&p->as, v, uaddr, sizeof(*v)) ? -EFAULT : 0;
}

static int64_t futex_wait(struct cok_kcore *core, uint64_t uaddr,
			  uint32_t val, uint64_t ts, uint32_t bitset,
			  uint32_t op)
{
	struct cok_proc *p = core->current->proc;
	bool absolute = (op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)) ==
			FUTEX_WAIT_BITSET;
	uint64_t deadline;
	uint32_t cur;
	int64_t err = read_word(p, uaddr, &cur);

	if (err)
		return err;
	if (!bitset)
		return -EINVAL;
	err = deadline_of(p, ts, absolute, op & FUTEX_CLOCK_REALTIME,
			  &deadline);
	if (err && err != -ETIMEDOUT)
		return err;
	if (cur != val)
		return -EAGAIN;		/* before a timeout past already */
	if (err)
		return err;
	/* The word again, now under the lock a waker takes: no lost wake. */
	spin_lock(&p->lock);
	err = read_word(p, uaddr, &cur);
	if (!err && cur != val)
		err = -EAGAIN;
	if (err) {
		spin_unlock(&p->lock);
		return err;
	}
	return wait_queued(core, uaddr, bitset, deadline);
}

/*
 * Wake up to nwake waiters of uaddr, move up to nmove of the rest to
 * uaddr2.  CMP_REQUEUE first checks that *uaddr is still cmp.  p->lock
 * held; the woken go onto woken.
 */
static int64_t futex_requeue(struct cok_proc *p, uint64_t uaddr,
			     uint32_t nwake, uint32_t nmove, uint64_t uaddr2,
			     bool check, uint32_t cmp,
			     struct cok_fq_list *woken)
{
	int64_t n;
	uint32_t cur;
	int64_t err = read_word(p, uaddr, &cur);

	if (!err && (uaddr2 & 3 || !uaddr2))
		err = -EINVAL;
	if (err)
		return err;
	if (check && cur != cmp)
		return -EAGAIN;
	n = cok_fq_wake(&p->futex_q, uaddr, FUTEX_BITSET_ANY, nwake, woken);
	return n + cok_fq_requeue(p->futex_q, uaddr, nmove, uaddr2);
}

static int64_t futex_wake_op(struct cok_proc *p, uint64_t uaddr,
			     uint32_t nwake, uint32_t nwake2, uint64_t uaddr2,
			     uint32_t op, struct cok_fq_list *woken)
{
	uint32_t old, val;
	int64_t n, err = read_word(p, uaddr2, &old);

	if (err)
		return err;
	if (!cok_futex_op_valid(op))
		return -ENOSYS;
	val = cok_futex_op_new(op, old);
	if (as_put(&p->as, uaddr2, &val, sizeof(val)))
		return -EFAULT;
	n = cok_fq_wake(&p->futex_q, uaddr, FUTEX_BITSET_ANY, nwake, woken);
	if (cok_futex_op_test(op, old))
		n += cok_fq_wake(&p->futex_q, uaddr2, FUTEX_BITSET_ANY, nwake2,
				  woken);
	return n;
}

/*
 * The wake side: the queue and WAKE_OP's word change under p->lock, the
 * woken run once it is let go.
 */
static int64_t futex_wakes(struct cok_kcore *core, struct cok_regs *r,
			   uint32_t cmd, uint32_t val3)
{
	struct cok_proc *p = core->current->proc;
	uint32_t val = (uint32_t)r->rdx;
	struct cok_fq_list woken;
	int64_t n;

	cok_fq_list_init(&woken);
	spin_lock(&p->lock);
	if (cmd == FUTEX_WAKE_OP)
		n = futex_wake_op(p, r->rdi, val, (uint32_t)r->r10, r->r8,
				  val3, &woken);
	else
		n = futex_requeue(p, r->rdi, val, (uint32_t)r->r10, r->r8,
				  cmd == FUTEX_CMP_REQUEUE, val3, &woken);
	spin_unlock(&p->lock);
	run_taken(core, p, &woken, 0);
	return n;
}

/* futex(uaddr, op, val, timeout or val2, uaddr2, val3) */
int64_t sys_futex(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	uint32_t op = (uint32_t)r->rsi, val = (uint32_t)r->rdx;
	uint32_t cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	uint32_t val3 = (uint32_t)r->r9;

	if ((op & FUTEX_CLOCK_REALTIME) && cmd != FUTEX_WAIT_BITSET)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
		return futex_wait(core, r->rdi, val, r->r10, FUTEX_BITSET_ANY,
				  op);
	case FUTEX_WAIT_BITSET:
		return futex_wait(core, r->rdi, val, r->r10, val3, op);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (cmd == FUTEX_WAKE)
			val3 = FUTEX_BITSET_ANY;
		if (!val3)
			return -EINVAL;
		if (!r->rdi || (r->rdi & 3))
			return -EINVAL;
		return futex_wake(core, p, r->rdi, val, val3);
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
	case FUTEX_WAKE_OP:
		return futex_wakes(core, r, cmd, val3);
	default:
		return -ENOSYS;
	}
}
