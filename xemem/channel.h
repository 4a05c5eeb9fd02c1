/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shared-memory channel between the Linux module and the co-kernel,
 * and the layout of an enclave's first 2 MiB chunk.
 *
 * An enclave owns N physically contiguous, 2 MiB-aligned chunks.  Chunk
 * 0 is laid out by the module before the co-kernel starts:
 *
 *   0x000000  struct cok_channel        (rings, per-core status, log)
 *   0x040000  boot page tables          (built by the module)
 *   0x080000  per-core boot stacks      (COK_STACK_SIZE each)
 *   0x100000  co-kernel image + bss     (struct cok_image_header first)
 *
 * Co-kernel virtual layout (all 2 MiB pages):
 *   COK_VIRT_KERNEL  chunk 0 (channel, stacks, image); -mcmodel=kernel
 *   COK_VIRT_DIRECT  every chunk, in chunk order: chunk i at + i * 2 MiB
 *   COK_VIRT_APIC    the local APIC page (uncached)
 *   0 .. 2 MiB       identity map, only for the trampoline's jump
 */
#ifndef XEMEM_CHANNEL_H
#define XEMEM_CHANNEL_H

#include "cok_types.h"
#include "ring.h"
#include "app.h"

#define COK_CHUNK_SHIFT		21
#define COK_CHUNK_SIZE		(1UL << COK_CHUNK_SHIFT)
#define COK_MAX_CORES		32
#define COK_MAX_CHUNKS		8192		/* 16 GiB per enclave */
/*
 * Memory the module always leaves to Linux: a create is refused when
 * the enclave's chunks plus this exceed MemAvailable ("cokctl check"
 * reports what can be spared the same way).
 */
#define COK_LINUX_RESERVE	(128UL << 20)

#define COK_CHANNEL_OFFSET	0x000000UL
#define COK_CHANNEL_SIZE	0x040000UL
#define COK_PGTABLE_OFFSET	0x040000UL
#define COK_PGTABLE_SIZE	0x040000UL
#define COK_STACK_OFFSET	0x080000UL
#define COK_STACK_SIZE		0x004000UL	/* 16 KiB per core */
#define COK_IMAGE_OFFSET	0x100000UL
#define COK_IMAGE_MAX		0x100000UL	/* image + bss */

#define COK_VIRT_KERNEL		0xffffffff80000000UL
#define COK_VIRT_DIRECT		0xffff800000000000UL
#define COK_VIRT_APIC		0xffffffffc0000000UL
#define COK_APIC_PHYS		0xfee00000UL

#define COK_CHANNEL_MAGIC	0x314c4e48434b4f43ULL	/* "COKCHNL1" */
#define COK_CHANNEL_VERSION	3

/* Doorbell: Linux sends this fixed vector to a co-kernel core. */
#define COK_DOORBELL_VECTOR	0xf0
/*
 * Between co-kernel cores, below the doorbell's priority class (as the
 * co-kernel's timer, 0xe0): a thread was queued on the core, or its
 * process ends (RESCHED); a process's mappings changed (TLB).
 */
#define COK_RESCHED_VECTOR	0xe1
#define COK_TLB_VECTOR		0xe2

/* Boot stages a core walks through; written to cok_core_slot.stage. */
enum cok_stage {
	COK_STAGE_NONE = 0,
	COK_STAGE_SIPI_SENT,	/* module: INIT/SIPI sent */
	COK_STAGE_REAL_MODE,	/* trampoline: first instruction */
	COK_STAGE_PROT_MODE,	/* trampoline: 32-bit protected mode */
	COK_STAGE_LONG_MODE,	/* trampoline: 64-bit long mode */
	COK_STAGE_ENTRY,	/* co-kernel: C entry, own stack */
	COK_STAGE_IDT,		/* co-kernel: own GDT/TSS/IDT loaded */
	COK_STAGE_APIC,		/* co-kernel: local APIC enabled */
	COK_STAGE_RUNNING,	/* co-kernel: serving commands */
	COK_STAGE_STOPPED,	/* co-kernel: acknowledged shutdown */
	COK_STAGE_FAILED,	/* co-kernel: fatal exception or panic; see
				 * cok_core_slot.panic_msg and the console */
	COK_STAGE_DEAD,		/* module only, never in the channel: the
				 * watchdog gave the core up (status) */
};

/* Commands on a core's command ring; responses echo type and seq. */
enum cok_msg_type {
	COK_MSG_NONE = 0,
	COK_MSG_PING,		/* reply: arg[0] = heartbeat */
	COK_MSG_SHUTDOWN,	/* core stops serving, reports STOPPED */
	COK_MSG_MEMINFO,	/* reply: arg[0] = free bytes, arg[1] = total */
	COK_MSG_STAGE,		/* arg[0] = bytes, arg[1] = proc slot;
				 * reply arg[0] = enclave offset */
	COK_MSG_LAUNCH,		/* arg[0] = enclave offset of the launch
				 * block, arg[1] = proc slot (app.h),
				 * arg[2] = cores mask (0: this core) */
	COK_MSG_KILL,		/* end the app whose home core this is */
	COK_MSG_FREEZE,		/* stop the app where it stands, save its state;
				 * in a system call: answered when it returns;
				 * reply arg[0] = TSC cycles from taking it to
				 * the answer (every core of the app parked) */
	COK_MSG_THAW,		/* let a frozen app go on; cancels a FREEZE
				 * still waiting for a system call; a seed
				 * (below) reseeds the app's generator */
	COK_MSG_PUBLISH,	/* frozen app: reply arg[0] = enclave offset of
				 * its struct cok_frozen_app, arg[1] = bytes */
	COK_MSG_RESTORE,	/* arg[0] = enclave offset of a staged struct
				 * cok_restore_block, arg[1] = proc slot;
				 * reply arg[0] = cr3 */
	COK_MSG_INJECT,		/* fault injection (debugfs): arg[0] = enum
				 * cok_inject; answered, then obeyed, in any
				 * state of the core */
	COK_MSG_SIGNAL,		/* a signal for the app from Linux: arg[0] =
				 * signo, arg[1] = si_code, arg[2] = si_pid,
				 * arg[3] = si_uid, arg[4] = si_value; to a
				 * frozen app it stays pending until THAW */
};

/*
 * THAW: arg[0..3] hold a fresh seed for the app's random generator
 * (32 bytes from get_random_bytes()) when arg[COK_THAW_SEED_MARK] is
 * COK_THAW_SEEDED.
 */
#define COK_THAW_SEED_MARK	4
#define COK_THAW_SEEDED		0x44454553ULL	/* "SEED" */

/* What COK_MSG_INJECT makes the core do. */
enum cok_inject {
	COK_INJECT_HANG = 1,	/* spin for ever with interrupts off */
	COK_INJECT_PANIC,	/* take the panic path (cok_panic) */
};

/* A panic's message, kept in the core's slot (NUL-ended). */
#define COK_PANIC_MSG_LEN	128

/* Status codes in cok_msg.status (negated). */
enum cok_error {
	COK_EOK = 0,
	COK_EINVAL = 1,
	COK_ENOMEM = 2,
	COK_ENOSYS = 3,
	COK_EBUSY = 4,
	COK_ENOEXEC = 5,
	COK_ENOSTOP = 6,	/* FREEZE: another core of the app did not stop */
};

/*
 * One core's slot.  The co-kernel writes stage..spurious; the module
 * writes linux_cpu and apic_id before boot.  One cache line per group.
 */
struct cok_core_slot {
	uint32_t linux_cpu;
	uint32_t apic_id;
	uint32_t stage;		/* enum cok_stage */
	uint32_t in_user;	/* 1 while the core runs an app in ring 3 */
	uint64_t heartbeat;	/* bumped on every wake-up of the core */
	uint64_t alive_tsc;	/* TSC at the last heartbeat */
	uint64_t interrupts;	/* every interrupt taken, doorbells included */
	uint64_t nmis;
	uint64_t foreign_irqs;	/* vectors that are not ours (Linux IPIs) */
	uint64_t pad1[2];
	/* Written by cok_panic before the core stops (stage FAILED). */
	char panic_msg[COK_PANIC_MSG_LEN];
	struct cok_msg_ring cmd;	/* Linux -> co-kernel */
	struct cok_msg_ring resp;	/* co-kernel -> Linux */
};

struct cok_channel {
	uint64_t magic;
	uint32_t version;
	uint32_t ncores;
	uint32_t nchunks;
	uint32_t enclave_id;
	uint64_t tsc_khz;	/* from Linux; 0 if unknown */
	uint64_t boot_tsc;	/* co-kernel: TSC when core 0 entered C */
	uint64_t mem_free;	/* co-kernel: free bytes in its allocator */
	uint64_t pad[9];
	struct cok_core_slot core[COK_MAX_CORES];
	struct cok_proc_slot proc[COK_MAX_PROCS];	/* apps (app.h) */
	struct cok_fwd_syscall fwd[COK_MAX_THREADS];	/* their calls */
	struct cok_console console;
	uint64_t chunk_phys[COK_MAX_CHUNKS];
};

/*
 * The co-kernel image, as embedded in the module: a flat binary linked
 * at COK_VIRT_KERNEL + COK_IMAGE_OFFSET, starting with this header.  It
 * carries the real-mode trampoline, which the module copies to a page
 * below 1 MiB; the module fills the trampoline's cok_tramp_params.
 */
#define COK_IMAGE_MAGIC		0x474d494bU	/* "KIMG" */
#define COK_IMAGE_VERSION	1

struct cok_image_header {
	uint32_t magic;
	uint16_t version;
	uint16_t header_size;
	uint64_t link_base;	/* virtual address of this header */
	uint64_t entry64;	/* virtual address of the 64-bit entry */
	uint32_t file_size;	/* bytes present in the image file */
	uint32_t mem_size;	/* bytes including bss */
	uint32_t tramp_offset;	/* trampoline start, from this header */
	uint32_t tramp_size;
	uint32_t tramp_params;	/* params, from the trampoline start */
	uint32_t pad;
};

/* Filled by the module in the low-memory copy of the trampoline. */
struct cok_tramp_params {
	uint32_t cr3;		/* boot PML4, physical, below 4 GiB */
	uint32_t core_index;	/* passed to the entry in %edi */
	uint64_t entry64;	/* co-kernel entry, virtual */
	uint64_t stack_top;	/* boot stack, virtual */
	uint64_t channel;	/* channel, virtual: handed over in %rsi */
	uint32_t stage;		/* trampoline progress (enum cok_stage) */
	uint32_t pad;
};

/* Compile-time checks of the layout both sides depend on. */
_Static_assert(sizeof(struct cok_msg) == 64, "cok_msg is one cache line");
_Static_assert(sizeof(struct cok_channel) <= COK_CHANNEL_SIZE,
	       "channel fits its area of chunk 0");
_Static_assert(COK_THAW_SEED_MARK * sizeof(uint64_t) >= COK_RNG_SEED_SIZE,
	       "a THAW seed fits before its mark");
_Static_assert(sizeof(struct cok_tramp_params) == 40,
	       "trampoline params as trampoline.S expects");

#endif /* XEMEM_CHANNEL_H */
