// SPDX-License-Identifier: GPL-2.0
/*
 * System calls of apps.  The co-kernel serves memory (vm.c), time, identity and
 * the calls static start-up code makes; file and terminal I/O is
 * forwarded to the app's proxy on Linux (xemem/app.h).  Anything else
 * is -ENOSYS, with one line in the console.
 */
#include "cokernel.h"

#define EPERM		1
#define ENOENT		2
#define EFAULT		14
#define EINVAL		22
#define ENOMEM		12
#define ENODEV		19
#define ENOSYS		38

#define PAGE_SIZE	4096ULL
#define SIZE_2M		(1ULL << 21)

/* Linux x86-64 system call numbers. */
enum {
	SYS_read = 0, SYS_write = 1, SYS_open = 2, SYS_close = 3,
	SYS_stat = 4, SYS_fstat = 5, SYS_lstat = 6, SYS_lseek = 8,
	SYS_mmap = 9, SYS_mprotect = 10, SYS_munmap = 11, SYS_brk = 12,
	SYS_rt_sigaction = 13, SYS_rt_sigprocmask = 14, SYS_ioctl = 16,
	SYS_pread64 = 17, SYS_pwrite64 = 18, SYS_readv = 19,
	SYS_writev = 20, SYS_access = 21, SYS_sched_yield = 24,
	SYS_mremap = 25, SYS_msync = 26, SYS_mlock = 149, SYS_munlock = 150,
	SYS_mlockall = 151, SYS_munlockall = 152, SYS_mlock2 = 325,
	SYS_madvise = 28, SYS_dup = 32, SYS_dup2 = 33, SYS_nanosleep = 35,
	SYS_getpid = 39, SYS_exit = 60, SYS_uname = 63, SYS_fcntl = 72,
	SYS_fsync = 74, SYS_ftruncate = 77, SYS_getcwd = 79,
	SYS_chdir = 80, SYS_rename = 82, SYS_mkdir = 83, SYS_unlink = 87,
	SYS_readlink = 89, SYS_umask = 95, SYS_gettimeofday = 96,
	SYS_getuid = 102, SYS_getgid = 104, SYS_geteuid = 107,
	SYS_getegid = 108, SYS_getppid = 110, SYS_sigaltstack = 131,
	SYS_tkill = 200,
	SYS_arch_prctl = 158, SYS_gettid = 186, SYS_time = 201,
	SYS_set_tid_address = 218, SYS_getdents64 = 217,
	SYS_clock_gettime = 228, SYS_clock_getres = 229,
	SYS_clock_nanosleep = 230, SYS_exit_group = 231, SYS_tgkill = 234,
	SYS_openat = 257, SYS_mkdirat = 258, SYS_newfstatat = 262,
	SYS_unlinkat = 263, SYS_readlinkat = 267, SYS_faccessat = 269,
	SYS_set_robust_list = 273, SYS_clone = 56, SYS_futex = 202,
	SYS_clone3 = 435, SYS_sched_getaffinity = 204,
	SYS_sched_setaffinity = 203, SYS_dup3 = 292, SYS_prlimit64 = 302,
	SYS_getrandom = 318, SYS_rseq = 334,
	SYS_fdatasync = 75, SYS_truncate = 76, SYS_fchdir = 81,
	SYS_rmdir = 84, SYS_sysinfo = 99, SYS_renameat = 264,
	SYS_renameat2 = 316, SYS_faccessat2 = 439,
};

/* Calls the proxy executes for the app. */
static const uint16_t forwarded[] = {
	SYS_read, SYS_write, SYS_open, SYS_close, SYS_stat, SYS_fstat,
	SYS_lstat, SYS_lseek, SYS_ioctl, SYS_pread64, SYS_pwrite64,
	SYS_readv, SYS_writev, SYS_access, SYS_dup, SYS_dup2, SYS_fcntl,
	SYS_fsync, SYS_ftruncate, SYS_getcwd, SYS_chdir, SYS_rename,
	SYS_mkdir, SYS_unlink, SYS_readlink, SYS_umask, SYS_getuid,
	SYS_getgid, SYS_geteuid, SYS_getegid, SYS_getdents64, SYS_openat,
	SYS_mkdirat, SYS_newfstatat, SYS_unlinkat, SYS_readlinkat,
	SYS_faccessat, SYS_dup3, SYS_fdatasync, SYS_truncate, SYS_fchdir,
	SYS_rmdir, SYS_sysinfo, SYS_renameat, SYS_renameat2, SYS_faccessat2,
};

#define ARCH_SET_GS	0x1001
#define ARCH_SET_FS	0x1002
#define ARCH_GET_FS	0x1003
#define ARCH_GET_GS	0x1004
#define CLOCK_REALTIME	0
#define CLOCK_MONOTONIC	1
#define RLIMIT_STACK	3

static bool is_forwarded(uint64_t nr)
{
	uint32_t i;

	for (i = 0; i < ARRAY_SIZE(forwarded); i++)
		if (forwarded[i] == nr)
			return true;
	return false;
}

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

static int64_t sys_clock_gettime(struct cok_proc *p, uint64_t clk,
				 uint64_t ts)
{
	uint64_t ns, v[2];

	if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC &&
	    clk != 4 /* MONOTONIC_RAW */ && clk != 7 /* BOOTTIME */)
		return -EINVAL;
	ns = app_clock_ns(p, clk == CLOCK_REALTIME);
	v[0] = ns / 1000000000ULL;
	v[1] = ns % 1000000000ULL;
	return put_user(p, ts, v, sizeof(v));
}

static int64_t sys_nanosleep(struct cok_kcore *core, uint64_t req)
{
	struct cok_proc *p = core->current->proc;
	uint64_t ts[2], until;

	if (as_read(&p->as, ts, req, sizeof(ts)))
		return -EFAULT;
	if (ts[0] >> 63 || ts[1] >= 1000000000ULL)
		return -EINVAL;
	if (p->nthreads > 1) {		/* the others run meanwhile */
		futex_sleep(core, rdtsc() + sched_ns_to_tsc(p, ts[0] *
				  1000000000ULL + ts[1]));
		return 0;
	}
	until = app_clock_ns(p, false) + ts[0] * 1000000000ULL + ts[1];
	/*
	 * One thread: the core is its own, so wait on the TSC, with no
	 * timer and interrupts open so that a KILL from Linux gets in.
	 */
	while (app_clock_ns(p, false) < until)
		__asm__ volatile("sti; pause; cli" ::: "memory");
	return 0;
}

static int64_t sys_uname(struct cok_proc *p, uint64_t buf)
{
	static const char *const fields[6] = {
		"Linux", "cokernel", "6.1.0-cokernel",
		"#1 SMP ckpt_cokernel", "x86_64", "(none)",
	};
	char u[6][65];
	int i;

	memset(u, 0, sizeof(u));
	for (i = 0; i < 6; i++)
		memcpy(u[i], fields[i], strlen(fields[i]));
	return put_user(p, buf, u, sizeof(u));
}

/*
 * As Linux's do_arch_prctl_64(): a base at or above TASK_SIZE_MAX (the
 * end of the user half, COK_USER_END) is -EPERM.  That check also keeps
 * WRMSR from taking a #GP in ring 0 on a non-canonical address.
 */
static int64_t sys_arch_prctl(struct cok_proc *p, uint64_t code,
			      uint64_t addr)
{
	uint64_t base;

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

static int64_t sys_prlimit(struct cok_proc *p, uint64_t res, uint64_t new,
			   uint64_t old)
{
	uint64_t lim[2] = { 8ULL << 20, 8ULL << 20 };

	if (new)
		return -EPERM;
	if (res != RLIMIT_STACK)
		lim[0] = lim[1] = ~0ULL;	/* RLIM_INFINITY */
	return old ? put_user(p, old, lim, sizeof(lim)) : 0;
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
		irq_enable_and_halt();
		irq_disable();
	}
}

/*
 * Hand the call to the proxy in the thread's mailbox (xemem/app.h) and
 * sleep until it answers.
 */
static int64_t forward(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_thread *t = core->current;
	struct cok_proc_slot *slot = proc_slot(t->proc);
	struct cok_fwd_syscall *sc = &cok_channel->fwd[t->index];
	uint64_t args[6] = { r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9 };
	uint64_t bit = 1ULL << t->index;
	int i;

	sc->nr = r->rax;
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

static int64_t dispatch(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	uint64_t nr = r->rax;

	if (is_forwarded(nr))
		return forward(core, r);
	switch (nr) {
	case SYS_brk:
		return sys_brk(core, r);
	case SYS_mmap:
		return sys_mmap(core, r);
	case SYS_munmap:
		return sys_munmap(core, r);
	case SYS_mprotect:
		return sys_mprotect(core, r);
	case SYS_mremap:
		return sys_mremap(core, r);
	case SYS_madvise:
		return sys_madvise(core, r);
	case SYS_msync:
		return sys_msync(core, r);
	case SYS_mlock:
		return sys_mlock(core, r);
	case SYS_mlock2:
		return sys_mlock2(core, r);
	case SYS_munlock:
		return sys_munlock(core, r);
	case SYS_mlockall:
		return sys_mlockall(core, r);
	case SYS_munlockall:
		return sys_munlockall(core, r);
	case SYS_getrandom:
		return sys_getrandom(core, r->rdi, r->rsi, r->rdx);
	case SYS_rt_sigaction:
	case SYS_rt_sigprocmask:
	case SYS_sigaltstack:
		return 0;
	case SYS_set_robust_list:
		if (r->rsi != 24)	/* sizeof(struct robust_list_head) */
			return -EINVAL;
		core->current->robust_head = r->rdi;
		return 0;
	case SYS_sched_yield:
		sched_yield(core);
		return 0;
	case SYS_clone:
		return sys_clone(core, r);
	case SYS_clone3:
		return sys_clone3(core, r);
	case SYS_futex:
		return sys_futex(core, r);
	case SYS_tgkill:
		return sys_tgkill(core, r);
	case SYS_tkill:
		return sys_tkill(core, r);
	case SYS_sched_getaffinity:
		return sys_sched_getaffinity(core, r);
	case SYS_sched_setaffinity:
		return sys_sched_setaffinity(core, r);
	case SYS_arch_prctl:
		return sys_arch_prctl(p, r->rdi, r->rsi);
	case SYS_set_tid_address:
		core->current->clear_child_tid = r->rdi;
		return core->current->tid;
	case SYS_gettid:
		return core->current->tid;
	case SYS_getpid:
		return p->pid;
	case SYS_getppid:
		return 1;
	case SYS_clock_gettime:
		return sys_clock_gettime(p, r->rdi, r->rsi);
	case SYS_gettimeofday: {
		uint64_t ns = app_clock_ns(p, true);
		uint64_t tv[2] = { ns / 1000000000ULL, ns % 1000000000ULL / 1000 };

		return r->rdi ? put_user(p, r->rdi, tv, sizeof(tv)) : 0;
	}
	case SYS_time: {
		uint64_t t = app_clock_ns(p, true) / 1000000000ULL;

		if (r->rdi && put_user(p, r->rdi, &t, sizeof(t)))
			return -EFAULT;
		return t;
	}
	case SYS_nanosleep:
		return sys_nanosleep(core, r->rdi);
	case SYS_clock_nanosleep:
		return r->rsi ? -EINVAL : sys_nanosleep(core, r->rdx);
	case SYS_uname:
		return sys_uname(p, r->rdi);
	case SYS_prlimit64:
		return sys_prlimit(p, r->rsi, r->rdx, r->r10);
	case SYS_rseq:			/* glibc copes without it */
		return -ENOSYS;
	case SYS_exit:
		clone_thread_exit(core, (int32_t)(r->rdi & 0xff));
	case SYS_exit_group:
		p->exit_status = (int32_t)(r->rdi & 0xff);
		app_end(core, COK_END_EXIT);
	default:
		cok_printf("core %u: app %u: system call %lu not supported\n",
			   core->index, p->pid, (unsigned long)nr);
		return -ENOSYS;
	}
}

void cok_syscall(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_thread *t = core->current;

	t->user_frame = r;	/* a freeze during the call stops here */
	r->rax = (uint64_t)dispatch(core, r);
	core = t->core;			/* it may have moved (affinity.c) */
	t->user_frame = NULL;
	sched_check_end(core);		/* it ended on another core */
	core = sched_settle(core);	/* its affinity left this core */
	sched_timer_update(core);	/* a clone, a wake, a timeout ended */
	ckpt_after_syscall(core, r);
}
