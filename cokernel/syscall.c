// SPDX-License-Identifier: GPL-2.0
/*
 * System calls of apps, dispatched by xemem/syscalls.h: the co-kernel
 * serves memory (vm.c), time, threads and identity (LOCAL, sys_NAME()); file,
 * terminal and socket calls go to the app's proxy on Linux (FWD,
 * xemem/app.h); the rest is answered -errno at once (REFUSE, ANSWER),
 * a refused call with one console line per call and process, and a
 * count when the process ends.
 */
#include "cokernel.h"

#define ARCH_SET_GS	0x1001
#define ARCH_SET_FS	0x1002
#define ARCH_GET_FS	0x1003
#define ARCH_GET_GS	0x1004

uint64_t app_clock_ns(struct cok_proc *p, bool realtime)
{
	uint64_t delta = rdtsc() - p->clock_tsc;
	__uint128_t wide = (__uint128_t)delta * p->ns_mult;
	uint64_t ns = (uint64_t)(wide >> 32);

	return ns + (realtime ? p->clock_realtime_ns : p->clock_monotonic_ns);
}

static int64_t put_user(struct cok_proc *p, uint64_t va, const void *src,
			uint64_t n)
{
	return as_put(&p->as, va, src, n) ? -EFAULT : 0;
}

/*
 * As Linux's do_arch_prctl_64(): a base at or above TASK_SIZE_MAX (the
 * end of the user half, COK_USER_END) is -EPERM.  That check also keeps
 * WRMSR from taking a #GP in ring 0 on a non-canonical address.
 */
int64_t sys_arch_prctl(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	uint64_t code = r->rdi, addr = r->rsi, base;

	switch (code) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		if (addr >= COK_USER_END)
			return -EPERM;
		/* The user's GS base is live in the kernel (no SWAPGS). */
		wrmsr(code == ARCH_SET_FS ? MSR_FS_BASE : MSR_GS_BASE, addr);
		return 0;
	case ARCH_GET_FS:
	case ARCH_GET_GS:
		base = rdmsr(code == ARCH_GET_FS ? MSR_FS_BASE : MSR_GS_BASE);
		return put_user(p, addr, &base, sizeof(base));
	default:
		return -EINVAL;
	}
}

/*
 * How long a forwarded call waits awake for its answer before it halts:
 * most answers come within tens of microseconds, sooner than a wake from
 * HLT by the doorbell IPI (slow under emulation).  The core has nothing
 * else to run meanwhile: a thread in a forwarded call keeps it.
 */
#define FWD_SPIN_US	100

/*
 * A bare loop: under QEMU TCG each PAUSE leaves the translated code and
 * takes QEMU's global lock, which the proxy's core needs too.
 */
static void spin_for_answer(const struct cok_fwd_syscall *sc,
			    const struct cok_proc *p)
{
	uint64_t end = rdtsc() + sched_ns_to_tsc(p, FWD_SPIN_US * 1000ULL);

	while (cok_load_acquire(&sc->state) != COK_SC_DONE && rdtsc() < end)
		__asm__ volatile("" ::: "memory");
}

/*
 * Linux answers and then rings the doorbell.  A thread of a process with
 * others blocks (another one may run meanwhile, and a FREEZE may stop
 * them all); a lone thread halts until both came, and a FREEZE waits for
 * the call's end.
 */
static void wait_for_answer(struct cok_kcore *core,
			    const struct cok_fwd_syscall *sc)
{
	while (cok_load_acquire(&sc->state) != COK_SC_DONE ||
	       !cok_read_once(&core->doorbell)) {
		if (cok_read_once(&core->rq_head) ||
		    core->current->proc->nthreads > 1) {
			sched_wait_call(core);
			return;		/* woken by that doorbell */
		}
		cputime_halt(core);
	}
}

/*
 * Hand the call to the proxy in the thread's mailbox (xemem/app.h) and
 * sleep until it answers.
 */
static int64_t forward(struct cok_kcore *core, uint64_t nr,
		       const uint64_t args[6])
{
	struct cok_thread *t = core->current;
	struct cok_proc_slot *slot = proc_slot(t->proc);
	struct cok_fwd_syscall *sc = &cok_channel->fwd[t->index];
	uint64_t bit = 1ULL << t->index;
	int i;

	sc->nr = nr;
	for (i = 0; i < 6; i++)
		sc->arg[i] = args[i];
	sc->seq = __atomic_add_fetch(&t->proc->fwd_seq, 1, __ATOMIC_RELAXED);
	sc->proc = t->proc->index;
	sc->tid = t->tid;
	sc->core = core->index;
	cok_write_once(&core->doorbell, false);
	cok_write_once(&sc->waiter_awake, 1);
	cok_store_release(&sc->state, COK_SC_PENDING);
	__atomic_fetch_or(&slot->fwd_pending, bit, __ATOMIC_RELEASE);
	if (!cok_read_once(&core->rq_head))	/* others to run: no spin */
		spin_for_answer(sc, t->proc);
	/*
	 * Linux took waiter_awake: it saw this core spinning, DONE is
	 * there and no doorbell comes.  Otherwise it writes DONE, then
	 * rings the doorbell: wait for both, so the doorbell is taken here
	 * and not later in ring 3.  KILL ends the app from the doorbell
	 * interrupt.
	 */
	if (cok_xchg(&sc->waiter_awake, 0))
		wait_for_answer(core, sc);
	__atomic_fetch_and(&slot->fwd_pending, ~bit, __ATOMIC_RELAXED);
	cok_write_once(&sc->state, COK_SC_IDLE);
	return sc->ret;
}

/* The app's own call, as it made it. */
int64_t syscall_forward_regs(struct cok_kcore *core, struct cok_regs *r)
{
	uint64_t args[6] = { r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9 };

	return forward(core, r->rax, args);
}

/*
 * A call of the co-kernel's own, made for the app's call it serves (a
 * rendered /proc file, the limits to start with): its result is not the
 * app's, so a dump meanwhile resumes the app's call at its SYSCALL
 * (checkpoint.c), which asks again.
 */
int64_t syscall_forward(struct cok_kcore *core, uint64_t nr,
			const uint64_t args[6])
{
	struct cok_thread *t = core->current;
	int64_t ret;

	t->inner_call = true;
	ret = forward(core, nr, args);
	t->inner_call = false;
	return ret;
}

int64_t sys_set_robust_list(struct cok_kcore *core, struct cok_regs *r)
{
	if (r->rsi != 24)	/* sizeof(struct robust_list_head) */
		return -EINVAL;
	core->current->robust_head = r->rdi;
	return 0;
}

int64_t sys_sched_yield(struct cok_kcore *core, struct cok_regs *r)
{
	sched_yield(core);
	return 0;
}

int64_t sys_set_tid_address(struct cok_kcore *core, struct cok_regs *r)
{
	core->current->clear_child_tid = r->rdi;
	return core->current->tid;
}

int64_t sys_gettid(struct cok_kcore *core, struct cok_regs *r)
{
	return core->current->tid;
}

int64_t sys_getpid(struct cok_kcore *core, struct cok_regs *r)
{
	return core->current->proc->pid;
}

/* The app's parent is its proxy, which is not in its pid space. */
int64_t sys_getppid(struct cok_kcore *core, struct cok_regs *r)
{
	return 1;
}

int64_t sys_gettimeofday(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	uint64_t ns = app_clock_ns(p, true);
	uint64_t tv[2] = { ns / 1000000000ULL, ns % 1000000000ULL / 1000 };

	return r->rdi ? put_user(p, r->rdi, tv, sizeof(tv)) : 0;
}

int64_t sys_time(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	uint64_t t = app_clock_ns(p, true) / 1000000000ULL;

	if (r->rdi && put_user(p, r->rdi, &t, sizeof(t)))
		return -EFAULT;
	return t;
}

int64_t sys_exit(struct cok_kcore *core, struct cok_regs *r)
{
	clone_thread_exit(core, (int32_t)(r->rdi & 0xff));
}

int64_t sys_exit_group(struct cok_kcore *core, struct cok_regs *r)
{
	core->current->proc->exit_status = (int32_t)(r->rdi & 0xff);
	app_end(core, COK_END_EXIT);
}

/* --- the table ---------------------------------------------------------- */

enum sc_how { SC_NONE, SC_LOCAL, SC_FWD, SC_REFUSE, SC_ANSWER };

struct sc_entry {
	uint8_t how;			/* enum sc_how */
	uint16_t err;			/* REFUSE and ANSWER: -err */
	cok_syscall_fn fn;
	const char *name;
};

#define SC_FN_LOCAL(name)	sys_##name
#define SC_FN_FWD(name)		NULL
#define SC_FN_REFUSE(name)	NULL
#define SC_FN_ANSWER(name)	NULL
#define SC_FN_SPLIT(name)	sys_##name
#define SC_SPLIT		SC_LOCAL	/* sys_NAME() forwards its part */
#define COK_SYSCALL(nr, name, how, e)	\
	[nr] = { SC_##how, e, SC_FN_##how(name), #name },
static const struct sc_entry sc_table[] = {
#include "../xemem/syscalls.h"
};
#undef COK_SYSCALL

_Static_assert(ARRAY_SIZE(sc_table) <= COK_SC_LIMIT,
	       "cok_proc's refused bitmap covers every call");

static const char *sc_name(uint64_t nr)
{
	return nr < ARRAY_SIZE(sc_table) && sc_table[nr].name ?
	       sc_table[nr].name : "unknown";
}

/* Call nr is a LOCAL one that fn serves (checkpoint.c asks). */
bool syscall_served_by(uint64_t nr, cok_syscall_fn fn)
{
	return nr < ARRAY_SIZE(sc_table) && sc_table[nr].fn == fn;
}

/*
 * A refused call: one console line the first time the process makes
 * it, and a count for the report at its end.  The bitmap's last bit
 * stands for every number past the table.
 */
static void note_refused(struct cok_kcore *core, struct cok_proc *p,
			 uint64_t nr)
{
	uint32_t bit = nr < COK_SC_LIMIT ? nr : COK_SC_LIMIT - 1;
	uint32_t i;

	for (i = 0; i < ARRAY_SIZE(p->refused); i++) {
		if (p->refused[i].count && p->refused[i].nr != bit)
			continue;
		p->refused[i].nr = bit;
		p->refused[i].count++;
		break;
	}
	if (p->refused_seen[bit / 64] & (1ULL << (bit % 64)))
		return;
	p->refused_seen[bit / 64] |= 1ULL << (bit % 64);
	if (nr < ARRAY_SIZE(sc_table) && sc_table[nr].name)
		cok_printf("core %u: app %u: system call %lu (%s) not supported\n",
			   core->index, p->pid, (unsigned long)nr,
			   sc_table[nr].name);
	else
		cok_printf("core %u: app %u: system call %lu not supported\n",
			   core->index, p->pid, (unsigned long)nr);
}

/* At the process's end: how often each refused call was made. */
void syscall_report_refused(const struct cok_proc *p)
{
	uint32_t i;

	for (i = 0; i < ARRAY_SIZE(p->refused) && p->refused[i].count; i++)
		if (p->refused[i].count > 1)
			cok_printf("app %u: system call %u (%s) refused %u times\n",
				   p->pid, p->refused[i].nr,
				   sc_name(p->refused[i].nr),
				   p->refused[i].count);
}

#define MSG_NOSIGNAL	0x4000

/*
 * Linux's pipe_write() and a socket's send raise SIGPIPE for the caller
 * with EPIPE (send_sig(): SI_USER, its own pid), unless MSG_NOSIGNAL.
 * The proxy ignores SIGPIPE itself: its host call only says EPIPE.
 */
static bool raises_sigpipe(uint64_t nr, const struct cok_regs *r)
{
	const char *name = sc_name(nr);	/* the table's: no second number */

	if (!strcmp(name, "write") || !strcmp(name, "writev"))
		return true;
	if (!strcmp(name, "sendto"))
		return !(r->r10 & MSG_NOSIGNAL);
	if (!strcmp(name, "sendmsg"))
		return !(r->rdx & MSG_NOSIGNAL);
	return false;
}

/* The app's forwarded call; a broken pipe's SIGPIPE on its way back. */
static int64_t forwarded_call(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_thread *t = core->current;
	uint64_t nr = r->rax;
	int64_t ret = syscall_forward_regs(core, r);
	struct cok_siginfo info = { .signo = COK_SIGPIPE,
				    .code = COK_SI_USER };

	if (ret != -EPIPE || !raises_sigpipe(nr, r))
		return ret;
	info.u.kill.pid = (int32_t)t->proc->pid;
	info.u.kill.uid = t->proc->uid;
	signal_send(t->core, t->proc, t, &info);	/* it may have moved */
	return ret;
}

static int64_t dispatch(struct cok_kcore *core, struct cok_regs *r)
{
	uint64_t nr = r->rax;
	const struct sc_entry *e = nr < ARRAY_SIZE(sc_table) ?
				   &sc_table[nr] : NULL;

	switch (e ? e->how : SC_NONE) {
	case SC_LOCAL:
		return e->fn(core, r);
	case SC_FWD:
		return forwarded_call(core, r);
	case SC_ANSWER:
		return -(int64_t)e->err;
	case SC_REFUSE:
		note_refused(core, core->current->proc, nr);
		return -(int64_t)e->err;
	default:
		note_refused(core, core->current->proc, nr);
		return -ENOSYS;
	}
}

void cok_syscall(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_thread *t = core->current;

	t->user_frame = r;	/* a freeze during the call stops here */
	t->syscall_nr = r->rax;		/* a signal may restart it */
	t->syscall_restorable = true;
	r->rax = (uint64_t)dispatch(core, r);
	core = t->core;			/* it may have moved (affinity.c) */
	t->user_frame = NULL;
	sched_check_end(core);		/* it ended on another core */
	core = sched_settle(core);	/* its affinity left this core */
	sched_timer_update(core);	/* a clone, a wake, a timeout ended */
	ckpt_after_syscall(core, r);
	signal_deliver(t->core, r, true);
}
