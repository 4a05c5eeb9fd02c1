/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The character device /dev/ckpt_cokernel: the data path between a
 * proxy (cokctl launch) and its app.  One open file = one app.
 *
 *   COK_IOC_LAUNCH  load and start an app; binds the file to it.
 *   mmap(0, mem_bytes)  the enclave's memory (enclave offsets, see
 *                   xemem/app.h), read/write: the proxy reaches the
 *                   app's buffers there by walking its page tables.
 *   COK_IOC_WAIT    block until the app makes a forwarded system call
 *                   or ends (interruptible: -EINTR on a signal).
 *   COK_IOC_REPLY   the result of that system call; the app resumes.
 *   COK_IOC_KILL    end the app.  close() does the same.
 *   COK_IOC_RESTORE rebuild an app from a restore block (state.h); it
 *                   stays frozen while the proxy writes its pages
 *                   through the mmap, then COK_IOC_RESUME starts it.
 *
 * XEMEM-style segments: a part of one side's memory, published under an
 * id with permissions, that the other side maps.  Today a segment is the
 * memory of a frozen app, published by the co-kernel as runs of its
 * physical pages (state.h), read-only for Linux; a dump maps it and
 * writes the pages to the image file straight from the app's frames.
 *
 *   COK_IOC_SEG_MAKE    publish a frozen app's memory: a new segment id
 *   COK_IOC_SEG_GET     the segment's runs (its memory map), the app's
 *                       frozen state, its proxy, argv and environment
 *   COK_IOC_SEG_ATTACH  bind this open file to a segment, then
 *   mmap(0, bytes)      maps the runs one after the other, in order
 *   COK_IOC_SEG_DETACH  unbind (after munmap); close() does the same
 *   COK_IOC_SEG_REMOVE  withdraw the id; attached files keep their view
 *
 * A segment of an app goes away when the app is thawed or ends; the app
 * cannot be thawed while a file is attached to one.
 *
 * Every mapping of the device is MAP_SHARED: mmap refuses any other
 * (MAP_PRIVATE) with EINVAL.
 */
#ifndef XEMEM_COKDEV_H
#define XEMEM_COKDEV_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define COK_DEV_PATH		"/dev/ckpt_cokernel"

struct cok_ioc_launch {
	/* in */
	__u32 enclave;		/* 0: the only enclave */
	__s32 core;		/* -1: any idle core of the enclave */
	__u64 elf;		/* pointer to the ELF file's bytes */
	__u64 elf_size;
	__u64 strings;		/* argv then envp, each NUL-ended */
	__u64 strings_size;
	__u32 argc;
	__u32 envc;
	/* The proxy's own descriptors (-1: none), skipped by a dump. */
	__s32 private_fds[2];
	/* out */
	__u32 app_id;
	__u32 core_out;		/* core index in the enclave */
	__u32 cpu_out;		/* its Linux CPU number */
	__u32 pad;
	__u64 mem_bytes;	/* length to mmap */
	char error[128];	/* one-line reason when the launch fails */
};

enum cok_event_kind {
	COK_EV_SYSCALL = 1,
	COK_EV_EXIT,
	COK_EV_FAULT,
	COK_EV_KILLED,
};

struct cok_ioc_event {
	__u32 kind;		/* enum cok_event_kind */
	__u32 pad;
	__u64 nr;		/* COK_EV_SYSCALL */
	__u64 arg[6];
	__u64 cr3;		/* the app's PML4 (physical) */
	__s32 exit_status;	/* COK_EV_EXIT */
	__u32 signal;		/* COK_EV_FAULT: SIGSEGV, SIGFPE, ... */
	__u64 fault_vector;
	__u64 fault_rip;
	__u64 fault_addr;
	__u64 fault_error;
	/* Interrupts the app's core took while it ran in ring 3 (NMIs
	 * included); 0 on a quiet core.
	 */
	__u64 user_interrupts;
};

/* Restore: as LAUNCH, with a restore block in place of the ELF. */
struct cok_ioc_restore {
	/* in */
	__u32 enclave;		/* 0: the only enclave */
	__s32 core;		/* -1: any idle core */
	__u64 block;		/* struct cok_restore_block + its regions */
	__u64 block_size;
	__u64 strings;		/* the app's argv then envp (kept for a dump) */
	__u64 strings_size;
	__u32 argc;
	__u32 envc;
	__s32 private_fds[2];
	/* out */
	__u32 app_id;
	__u32 core_out;
	__u32 cpu_out;
	__u32 pad;
	__u64 mem_bytes;	/* length to mmap */
	__u64 cr3;		/* the app's PML4, to write its pages */
	char error[128];
};

#define COK_SEG_READ		1U
#define COK_SEG_WRITE		2U

struct cok_ioc_seg_make {
	/* in */
	__u32 app_id;		/* a frozen app */
	__u32 perms;		/* COK_SEG_READ */
	/* out */
	__u32 segid;
	__u32 nruns;
	__u64 bytes;		/* the length to mmap: all runs */
	__u64 strings_size;	/* argv + envp, for COK_IOC_SEG_GET */
	char error[128];
};

struct cok_ioc_seg_get {
	/* in */
	__u32 segid;
	__u32 max_runs;
	__u64 runs;		/* out: struct cok_seg_run[max_runs] */
	__u64 state;		/* out: struct cok_frozen_app, runs excluded */
	__u64 strings;		/* out: argv then envp, NUL-ended each */
	__u64 strings_max;
	/* out */
	__u32 nruns;
	__u32 perms;
	__u64 bytes;
	__u64 strings_size;
	__u32 argc;
	__u32 envc;
	__s32 proxy_pid;	/* the app's proxy, which holds its files */
	__s32 private_fds[2];	/* the proxy's own descriptors */
	__u32 app_id;
};

struct cok_ioc_seg_attach {
	__u32 segid;
	__u32 perms;		/* COK_SEG_READ: mmap with PROT_READ only */
};

#define COK_IOC_MAGIC		'k'
#define COK_IOC_LAUNCH		_IOWR(COK_IOC_MAGIC, 1, struct cok_ioc_launch)
#define COK_IOC_WAIT		_IOR(COK_IOC_MAGIC, 2, struct cok_ioc_event)
#define COK_IOC_REPLY		_IOW(COK_IOC_MAGIC, 3, __s64)
#define COK_IOC_KILL		_IO(COK_IOC_MAGIC, 4)
#define COK_IOC_RESTORE		_IOWR(COK_IOC_MAGIC, 5, struct cok_ioc_restore)
#define COK_IOC_RESUME		_IO(COK_IOC_MAGIC, 6)
#define COK_IOC_SEG_MAKE	_IOWR(COK_IOC_MAGIC, 7, struct cok_ioc_seg_make)
#define COK_IOC_SEG_GET		_IOWR(COK_IOC_MAGIC, 8, struct cok_ioc_seg_get)
#define COK_IOC_SEG_ATTACH	_IOW(COK_IOC_MAGIC, 9, struct cok_ioc_seg_attach)
#define COK_IOC_SEG_DETACH	_IO(COK_IOC_MAGIC, 10)
#define COK_IOC_SEG_REMOVE	_IOW(COK_IOC_MAGIC, 11, __u32)

#endif /* XEMEM_COKDEV_H */
