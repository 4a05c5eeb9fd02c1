/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The character device /dev/ckpt_cokernel: the data path between a
 * proxy (cokctl launch) and its app.  One open file = one app.
 *
 *   COK_IOC_LAUNCH  load and start an app; binds the file to it.
 *   COK_IOC_WAIT    block until the app makes a forwarded system call
 *                   or ends (interruptible: -EINTR on a signal).
 *   COK_IOC_APP_MEM while the app waits for that call: copy between the
 *                   proxy's memory and the app's (by the app's virtual
 *                   addresses, with the app's own access rights).
 *                   COK_EV_LOST: the module's watchdog gave the app's
 *                   core up (it stopped answering, or its co-kernel
 *                   panicked); lost_reason says why.  The app is gone,
 *                   its memory stays with the enclave until destroy.
 *   COK_IOC_REPLY   the result of that system call; the app resumes.
 *   COK_IOC_REPLY_MEM  a COK_MEM_WRITE of a read's bytes into the app
 *                   and, if all of them went in, the call's result: one
 *                   ioctl where APP_MEM + REPLY were two.  A short copy
 *                   replies nothing (replied 0); the app still waits.
 *   COK_IOC_JOIN    bind this (new) file to the app of another open
 *                   file of the device (an fd of the caller's): one more
 *                   server for the app's calls.  Each file is handed its
 *                   own calls by WAIT and answers them; the app ends
 *                   when the last of its files is closed.  The caller
 *                   must own the app (or have CAP_SYS_ADMIN).
 *   COK_IOC_KILL    end the app.  The last close() does the same.
 *   COK_IOC_SIGNAL  deliver a signal to the app by its disposition (a
 *                   handler, ignored, or its default action): what the
 *                   proxy caught, with the siginfo it came with.  Not
 *                   SIGKILL (COK_IOC_KILL); si_code is a user's (<= 0)
 *                   or SI_KERNEL's (a terminal's Ctrl-C).  To a frozen
 *                   app it stays pending until the thaw.
 *   COK_IOC_RESTORE rebuild an app from a restore block (state.h); it
 *                   stays frozen while the proxy writes its pages with
 *                   COK_IOC_APP_MEM, then COK_IOC_RESUME starts it.
 *
 * Who may do what (the device may be handed to users, mode 0666):
 *   - a proxy reaches only its own app's memory, and only its pages:
 *     never the channel, the co-kernel or a page table.  An app's file
 *     has no mmap (EINVAL).
 *   - every mmap of the device is MAP_SHARED (else EINVAL);
 *   - segment calls, freeze, thaw and dump of an app: its owner (the
 *     effective uid that launched or restored it) or CAP_SYS_ADMIN;
 *     anyone else gets EPERM.
 *   - calls on one open file are serialised.
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
 */
#ifndef XEMEM_COKDEV_H
#define XEMEM_COKDEV_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define COK_DEV_PATH		"/dev/ckpt_cokernel"
/*
 * The line /proc/PID/fdinfo/FD has for a device file that serves an app
 * as its proxy's (bound by LAUNCH, RESTORE or JOIN): "NAME:\tAPP_ID".
 * A dump of that app leaves such files out: they are the proxy's.
 */
#define COK_FDINFO_PROXY_OF	"ckpt_cokernel_proxy_of:"

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
	__u32 core_out;		/* core index in the enclave: the home core */
	__u32 cpu_out;		/* its Linux CPU number */
	/* in: cores its threads may run on, core (or any) and more; 0: 1 */
	__u32 ncores;
	__u64 mem_bytes;	/* 0: an app has nothing to map */
	char error[128];	/* one-line reason when the launch fails */
};

enum cok_event_kind {
	COK_EV_SYSCALL = 1,
	COK_EV_EXIT,
	COK_EV_FAULT,
	COK_EV_KILLED,
	COK_EV_LOST,		/* the app's core is dead: lost_reason */
};

#define COK_LOST_REASON_LEN	160

struct cok_ioc_event {
	__u32 kind;		/* enum cok_event_kind */
	__u32 nthreads;		/* the app's threads not yet exited */
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
	char lost_reason[COK_LOST_REASON_LEN];	/* COK_EV_LOST, NUL-ended */
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
	/* in: cores for its threads, as LAUNCH's (any count); 0: 1 */
	__u32 ncores;
	__u64 mem_bytes;	/* 0, as for LAUNCH */
	__u64 cr3;		/* 0 (pages go in with COK_IOC_APP_MEM) */
	char error[128];
};

/* COK_IOC_APP_MEM: one copy, stopped at the first page the app lacks. */
enum cok_app_mem_op {
	COK_MEM_READ = 1,	/* app memory at va -> buf */
	COK_MEM_WRITE,		/* buf -> app memory at va */
	COK_MEM_ZERO,		/* zeros -> app memory at va (buf unused) */
	COK_MEM_PROBE_READ,	/* no copy: how much of it the app may read */
	COK_MEM_PROBE_WRITE,	/* ... or write */
};

struct cok_ioc_app_mem {
	/* in */
	__u64 va;		/* the app's address */
	__u64 len;
	__u64 buf;		/* the caller's buffer */
	__u32 op;		/* enum cok_app_mem_op */
	__u32 pad;		/* 0 */
	/* out */
	__u64 done;		/* bytes copied (or accessible) from va */
};

struct cok_ioc_reply_mem {
	struct cok_ioc_app_mem mem;	/* op COK_MEM_WRITE; done is out */
	__s64 ret;		/* in: the result, if all of mem goes in */
	__u32 replied;		/* out: 1 when the app has its result */
	__u32 pad;		/* 0 */
};

/* COK_IOC_SIGNAL */
struct cok_ioc_signal {
	__u32 signo;		/* 1-64, not SIGKILL */
	__s32 code;		/* si_code: <= 0, or 0x80 (SI_KERNEL) */
	__s32 pid;		/* si_pid, si_uid: who sent it */
	__u32 uid;
	__u64 value;		/* si_value (SI_QUEUE) */
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
	/* in: room for max_threads struct cok_thread_rec (state.h) */
	__u64 threads;
	__u32 max_threads;
	__u32 nthreads;		/* out: the app's threads */
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
#define COK_IOC_APP_MEM		_IOWR(COK_IOC_MAGIC, 12, struct cok_ioc_app_mem)
#define COK_IOC_REPLY_MEM	_IOWR(COK_IOC_MAGIC, 13, struct cok_ioc_reply_mem)
#define COK_IOC_JOIN		_IOW(COK_IOC_MAGIC, 14, __s32)
#define COK_IOC_SIGNAL		_IOW(COK_IOC_MAGIC, 15, struct cok_ioc_signal)

#endif /* XEMEM_COKDEV_H */
