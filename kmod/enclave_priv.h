/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the module: the enclave structure and the channel helpers that
 * enclave.c (life cycle) and app.c (apps) share.
 */
#ifndef COK_ENCLAVE_PRIV_H
#define COK_ENCLAVE_PRIV_H

#include <linux/atomic.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include "enclave.h"
#include "watchdog.h"

struct cok_app;

/*
 * Locking (see also enclave.c):
 *  - cok_enclaves_lock, global, held for microseconds only: the table of
 *    enclaves, the CPUs taken, the segments (segment.c), e->nproxies,
 *    and each app's nattached, proxy_gone and kill_deferred.
 *  - e->lock, per enclave, may be held across a wait on the co-kernel:
 *    the enclave's command rings (seq, send, wait), its apps' places
 *    (e->procs[], slot_reserved) and app->restoring.
 *  Order: e->lock, then cok_enclaves_lock; never the other way round.
 *  e->procs[] and the flags named twice are written with both held, so
 *  either lock is enough to read them.
 *
 * Lifetime: a lookup takes a reference (users) under the global lock;
 * destroy marks the enclave gone under both locks (a holder that then
 * takes e->lock backs out), takes it out of the table and waits for
 * users to drop to zero before it frees anything.  A bound app counts
 * in nproxies, which destroy refuses: an app's e needs no reference.
 */
struct cok_enclave {
	struct mutex lock;
	atomic_t users;
	bool gone;			/* destroy has begun */
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
	/*
	 * The app in each proc slot of the channel (app.h), and slots
	 * whose launch timed out, with the core it went to: both stay
	 * taken until the co-kernel reports the slot free (app.c).  How
	 * many proxies and dumps.
	 */
	struct cok_app *procs[COK_MAX_PROCS];
	bool slot_reserved[COK_MAX_PROCS];
	u32 reserved_core[COK_MAX_PROCS];
	u32 nproxies;
	/* The watchdog's view of each core (watchdog.c). */
	struct cok_wd_core wd[COK_MAX_CORES];
	struct list_head wd_node;
	/* The chunks sorted by physical address (appmem.c). */
	struct cok_chunk_index *by_phys;
};

/* The table of enclaves and what spans them (see above). */
extern struct mutex cok_enclaves_lock;

struct cok_enclave *cok_find_enclave(u32 id, struct netlink_ext_ack *extack);
/* Under cok_enclaves_lock: a reference that keeps e from being freed. */
void cok_enclave_hold(struct cok_enclave *e);
void cok_enclave_put(struct cok_enclave *e);
/* Take e->lock; -ENOENT (lock not held) if e is being destroyed. */
int cok_enclave_lock(struct cok_enclave *e);
void cok_enclave_unlock(struct cok_enclave *e);
int cok_enclave_next_id_locked(u32 after, u32 *id);
struct cok_enclave *cok_find_app_locked(u32 app_id, u32 *slot);
/* Under either lock: the app whose threads may run on core i, or NULL. */
struct cok_app *cok_app_on_core(struct cok_enclave *e, u32 i);
struct cok_enclave *cok_find_cpu_locked(u32 cpu, u32 *core);
u32 cok_core_stage(struct cok_enclave *e, u32 i);
/* e->lock held: push m on core i's command ring, ring its doorbell. */
int cok_send_cmd(struct cok_enclave *e, u32 i, struct cok_msg *m);
/* e->lock held: wait for the reply to m (same seq), drop stale ones. */
int cok_wait_reply(struct cok_enclave *e, u32 i, struct cok_msg *m,
		   unsigned int timeout_ms);

#endif /* COK_ENCLAVE_PRIV_H */
