/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The enclave API inside the module: what the netlink layer (genl.c)
 * calls.  Every function that can refuse takes an extack and sets a
 * one-line message there; on refusal nothing has changed.
 */
#ifndef COK_ENCLAVE_H
#define COK_ENCLAVE_H

#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/netlink.h>
#include "../xemem/channel.h"
#include "../xemem/cokdev.h"

struct cok_create_req {
	u32 cpu_count;			/* cores wanted; or ... */
	u32 ncpus_listed;		/* ... exactly these, if non-zero */
	u32 cpu_list[COK_MAX_CORES];
	u64 mem_bytes;			/* multiple of COK_CHUNK_SIZE */
};

struct cok_core_info {
	u32 cpu;
	u32 apic_id;
	u32 stage;			/* enum cok_stage */
	bool alive;			/* answered a ping within the timeout */
	u64 heartbeat;
	u64 interrupts;
	u64 nmis;
	u64 foreign;
	u32 app_id;			/* 0: no app on the core */
	const char *app_state;
	pid_t app_pid;			/* its proxy */
	kuid_t app_owner;
	char reason[COK_LOST_REASON_LEN];	/* stage "dead": why */
};

struct cok_enclave_info {
	u32 id;
	const char *state;		/* "booting", "running", "failed" */
	u64 mem_bytes;
	u64 mem_free;
	u64 uptime_ns;
	u64 boot_ns;			/* create request -> first heartbeat */
	u64 memory_ns;			/* of which: taking memory */
	u64 offline_ns;			/* of which: CPU hotplug offline */
	u64 start_ns;			/* of which: SIPI -> core 0 running */
	u32 ncores;
	struct cok_core_info core[COK_MAX_CORES];
};

int cok_enclave_create(const struct cok_create_req *req, u32 *id,
		       struct netlink_ext_ack *extack);
int cok_enclave_destroy(u32 id, struct netlink_ext_ack *extack);
/* Pings every core, then reports; may sleep up to ~100 ms. */
int cok_enclave_info(u32 id, struct cok_enclave_info *info,
		     struct netlink_ext_ack *extack);
/* Smallest live enclave id greater than @after, or -ENOENT. */
int cok_enclave_next_id(u32 after, u32 *id);
/* Copies console bytes from *pos; advances *pos; see cok_console_read. */
int cok_enclave_console(u32 id, u64 *pos, u8 *buf, u32 len, u32 *copied,
			u64 *lost, struct netlink_ext_ack *extack);
void cok_enclave_destroy_all(void);
/* An enclave holds the CPU (the hotplug veto asks; no lock taken). */
bool cok_cpu_held(unsigned int cpu);

/*
 * Freeze (or thaw) app app_id: how long it took from the request to done
 * (ns), and of that the co-kernel's part, from taking FREEZE to the
 * answer with every core of the app parked (core_ns, 0 for a thaw).
 */
struct cok_freeze_times {
	u64 ns;
	u64 core_ns;
};
struct cok_caller;
int cok_app_freeze(u32 app_id, bool thaw, const struct cok_caller *who,
		   struct cok_freeze_times *times,
		   struct netlink_ext_ack *extack);

int cok_genl_register(void);
void cok_genl_unregister(void);

const char *cok_stage_name(u32 stage);
/* Longest app state name, NUL included ("load-failed"). */
#define COK_APP_STATE_MAX	12
const char *cok_app_state_name(u32 state);

#endif /* COK_ENCLAVE_H */
