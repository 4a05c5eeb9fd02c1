/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Apps on enclave cores, as the character device (cdev.c) drives them.
 *
 * struct cok_app is the app, a process: its proc slot in the channel,
 * the cores its threads may run on, who owns it, what a dump needs to
 * know of its proxy.  It lives in its enclave's table (e->procs[slot],
 * see enclave_priv.h for the locks) from its launch until it is
 * retired: it has ended, its proxy's file is gone and no dump has a
 * segment of it attached.  Until then its slot, cores and frames stay
 * its own, and the enclave cannot be destroyed.
 *
 * struct cok_file is one open file of the device: a proxy bound to an
 * app, or a dumper attached to a segment.  Its ioctls are serialised by
 * its mutex; mmap (which runs under the caller's mmap lock) takes only
 * the spinlock that guards the segment pointer.
 */
#ifndef COK_APP_H
#define COK_APP_H

#include <linux/cred.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include "../xemem/cokdev.h"
#include "../xemem/app.h"

struct cok_enclave;
struct cok_segment;

struct cok_app {
	struct cok_enclave *e;
	u32 slot;			/* its proc slot in the channel */
	u32 core;			/* home core: takes its commands */
	u32 cores;			/* bit c: may run on core c */
	u32 app_id;
	kuid_t owner;			/* effective uid of its launcher */
	pid_t proxy_pid;
	/* Locks: enclave_priv.h. */
	bool restoring;			/* its pages are being written */
	bool proxy_gone;		/* its proxy's file was released */
	bool kill_deferred;		/* killed while a dump reads it */
	bool job_stopped;		/* frozen by a stop signal (SIGTSTP) */
	u32 nattached;			/* files attached to its segments */
	u32 nfiles;			/* files bound to it (LAUNCH, JOIN) */
	/* The seq of the call each mailbox last handed to one of them. */
	u32 handed[COK_MAX_THREADS];
	/* For a dump: the app's argv + envp, the proxy's own fds. */
	char *strings;
	u64 strings_size;
	u32 argc, envc;
	s32 private_fds[2];
};

/* Who makes a request: an open file's opener, or a netlink sender. */
struct cok_caller {
	kuid_t uid;
	bool admin;			/* CAP_SYS_ADMIN */
};

struct cok_file {
	struct mutex lock;		/* serialises this file's ioctls */
	struct cok_caller who;		/* from the opener's credentials */
	struct cok_app *app;		/* bound by LAUNCH or RESTORE */
	/* The forwarded call handed out last: mailbox and its seq. */
	s32 call;			/* -1: none */
	u32 call_seq;
	bool joined;			/* bound by COK_IOC_JOIN */
	bool restoring;			/* between RESTORE and RESUME */
	/* A segment attached (segment.c) instead of an app. */
	spinlock_t seg_lock;		/* guards seg against mmap */
	struct cok_segment *seg;
	atomic_t seg_maps;		/* mappings of it in place */
};

/* The caller may act on an app or segment of owner. */
bool cok_caller_may(const struct cok_caller *who, kuid_t owner);

int cok_app_launch(struct cok_ioc_launch *l, struct cok_file *f);
int cok_app_restore(struct cok_ioc_restore *r, struct cok_file *f);
int cok_app_resume(struct cok_file *f);
int cok_app_wait(struct cok_file *f, struct cok_ioc_event *ev);
int cok_app_reply(struct cok_file *f, s64 ret);
int cok_app_kill(struct cok_file *f);
int cok_app_signal(struct cok_file *f, const struct cok_ioc_signal *s);
int cok_app_join(struct cok_file *f, struct cok_file *bound,
		 const struct cok_caller *who);
/* The app waits for the forwarded call f was handed last. */
bool cok_app_in_call(struct cok_file *f);
void cok_app_release(struct cok_file *f);

/* COK_IOC_APP_MEM (appmem.c). */
int cok_app_mem(struct cok_file *f, struct cok_ioc_app_mem *m);

/* Under cok_enclaves_lock: the app with that id, or NULL. */
struct cok_app *cok_app_find_locked(u32 app_id);
/*
 * The app with that id with its enclave's lock held (NULL: no such app);
 * cok_app_leave() drops the lock.
 */
struct cok_app *cok_app_enter(u32 app_id);
void cok_app_leave(struct cok_app *app);
/* A dump let go of a segment of app (no lock held); retire it if due. */
void cok_app_detached(struct cok_app *app);

int cok_cdev_register(void);
void cok_cdev_unregister(void);

#endif /* COK_APP_H */
