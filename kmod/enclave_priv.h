/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the module: the enclave structure and the channel helpers that
 * enclave.c (life cycle) and app.c (apps) share.
 */
#ifndef COK_ENCLAVE_PRIV_H
#define COK_ENCLAVE_PRIV_H

#include <linux/ktime.h>
#include <linux/mutex.h>
#include "enclave.h"
#include "watchdog.h"

struct cok_app;

struct cok_enclave {
	u32 id;
	u32 ncores;
	u32 cpus[COK_MAX_CORES];
	u32 apic_ids[COK_MAX_CORES];
	u32 ncpus_offline;		/* CPUs taken from Linux so far */
	u32 nchunks;
	u32 nchunks_held;		/* chunks allocated so far */
	struct page **chunks;
	struct cok_channel *ch;
	ktime_t t_create;
	ktime_t t_memory_done;
	ktime_t t_offline_done;
	ktime_t t_first_heartbeat;
	const char *state;
	u32 seq;
	/* The app on each core (app.h); how many proxies and dumps. */
	struct cok_app *apps[COK_MAX_CORES];
	bool core_reserved[COK_MAX_CORES];	/* a timed-out launch */
	u32 nproxies;
	/* The watchdog's view of each core (watchdog.c). */
	struct cok_wd_core wd[COK_MAX_CORES];
	struct list_head wd_node;
	/* The chunks sorted by physical address (appmem.c). */
	struct cok_chunk_index *by_phys;
};

/* Serialises every enclave operation and the use of command rings. */
extern struct mutex cok_enclaves_lock;

struct cok_enclave *cok_find_enclave(u32 id, struct netlink_ext_ack *extack);
int cok_enclave_next_id_locked(u32 after, u32 *id);
struct cok_enclave *cok_find_app_locked(u32 app_id, u32 *core);
struct cok_enclave *cok_find_cpu_locked(u32 cpu, u32 *core);
u32 cok_core_stage(struct cok_enclave *e, u32 i);
/* Push m on core i's command ring and ring its doorbell; -EIO: dead. */
int cok_send_cmd(struct cok_enclave *e, u32 i, struct cok_msg *m);
/* Wait for the reply to m (same seq); stale replies are dropped. */
int cok_wait_reply(struct cok_enclave *e, u32 i, struct cok_msg *m,
		   unsigned int timeout_ms);

#endif /* COK_ENCLAVE_PRIV_H */
