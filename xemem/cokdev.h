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

#define COK_IOC_MAGIC		'k'
#define COK_IOC_LAUNCH		_IOWR(COK_IOC_MAGIC, 1, struct cok_ioc_launch)
#define COK_IOC_WAIT		_IOR(COK_IOC_MAGIC, 2, struct cok_ioc_event)
#define COK_IOC_REPLY		_IOW(COK_IOC_MAGIC, 3, __s64)
#define COK_IOC_KILL		_IO(COK_IOC_MAGIC, 4)

#endif /* XEMEM_COKDEV_H */
