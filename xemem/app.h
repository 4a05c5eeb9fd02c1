/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Apps on co-kernel cores: one app per core.  The app's slot lives in
 * the core's part of the channel (struct cok_core.app).
 *
 * Launch: the module asks the co-kernel for a staging area
 * (COK_MSG_STAGE, arg[0] = bytes; reply arg[0] = enclave offset), copies
 * a struct cok_launch_block, the ELF file and the argument strings there,
 * and sends COK_MSG_LAUNCH (arg[0] = the block's enclave offset).  The
 * co-kernel validates and loads the ELF into a new address space, frees
 * the staging area and reports RUNNING, or LOAD_FAILED with a reason.
 *
 * Forwarded system calls: the app's core writes nr and args into
 * app.sc and sets sc.state = PENDING; the proxy (cokctl launch) sees it
 * through the module (COK_IOC_WAIT), runs the call itself and reaches
 * the app's buffers only through the module's copies (COK_IOC_APP_MEM,
 * which walks the app's page tables from app.cr3, kmod/appmem.c); the
 * module writes sc.ret, sets DONE and rings the core's doorbell.  No
 * copy of app memory is made by the co-kernel.
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
#define COK_MAX_STRINGS		4096	/* argv + envp entries */

enum cok_app_state {
	COK_APP_NONE = 0,	/* core idle, ready for a launch */
	COK_APP_LOADING,
	COK_APP_RUNNING,
	COK_APP_EXITED,		/* exit_status valid */
	COK_APP_FAULTED,	/* fault_* valid */
	COK_APP_KILLED,		/* by COK_MSG_KILL */
	COK_APP_LOAD_FAILED,	/* error[] holds the reason */
	COK_APP_FROZEN,		/* stopped by COK_MSG_FREEZE; frozen_rip valid */
};

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
	uint32_t seq;
	uint64_t nr;
	uint64_t arg[6];
	int64_t ret;
	uint32_t waiter_awake;
	uint32_t pad;
};

struct cok_app_slot {
	uint32_t state;		/* enum cok_app_state */
	uint32_t app_id;
	uint64_t cr3;		/* the app's PML4, physical */
	int32_t exit_status;
	uint32_t fault_signal;	/* the signal a Linux kernel would send */
	uint64_t fault_vector;
	uint64_t fault_rip;
	uint64_t fault_addr;	/* CR2 for page faults */
	uint64_t fault_error;
	uint64_t user_interrupts;	/* taken while the app was in ring 3 */
	uint64_t frozen_rip;		/* where a FROZEN app stopped */
	char error[COK_APP_ERROR_LEN];
	struct cok_fwd_syscall sc;
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
};

#endif /* XEMEM_APP_H */
