/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Apps on co-kernel cores, as processes with threads.  An app is a
 * process: its slot in the channel (struct cok_proc_slot proc[], the
 * index the module chose at launch) says how it is and how it ended;
 * its threads run on the cores of its cores mask, one of which, its
 * home core, takes Linux's commands for it (KILL, FREEZE, THAW, PUBLISH).
 *
 * Launch: the module asks the home core for a staging area
 * (COK_MSG_STAGE, arg[0] = bytes, arg[1] = proc slot, which the core
 * marks LOADING; reply arg[0] = enclave offset), copies a struct
 * cok_launch_block, the ELF file and the argument strings there, and
 * sends COK_MSG_LAUNCH (arg[0] = the block's enclave offset, arg[1] =
 * the proc slot).  The co-kernel validates and loads the ELF into a new
 * address space, frees the staging area and reports RUNNING, or
 * LOAD_FAILED with a reason.  RESTORE is the same with a restore block.
 *
 * Forwarded system calls: a mailbox per co-kernel thread slot (struct
 * cok_fwd_syscall fwd[COK_MAX_THREADS]; a thread has at most one call
 * in flight).  The calling thread writes nr, args, its proc slot, tid
 * and core, a per-process sequence number, sets state = PENDING and its
 * bit in the proc slot's fwd_pending.  The proxy (cokctl launch) takes
 * the oldest pending call of its app through the module (COK_IOC_WAIT),
 * runs it and reaches the app's buffers only through the module's
 * copies (COK_IOC_APP_MEM, which walks the app's page tables from the
 * slot's cr3, kmod/appmem.c); the module writes ret, sets DONE and rings
 * the doorbell of the mailbox's core (unless its waiter still spins:
 * waiter_awake below).  No copy of app memory is made by the co-kernel.
 *
 * "Enclave offset": chunk i covers [i * 2 MiB, (i + 1) * 2 MiB), as in
 * the co-kernel's direct map.
 */
#ifndef XEMEM_APP_H
#define XEMEM_APP_H

#include "cok_types.h"
#include "chacha20.h"

#define COK_LAUNCH_MAGIC	0x4e43414cU	/* "LACN" */
#define COK_ELF_MAX		(64UL << 20)
#define COK_STRINGS_MAX		(256UL << 10)
#define COK_APP_ERROR_LEN	128
/* fault_vector of an app a signal ended: no exception vector (0-31). */
#define COK_FAULT_NONE		0x100
#define COK_MAX_STRINGS		4096	/* argv + envp entries */
/* Processes an enclave runs at once, and threads of all of them. */
#define COK_MAX_PROCS		32
#define COK_MAX_THREADS		64	/* fits fwd_pending's 64 bits */

enum cok_app_state {
	COK_APP_NONE = 0,	/* slot free, ready for a launch */
	COK_APP_LOADING,
	COK_APP_RUNNING,
	COK_APP_EXITED,		/* exit_status valid */
	COK_APP_FAULTED,	/* fault_* valid */
	COK_APP_KILLED,		/* by COK_MSG_KILL */
	COK_APP_LOAD_FAILED,	/* error[] holds the reason */
	COK_APP_FROZEN,		/* stopped by COK_MSG_FREEZE; frozen_rip valid */
};

/* A proc slot in this state holds no live app: it may take a new one. */
static inline bool cok_slot_reusable(uint32_t state)
{
	return state == COK_APP_NONE || state == COK_APP_LOAD_FAILED ||
	       state == COK_APP_EXITED || state == COK_APP_FAULTED ||
	       state == COK_APP_KILLED;
}

enum cok_sc_state {
	COK_SC_IDLE = 0,
	COK_SC_PENDING,		/* co-kernel: nr/arg valid, waiting */
	COK_SC_DONE,		/* Linux: ret valid */
};

/*
 * waiter_awake: the co-kernel sets it with PENDING while it spins for
 * the answer.  Linux, after DONE, takes it with cok_xchg: 1 means the
 * waiter is still spinning and will see DONE, so no doorbell is rung
 * (an IPI under TCG costs more than the rest of the round trip).  The
 * co-kernel takes it back with cok_xchg when its spin ends: 0 means
 * Linux took it (DONE is there, no doorbell comes); 1 means Linux has
 * not looked yet and will ring the doorbell, which it then waits for.
 */
struct cok_fwd_syscall {
	uint32_t state;		/* enum cok_sc_state */
	uint32_t seq;		/* the process's count of forwarded calls */
	uint32_t proc;		/* proc slot of the caller */
	uint32_t tid;		/* the calling thread */
	uint32_t core;		/* where it waits: the doorbell to ring */
	uint32_t waiter_awake;
	uint64_t nr;
	uint64_t arg[6];
	int64_t ret;
};

/*
 * Private forwarded calls (numbers no Linux call has), made by the
 * co-kernel itself with arguments it wrote (cokernel/sysinfo.c):
 *   COK_SYS_TEXT_FILE(va, len, flags): a file the co-kernel rendered
 *     (/proc/self/maps, status, ...), len bytes at va in the app: the
 *     proxy returns a read-only fd of a sealed memory file holding them
 *     (O_CLOEXEC of flags kept).
 *   COK_SYS_RLIMITS(va): the proxy writes its COK_RLIM_NLIMITS limits,
 *     { rlim_cur, rlim_max } each, at va: the app's start values.
 */
#define COK_SYS_PRIVATE		0x10000
#define COK_SYS_TEXT_FILE	(COK_SYS_PRIVATE + 0)
#define COK_SYS_RLIMITS		(COK_SYS_PRIVATE + 1)
#define COK_TEXT_FILE_MAX	(64UL << 10)
#define COK_RLIM_NLIMITS	16	/* Linux's RLIM_NLIMITS */

struct cok_proc_slot {
	uint32_t state;		/* enum cok_app_state */
	uint32_t app_id;
	uint64_t cr3;		/* the app's PML4, physical */
	int32_t exit_status;
	uint32_t fault_signal;	/* the signal a Linux kernel would send */
	uint64_t fault_vector;	/* COK_FAULT_NONE: a signal's default action */
	uint64_t fault_rip;
	uint64_t fault_addr;	/* CR2 for page faults */
	uint64_t fault_error;
	uint64_t user_interrupts;	/* taken while the app was in ring 3 */
	uint64_t frozen_rip;		/* where a FROZEN app stopped */
	uint64_t fwd_pending;		/* bit i: fwd[i] is PENDING for it */
	uint32_t home_core;		/* takes the commands for the app */
	uint32_t cores;			/* bit c: its threads may run on c */
	uint32_t nthreads;		/* not yet exited */
	uint32_t pad;
	char error[COK_APP_ERROR_LEN];
};

/* At the start of the staging area; offsets are from the block. */
struct cok_launch_block {
	uint32_t magic;
	uint32_t app_id;
	uint64_t elf_offset;
	uint64_t elf_size;
	uint64_t strings_offset;	/* argv then envp, each NUL-ended */
	uint64_t strings_size;
	uint32_t argc;
	uint32_t envc;
	/* Linux's clocks at one instant, for the co-kernel's TSC clock. */
	uint64_t clock_tsc;
	uint64_t clock_realtime_ns;
	uint64_t clock_monotonic_ns;
	uint64_t tsc_khz;
	uint64_t staged_size;	/* bytes the module wrote, block included */
	/* From get_random_bytes(): the app's random generator (chacha20.h). */
	uint8_t seed[COK_RNG_SEED_SIZE];
	uint32_t uid;		/* the launcher's real uid: a signal's si_uid */
	uint32_t pad;
};

#endif /* XEMEM_APP_H */
