/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The proxy of an app (cokctl launch): it runs the app's forwarded
 * system calls itself, so that the app's files, current directory and
 * permissions are those of the user who launched it.
 *
 *   proxy.c           the event loop on /dev/ckpt_cokernel, signals
 *   proxy_syscalls.c  the forwarded system calls
 *   appmem.c          the app's memory (copies made by the module)
 */
#ifndef COKCTL_PROXY_H
#define COKCTL_PROXY_H

#include <stdbool.h>
#include <stdint.h>

#include "appmem.h"

#define COK_PROXY_SEEKABLE_FDS	1024

struct cok_proxy {
	int devfd;		/* /dev/ckpt_cokernel, bound to the app */
	int errfd;		/* the proxy's own stderr */
	uint32_t app_id;
	bool trace;		/* each call and its result on errfd */
	bool verbose;		/* a summary line when the app ends */
	uint64_t ncalls;	/* forwarded calls served */
	uint64_t start_ns;	/* CLOCK_MONOTONIC at launch */
	struct cok_appmem mem;
	bool replied;		/* the last call's result went with its data */
	/*
	 * fds known to be regular files or block devices (so a read may
	 * go straight in with COK_IOC_REPLY_MEM): one fstat per fd, not
	 * per read.  Forgotten at every call that may change the fd table.
	 */
	uint64_t seekable[COK_PROXY_SEEKABLE_FDS / 64];
	uint64_t fd_gen;	/* the fd table's generation seekable is of */
	bool pool_server;	/* not the first server (proxy.c) */
	/*
	 * The app's cores (launch --cores): /sys/devices/system/cpu/online
	 * reads "0-N-1" for it, as glibc's get_nprocs() counts; 0: Linux's.
	 */
	uint32_t ncores;
	/*
	 * What /proc/self/exe and /proc/self/cmdline show the app: its
	 * program's absolute path (NULL: unknown, -ENOENT) and its argv,
	 * each string NUL-ended (proxy_syscalls.c, "answered paths").
	 */
	const char *exe;
	const char *cmdline;
	size_t cmdline_len;
};

/*
 * Sets p's exe to the canonical path of program (NULL if it has none)
 * and cmdline to the first argc strings of the NUL-ended strings at
 * blob: copies, kept until the proxy ends.
 */
void cok_proxy_set_program(struct cok_proxy *p, const char *program,
			   const char *blob, uint32_t argc);

/* Servers of one app's calls at most (proxy.c), the first included. */
#define COK_PROXY_MAX_SERVERS	64

/*
 * Moves fd to the top of the fd table (close-on-exec), out of the way of
 * the app's own numbers; the app cannot use it.  The new fd, or -errno.
 */
int cok_proxy_hide_fd(int fd);

/* fd is one of the proxy's own (the device, its stderr). */
bool cok_proxy_private_fd(const struct cok_proxy *p, int fd);

/*
 * Runs forwarded system call nr with args arg[6] for the app, whose
 * memory it reaches through p->mem.  Returns the value for the app: a
 * result >= 0 or -errno; -ENOSYS for a call the proxy does not forward.
 * p->replied says the app has it already (a read's COK_IOC_REPLY_MEM).
 */
int64_t cok_proxy_syscall(struct cok_proxy *p, uint64_t nr,
			  const uint64_t arg[6]);

/* The forwarded system call's name, or NULL (for messages and tests). */
const char *cok_proxy_syscall_name(uint64_t nr);

/*
 * SIGINT, SIGTERM and SIGHUP end the app: the handler asks the module
 * (COK_IOC_KILL on devfd) itself, so a signal that arrives just before
 * the proxy blocks in COK_IOC_WAIT is not lost.  No SA_RESTART.
 */
void cok_proxy_signals(int devfd);

/* The terminating signal caught so far, or 0. */
int cok_proxy_stop_signal(void);

/* CLOCK_MONOTONIC in ns. */
uint64_t cok_proxy_now_ns(void);

/* "SIGSEGV", ..., or NULL when unknown. */
const char *cok_signal_name(int sig);

/*
 * The event loop, until the app ends.  Returns cokctl's exit status:
 * the app's exit status, 128 + the signal that ended it, or 128 + the
 * signal that stopped the proxy.
 */
int cok_proxy_run(struct cok_proxy *p);

#endif /* COKCTL_PROXY_H */
