/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of the co-kernel.
 */
#ifndef COKERNEL_H
#define COKERNEL_H

#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>
#include "../xemem/channel.h"
#include "../xemem/state.h"
#include "futexq.h"
#include "timerq.h"
#include "asm.h"
#include "errno.h"
#include "clock.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* The kernel's spellings of the attributes we use. */
#define __noreturn	__attribute__((__noreturn__))
#define __packed	__attribute__((__packed__))
#define __aligned(n)	__attribute__((__aligned__(n)))
#define __printf(a, b)	__attribute__((__format__(printf, a, b)))

/* Saved by entry.S, lowest address first. */
struct cok_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

#include "sigframe.h"

/*
 * Pending signals of a thread or a process (signal.c): the set, and
 * the siginfo of each, oldest first; a standard signal (below
 * COK_SIGRTMIN) is queued once, a real-time one as often as it comes,
 * while there is room (a signal without room is pending all the same,
 * with a plain SI_USER siginfo).  A siginfo is kept by its first
 * COK_SIGQ_INFO bytes: every field Linux fills for the signals we send
 * (pid, uid, value; addr; timer id, overrun, value) lies there.
 */
#define COK_SIGQ_MAX		16
#define COK_SIGQ_INFO		32
struct cok_sigqueue {
	uint64_t set;			/* COK_SIGBIT(sig) */
	uint32_t n;
	struct {
		int32_t signo;
		uint8_t rest[COK_SIGQ_INFO - 4];
	} q[COK_SIGQ_MAX];
};

/* Top of the user half that apps may map (below the stack guard). */
#define COK_USER_END		0x00007ffffffff000ULL
/* The app stack: [TOP - SIZE, TOP), grown page by page on faults. */
#define COK_USER_STACK_TOP		0x00007fffffe00000ULL
#define COK_USER_STACK_SIZE	(8ULL << 20)
/* mmap places mappings top-down from here. */
#define COK_USER_MMAP_TOP	0x00007f0000000000ULL

/* System call numbers the refused-call bitmap of a process covers. */
#define COK_SC_LIMIT		512

/* An app's address space (uspace.c). */
struct cok_aspace {
	uint64_t *pml4;
	uint64_t pml4_phys;
	uint32_t owner;			/* chunk owner tag of the app */
	void *carve;			/* chunk 4 KiB pages are cut from */
	uint64_t carve_used;
	uint64_t free4k;		/* pages it gave back: a list, 0 ends */
};

/* One mapping of an app (vm.c): [start, end) with its rights. */
struct cok_vma {
	uint64_t start, end;
	uint32_t prot;			/* COK_PROT_* */
	uint32_t flags;			/* COK_VMA_* */
};

#define COK_VMA_LAZY		1U	/* backed on a fault (MAP_NORESERVE) */
#define COK_VMA_STACK		2U	/* the main stack: app_grow_stack() */
#define COK_VMA_SHARED		4U	/* MAP_SHARED (no fork: as private) */
#define COK_MAX_VMAS		1024

/*
 * A test-and-set spinlock between cores.  The co-kernel runs with
 * interrupts off except where it halts, so no holder is interrupted;
 * a holder never waits for another core.
 */
struct cok_spinlock {
	uint32_t locked;
};

static inline void spin_lock(struct cok_spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			__asm__ volatile("pause" ::: "memory");
}

static inline void spin_unlock(struct cok_spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

/* Linux's TASK_COMM_LEN: a thread's name and its NUL. */
#define COK_COMM_LEN		16

/* A kernel context saved by cok_switch(): its stack holds the rest. */
struct cok_kctx {
	uint64_t rsp;
};

/* A thread's kernel stack (thread.c). */
#define COK_KSTACK_PAGES	4
#define COK_KSTACK_SIZE		(COK_KSTACK_PAGES * 4096UL)

/* Reached through GS by the SYSCALL entry; offsets in asm.h. */
struct cok_syscall_area {
	uint64_t kernel_rsp;
	uint64_t user_rsp;
};

/*
 * POSIX timers a process may have at once (timer_create), in one page
 * of its memory taken at its first timer_create.
 */
#define COK_MAX_PTIMERS		32

/*
 * A process's interval timer (ITIMER_REAL, VIRTUAL, PROF) or POSIX
 * timer (timer.c): its entry on a core's timer queue while armed.  For
 * the CPU-time itimers, cpu_target is the process CPU time (ns) it
 * expires at; its queue entry is a wall-clock lower bound of that.
 */
struct cok_ptimer {
	struct cok_timer t;
	bool used;			/* a created POSIX timer */
	bool armed;
	uint32_t which;			/* its itimer, or its clock */
	uint32_t notify;		/* SIGEV_SIGNAL, _NONE, _THREAD_ID */
	int32_t signo;
	uint32_t tid;			/* SIGEV_THREAD_ID's thread */
	uint64_t value;			/* sigev_value */
	uint64_t overrun;		/* periods missed at its last expiry */
	uint64_t interval_ns;		/* what it re-arms by (t's is TSC) */
	uint64_t cpu_target;		/* ITIMER_VIRTUAL/PROF: CPU ns */
};

/*
 * A process (proc.c): what its threads share.  pid is the app id Linux
 * gave it; index is both its pool slot and its slot in the channel
 * (proc_slot()), chosen by Linux at launch.
 */
struct cok_proc {
	uint32_t index;			/* in the pool: its chunk owner */
	uint32_t pid;
	uint32_t uid;			/* its owner's, for si_uid */
	struct cok_aspace as;
	uint64_t brk_start, brk;	/* program break */
	uint64_t brk_top;		/* the break's pages reach up to here */
	struct cok_vma *vma;		/* nvma mappings by address (vm.c) */
	uint32_t nvma;
	uint64_t mmap_next;		/* mmap grows down from here */
	uint64_t clock_tsc;		/* Linux's clocks at launch */
	uint64_t clock_realtime_ns;
	uint64_t clock_monotonic_ns;
	uint64_t ns_mult;		/* ns = tsc delta * ns_mult >> 32 */
	uint64_t frozen_monotonic;	/* CLOCK_MONOTONIC when frozen */
	struct cok_rng rng;		/* getrandom(), AT_RANDOM (random.c) */
	uint64_t tsc_khz;		/* TSC ticks per ms */
	int32_t exit_status;		/* from exit_group() */
	struct cok_thread *thread;	/* its first thread */
	struct cok_kcore *core;		/* its home core: Linux's commands */
	uint32_t cores;			/* bit c: its threads may run on c */
	uint32_t active;		/* bit c: core c runs it (atomic) */
	uint32_t end;			/* enum cok_app_end once it ends */
	/*
	 * A freeze of the process (checkpoint.c): park is set while its
	 * home core stops it; parked has a bit for each other core that
	 * stopped its part of it.
	 */
	uint32_t park;
	uint32_t parked;
	/*
	 * lock: the futex queue, the address space's tables, brk/mmap,
	 * the thread count and placement, the random generator.
	 */
	struct cok_spinlock lock;
	uint32_t load[COK_MAX_CORES];	/* its live threads on each core */
	uint32_t nthreads;		/* not yet exited */
	uint32_t next_tid;		/* for the next clone() */
	uint32_t fwd_seq;		/* forwarded calls made (their order) */
	struct cok_fq_waiter *futex_q;	/* waiters, oldest first (futex.c) */
	/* CPU time (TSC) of its threads that exited (cputime.c) */
	uint64_t dead_utime, dead_stime;
	/* under lock: its timers (timer.c) */
	struct cok_ptimer itimer[3];	/* ITIMER_REAL, VIRTUAL, PROF */
	struct cok_ptimer *ptimer;	/* COK_MAX_PTIMERS, its memory's */
	/*
	 * Signals (signal.c), under sig_lock (with every thread's
	 * sig_blocked and sig_pending): what each does, and those sent to
	 * the whole process.  sig_lock is taken before p->lock.
	 */
	struct cok_spinlock sig_lock;
	struct cok_sigaction action[COK_NSIG];
	struct cok_sigqueue sig_shared;
	/* Refused system calls (syscall.c): told once each, counted. */
	uint64_t refused_seen[COK_SC_LIMIT / 64];
	struct {
		uint16_t nr;
		uint32_t count;
	} refused[8];
	bool used;			/* taken from the pool */
	/* What the app sees of the system (sysinfo.c). */
	uint64_t rlim[COK_RLIM_NLIMITS][2];	/* cur, max; not NOFILE */
	bool rlim_loaded;		/* rlim[] holds the proxy's */
	uint32_t scratch_busy;		/* the scratch area is in use */
	bool not_dumpable;		/* prctl PR_SET_DUMPABLE 0 */
	bool thp_disable;
	bool subreaper;
};

enum cok_run_state {
	COK_THREAD_FREE = 0,		/* in the pool */
	COK_THREAD_RUNNING,		/* on its core, in ring 3 or a call */
	COK_THREAD_FROZEN,		/* stopped by FREEZE or a restore */
	COK_THREAD_RUNNABLE,		/* on its core's run queue */
	COK_THREAD_BLOCKED,		/* in a futex wait or a sleep */
	COK_THREAD_BLOCKED_CALL,	/* waits for its forwarded call */
	COK_THREAD_DEAD,		/* exited; its slot and stack reusable */
};

/* A thread (proc.c): what a core needs to run it in ring 3. */
struct cok_thread {
	uint32_t index;			/* in the pool: its call mailbox */
	uint32_t tid;
	uint32_t state;			/* enum cok_run_state */
	struct cok_proc *proc;
	struct cok_kcore *core;		/* the one it runs on (clone.c) */
	void *kstack;			/* COK_KSTACK_SIZE, the proc's memory */
	struct cok_kctx kctx;		/* where it was switched away */
	struct cok_regs *user_frame;	/* its registers during a call */
	struct cok_regs frozen_regs;	/* its registers when frozen */
	uint32_t frozen_was;		/* its state when its core froze */
	uint64_t frozen_fs, frozen_gs;	/* and its segment bases */
	uint64_t fs_base, gs_base;	/* while it is switched out */
	uint64_t clear_child_tid;	/* CLONE_CHILD_CLEARTID address */
	uint64_t robust_head;		/* set_robust_list() */
	uint32_t affinity;		/* cores it may run on; 0: all */
	/* Signals (signal.c): its mask and own pending ones (sig_lock). */
	uint64_t sig_blocked;
	struct cok_sigqueue sig_pending;
	uint64_t sig_saved_mask;	/* rt_sigsuspend's caller's mask */
	bool sig_restore_mask;		/* ... to restore on the way out */
	bool sig_look;			/* picked for the process's signals */
	struct cok_stack altstack;	/* sigaltstack(); ss_size 0: none */
	uint64_t syscall_nr;		/* of the call it is in (restarts) */
	bool syscall_restorable;	/* rax is the call's own result */
	struct cok_thread *rq_next;	/* run queue link (sched.c) */
	struct cok_thread *cw_next;	/* core's call waiters (sched.c) */
	struct cok_fq_waiter fw;	/* its futex wait or sleep (futex.c) */
	struct cok_timer wait_timer;	/* ... its timeout, on its core's queue */
	uint64_t utime, stime;		/* TSC spent in ring 3, in calls */
	int64_t wait_result;		/* 0 woken, -ETIMEDOUT */
	uint64_t xstate_xcr0;		/* format of xstate: 0 = FXSAVE */
	uint32_t xstate_size;
	/* prctl state (sysinfo.c); inherited by clone(). */
	char comm[COK_COMM_LEN];	/* PR_SET_NAME, /proc/self/status */
	int32_t pdeathsig;
	bool keepcaps, no_new_privs;
	uint64_t timer_slack_ns;	/* 0: Linux's default */
	bool inner_call;		/* in a syscall_forward() of its own */
	uint8_t xstate[COK_XSTATE_MAX] __aligned(64);	/* FPU/SSE/AVX */
};

#include "runq.h"

/*
 * Per-CPU state that lives only in the co-kernel; the channel's part of
 * the core is struct cok_core_slot (xemem/channel.h), hence the k.
 */
struct cok_kcore {
	uint32_t index;
	struct cok_core_slot *shared;	/* this core's slot in the channel */
	bool doorbell;			/* set by the interrupt, seen by idle */
	bool in_app;			/* between enter_user and its return */
	bool freeze_pending;		/* FREEZE came during a system call */
	bool park_pending;		/* ... or a park (checkpoint.c) */
	bool stopped;			/* frozen, or parked: nothing runs */
	bool halted_in_sched;		/* every thread blocked (sched.c) */
	struct cok_msg freeze_msg;	/* ... and is answered when it ends */
	uint64_t freeze_t0;		/* TSC when it came */
	struct cok_thread *current;	/* the thread it runs, or NULL */
	struct cok_thread *switch_next;	/* current once the switch is done */
	struct cok_kctx idle;		/* the command loop, between threads */
	struct cok_spinlock rq_lock;	/* the run queue: other cores wake */
	struct cok_thread *rq_head;	/* runnable threads, FIFO (sched.c) */
	struct cok_thread *rq_tail;
	struct cok_thread *handoff;	/* leaves for its new core (sched.c) */
	uint64_t tlb_req;		/* TLB flushes asked of it (tlb.c) */
	uint64_t tlb_done;		/* ... and done */
	struct cok_thread *call_waiters;	/* BLOCKED_CALL threads */
	uint64_t slice_end;		/* TSC: the current thread's slice */
	struct cok_timer slice_timer;	/* ... on the queue while others wait */
	struct cok_spinlock tq_lock;	/* the timer queue: wakes elsewhere */
	struct cok_timer *tq_head;	/* timers of its threads (timer.c) */
	uint64_t acct_t0;		/* TSC of the last entry or exit */
	uint64_t timer_deadline;	/* TSC the timer is armed for; 0 off */
	uint64_t apic_ticks_per_ms;	/* timer calibration; 0 not yet */
	struct cok_syscall_area sca;
};

/* How an app ended: what its last cok_switch() hands the command loop. */
enum cok_app_end {
	COK_END_EXIT = 1,
	COK_END_FAULT,
	COK_END_KILL,
	COK_END_LEAVE,		/* it ends on another core: this one leaves */
};

extern struct cok_channel *cok_channel;
extern struct cok_kcore cok_cores[COK_MAX_CORES];

/* p's slot in the channel, where Linux sees how the app is. */
static inline struct cok_proc_slot *proc_slot(const struct cok_proc *p)
{
	return &cok_channel->proc[p->index];
}

/* entry.S: 256 stubs of 16 bytes, one per vector */
extern const char cok_vector_stubs[];

/* cpu.c */
void cpu_init_tables(uint32_t core);
void cpu_enable_fpu(void);
struct cok_kcore *this_core(void);

/* apic.c */
void apic_init(void);
void apic_eoi(void);
void apic_self_ipi(uint8_t vector);
void apic_send_ipi(uint32_t apic_id, uint8_t vector);
void ipi_core(const struct cok_kcore *core, uint8_t vector);
void ipi_cores(uint32_t mask, uint8_t vector);
uint32_t apic_id(void);
void apic_timer_set(struct cok_kcore *core, uint64_t tsc_delta,
		    uint64_t tsc_khz);
void apic_timer_stop(void);
/* The one-shot timer's vector: below the doorbell's priority class. */
#define COK_TIMER_VECTOR	0xe0

/* trap.c */
void cok_interrupt(struct cok_regs *regs);

/* console.c */
void cok_printf(const char *fmt, ...) __printf(1, 2);
int cok_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
__noreturn void cok_panic(const char *fmt, ...)
	__printf(1, 2);

/* mm.c */
void mm_init(void);
uint64_t mm_free_bytes(void);
void *mm_alloc_run(uint32_t n, uint32_t who);
void *mm_alloc_run_raw(uint32_t n, uint32_t who, bool zero);
void *mm_alloc_chunk_for(uint32_t who);
void mm_free_owned(uint32_t who);
void mm_free_chunk_phys(uint64_t phys);
void *phys_to_virt(uint64_t phys);

/*
 * Chunk owners: process p (its pool index) owns its memory with
 * COK_OWNER_PROC(p); core c its staging area for a launch with
 * COK_OWNER_STAGE(c).
 */
#define COK_OWNER_PROC(p)	((p) + 1)
#define COK_OWNER_STAGE(c)	((c) + 1 + COK_MAX_CORES)
/* The block a frozen app's state is published in (checkpoint.c). */
#define COK_OWNER_PUBLISH(c)	((c) + 1 + 2 * COK_MAX_CORES)

/* uspace.c */
int as_create(struct cok_aspace *as, uint32_t owner);
void as_destroy(struct cok_aspace *as);
int as_map(struct cok_aspace *as, uint64_t va, uint64_t len, bool writable);
int as_map_raw(struct cok_aspace *as, uint64_t va, uint64_t len,
	       bool writable, bool zero);
int as_map_bits(struct cok_aspace *as, uint64_t va, uint64_t len,
		uint64_t flags, bool zero);
uint64_t as_prot_bits(uint32_t prot);
int as_protect(struct cok_aspace *as, uint64_t va, uint64_t end,
	       uint64_t flags);
void as_zero(struct cok_aspace *as, uint64_t va, uint64_t end);
uint64_t as_backed(struct cok_aspace *as, uint64_t va, uint64_t end);
int as_move(struct cok_aspace *as, uint64_t from, uint64_t to, uint64_t len);
extern uint64_t cok_pte_nx;
/* Frames an unmap took out, to free after the TLB shootdown. */
struct cok_unmap_batch {
	uint32_t n;
	uint64_t phys[64];		/* 2 MiB frames; | COK_UNMAP_4K: pages */
};
#define COK_UNMAP_4K		1ULL
uint64_t as_unmap(struct cok_aspace *as, uint64_t va, uint64_t end,
		  struct cok_unmap_batch *b);
void as_release(struct cok_aspace *as, struct cok_unmap_batch *b);
void *as_lookup(struct cok_aspace *as, uint64_t va, uint64_t *room,
		bool need_write);
int as_write(struct cok_aspace *as, uint64_t va, const void *src,
	     uint64_t len);
int as_put(struct cok_aspace *as, uint64_t va, const void *src,
	   uint64_t len);
int as_read(struct cok_aspace *as, void *dst, uint64_t va, uint64_t len);
void *as_alloc_pages(struct cok_aspace *as, uint32_t n);
void as_activate(struct cok_aspace *as);
/*
 * Calls fn for every backed user page (4 KiB or 2 MiB), PROT_NONE ones
 * too, in va order.
 */
typedef void (*as_leaf_fn)(void *ctx, uint64_t va, uint64_t phys,
			   uint64_t len, uint64_t pte);
void as_walk(struct cok_aspace *as, as_leaf_fn fn, void *ctx);
void as_deactivate(void);

/* loader.c: load the ELF and the initial stack; returns entry and rsp. */
int load_app(struct cok_proc *p, const struct cok_launch_block *b,
	     uint64_t *entry, uint64_t *rsp, const char **why);

/* app.c */
void app_launch(struct cok_kcore *core, struct cok_msg *m);
void app_restore(struct cok_kcore *core, struct cok_msg *m);
void app_set_error(struct cok_proc_slot *slot, const char *why);
__noreturn void app_end(struct cok_kcore *core, enum cok_app_end how);
void app_fault(struct cok_kcore *core, struct cok_regs *r);
void app_note_signal_end(struct cok_kcore *core, uint64_t rip, uint32_t sig);
bool app_fault_to_handler(struct cok_kcore *core, struct cok_regs *r);
__noreturn void app_kill_signal(struct cok_kcore *core,
				const struct cok_regs *r, uint32_t sig);
bool app_grow_stack(struct cok_proc *p, struct cok_regs *r);
void cok_syscall_entry(void);
void cok_syscall_compat_entry(void);

/* vm.c: the app's mappings and its memory calls */
int vm_init(struct cok_proc *p);
int vm_add(struct cok_proc *p, uint64_t start, uint64_t end, uint32_t prot,
	   uint32_t flags);
bool vm_fault(struct cok_proc *p, const struct cok_regs *r);
bool vm_mapped(struct cok_proc *p, uint64_t va);
const char *vm_dump_check(struct cok_proc *p);
void vm_restored(struct cok_proc *p, const struct cok_region *g, uint32_t n);
void vm_restore_rights(struct cok_proc *p);
/* Its memory calls (sys_mmap() ...) are declared from xemem/syscalls.h. */

/* cputime.c: a timespec in user memory as ns (-EFAULT, -EINVAL) */
int64_t user_timespec_ns(struct cok_proc *p, uint64_t va, uint64_t *ns);

/* signal.c */
void signal_init_thread(struct cok_thread *t, const struct cok_thread *parent);
int signal_send(struct cok_kcore *self, struct cok_proc *p,
		struct cok_thread *t, const struct cok_siginfo *info);
void signal_deliver(struct cok_kcore *core, struct cok_regs *r,
		    bool syscall);
bool signal_fault(struct cok_kcore *core, struct cok_regs *r, int sig,
		  int code, uint64_t addr);
bool signal_dumpable(const struct cok_proc *p, const char **why);
int64_t signal_from_linux(struct cok_kcore *core, struct cok_msg *m,
			  bool frozen);
void signal_thawed(struct cok_kcore *core, struct cok_proc *p);
int signal_take(struct cok_thread *t, uint64_t set, struct cok_siginfo *info);
void signal_discard(struct cok_proc *p, int sig);

/*
 * t has a signal to take, waiting (a hint: no lock): one of its own it
 * does not block, or, once it was picked for them (sig_look), one of
 * the process's.  As Linux's TIF_SIGPENDING, a thread that was not
 * picked does not take the process's signals on its way out.
 */
static inline bool signal_wanted(const struct cok_thread *t)
{
	uint64_t set = cok_read_once(&t->sig_pending.set);

	if (cok_read_once(&t->sig_look))
		set |= cok_read_once(&t->proc->sig_shared.set);
	return set & ~cok_read_once(&t->sig_blocked);
}

/* syscall.c */
void cok_syscall(struct cok_kcore *core, struct cok_regs *r);
void syscall_report_refused(const struct cok_proc *p);
typedef int64_t (*cok_syscall_fn)(struct cok_kcore *core, struct cok_regs *r);
bool syscall_served_by(uint64_t nr, cok_syscall_fn fn);

/*
 * The co-kernel's handler of each LOCAL (or SPLIT) call of xemem/syscalls.h,
 * sys_NAME(): declared from the table, so a LOCAL call without its
 * handler does not link.
 */
#define COK_SC_DECL_LOCAL(name)	\
	int64_t sys_##name(struct cok_kcore *core, struct cok_regs *r);
#define COK_SC_DECL_SPLIT(name)	COK_SC_DECL_LOCAL(name)
#define COK_SC_DECL_FWD(name)
#define COK_SC_DECL_REFUSE(name)
#define COK_SC_DECL_ANSWER(name)
#define COK_SYSCALL(nr, name, how, err)	COK_SC_DECL_##how(name)
#include "../xemem/syscalls.h"
#undef COK_SYSCALL
uint64_t app_clock_ns(struct cok_proc *p, bool realtime);
int64_t syscall_forward(struct cok_kcore *core, uint64_t nr,
			const uint64_t args[6]);
int64_t syscall_forward_regs(struct cok_kcore *core, struct cok_regs *r);

/* sysinfo.c: what the app sees of the system (its sys_NAME()s: above) */
void rlimit_load(struct cok_kcore *core);
bool rlimit_vm_ok(struct cok_proc *p, uint64_t len);
uint64_t rlimit_stack_bottom(const struct cok_proc *p);
void sysinfo_set_comm(struct cok_thread *t, const char *argv0);
void sysinfo_thread_reset(struct cok_thread *t);

/* cpu.c */
void cpu_init_syscall(uint32_t core);
void cpu_report_protection(uint32_t core);
uint64_t *cpu_tss_rsp0(uint32_t core);
void wrmsr(uint32_t msr, uint64_t v);
uint64_t rdmsr(uint32_t msr);

/* checkpoint.c: freeze, publish, restore */
/* How a frozen app leaves ckpt_frozen_loop(); TERM: a signal ended it. */
enum cok_frozen_end { COK_FROZEN_THAW = 1, COK_FROZEN_KILL, COK_FROZEN_TERM };
void ckpt_freeze(struct cok_kcore *core, struct cok_regs *r,
		 struct cok_msg *m);
void ckpt_after_syscall(struct cok_kcore *core, struct cok_regs *r);
void ckpt_park(struct cok_kcore *core, struct cok_regs *r);
bool ckpt_cancel_pending(struct cok_kcore *core, int64_t status);
enum cok_frozen_end ckpt_frozen_loop(struct cok_kcore *core);
void ckpt_save_fpu(struct cok_thread *t);
int ckpt_load_restore(struct cok_thread *t, const struct cok_restore_block *b,
		      const char **why);
int ckpt_restore_threads(struct cok_thread *t,
			 const struct cok_restore_block *b, const char **why);
void ckpt_start_threads(struct cok_kcore *core);
void ckpt_load_fpu(const struct cok_thread *t);
void ckpt_reset_fpu(void);
extern uint64_t cok_xcr0;
extern uint32_t cok_xsave_size;

/* random.c: the app's random generator, seeded by Linux */
void rng_init(void);
void rng_seed_app(struct cok_kcore *core, uint8_t seed[COK_RNG_SEED_SIZE],
		  const char *why);
void rng_thaw(struct cok_kcore *core, struct cok_msg *m);
void rng_bytes(struct cok_proc *p, void *out, size_t len);

/* entry.S: from one kernel context to another (thread.c) */
long cok_switch(struct cok_kctx *save, const struct cok_kctx *to, long code);
void cok_thread_start(void);
void thread_landed(struct cok_kcore *core);

/* thread.c: a thread's kernel stack, running and ending it */
int thread_alloc_stack(struct cok_thread *t);
void thread_start_regs(struct cok_regs *r, uint64_t entry, uint64_t rsp);
long thread_run(struct cok_kcore *core, struct cok_thread *t,
		const struct cok_regs *user);
__noreturn void thread_exit(struct cok_kcore *core, long how);
void thread_prepare(struct cok_thread *t, const struct cok_regs *user);
void thread_prepare_standin(struct cok_thread *t, uint64_t top);
void cok_standin_start(void);
void thread_set_stack(struct cok_kcore *core, const struct cok_thread *t);
const struct cok_regs *thread_user_regs(const struct cok_thread *t);

/* clone.c: threads of a process */
struct cok_kcore *sched_place(struct cok_proc *p);
__noreturn void clone_thread_exit(struct cok_kcore *core, int32_t status);

/* affinity.c */
uint32_t affinity_cores(const struct cok_thread *t);
struct cok_kcore *affinity_target(struct cok_kcore *core);

/* sched.c: the core's run queue and its timer */
void sched_enqueue(struct cok_kcore *core, struct cok_thread *t);
void sched_wake(struct cok_kcore *self, struct cok_thread *t);
void sched_check_end(struct cok_kcore *core);
struct cok_kcore *sched_resched(struct cok_kcore *core,
				 const struct cok_regs *r);
struct cok_kcore *sched_settle(struct cok_kcore *core);
__noreturn void sched_standin(struct cok_kcore *core);
bool sched_idle(struct cok_kcore *core);
void sched_end_others(struct cok_kcore *home, struct cok_proc *p);
void sched_next(struct cok_kcore *core);
void sched_yield(struct cok_kcore *core);
void sched_tick(struct cok_kcore *core, struct cok_regs *r);
void sched_timer_update(struct cok_kcore *core);
void sched_reset(struct cok_kcore *core);
void sched_wait_call(struct cok_kcore *core);
void sched_wake_answered(struct cok_kcore *core);
uint64_t sched_ns_to_tsc(const struct cok_proc *p, uint64_t ns);

/* futex.c */
int64_t futex_wake(struct cok_kcore *self, struct cok_proc *p,
		   uint64_t uaddr, uint32_t n, uint32_t bitset);
int64_t futex_sleep(struct cok_kcore *core, uint64_t deadline_tsc);
void futex_timed_out(struct cok_kcore *self, struct cok_thread *t);
bool futex_interrupt(struct cok_kcore *self, struct cok_thread *t);

/* timer.c: the core's timer queue, itimers and POSIX timers (sys_*) */
void timer_add(struct cok_kcore *core, struct cok_timer *t,
	       uint64_t deadline);
void timer_del(struct cok_timer *t);
uint64_t timer_head(struct cok_kcore *core);
bool timer_run_expired(struct cok_kcore *core, uint64_t now);
void timer_reset(struct cok_kcore *core);
void timer_post_signal(struct cok_kcore *core, struct cok_proc *p,
		       uint32_t tid, const struct cok_siginfo *info);

/* cputime.c: CPU time of threads and processes, the clocks (sys_*) */
void cputime_enter(struct cok_kcore *core);
void cputime_leave(struct cok_kcore *core);
void cputime_charge(struct cok_kcore *core);
void cputime_halt(struct cok_kcore *core);
void cputime_exit(struct cok_kcore *core);
uint64_t cputime_proc_ns(struct cok_kcore *core, struct cok_proc *p,
			 bool user_only);
uint64_t tsc_to_ns(const struct cok_proc *p, uint64_t tsc);
uint64_t cputime_wall_bound(const struct cok_proc *p, uint64_t rest);

/* tlb.c: other cores' stale translations of a process */
void tlb_serve(struct cok_kcore *core);
void tlb_shootdown(struct cok_kcore *core, struct cok_proc *p);
void tlb_flush_local(void);

/* proc.c: the process and thread pools */
struct cok_thread *proc_create(uint32_t slot, uint32_t pid);
struct cok_thread *proc_new_thread(struct cok_proc *p);
uint32_t proc_threads(struct cok_proc *p, struct cok_thread **out,
		      uint32_t max);
void proc_free(struct cok_proc *p);
struct cok_thread *proc_find_thread(struct cok_proc *p, uint32_t tid);

/* cmd.c */
bool cmd_answer_query(struct cok_kcore *core, struct cok_msg *m);
void cmd_reply_status(struct cok_kcore *core, struct cok_msg *m,
		      int64_t status);
void cmd_serve_in_app(struct cok_kcore *core, struct cok_regs *r);
/* Linux has a command waiting in the core's ring. */
bool cmd_pending(struct cok_kcore *core);
void cmd_alive(void);
void cmd_reply(struct cok_kcore *core, struct cok_msg *m);
__noreturn void cmd_serve_forever(struct cok_kcore *core);

/* lib.c */
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t read_cr0(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline void write_cr0(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline uint64_t read_cr4(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

/* Device registers: one access each, never merged or reordered. */
static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t v;

	__asm__ volatile("movl %1, %0" : "=r"(v)
			 : "m"(*(uint32_t *)addr) : "memory");
	return v;
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	__asm__ volatile("movl %1, %0" : "=m"(*(uint32_t *)addr)
			 : "r"(v) : "memory");
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline void irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

/* STI's one-instruction shadow makes "sti; hlt" sleep without a race. */
static inline void irq_enable_and_halt(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}

#endif /* COKERNEL_H */
