// SPDX-License-Identifier: GPL-2.0
/*
 * Threads of a process: clone() and clone3() with the flags glibc's and
 * musl's pthread_create() pass, and the end of one thread (exit()).  A
 * new thread runs on the core of its process's set that has the fewest
 * of its live threads (on a tie the home core, else the lowest), queued
 * behind the others there; it starts with its parent's registers, FPU
 * state and GS base, RAX 0, the stack and TLS it was given.  Any other flag
 * set (fork, vfork, a new namespace...) is refused with EINVAL.
 */
#include "cokernel.h"


#define CSIGNAL			0x000000ffULL
#define CLONE_VM		0x00000100ULL
#define CLONE_FS		0x00000200ULL
#define CLONE_FILES		0x00000400ULL
#define CLONE_SIGHAND		0x00000800ULL
#define CLONE_THREAD		0x00010000ULL
#define CLONE_SYSVSEM		0x00040000ULL
#define CLONE_SETTLS		0x00080000ULL
#define CLONE_PARENT_SETTID	0x00100000ULL
#define CLONE_CHILD_CLEARTID	0x00200000ULL
#define CLONE_DETACHED		0x00400000ULL	/* ignored, as by Linux */
#define CLONE_CHILD_SETTID	0x01000000ULL

/* What every thread shares with its process ... */
#define CLONE_THREAD_SET	(CLONE_VM | CLONE_FS | CLONE_FILES | \
				 CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM)
/* ... and what it may add. */
#define CLONE_THREAD_OPTIONS	(CLONE_SETTLS | CLONE_PARENT_SETTID | \
				 CLONE_CHILD_CLEARTID | CLONE_DETACHED | \
				 CLONE_CHILD_SETTID)

/* clone3's struct clone_args up to cgroup (CLONE_ARGS_SIZE_VER2). */
struct clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

#define CLONE_ARGS_SIZE_VER0	64
#define CLONE_ARGS_MAX		4096	/* Linux: a page */

/* What a thread's clone asks for, from either call. */
struct clone_req {
	uint64_t flags, stack, parent_tid, child_tid, tls;
};

static bool thread_flags(uint64_t flags)
{
	return (flags & ~CLONE_THREAD_OPTIONS) == CLONE_THREAD_SET;
}

static int64_t refuse(struct cok_kcore *core, uint64_t flags,
		      const char *call)
{
	cok_printf("core %u: app %u: %s flags %#lx refused: only threads (CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM) are supported\n",
		   core->index, core->current->proc->pid, call,
		   (unsigned long)flags);
	return -EINVAL;
}

static void put_tid(struct cok_proc *p, uint64_t va, uint32_t tid)
{
	as_put(&p->as, va, &tid, sizeof(tid));	/* Linux ignores a fault */
}

/* The new thread t, from the caller's system call frame r. */
static void setup(struct cok_thread *t, const struct cok_regs *r,
		  const struct clone_req *q)
{
	struct cok_regs user = *r;

	user.rax = 0;			/* the child's return value */
	if (q->stack)
		user.rsp = q->stack;
	t->fs_base = q->flags & CLONE_SETTLS ? q->tls : rdmsr(MSR_FS_BASE);
	t->gs_base = rdmsr(MSR_GS_BASE);
	ckpt_save_fpu(t);		/* the caller's state, live now */
	t->clear_child_tid = q->flags & CLONE_CHILD_CLEARTID ?
			     q->child_tid : 0;
	t->robust_head = 0;
	t->user_frame = NULL;
	t->fw.next = NULL;
	t->fw.deadline = 0;
	thread_prepare(t, &user);
}

/* p->lock held: the core of set with the fewest of p's threads. */
static struct cok_kcore *place_in(struct cok_proc *p, uint32_t set)
{
	return &cok_cores[cok_rq_place(set, p->load, p->core->index)];
}

/* p->lock held: the core of p's set with the fewest of its threads. */
struct cok_kcore *sched_place(struct cok_proc *p)
{
	return place_in(p, p->cores);
}

/* p->lock held: a thread slot with its stack, or -errno. */
static int64_t new_thread(struct cok_kcore *core, struct cok_proc *p,
			  struct cok_thread **tp)
{
	struct cok_thread *t = proc_new_thread(p);

	if (!t) {
		cok_printf("core %u: app %u: clone: all %u co-kernel threads in use\n",
			   core->index, p->pid, COK_MAX_THREADS);
		return -EAGAIN;
	}
	if (!t->kstack && thread_alloc_stack(t)) {
		t->core = core;
		t->state = COK_THREAD_DEAD;	/* its slot is p's to reuse */
		return -ENOMEM;
	}
	*tp = t;
	return 0;
}

static int64_t do_clone(struct cok_kcore *core, const struct cok_regs *r,
			const struct clone_req *q)
{
	struct cok_proc *p = core->current->proc;
	struct cok_thread *t;
	int64_t err;

	if ((q->flags & CLONE_SETTLS) && q->tls >= COK_USER_END)
		return -EPERM;		/* as arch_prctl(ARCH_SET_FS) */
	spin_lock(&p->lock);
	err = new_thread(core, p, &t);
	if (err) {
		spin_unlock(&p->lock);
		return err;
	}
	setup(t, r, q);
	if (q->flags & CLONE_PARENT_SETTID)
		put_tid(p, q->parent_tid, t->tid);
	if (q->flags & CLONE_CHILD_SETTID)
		put_tid(p, q->child_tid, t->tid);
	t->affinity = core->current->affinity;	/* inherited, as on Linux */
	signal_init_thread(t, core->current);	/* the mask is inherited */
	memcpy(t->comm, core->current->comm, sizeof(t->comm));
	t->pdeathsig = 0;		/* not inherited */
	t->keepcaps = core->current->keepcaps;
	t->no_new_privs = core->current->no_new_privs;
	t->timer_slack_ns = core->current->timer_slack_ns;
	t->core = place_in(p, affinity_cores(core->current));
	p->load[t->core->index]++;
	p->nthreads++;
	cok_write_once(&proc_slot(p)->nthreads, p->nthreads);
	spin_unlock(&p->lock);
	sched_wake(core, t);
	return t->tid;
}

/* clone(flags, stack, parent_tid, child_tid, tls) */
int64_t sys_clone(struct cok_kcore *core, struct cok_regs *r)
{
	struct clone_req q = {
		.flags = r->rdi, .stack = r->rsi, .parent_tid = r->rdx,
		.child_tid = r->r10, .tls = r->r8,
	};

	if (!thread_flags(q.flags))
		return refuse(core, q.flags, "clone");
	return do_clone(core, r, &q);
}

/*
 * clone3(args, size): the fields past those we know must be zero, as
 * Linux requires; set_tid, a cgroup or an exit signal are refused.
 * glibc 2.34+ tries clone3 first and falls back to clone only on ENOSYS.
 */
int64_t sys_clone3(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	struct clone_args a = { 0 };
	uint64_t size = r->rsi, off, word;
	struct clone_req q;

	if (size < CLONE_ARGS_SIZE_VER0 || size > CLONE_ARGS_MAX)
		return -EINVAL;
	if (as_read(&p->as, &a, r->rdi, size < sizeof(a) ? size : sizeof(a)))
		return -EFAULT;
	for (off = sizeof(a); off + 8 <= size; off += 8) {
		if (as_read(&p->as, &word, r->rdi + off, sizeof(word)))
			return -EFAULT;
		if (word)
			return -EINVAL;		/* Linux: E2BIG */
	}
	/* pidfd is read only with CLONE_PIDFD (glibc fills it anyway). */
	if (!thread_flags(a.flags) || a.exit_signal || a.set_tid ||
	    a.set_tid_size || a.cgroup)
		return refuse(core, a.flags, "clone3");
	if (!a.stack != !a.stack_size)
		return -EINVAL;
	q = (struct clone_req){
		.flags = a.flags, .stack = a.stack + a.stack_size,
		.parent_tid = a.parent_tid, .child_tid = a.child_tid,
		.tls = a.tls,
	};
	return do_clone(core, r, &q);
}

#define FUTEX_WAITERS		0x80000000U
#define FUTEX_OWNER_DIED	0x40000000U
#define FUTEX_TID_MASK		0x3fffffffU
#define ROBUST_LIST_LIMIT	2048	/* Linux's, against a looped list */

/* A robust futex of the dying thread t: owner died, one waiter woken. */
static void robust_release(struct cok_thread *t, uint64_t uaddr)
{
	struct cok_proc *p = t->proc;
	uint32_t v;

	if (!uaddr || (uaddr & 3) || as_read(&p->as, &v, uaddr, sizeof(v)) ||
	    (v & FUTEX_TID_MASK) != t->tid)
		return;
	v = (v & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
	if (as_put(&p->as, uaddr, &v, sizeof(v)))
		return;
	if (v & FUTEX_WAITERS)
		futex_wake(t->core, p, uaddr, 1, 0xffffffffU);
}

/*
 * struct robust_list_head { next; long futex_offset; list_op_pending }:
 * every lock on the list, and the one being taken, held by t.
 */
static void robust_walk(struct cok_thread *t)
{
	struct cok_proc *p = t->proc;
	uint64_t head[3], entry;
	uint32_t n;

	if (!t->robust_head ||
	    as_read(&p->as, head, t->robust_head, sizeof(head)))
		return;
	entry = head[0];
	for (n = 0; entry != t->robust_head && n < ROBUST_LIST_LIMIT; n++) {
		if (entry != head[2])
			robust_release(t, entry + head[1]);
		if (as_read(&p->as, &entry, entry, sizeof(entry)))
			return;
	}
	if (head[2])
		robust_release(t, head[2] + head[1]);
}

/*
 * exit(): the thread ends; the last one ends the process with status.
 * CHILD_CLEARTID: 0 stored and one waiter woken (pthread_join).
 */
__noreturn void clone_thread_exit(struct cok_kcore *core, int32_t status)
{
	struct cok_thread *t = core->current;
	struct cok_proc *p = t->proc;
	uint32_t zero = 0;

	spin_lock(&p->lock);
	if (p->nthreads == 1) {
		spin_unlock(&p->lock);
		p->exit_status = status;
		app_end(core, COK_END_EXIT);
	}
	p->nthreads--;		/* the count first: two last exits are one */
	p->load[core->index]--;
	cok_write_once(&proc_slot(p)->nthreads, p->nthreads);
	spin_unlock(&p->lock);
	robust_walk(t);
	if (t->clear_child_tid &&
	    !as_put(&p->as, t->clear_child_tid, &zero, sizeof(zero)))
		futex_wake(core, p, t->clear_child_tid, 1, 0xffffffffU);
	t->state = COK_THREAD_DEAD;
	t->user_frame = NULL;
	sched_next(core);
	cok_panic("core %u: a thread that exited was resumed\n", core->index);
}
