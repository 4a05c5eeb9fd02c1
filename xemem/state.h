/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A frozen app's state, as the co-kernel publishes it for a dump and as
 * a restore hands it back.  The same structures are the THREAD and MM
 * records of an image file (image.h): one definition for all three.
 *
 * Publishing (COK_MSG_PUBLISH, frozen app only): the co-kernel writes a
 * struct cok_frozen_app, followed by its segment runs, at the start of a
 * chunk it owns for that purpose, and answers with the chunk's enclave
 * offset.  The block stays until the app is thawed, killed or published
 * again.  The runs describe every present user page of the app as
 * (virtual address, enclave offset, length, protection), physically
 * contiguous each, in address order: the module turns them into an
 * XEMEM-style segment (cokdev.h) that a dumper maps read-only.
 *
 * Restoring (COK_MSG_RESTORE, arg[0] = enclave offset of a struct
 * cok_restore_block in a staging area, as for a launch): the co-kernel
 * builds an empty address space with the regions mapped and zeroed,
 * sets the registers, and leaves the app FROZEN with app.cr3 set; Linux
 * writes the page data through the app's page tables and sends THAW.
 *
 * The app's random generator is not part of its state: a restore seeds
 * a new one from the block's seed, and every THAW reseeds it (channel.h),
 * so that no two runs from one image, nor an image and the app it was
 * dumped from, hand out the same random bytes.  mm.rng is kept in the
 * format for old images and ignored.
 */
#ifndef XEMEM_STATE_H
#define XEMEM_STATE_H

#include "cok_types.h"
#include "chacha20.h"

/* The general registers of a user thread, and its segment bases. */
struct cok_user_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;
	uint64_t fs_base, gs_base;
};

/* FPU/SSE/AVX state: an XSAVE image, or an FXSAVE one when xcr0 is 0. */
#define COK_XSTATE_MAX		4096
#define COK_FXSAVE_SIZE		512

/*
 * One thread's registers and FPU format.  The xstate bytes follow it in
 * an image; in a published or restore block, a struct cok_thread_rec.
 */
struct cok_thread_state {
	struct cok_user_regs regs;
	uint64_t xcr0;		/* components in xstate; 0 = FXSAVE format */
	uint32_t xstate_size;	/* bytes of xstate that follow */
	uint32_t pad;
};

/*
 * Who a thread is to its process (image version 2): tid 0 is "the
 * process's pid" (a version 1 image's only thread).
 */
struct cok_thread_ids {
	uint32_t tid;
	uint32_t pad;
	uint64_t clear_child_tid;	/* CLONE_CHILD_CLEARTID, 0: none */
	uint64_t robust_head;		/* set_robust_list(), 0: none */
	uint64_t reserved;
};

/* Threads of one app in a block or an image, at most. */
#define COK_STATE_MAX_THREADS	64

/*
 * One thread in a published or restore block.  The registers are where
 * it goes on: a thread that was waiting in a futex or a sleep is made to
 * issue that system call again (rip back on the SYSCALL, rax its
 * number), as Linux restarts such a call after a signal.
 */
struct cok_thread_rec {
	struct cok_thread_state st;
	struct cok_thread_ids ids;
	uint8_t xstate[COK_XSTATE_MAX];
};

/* Protection bits of a region or a segment run. */
#define COK_PROT_READ		1U
#define COK_PROT_WRITE		2U
#define COK_PROT_EXEC		4U

/* One mapped range of the app's address space (page-aligned). */
struct cok_region {
	uint64_t va;
	uint64_t len;
	uint32_t prot;		/* COK_PROT_* */
	uint32_t pad;
};

/* The co-kernel's memory bookkeeping of the app, and its clock. */
struct cok_mm_state {
	uint64_t brk_start;
	uint64_t brk;
	uint64_t mmap_next;	/* anonymous mmap grows down from here */
	uint64_t rng;		/* unused: written 0, ignored on restore */
	uint64_t monotonic_ns;	/* the app's CLOCK_MONOTONIC when frozen */
	uint32_t nregions;	/* struct cok_region entries that follow */
	uint32_t pad;
};

/* One physically contiguous run of the app's present pages. */
struct cok_seg_run {
	uint64_t va;
	uint64_t offset;	/* enclave offset of its first byte */
	uint64_t len;		/* bytes, a multiple of 4 KiB */
	uint32_t prot;		/* COK_PROT_* */
	uint32_t pad;
};

#define COK_FROZEN_MAGIC	0x4e5a5246U	/* "FRZN" */
#define COK_RESTORE_MAGIC	0x54534552U	/* "REST" */

/*
 * Published by COK_MSG_PUBLISH; runs[nruns] follow, then nthreads
 * struct cok_thread_rec at threads_offset (from the block's start), the
 * thread that was running first.
 */
struct cok_frozen_app {
	uint32_t magic;
	uint32_t nruns;
	uint64_t bytes;		/* of the whole block, runs and threads */
	uint32_t nthreads;
	uint32_t uid;		/* by the module: the restorer's real uid */
	uint64_t threads_offset;
	struct cok_mm_state mm;	/* nregions is 0 here: see the runs */
	struct cok_seg_run runs[];
};

/*
 * Staged for COK_MSG_RESTORE; regions[mm.nregions] follow, then nthreads
 * struct cok_thread_rec at threads_offset (from the block's start): the
 * first one runs first.  Linux's clocks at one instant give the
 * co-kernel its TSC clock, as at launch; the app's CLOCK_MONOTONIC goes
 * on from mm.monotonic_ns.
 */
struct cok_restore_block {
	uint32_t magic;
	uint32_t app_id;
	uint64_t staged_size;	/* bytes the module wrote, block included */
	uint64_t clock_tsc;
	uint64_t clock_realtime_ns;
	uint64_t clock_monotonic_ns;
	uint64_t tsc_khz;
	uint64_t flags;		/* COK_RESTORE_* */
	/* Set by the module (get_random_bytes), never from the image. */
	uint8_t seed[COK_RNG_SEED_SIZE];
	uint32_t nthreads;
	uint32_t uid;		/* by the module: the restorer's real uid */
	uint64_t threads_offset;
	struct cok_mm_state mm;
	struct cok_region regions[];
};

/*
 * Linux writes every page of every region, zeros included: the co-kernel
 * need not zero the 2 MiB pages it maps (its 4 KiB pages are zeroed as
 * they are cut anyway).
 */
#define COK_RESTORE_FILLS_ALL	1ULL

#define COK_RESTORE_MAX_REGIONS	65536

#endif /* XEMEM_STATE_H */
